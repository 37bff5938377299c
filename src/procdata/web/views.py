"""The pages and actions of the web app: each reads the request, calls the library, renders the result.

Every POST changes something and carries the CSRF token (a form field, or the
``X-CSRF-Token`` header from the page's script); GETs change nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from procdata.errors import ProcdataError
from procdata.i18n import THAI_MONTHS_SHORT
from procdata.web import context
from procdata.web.pages import label
from procdata.web.security import same_token
from procdata.workspace.inbox import add_file, inbox_files, remove_file, safe_name

if TYPE_CHECKING:
    from procdata.web.app import Workspace
    from procdata.web.jobs import Job
    from procdata.web.pages import Pages

WAIT = 2.0  # seconds a page waits for a long step before showing its progress instead
MAX_FILES = 100  # files in one upload


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _form(request: Request, workspace: Workspace) -> Any:
    """The form of a POST, once its CSRF token is checked; ``None`` when the token is wrong."""
    form = await request.form(max_files=MAX_FILES, max_fields=50)
    token = request.headers.get("x-csrf-token") or form.get("csrf")
    return form if same_token(token if isinstance(token, str) else None, workspace.token) else None


def _back(request: Request, workspace: Workspace, notices: list[tuple[str, str]], anchor: str = "") -> Response:
    target = f"/?notice={workspace.notice(notices)}" + (f"#{anchor}" if anchor else "")
    if _wants_json(request):
        return JSONResponse({"next": target, "notices": [{"kind": k, "text": t} for k, t in notices]})
    return RedirectResponse(target, status_code=303)


async def _settled(workspace: Workspace) -> Any:
    """Wait a little for a step under way, then for the check of the files as they are now."""
    running = workspace.jobs.running()
    if running is not None:
        await run_in_threadpool(running.wait, WAIT)
    job = workspace.check()
    await run_in_threadpool(job.wait, WAIT)
    return job.now()


async def home(request: Request, workspace: Workspace, pages: Pages, **extra: Any) -> Response:
    """The officer's year: profile, files and their problems, months, checklist, publish, template."""
    job = await _settled(workspace)
    lang = workspace.lang
    config = workspace.config()
    overview = job.result if not job.running and not job.error else None
    rows = context.problem_rows(overview.report.worded("web"), config.inbox_path, lang) if overview else []
    months, this_month = context.template_months(overview)
    notices = workspace.notices.get(request.query_params.get("notice", ""), [])
    return pages.render(
        "home.html", status=extra.pop("status", 200),
        config=config, check=job, overview=overview, groups=context.by_file(rows),
        failures=context.failures(overview, config.inbox_path, lang) if overview else {},
        files=overview.files if overview else inbox_files(config.inbox_path),
        counts=_counts(rows), profile=extra.pop("profile", None) or context.profile_form(workspace),
        publishing=context.publish_state(_now(workspace.jobs.latest.get("publish")), config.inbox_path, lang),
        site=context.published(config), months=months, this_month=this_month, notices=notices,
        field_label=lambda key: context.field_label(key, lang), **extra,
    )


def _now(job: Job | None) -> Job | None:
    return job.now() if job is not None else None


