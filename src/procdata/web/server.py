"""Run the web app on this machine: bind, say where (the first line of stdout), open the browser, serve."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import webbrowser
from pathlib import Path

from procdata.errors import ProcdataError
from procdata.i18n import message


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_of(host: str, port: int) -> str:
    name = host.strip("[]")
    shown = f"[{name}]" if ":" in name else ("127.0.0.1" if name in ("", "0.0.0.0") else name)
    return f"http://{shown}:{port}/"


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: a free port); a one-line error when it cannot be had."""
    name = host.strip("[]")
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise ProcdataError("serve_bad_host", host=host) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise ProcdataError("serve_port_busy", host=host, port=port, error=error.strerror or str(error)) from None
    sock.set_inheritable(True)
    return sock


def serve(folder: Path, *, host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True,
          lang: str = "th", debug: bool = False) -> None:
    """Serve the workspace of ``folder`` until interrupted; prints its URL as the first line of stdout."""
    import uvicorn

    from procdata.web.app import create_app
    from procdata.web.security import LOOPBACK_NAMES

    loopback = is_loopback(host)
    sock = bind(host, port)
    address = sock.getsockname()
    url = url_of(host, address[1])
    allowed = LOOPBACK_NAMES if loopback else None
    app = create_app(folder, lang=lang, allowed_hosts=allowed, debug=debug)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False)
    server = uvicorn.Server(config)
    # Everything is said before the URL: whoever reads the URL and stops the server at once
    # (Ctrl+C, a test) has then seen every line.
    if not loopback:
        print(message("serve_not_loopback", lang, host=host), file=sys.stderr, flush=True)
    print(message("serve_running", lang, folder=folder), file=sys.stderr, flush=True)
    print(url, flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # Ctrl+C before the server took over the signal: a quiet stop, as after it
    finally:
        sock.close()
