"""What the templates show, gathered from library results (no rule of the data is decided here)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from procdata.check import catalog
from procdata.config import Config
from procdata.errors import ConfigError
from procdata.i18n import message
from procdata.web.pages import label
from procdata.workspace.profile import FIELDS, REQUIRED, form_values, missing_fields

if TYPE_CHECKING:
    from procdata.web.app import Overview, Workspace
    from procdata.web.jobs import Job

CHOICES_FIELDS = ("profile", "licence", "personal_ids")


def relative(file: str, folder: Path) -> str:
    """A file named by ingest (``folder/sub/a.xlsx``) as the monthly folder's listing names it."""
    try:
        return Path(file).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return Path(file).name


def shorten(text: str, folder: Path) -> str:
    """Text naming files of the monthly folder (a merge conflict's other file) as the folder lists them."""
    return text.replace(f"{folder.resolve()}{os.sep}", "").replace(f"{folder}{os.sep}", "")


def problem_rows(problems: Iterable[Any], folder: Path, lang: str) -> list[dict[str, Any]]:
    """Each problem as a row of the page: where (sheet, cell as Excel names it), what and how to fix it."""
    from procdata.check.validate import title

    rows = []
    for number, p in enumerate(problems):
        cell = f"{p.column}{p.row}" if p.column and p.row else (str(p.row) if p.row else "")
        rows.append({
            "order": number, "file": relative(p.file, folder), "sheet": p.sheet, "row": p.row or 0,
            "column": p.column, "cell": cell, "header": p.header or title(p.field, lang),
            "severity": p.severity, "severity_label": catalog.word(p.severity, lang), "message": shorten(p.message, folder),
            "fix": catalog.check(p.code).text("fix", lang, "web"), "value": p.value, "code": p.code,
        })
    return rows


def by_file(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["file"], []).append(row)
    return list(groups.items())


def failures(overview: Overview, folder: Path, lang: str) -> dict[str, str]:
    """Files that could not be read: name -> the one-line message saying why and what to do."""
    return {relative(f.file, folder): message(f.code, lang, surface="web", file=relative(f.file, folder), **f.params)
            for f in overview.status.failures}


def profile_form(workspace: Workspace, typed: dict[str, str] | None = None) -> dict[str, Any]:
    """The agency profile form: values (as typed, or as saved), what is missing, the choices, any error."""
    from procdata.config import PERSONAL_ID_POLICIES, load_config
    from procdata.profiles import available, licences

    path, error = workspace.profile, ""
    try:
        values = form_values(path)
        missing = missing_fields(path)
    except ConfigError as problem:
        values, missing, error = dict.fromkeys(FIELDS, ""), list(REQUIRED), problem.render(workspace.lang, "web")
    if not error and path.is_file() and not missing:
        try:
            load_config(path)
        except ConfigError as problem:
            error = problem.render(workspace.lang, "web")
    return {
        "entries": {**values, **(typed or {})}, "missing": missing, "required": REQUIRED, "error": error,
        "exists": path.is_file(), "path": str(path), "complete": path.is_file() and not missing and not error,
        "choices": {"profile": available(), "licence": licences(), "personal_ids": list(PERSONAL_ID_POLICIES)},
    }


def published(config: Config) -> dict[str, Any] | None:
    """Links to what is in the site folder now: the page and the zip."""
    site = config.out_path
    if not (site / "index.html").is_file():
        return None
    archives = sorted(p.name for p in site.glob("*.zip"))
    return {
        "index": "/site/index.html", "archives": [(name, "/site/" + quote(name)) for name in archives],
        "when": dt.datetime.fromtimestamp((site / "index.html").stat().st_mtime),
    }


def publish_state(job: Job | None, folder: Path, lang: str) -> dict[str, Any] | None:
    """The latest publish of this server: running, failed, refused (with its errors) or done (with its datasets)."""
    if job is None:
        return None
    from procdata.publish.text import MAX_PROBLEMS, publish_text

    state: dict[str, Any] = {"job": job, "refused": False, "lines": [], "errors": [], "count": 0, "datasets": []}
    if job.running or job.error:
        return state
    result = job.result
    state["refused"] = result.refused
    state["count"] = len(result.report.errors) + len(result.failures)
    state["unreadable"] = [message(f.code, lang, surface="web", file=relative(f.file, folder), **f.params)
                           for f in result.failures]
    state["errors"] = problem_rows(result.report.errors[:MAX_PROBLEMS], folder, lang)
    state["more"] = max(0, len(result.report.errors) - MAX_PROBLEMS)
    state["lines"] = [shorten(line, folder) for line in publish_text(result, lang, surface="web").splitlines()]
    state["datasets"] = [
        message("publish_dataset", lang, indicator=d.indicator, fiscal_year=d.fiscal_year, rows=f"{d.rows:,}",
                available=f"{d.available:,}", derived=f"{d.derived_status:,}", files=", ".join(d.files))
        for d in result.datasets
    ]
    return state


def template_months(overview: Overview | None) -> tuple[list[str], str]:
    """The months of the fiscal year for the template form, and the one to choose first (this month)."""
    from procdata.normalize.dates import fiscal_year
    from procdata.workspace.status import fiscal_months

    today = dt.date.today()
    year = overview.status.fiscal_year if overview else fiscal_year(today)
    months = fiscal_months(year)
    this = f"{today.year:04d}-{today.month:02d}"
    return months, this if this in months else months[-1]


def field_label(key: str, lang: str) -> str:
    return label(f"field_{key}", lang)
