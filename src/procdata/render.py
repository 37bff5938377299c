"""Text renderings of library results for people (Thai by default)."""

from __future__ import annotations

import re
from itertools import groupby

from procdata.i18n import message
from procdata.read.model import IngestResult


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
        else:
            lines.append(message("ingest_sheet_skipped", lang, file=sheet.file, sheet=name, reason=message(sheet.reason, lang)))
    for (file, sheet, reason), group in groupby(result.skipped_rows, key=lambda s: (s.file, s.sheet, s.reason)):
        skips = list(group)
        rows = str(skips[0].row) if len(skips) == 1 else f"{skips[0].row}–{skips[-1].row}"
        lines.append(message(
            "ingest_row_skipped", lang, file=file, sheet=sheet or "-", row=rows,
            reason=message(reason, lang), text=_shorten(skips[0].text) + (" …" if len(skips) > 1 else ""),
        ))
    for issue in result.issues[:200]:
        lines.append(message(
            "ingest_cell_issue", lang, file=issue.file, sheet=issue.sheet or "-",
            cell=f"{issue.column}{issue.row}", header=issue.header, reason=message(issue.code, lang), value=issue.value,
        ))
    if len(result.issues) > 200:
        lines.append(f"  … +{len(result.issues) - 200:,}")
    if result.failures:
        lines.append(message("ingest_failed_files", lang, count=len(result.failures)))
    return "\n".join(lines)


def _shorten(text: str, width: int = 60) -> str:
    text = re.sub(r"\.{4,}", "…", text)
    return text if len(text) <= width else text[: width - 1] + "…"
