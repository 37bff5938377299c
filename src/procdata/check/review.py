"""One report, one truth: the checks, the merge of monthly updates and the summary, in one function.

``procdata validate``, ``procdata status`` and ``procdata publish`` all call
:func:`review`, so that validate lists exactly the problems publish would
print or refuse on: the Table Schema and the rules of Thai procurement
(:mod:`procdata.check.validate`), the conflicts between monthly files that
the merge finds (:mod:`procdata.check.merge`), and the contracts a sheet
still calls "in contract" although their end date has passed by the date of
the data. Every problem points at the cell to fix, column letter included.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from procdata.check.merge import Conflict, MergeResult, merge_updates
from procdata.check.model import Problem, Report
from procdata.check.validate import Locator, check_records, problem, title
from procdata.i18n import be_date, message, number
from procdata.model import IngestResult


@dataclass
class Review:
    """What :func:`review` found: the report, and the records as publish uses them."""

    report: Report
    merged: MergeResult  # one record per project, the latest month winning
    fiscal_year: int | None  # the year asked for, else the latest in the data; None without dated records
    as_of: dt.date | None  # the date of the data that date-dependent checks used; None when nothing dates it

    @property
    def records(self) -> pd.DataFrame:
        return self.merged.records


def review(
    ingested: IngestResult, *, fiscal_year: int | None = None, as_of: dt.date | None = None, lang: str = "th",
) -> Review:
    """Check the records of an ingest, merge monthly updates, and summarise: the one report.

    ``as_of`` (the date of the data) defaults as publish's does
    (:func:`default_as_of` of ``fiscal_year``, itself the latest year in the
    data when not given).
    """
    problems, where = check_records(ingested, lang)
    merged = merge_updates(ingested.records)  # the plan; the merged table is made only when publish asks for it
    years = ingested.records["fiscal_year"].dropna()
    year = fiscal_year if fiscal_year is not None else (int(years.max()) if len(years) else None)
    day = as_of or (default_as_of(ingested.records, year) if year is not None else None)
    # The same project number twice in one month's report is an error already (duplicate_project).
    problems += [_conflict(c, where, lang) for c in merged.conflicts
                 if not (c.key.startswith("project:") and c.kept.report_month == c.other.report_month)]
    if day is not None:
        problems += _ended(merged, day, where, lang)
    problems.sort(key=where.order)
    report = Report(problems=problems)
    report.failures = [
        {"file": f.file, "code": f.code, "message": message(f.code, lang, file=f.file, **f.params)}
        for f in ingested.failures
    ]
    report.summary = _summary(ingested, report, merged)
    return Review(report, merged, year, day)


def default_as_of(records: pd.DataFrame, fiscal_year: int) -> dt.date | None:
    """The date of the data when none is given.

    The last day of the latest report month, or the latest contract signature,
    whichever is later, among the records of ``fiscal_year``; never after the
    end of that fiscal year. ``None`` when the records give no date at all.
    It never depends on the clock, so the same inputs always give the same files.
    """
    year = records.loc[(records["fiscal_year"] == fiscal_year).fillna(False).to_numpy(dtype=bool),
                       ["report_month", "contract_date"]]
    candidates: list[dt.date] = []
    first = _latest(year["report_month"], "-01")
    if first is not None:
        candidates.append((first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
    signed = _latest(year["contract_date"])
    if signed is not None:
        candidates.append(signed)
    if not candidates:
        return None
    return min(max(candidates), dt.date(fiscal_year - 543, 9, 30))


def _latest(column: pd.Series, suffix: str = "") -> dt.date | None:
    """The latest ISO date among the distinct values of ``column`` (each with ``suffix``), if any."""
    for value in sorted(column.dropna().astype(str).unique().tolist(), reverse=True):
        day = _day(value + suffix)
        if day is not None:
            return day
    return None


SHOWN_ROWS = 20  # rows named in a sheet's warning about contracts past their end


def _day(text: str) -> dt.date | None:
    """An ISO date, or None for text that is not one (records not made by ingest may hold anything)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def ended_by(records: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Records stated as under contract whose contract end date is before ``as_of``: in fact ended.

    An end date before the signature is a typing mistake reported already
    (``end_before_contract``), not an end.
    """
    stated = records["status"].astype("string").eq("in_contract").fillna(False).to_numpy(dtype=bool)
    over = np.zeros(len(records), dtype=bool)
    if stated.any():  # the dates compared only where the sheet says "in contract"
        ends = records["contract_end_date"].astype("string")[stated].fillna("")
        signed = records["contract_date"].astype("string")[stated].fillna("")
        over[stated] = (ends.ne("") & (ends < as_of.isoformat()) & (signed.eq("") | (ends >= signed))).to_numpy(dtype=bool)
    return pd.Series(over, index=records.index)


def _ended(merged: MergeResult, as_of: dt.date, where: Locator, lang: str) -> list[Problem]:
    """One warning per sheet at its status column, naming the rows :func:`ended_by` finds there.

    One per sheet, not one per row: a national table may hold hundreds of
    thousands of statuses never updated, and the fix is the same for all.
    """
    places = ["source_file", "source_sheet", "source_row"]
    over = ended_by(merged.source, as_of).to_numpy(copy=True)
    over[merged.dropped] = False  # a merged project is judged on its merged record
    over[merged.kept_at] = False
    chosen = merged.source.loc[over, places]
    if merged.merged_rows is not None:
        chosen = pd.concat([chosen, merged.merged_rows.loc[ended_by(merged.merged_rows, as_of).to_numpy(), places]])
    if chosen.empty:
        return []
    shown = be_date(as_of) if lang == "th" else as_of.isoformat()
    sheets = chosen["source_sheet"].astype("string").fillna("")
    codes, files = pd.factorize(chosen["source_file"].astype("string") + "\x00" + sheets)
    rows = chosen["source_row"].to_numpy(dtype=np.int64)
    out = []
    for code, place in enumerate(files):
        file, sheet = str(place).split("\x00")
        found = np.sort(rows[codes == code])
        listed = ", ".join(str(r) for r in found[:SHOWN_ROWS]) + (" …" if len(found) > SHOWN_ROWS else "")
        params = {"value": listed, "field": title("status", lang), "count": f"{len(found):,}", "as_of": shown}
        column = where.column(file, sheet, int(found[0]), "status")
        out.append(problem("contract_period_over", file, sheet, None, column, "status", listed, params, lang))
    return out


def _conflict(conflict: Conflict, where: Locator, lang: str) -> Problem:
    """A conflict of the merge as a warning at the kept record's cell, naming the other file's row."""
    kept, other = conflict.kept, conflict.other
    place = f"{other.file}" + (f" [{other.sheet}]" if other.sheet else "")
    place += message("review_at_row", lang, row=other.row)
    params = {"field": title(conflict.field, lang), "value": _shown(conflict.kept_value),
              "other": place, "other_value": _shown(conflict.other_value)}
    column = where.column(kept.file, kept.sheet, kept.row, conflict.field)
    return problem("update_conflict", kept.file, kept.sheet, kept.row, column, conflict.field,
                   _shown(conflict.kept_value), params, lang)


def _shown(value: object) -> str:
    return number(value) if isinstance(value, float) else str(value)  # type: ignore[arg-type]


def _summary(ingested: IngestResult, report: Report, merged: MergeResult) -> dict[str, Any]:
    projects = len(ingested.records) - len(merged.dropped)
    codes = Counter(p.code for p in report.problems)
    return {
        "files": len(ingested.files),
        "files_unreadable": len(ingested.failures),
        "records": len(ingested.records),
        "projects": projects,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "codes": dict(sorted(codes.items())),
        "unreadable": report.failures,
        "resolved": [asdict(entry) for entry in ingested.resolutions],
    }

