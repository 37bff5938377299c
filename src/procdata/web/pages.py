"""Pages: Jinja2 templates with the app's words (``data/web.toml``) in the server's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, JSONResponse, Response

from procdata.i18n import be_date, be_month, message, number, shown_date
from procdata.resources import data

if TYPE_CHECKING:
    from procdata.web.app import Workspace


def label(key: str, lang: str, **params: Any) -> str:
    """A word of the web app in ``lang``, with ``params`` filled in."""
    entry = data("web").get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


def megabytes(size: int) -> str:
    """``50000000`` -> ``50 MB``; ``123456`` -> ``0.1 MB``; ``2048`` -> ``2.0 KB``."""
    if size >= 100_000:
        value = size / 1_000_000
        return f"{value:,.0f} MB" if value.is_integer() else f"{value:,.1f} MB"
    return f"{size / 1000:,.1f} KB"


class Pages:
    """Renders the templates of ``folder`` for a workspace."""

    def __init__(self, folder: Path, workspace: Workspace, max_body: int) -> None:
        self.workspace = workspace
        self.max_body = max_body
        self.env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(default=True),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        lang = workspace.lang
        self.env.globals.update(
            t=lambda key, **params: label(key, lang, **params),
            msg=lambda code, **params: message(code, lang, surface="web", **params),
            number=number, megabytes=megabytes, lang=lang, max_body=max_body,
            month=lambda m: be_month(m) if lang == "th" else m,
            day=lambda d: be_date(d) if lang == "th" else str(d),
            shown_date=lambda text: shown_date(text, lang),
            clock=lambda seconds: dt.datetime.fromtimestamp(seconds).strftime("%H:%M:%S"),
        )
        self.env.filters["month"] = lambda m: be_month(m) if lang == "th" else m
        self.env.filters["field"] = lambda key: label(f"field_{key}", lang)

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("notices", [])
        page = self.env.get_template(template).render(token=self.workspace.token, **context)
        return HTMLResponse(page, status_code=status, headers={"cache-control": "no-store"})

    def error(self, request: Any, reason: str, status: int, detail: str = "") -> Response:
        text = label(f"error_{reason}", self.workspace.lang, limit=megabytes(self.max_body))
        if _wants_json(request.headers.get("accept", "")):
            return JSONResponse({"error": " ".join(filter(None, [text, detail]))}, status_code=status)
        return self.render("error.html", status, title=text, detail=detail)

    def refusal(self, reason: str, status: int) -> Callable[..., Any]:
        """An ASGI response for a request the guard refuses before it reaches a page."""

        async def respond(scope: Any, receive: Any, send: Any) -> None:
            accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
            text = label(f"error_{reason}", self.workspace.lang, limit=megabytes(self.max_body))
            if _wants_json(accept):
                response: Response = JSONResponse({"error": text}, status_code=status)
            else:
                response = self.render("error.html", status, title=text, detail="")
            response.headers["connection"] = "close"
            await response(scope, receive, send)

        return respond


def _wants_json(accept: str) -> bool:
    return "application/json" in accept
