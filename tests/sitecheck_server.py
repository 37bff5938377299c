"""A real local web server for check-site tests: the standard library's, on a free port, in a thread.

It serves a folder as any web host would (files as they are, 404 for what is
missing) and adds the ways real sites go wrong: ``/loop...`` redirects to itself,
``/moved`` redirects once to ``/index.html``, ``/slow/<name>`` waits before
answering, and ``/big`` streams more than a small limit. With ``tls`` it speaks
HTTPS with a certificate from a throwaway authority no client trusts.
"""

from __future__ import annotations

import functools
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar


class Handler(SimpleHTTPRequestHandler):
    delay = 2.0
    requested: ClassVar[list[str]] = []  # every path asked for, in order, by any server of this module


    def log_message(self, format: str, *args: object) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:
        self.requested.append(self.path)
        if self.path.startswith("/loop"):  # /loop, /loop/o12.csv: a redirect to itself
            self.send_response(302)
            self.send_header("Location", self.path)
            self.end_headers()
            return
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/index.html")
            self.end_headers()
            return
        if self.path.startswith("/slow/"):
            time.sleep(self.delay)
            self.path = self.path[len("/slow"):]
        if self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            try:
                for _ in range(64):
                    self.wfile.write(b"x" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        super().do_GET()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:  # a client gave up: not news
        pass


@contextmanager
def serve(folder: Path, *, host: str = "127.0.0.1", tls: bool = False) -> Iterator[str]:
    """Serve ``folder`` on a free port; yields the base URL (``http://127.0.0.1:PORT/``)."""
    server = Server((host, 0), functools.partial(Handler, directory=str(folder)))
    scheme = "http"
    if tls:
        import trustme

        authority = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert(host).configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
