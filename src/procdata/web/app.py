"""The web app: its routes, its guard, and the officer's workspace it serves.

``create_app(folder)`` gives an ASGI application over the workspace that
governs ``folder`` (its ``procdata.toml``, or a new one there). Every page and
action calls the library, as the CLI does; see :mod:`procdata.web.views`.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from procdata.config import Config
from procdata.web import views
from procdata.web.jobs import Job, Jobs
from procdata.web.pages import Pages
from procdata.web.security import LOOPBACK_NAMES, MAX_BODY, Guard, new_token
from procdata.workspace.inbox import InboxFile, inbox_files
from procdata.workspace.profile import profile_path, usable_config

HERE = Path(__file__).parent


@dataclass
class Overview:
    """What the home page shows of the files: the year month by month, the checklist and every problem."""

    status: Any  # procdata.workspace.status.Status
    report: Any  # procdata.check.model.Report
    files: list[InboxFile]


class Workspace:
    """The server's view of the officer's folder, its long steps and its notices."""

    def __init__(self, folder: Path, lang: str, debug: bool = False) -> None:
        self.folder = folder.resolve()
        self.lang = lang
        self.token = new_token()
        self.jobs = Jobs(lang, debug)
        self.notices: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
        self._numbers = itertools.count(1)

    @property
    def profile(self) -> Path:
        return profile_path(self.folder)

    def config(self) -> Config:
        return usable_config(self.profile)

    def fingerprint(self, config: Config) -> tuple[Any, ...]:
        """Changes whenever a file, the profile or the published site changes: when to check again."""

        def stamp(path: Path) -> int:
            try:
                return path.stat().st_mtime_ns
            except OSError:
                return 0

        files = tuple((f.name, f.size, f.modified_ns) for f in inbox_files(config.inbox_path))
        return files, stamp(self.profile), stamp(config.out_path / "datapackage.json"), self.lang

    def notice(self, items: list[tuple[str, str]]) -> str:
        """Keep ``(kind, text)`` notices for the next page; returns their id for the address."""
        key = str(next(self._numbers))
        self.notices[key] = items
        while len(self.notices) > 50:
            self.notices.popitem(last=False)
        return key

    def check(self, online: bool = False) -> Job:
        """The run that reads and checks the monthly files as they are now (started if needed).

        The agency's website is compared with the site folder only when ``online`` (the officer
        pressed "ตรวจเว็บไซต์"): the app makes no request beyond the machine unless asked. A run
        that did compare stays the answer until a file, the profile or the site changes."""
        config = self.config()
        key = self.fingerprint(config)
        latest = self.jobs.latest.get("check")
        if latest is not None and latest.key[0] == key and (latest.key[1] or not online):
            return latest
        files = inbox_files(config.inbox_path)
        return self.jobs.submit("check", (key, online), lambda job: self._check(job, config, files, online),
                                total=len(files))

    def _check(self, job: Job, config: Config, files: list[InboxFile], online: bool) -> Overview:
        """``procdata status`` of the monthly folder: each file read once for the months, the
        checklist and every problem (merge conflicts included), advice worded for the web app."""
        from procdata.workspace.status import status

        inputs = [config.inbox_path] if files else []
        result = status(inputs, config=config, lang=self.lang, on_file=job.on_file, surface="web",
                        offline=not online)
        return Overview(result, result.report, files)

    def publish(self, force: bool) -> Job:
        """Start publishing the monthly files into the site folder."""
        config = self.config()
        files = inbox_files(config.inbox_path)
        return self.jobs.submit("publish", (force, self.fingerprint(config)),
                                lambda job: self._publish(job, config, files, force), total=len(files))

    def _publish(self, job: Job, config: Config, files: list[InboxFile], force: bool) -> Any:
        from procdata.errors import ProcdataError
        from procdata.publish import publish

        if not files:
            raise ProcdataError("inbox_empty", folder=str(config.inbox_path))
        return publish([config.inbox_path], out=config.out_path, config=self.profile, force=force,
                       lang=self.lang, on_file=job.on_file)


def create_app(folder: Path, *, lang: str = "th", allowed_hosts: tuple[str, ...] | None = LOOPBACK_NAMES,
               debug: bool = False, max_body: int = MAX_BODY) -> Starlette:
    """The app over the workspace of ``folder``; ``allowed_hosts`` None when bound beyond loopback."""
    workspace = Workspace(folder, lang, debug)
    pages = Pages(HERE / "templates", workspace, max_body)

    def refuse(reason: str, status: int) -> Callable[..., Any]:
        return pages.refusal(reason, status)

    def route(handler: Callable[..., Any]) -> Callable[..., Any]:
        async def endpoint(request: Any) -> Response:
            return await handler(request, workspace, pages)  # type: ignore[no-any-return]

        return endpoint

    routes = [
        Route("/", route(views.home)),
        Route("/progress", route(views.progress)),
        Route("/profile", route(views.save_profile), methods=["POST"]),
        Route("/upload", route(views.upload), methods=["POST"]),
        Route("/remove", route(views.remove), methods=["POST"]),
        Route("/publish", route(views.publish), methods=["POST"]),
        Route("/check-site", route(views.check_site), methods=["POST"]),
        Route("/template", route(views.template)),
        Route("/files/{name:path}", route(views.file_page)),
        Route("/site/{name}", route(views.site_file)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def not_found(request: Any, exc: Exception) -> Response:
        return pages.error(request, "not_found", 404)

    async def server_error(request: Any, exc: Exception) -> Response:
        return pages.error(request, "server_error", 500)

    return Starlette(
        routes=routes,
        middleware=[Middleware(Guard, allowed_hosts=allowed_hosts, refuse=refuse, max_body=max_body)],  # type: ignore[arg-type]
        exception_handlers={404: not_found, 500: server_error},
    )

