"""What keeps a local web app local: host and origin checks, CSRF tokens, a body size limit, strict headers.

A page on another website can make the officer's browser send requests to
``127.0.0.1``; it cannot read this app's pages, so it cannot learn the CSRF
token that every state-changing POST must carry. A DNS-rebinding page that
can read them is stopped earlier: it arrives with its own name in the
``Host`` header, which a server bound to loopback refuses.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 50_000_000  # 50 MB: a year of monthly workbooks is a few MB
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# Pages of the app: its own scripts and styles only, nothing from elsewhere.
APP_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# The published site shown for preview: its own inline script and style (it carries a stricter
# policy of its own, by hash), and no request anywhere.
SITE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


class BodyTooLarge(Exception):
    """The request body passed :data:`MAX_BODY` while it was being read."""


def host_allowed(host: str, allowed: tuple[str, ...] | None) -> bool:
    """Whether a ``Host`` header names this server; ``allowed`` None accepts any (bound beyond loopback)."""
    if allowed is None:
        return True
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.lower() in allowed


class Guard:
    """ASGI middleware: refuses foreign hosts and origins and oversized bodies; sets the security headers."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: tuple[str, ...] | None, refuse: Callable[..., Any],
                 max_body: int = MAX_BODY) -> None:
        self.app, self.allowed_hosts, self.refuse, self.max_body = app, allowed_hosts, refuse, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = SITE_POLICY if scope["path"].startswith("/site/") else APP_POLICY
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        # Referrer-Policy same-origin, not no-referrer: under no-referrer the browser sends
        # "Origin: null" with the page's own form posts, which the origin check must refuse.
        async def secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [
                    (b"content-security-policy", policy.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        origin = headers.get("origin")
        length = headers.get("content-length", "")
        refusal = None
        if not host_allowed(host, self.allowed_hosts):
            refusal = ("bad_host", 400)
        elif scope["method"] not in ("GET", "HEAD") and origin is not None and origin.split("//", 1)[-1] != host:
            refusal = ("bad_origin", 403)
        elif length.isdigit() and int(length) > self.max_body:
            refusal = ("too_large", 413)
        if refusal:
            await self.refuse(*refusal)(scope, receive, secured)
            return
        try:
            await self.app(scope, counted, secured)
        except BodyTooLarge:
            if not started:
                await self.refuse("too_large", 413)(scope, receive, secured)
