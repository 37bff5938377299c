"""HTTP for check-site: httpx with timeouts, a limit on redirects, and a limit on what is read.

A request never raises: every way it can fail (refused, unknown host, TLS,
timeout, redirect loop, too large, HTTP error) comes back as a
:class:`Fetched` whose ``problem`` is a message code (``site_*`` in
``data/messages.toml``).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any

from procdata import __version__
from procdata.resources import data


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    max_redirects: int = 5
    max_bytes: int = 25_000_000
    max_pages: int = 8
    concurrency: int = 8
    max_unzipped: int = 200_000_000

    @classmethod
    def default(cls, **changes: Any) -> Limits:
        """The limits of ``data/sitecheck.toml``, with ``changes`` (``None`` values ignored)."""
        values = {**data("sitecheck")["limits"], **{k: v for k, v in changes.items() if v is not None}}
        return cls(**values)


@dataclass
class Fetched:
    """What one request found: the final address, the redirects on the way, the status and the body."""

    url: str
    final_url: str = ""
    status: int = 0
    redirects: list[str] = field(default_factory=list)
    content_type: str = ""
    charset: str = ""  # as the server declared it
    body: bytes = b""
    problem: str = ""  # a message code; "" when a body was read
    detail: str = ""  # the low-level reason, for people

    @property
    def ok(self) -> bool:
        return not self.problem


def client(limits: Limits) -> Any:
    """An httpx client that follows at most ``max_redirects`` redirects and verifies TLS."""
    import httpx

    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    return httpx.Client(
        follow_redirects=True, max_redirects=limits.max_redirects, timeout=timeout,
        headers={"User-Agent": f"procdata-check-site/{__version__}"},
    )


def get(http: Any, url: str, limits: Limits) -> Fetched:
    """GET ``url``, reading at most ``limits.max_bytes`` of its body."""
    import httpx

    out = Fetched(url)
    try:
        with http.stream("GET", url) as response:
            out.final_url = str(response.url)
            out.redirects = [str(r.headers.get("location", "")) for r in response.history]
            out.status = response.status_code
            out.content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            out.charset = response.charset_encoding or ""
            if response.status_code >= 400:
                out.problem = "site_http_error"
                return out
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                out.problem = "site_too_large"
                return out
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limits.max_bytes:
                    out.problem = "site_too_large"
                    return out
                chunks.append(chunk)
            out.body = b"".join(chunks)
    except httpx.TooManyRedirects:
        out.problem = "site_redirects"
    except httpx.TimeoutException:
        out.problem = "site_timeout"
    except httpx.ConnectError as error:
        out.problem, out.detail = _connect_problem(error)
    except (httpx.TransportError, httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as error:
        out.problem, out.detail = "site_unreachable", _reason(error)
    return out


def _connect_problem(error: Exception) -> tuple[str, str]:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return "site_tls", getattr(cause, "verify_message", "") or getattr(cause, "reason", "") or str(cause)
        cause = cause.__cause__ or cause.__context__
    return "site_unreachable", _reason(error)


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text.splitlines()[0][:200]