def _counts(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = counts.setdefault(row["file"], {"error": 0, "warning": 0})
        entry[row["severity"]] += 1
    return counts


async def progress(request: Request, workspace: Workspace, pages: Pages) -> Response:
    """The step under way (or the latest), for the page's progress bar."""
    job = workspace.jobs.running() or workspace.check()
    return JSONResponse(job.to_dict(), headers={"cache-control": "no-store"})


async def save_profile(request: Request, workspace: Workspace, pages: Pages) -> Response:
    """Write the agency profile from the form, with the checks of ``procdata init``."""
    from procdata.workspace.profile import FIELDS, save_profile

    form = await _form(request, workspace)
    if form is None:
        return pages.error(request, "csrf", 403)
    typed = {key: str(form.get(key, "")) for key in FIELDS if key in form}
    try:
        path, missing = await run_in_threadpool(save_profile, workspace.profile, typed)
    except ProcdataError as error:
        profile = {**context.profile_form(workspace, typed), "error": error.render(workspace.lang, "web")}
        return await home(request, workspace, pages, profile=profile, status=400)
    lang = workspace.lang
    notices = [("ok", label("profile_saved", lang, file=path.name))]
    if missing:
        names = ", ".join(context.field_label(key, lang) for key in missing)
        notices.append(("warning", label("profile_missing", lang, fields=names)))
    return _back(request, workspace, notices, "profile")


async def upload(request: Request, workspace: Workspace, pages: Pages) -> Response:
    """Put the files sent into the monthly folder (never over another file), then check them all."""
    form = await _form(request, workspace)
    if form is None:
        return pages.error(request, "csrf", 403)
    folder = workspace.config().inbox_path
    notices: list[tuple[str, str]] = []
    sent = [item for item in form.getlist("files") if hasattr(item, "read") and item.filename]
    for item in sent:
        content = await item.read()
        try:
            path = await run_in_threadpool(add_file, folder, item.filename or "", content)
        except ProcdataError as error:
            notices.append(("error", error.render(workspace.lang, "web")))
            continue
        renamed = path.name != safe_name(item.filename or "")  # a name already taken
        key = "upload_renamed" if renamed else "upload_saved"
        notices.append(("ok", label(key, workspace.lang, file=path.name, sent=item.filename, folder=folder.name)))
    if not sent:
        notices.append(("error", label("upload_nothing", workspace.lang)))
    workspace.check()  # start reading them now, while the browser comes back
    return _back(request, workspace, notices, "problems")


async def remove(request: Request, workspace: Workspace, pages: Pages) -> Response:
    """Move a file out of the monthly folder into its ``.removed/`` folder (nothing is deleted)."""
    form = await _form(request, workspace)
    if form is None:
        return pages.error(request, "csrf", 403)
    folder = workspace.config().inbox_path
    name = str(form.get("name", ""))
    try:
        moved = await run_in_threadpool(remove_file, folder, name)
    except ProcdataError as error:
        return _back(request, workspace, [("error", error.render(workspace.lang, "web"))], "files")
    where = moved.relative_to(folder.parent).as_posix()
    return _back(request, workspace, [("ok", label("removed", workspace.lang, file=name, where=where))], "files")


async def publish(request: Request, workspace: Workspace, pages: Pages) -> Response:
    """Run publish; publishing despite errors needs ``force`` and the confirmation box both."""
    form = await _form(request, workspace)
    if form is None:
        return pages.error(request, "csrf", 403)
    force = form.get("force") == "1"
    if force and form.get("confirm") != "yes":
        return _back(request, workspace, [("error", label("publish_confirm_needed", workspace.lang))], "publish")
    workspace.publish(force)
    return _back(request, workspace, [], "publish")


async def check_site(request: Request, workspace: Workspace, pages: Pages) -> Response:
    """Compare the agency's website with the site folder (the only step that goes on the network)."""
    form = await _form(request, workspace)
    if form is None:
        return pages.error(request, "csrf", 403)
    workspace.check(online=True)
    return _back(request, workspace, [], "checklist")


async def template(request: Request, workspace: Workspace, pages: Pages) -> Response:
    """The entry workbook of a month (or the O12 layout), as a download."""
    from procdata.normalize.dates import read_month
    from procdata.template import template_bytes

    layout = request.query_params.get("layout", "sorkorror1")
    month = request.query_params.get("month") or None
    config = workspace.config()
    agency = "" if config.agency.name == "-" else config.agency.name
    try:
        content = await run_in_threadpool(lambda: template_bytes(layout=layout, month=month, agency=agency))
    except ProcdataError as error:
        return pages.error(request, "template", 400, error.render(workspace.lang, "web"))
    name = label(f"template_file_{layout}", workspace.lang)
    if month and layout == "sorkorror1":
        chosen = read_month(month)  # CE or BE, as people write it
        year, number = int(chosen[:4]) + 543, int(chosen[5:7])  # Buddhist Era, as the title inside says
        name += f" {THAI_MONTHS_SHORT[number - 1]} {year}" if workspace.lang == "th" else f"-{year}-{number:02d}"
    name += ".xlsx"
    disposition = f"attachment; filename=\"template.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": disposition})


async def file_page(request: Request, workspace: Workspace, pages: Pages) -> Response:
    """One monthly file: its problems, sortable, and its sheets with the problem cells marked."""
    from procdata.read.preview import preview

    config = workspace.config()
    name = request.path_params["name"]
    chosen = next((f for f in inbox_files(config.inbox_path) if f.name == name), None)
    if chosen is None:
        return pages.error(request, "not_found", 404)
    job = await _settled(workspace)
    overview = job.result if not job.running and not job.error else None
    problems = [p for p in overview.report.worded("web") if context.relative(p.file, config.inbox_path) == name] if overview else []
    rows = context.problem_rows(problems, config.inbox_path, workspace.lang)
    marks: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for row in rows:
        marks.setdefault((row["sheet"], row["row"], row["column"]), []).append(row)
    try:
        sheets = await run_in_threadpool(lambda: preview(chosen.path, name, also_rows={r["row"] for r in rows}))
        unreadable = ""
    except ProcdataError as error:
        sheets, unreadable = [], error.render(workspace.lang, "web")
    return pages.render("file.html", name=name, file=chosen, rows=rows, sheets=sheets, marks=marks,
                        unreadable=unreadable, check=job)


async def site_file(request: Request, workspace: Workspace, pages: Pages) -> Response:
    """A file of the published site folder (the page to preview, the zip to download); nothing else."""
    site = workspace.config().out_path
    name = request.path_params["name"]
    found = {p.name: p for p in site.iterdir() if p.is_file()} if site.is_dir() else {}
    if name not in found or name.startswith("."):
        return pages.error(request, "not_found", 404)
    inline = name.endswith((".html", ".csv", ".json"))
    return FileResponse(found[name], filename=None if inline else name,
                        headers={"cache-control": "no-store"})
