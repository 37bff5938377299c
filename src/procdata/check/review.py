"""One report, one truth: the checks, the merge of monthly updates and the summary, in one function.

``procdata validate``, ``procdata status`` and ``procdata publish`` all call
:func:`review` (validate through :class:`~procdata.check.validate.Checker`, part
by part), so that validate lists exactly the problems publish would print or
refuse on: the Table Schema and the rules of Thai procurement
(:mod:`procdata.check.validate`), the conflicts between monthly files that
the merge finds (:mod:`procdata.check.merge`), and the contracts a sheet
still calls "in contract" although their end date has passed by the date of
the data. Every problem points at the cell to fix, column letter included.

The checker finds the merge's problems column-wise (:mod:`procdata.check.updates`,
:mod:`procdata.check.update_problems`);
:func:`plain_update_problems` finds them one by one from
:func:`~procdata.check.merge.merge_updates`, the reference tests/test_updates.py
holds the fast route to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from procdata.check import catalog
from procdata.check.merge import Conflict, MergeResult, merge_updates
from procdata.check.model import Problem, Report
from procdata.check.problems import NO_COLUMN, Registry, title
from procdata.i18n import be_date, message, number
from procdata.model import FIELDS, IngestResult
from procdata.normalize.dates import latest_fiscal_year


@dataclass
class Review:
    """What :func:`review` found: the report, and the records as publish uses them."""

    report: Report
    source: pd.DataFrame  # the records read, one per row of the sheets
    fiscal_year: int | None  # the year asked for, else the latest in the data; None without dated records
    as_of: dt.date | None  # the date of the data that date-dependent checks used; None when nothing dates it
    _merged: MergeResult | None = field(default=None, repr=False)

    @property
    def merged(self) -> MergeResult:
        """The merge of monthly updates (made when first asked for: validate never needs it)."""
        if self._merged is None:
            self._merged = merge_updates(self.source)
        return self._merged

    @property
    def records(self) -> pd.DataFrame:
        """One record per project, the latest month winning."""
        return self.merged.records


def review(
    ingested: IngestResult, *, fiscal_year: int | None = None, as_of: dt.date | None = None, lang: str = "th",
) -> Review:
    """Check the records of an ingest, merge monthly updates, and summarise: the one report.

    ``as_of`` (the date of the data) defaults as publish's does
    (:func:`default_as_of` of ``fiscal_year``, itself the latest year in the
    data when not given).
    """
    from procdata.check.validate import Checker

    checker = Checker(lang)
    checker.check(ingested)
    checker.account(ingested)
    report = checker.report(fiscal_year=fiscal_year, as_of=as_of)
    return Review(report, ingested.records, report.fiscal_year, report.as_of)


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


# --- the plain route: the reference of check.updates and check.update_problems


def plain_update_problems(
    ingested: IngestResult, *, fiscal_year: int | None = None, as_of: dt.date | None = None, lang: str = "th",
) -> list[Problem]:
    """The problems of monthly updates (``update_conflict``, ``contract_period_over``) found one by one
    from :func:`~procdata.check.merge.merge_updates`, in the order of the report."""
    from procdata.check.locate import Locator

    records = ingested.records
    merged = merge_updates(records)
    years = records["fiscal_year"].dropna()
    year = fiscal_year if fiscal_year is not None else latest_fiscal_year(years)
    day = as_of or (default_as_of(records, year) if year is not None else None)
    registry = Registry()
    where = Locator(ingested.sheets, registry)

    def column(file: str, sheet: str, row: int, name: str) -> tuple[str, str]:
        code = int(where.columns(np.array([registry.place(file, sheet)]), np.array([row]), name)[0])
        return ("", "") if code == NO_COLUMN else registry.columns[code]

    # The same project number twice in one month's report is an error already (duplicate_project).
    problems = [_conflict(c, column, lang) for c in merged.conflicts
                if not (c.key.startswith("project:") and c.kept.report_month == c.other.report_month)]
    if day is not None:
        problems += _ended(merged, day, column, lang)
    files = {name: number for number, name in enumerate(ingested.files)}
    field_order = {name: number for number, name in enumerate(FIELDS)}
    sheets: dict[tuple[str, str], int] = {}
    for sheet in ingested.sheets:
        sheets.setdefault((sheet.file, sheet.sheet), len(sheets))
    order = lambda p: (  # noqa: E731
        files.get(p.file, len(files)), p.file, sheets.get((p.file, p.sheet), len(sheets)), p.sheet,
        p.row or 0, len(p.column), p.column, field_order.get(p.field, len(FIELDS)), p.code,
    )
    return sorted(problems, key=order)


def _ended(merged: MergeResult, as_of: dt.date, column: Any, lang: str) -> list[Problem]:
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
        out.append(_problem("contract_period_over", file, sheet, None, column(file, sheet, int(found[0]), "status"),
                            "status", listed, params, lang))
    return out


def _conflict(conflict: Conflict, column: Any, lang: str) -> Problem:
    """A conflict of the merge as a warning at the kept record's cell, naming the other record's row (and its
    file and sheet, when they are not the kept record's)."""
    kept, other = conflict.kept, conflict.other
    at_row = message("review_at_row", lang, row=other.row)
    if (other.file, other.sheet) == (kept.file, kept.sheet):  # in the same sheet: its row alone
        place = at_row.lstrip()
    else:
        place = f"{other.file}" + (f" [{other.sheet}]" if other.sheet else "") + at_row
    params = {"field": title(conflict.field, lang), "value": _shown(conflict.kept_value),
              "other": place, "other_value": _shown(conflict.other_value)}
    return _problem("update_conflict", kept.file, kept.sheet, kept.row, column(kept.file, kept.sheet, kept.row, conflict.field),
                    conflict.field, _shown(conflict.kept_value), params, lang)


def _problem(
    code: str, file: str, sheet: str, row: int | None, column: tuple[str, str], field: str, value: str,
    params: dict[str, Any], lang: str,
) -> Problem:
    return Problem(file=file, sheet=sheet, row=row, column=column[0], header=column[1], field=field, code=code,
                   severity=catalog.check(code).severity, message=catalog.message(code, lang, **params), value=value)


def _shown(value: object) -> str:
    return number(value) if isinstance(value, float) else str(value)  # type: ignore[arg-type]
