"""Text renderings of library results for people (Thai by default)."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import groupby
from typing import TYPE_CHECKING

from procdata.check.render import resolution_lines
from procdata.i18n import message
from procdata.model import IngestResult, RowSkip

if TYPE_CHECKING:
    from procdata.workspace.status import Status


def ingest_text(result: IngestResult, lang: str = "th") -> str:
    """What ingest read and skipped, sheet by sheet, with reasons."""
    counts = {k: f"{v:,}" for k, v in result.summary().items()}
    lines = [message("ingest_title", lang), message("ingest_counts", lang, **counts)]
    for sheet in result.sheets:
        name = sheet.sheet or "-"
        if sheet.read:
            lines.append(message(
                "ingest_sheet_read", lang, file=sheet.file, sheet=name, layout=sheet.layout,
                header="+".join(str(r) for r in sheet.header_rows), records=f"{sheet.records:,}",
            ))
            if sheet.ignored_columns:
                lines.append(message("ingest_ignored_columns", lang, columns=", ".join(sheet.ignored_columns)))
            if sheet.hidden_rows:
                lines.append(message("ingest_hidden_rows", lang, rows=f"{sheet.hidden_rows:,}"))
        else:
            lines.append(message("ingest_sheet_skipped", lang, file=sheet.file, sheet=name, reason=message(sheet.reason, lang)))
    for copy, original in result.copies.items():
        lines.append(message("ingest_file_copy", lang, file=copy, original=original))
    for _, group in groupby(enumerate(result.skipped_rows), key=_run_of_rows(result.skipped_rows)):
        skips = [skip for _, skip in group]
        rows = str(skips[0].row) if len(skips) == 1 else f"{skips[0].row}–{skips[-1].row}"
        lines.append(message(
            "ingest_row_skipped", lang, file=skips[0].file, sheet=skips[0].sheet or "-", row=rows,
            reason=message(skips[0].reason, lang), text=_shorten(skips[0].text) + (" …" if len(skips) > 1 else ""),
        ))
    for issue in result.issues[:200]:
        lines.append(message(
            "ingest_cell_issue", lang, file=issue.file, sheet=issue.sheet or "-",
            cell=f"{issue.column}{issue.row}", header=issue.header or message("header_none", lang), reason=message(issue.code, lang),
            value=issue.value,
        ))
    if len(result.issues) > 200:
        lines.append(f"  … +{len(result.issues) - 200:,}")
    lines.extend(resolution_lines(result.resolutions, lang))
    if result.failures:
        every = len(result.failures) >= len(result.files)  # (no other file to say was read)
        lines.append(message("ingest_failed_every_file" if every else "ingest_failed_files", lang, count=len(result.failures)))
    return "\n".join(lines)


def _run_of_rows(skips: list[RowSkip]) -> Callable[[tuple[int, RowSkip]], int]:
    """A key that groups skipped rows that follow one another (same file, sheet and reason, next row)."""
    runs: list[int] = []
    for number, skip in enumerate(skips):
        before = skips[number - 1] if number else None
        follows = before is not None and (before.file, before.sheet, before.reason, before.row + 1) == (skip.file, skip.sheet, skip.reason, skip.row)
        runs.append(runs[-1] if follows else number)
    return lambda entry: runs[entry[0]]


def _shorten(text: str, width: int = 60) -> str:
    text = re.sub(r"\.{4,}", "…", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def status_text(result: Status, lang: str = "th") -> str:
    """The month table (rich) and the readiness checklist, one line per requirement."""
    import io

    from rich.console import Console
    from rich.table import Table

    from procdata.i18n import be_date, number
    from procdata.workspace.status import month_label

    as_of = be_date(result.as_of) if lang == "th" else result.as_of.isoformat()
    table = Table(title=message("status_title", lang, fiscal_year=result.fiscal_year, as_of=as_of, profile=result.profile))
    for index, name in enumerate(message("status_columns", lang).split("|")):
        table.add_column(name, justify="left" if index == 0 else "right")
    for month in result.months:
        label = month_label(month.month, lang) if month.month else message("status_no_month", lang)
        table.add_row(label, f"{month.files:,}", f"{month.items:,}", number(month.budget), f"{month.investment:,}",
                      f"{month.errors:,}", f"{month.warnings:,}")
    buffer = io.StringIO()
    Console(file=buffer, width=110, color_system=None, highlight=False).print(table)
    lines = [buffer.getvalue().rstrip("\n")]
    if result.missing:
        lines.append(message("status_missing", lang, months=", ".join(month_label(m, lang) for m in result.missing)))
    lines.append("")
    lines.append(message("status_checklist", lang))
    for requirement in result.requirements:
        mark = "✓ " + message("status_met", lang) if requirement.met else "✗ " + message("status_not_met", lang)
        if requirement.skipped:
            mark = "– " + message("status_skipped", lang)
        lines.append(f"  {mark}: {requirement.detail}")
        if requirement.todo:
            lines.append(f"      → {requirement.todo}")
    unmet = sum(not r.met for r in result.requirements)
    lines.append(message("status_ready", lang) if not unmet else message("status_not_ready", lang, count=unmet))
    return "\n".join(lines)

