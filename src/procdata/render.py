"""Text renderings of library results for people (Thai by default)."""

from __future__ import annotations

from collections import Counter

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
    reasons = Counter(skip.reason for skip in result.skipped_rows)
    for skip in result.skipped_rows:
        if skip.reason in ("after_table",) and reasons[skip.reason] > 20:
            continue
        lines.append(message(
            "ingest_row_skipped", lang, file=skip.file, sheet=skip.sheet or "-", row=skip.row,
            reason=message(skip.reason, lang), text=skip.text,
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
