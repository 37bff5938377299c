"""The tables of one file's sheets, each sorted into records, continuation lines, headings,
totals and signatures (``rows``), with merged-down values filled and the cells that cannot be
read told at their cells: what :mod:`procdata.read.ingest` then normalizes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from procdata.errors import reading
from procdata.model import (
    FIELDS,
    CellIssue,
    Column,
    FileFailure,
    IngestResult,
    RowSkip,
    SheetReport,
)
from procdata.normalize.columns import column_map, non_blank, strip_series
from procdata.normalize.dates import find_month
from procdata.normalize.table import Context
from procdata.normalize.text import shown_controls
from procdata.read.files import Sheet
from procdata.read.layout import AGENCY_KEYS, Layout, build_layout, find_layout
from procdata.read.limits import Deadline, current
from procdata.read.rows import plan_rows
from procdata.read.unused import headerless_cells, unused_columns
from procdata.resources import data

# The canonical field a composite or split column's problems are told under.
_FIELD_OF = {
    "bidders": "bidders", "bidder_names": "bidders", "bidder_prices": "bidders",
    "winner": "winner_name", "contract": "contract_no",
}


@dataclass
class Pending:
    """A table read and sorted into records, waiting to be normalized (with others like it)."""

    raw: pd.DataFrame
    columns: dict[str, Column]
    context: Context
    issues: list[CellIssue] = field(default_factory=list)  # found before normalizing (unused columns, spoilt cells)


def tables_of(
    path: Path, display: str, sheets: list[Sheet], year: int | None, result: IngestResult, deadline: Deadline | None = None,
) -> list[Pending]:
    """The tables of the sheets of one file (see :func:`read_file`); what was read, skipped or could
    not be read is told in ``result``."""
    deadline = deadline or Deadline(display, current().seconds)
    first = len(result.sheets)
    tables = []
    for sheet in sheets:
        deadline.check()
        with reading(display, sheet.name):
            tables.extend(_read_sheet(sheet, display, path, year, result, deadline))
    reports = result.sheets[first:]
    if not any(r.read for r in reports) and any(r.reason == "sheet_no_table" for r in reports):
        # Something is written in it, but no procurement table: the wrong file, not an empty month.
        result.failures.append(FileFailure(display, "file_no_table", {}))
    return tables


def _read_sheet(sheet: Sheet, display: str, path: Path, year: int | None, result: IngestResult, deadline: Deadline) -> list[Pending]:
    if sheet.error:
        code, params = sheet.error
        result.sheets.append(SheetReport(display, sheet.name, False, reason="sheet_unreadable"))
        result.failures.append(FileFailure(display, code, params))
        return []
    if sheet.name in data("template")["help_sheets"]:
        result.sheets.append(SheetReport(display, sheet.name, False, reason="sheet_template_help"))
        return []
    frame = sheet.frame
    if frame.empty or not any(non_blank(frame[col]).any() for col in frame.columns):
        result.sheets.append(SheetReport(display, sheet.name, False, reason="sheet_empty"))
        return []
    out: list[Pending] = []
    start = 0
    reports: list[SheetReport] = []
    while start < len(frame):
        deadline.check()
        layout = find_layout(frame, sheet.merged, start)
        if layout is None:
            if reports:
                _skip_rest(sheet, start, len(frame), "after_table", display, result)
            break
        month = title_month(frame, start, layout.header_rows[0]) or find_month(sheet.name) or find_month(path.stem)
        context = Context(display, sheet.name, month, year)
        table, end, report = read_table(sheet, layout, context, result)
        out.append(table)
        reports.append(report)
        start = max(end, layout.data_start)
    if not reports:
        result.sheets.append(SheetReport(display, sheet.name, False, reason="sheet_no_table"))
    for number, report in enumerate(reports):
        if len(reports) > 1:
            report.layout = f"{report.layout}#{number + 1}"
        result.sheets.append(report)
    return out


def title_month(frame: pd.DataFrame, first: int, last: int) -> str | None:
    for row in range(first, last):
        for value in frame.iloc[row].tolist():
            if value and (month := find_month(str(value))):
                return month
    return None


def _skip_rest(sheet: Sheet, first: int, last: int, reason: str, file: str, result: IngestResult) -> None:
    frame = sheet.frame
    for row in range(first, last):
        texts = [str(v).strip() for v in frame.iloc[row].tolist() if str(v).strip()]
        if texts:
            result.skipped_rows.append(RowSkip(file, sheet.name, sheet.row_number(row), reason, " | ".join(texts)[:120]))


def read_table(sheet: Sheet, layout: Layout, context: Context, result: IngestResult) -> tuple[Pending, int, SheetReport]:
    """The records of one table, sorted but not normalized; where the next table starts; its report."""
    frame = sheet.frame
    body = frame.iloc[layout.data_start:]
    cols = layout.columns
    # Column by column, in Arrow and NumPy.
    texts = dict(zip(cols, column_map(lambda col: strip_series(body[col]), cols.values(), len(body)), strict=True))
    header = [[str(v) for v in frame.iloc[row].tolist()] for row in layout.header_rows]
    plan = plan_rows(body, texts, layout, header, lambda at: build_layout(frame, sheet.merged, layout.data_start + at))
    n = plan.end
    damaged = []  # rows of control characters alone: a problem at the row's first cell, in every report
    for at, reason in plan.skips:
        cells = [t for t in (str(v).strip() for v in body.iloc[at].tolist()) if t]
        shown = shown_controls(" | ".join(cells)[:120])  # control characters as their pictures (NUL bytes: ␀␀␀)
        row = sheet.row_number(layout.data_start + at)
        if reason == "control_only":
            first = next(c for c, v in enumerate(body.iloc[at].tolist()) if str(v).strip())
            said = shown if len(shown) <= 24 else shown[:24] + "…"
            damaged.append(CellIssue(context.file, context.sheet, row, sheet.letter(first), layout.headers.get(first, ""), "", reason, said))
            continue
        result.skipped_rows.append(RowSkip(context.file, context.sheet, row, reason, shown))
    kind = plan.kind[:n]
    texts = {key: series.iloc[:n] for key, series in texts.items()}
    _fill_merged_down(sheet, layout, texts, kind)
    _own_agency(texts, cols, layout, kind > 0)
    starts = kind == 1
    rid = np.cumsum(starts) - 1
    keep = kind > 0
    raw = pd.DataFrame({key: series.array for key, series in texts.items()})
    positions = np.arange(layout.data_start, layout.data_start + n)
    raw["source_row"] = [sheet.row_number(int(p)) for p in positions] if sheet.row_numbers is not None else positions + 1
    if (kind == 2).any():
        raw = _merge_continuations(raw[keep], rid[keep])
    else:
        raw = raw[starts].reset_index(drop=True)
    start_positions = np.flatnonzero(starts)
    if plan.section_category:
        raw["section_category"] = _forward(plan.section_category, start_positions)
    if plan.section_month:
        raw["section_month"] = _forward(plan.section_month, start_positions)
    columns = {key: Column(sheet.letter(col), layout.headers.get(col, "")) for key, col in cols.items()}
    # Said before the table's own issues (normalizing it): the columns read for no field, the cells of columns with\n    # no header, the cells the file spoils.
    issues = [
        *unused_columns(body.iloc[:n], layout, context, sheet), *headerless_cells(body, layout, keep, context, sheet),
        *_cell_problems(sheet, layout, keep, context, columns), *damaged,
    ]
    hidden = set(sheet.hidden)
    report = SheetReport(
        context.file, context.sheet, True, layout=layout.name,
        header_rows=[sheet.row_number(r) for r in layout.header_rows], records=len(raw),
        columns=columns, ignored_columns=layout.ignored,
        hidden_rows=int(np.isin(np.flatnonzero(keep) + layout.data_start, list(hidden)).sum()) if hidden else 0,
    )
    if not len(raw) and any(reason == "no_item" for _, reason in plan.skips):
        filled = sum(1 for _, reason in plan.skips if reason == "no_item")
        result.failures.append(FileFailure(context.file, "table_no_items", {
            "sheet": context.sheet or "-", "header": report.header_rows[0], "rows": f"{filled:,}",
        }))
    return Pending(raw, columns, context, issues), layout.data_start + n, report


def _own_agency(texts: dict[str, pd.Series], cols: dict[str, int], layout: Layout, kept: np.ndarray) -> None:
    """An agency's own sheet (its O12 names itself in every row) leaves the agency fields to its
    profile: they are read only from a table of many agencies (national e-GP columns, procdata's
    canonical file, or more than one agency named in the rows, as in a province's list)."""
    present = [key for key in AGENCY_KEYS if key in texts]
    if not present or layout.many_agencies:
        return
    if "agency_name" in texts:
        names = texts["agency_name"][kept]
        if names[names.ne("")].nunique() > 1:
            return
    for key in present:
        texts.pop(key)
        cols.pop(key, None)


def _fill_merged_down(sheet: Sheet, layout: Layout, texts: dict[str, pd.Series], kind: np.ndarray) -> None:
    """A value typed once in a cell merged down over several records belongs to each of them.

    Only records that start inside the range take it: the wrapped lines of one record
    spread over merged rows keep it once.
    """
    key_of = {col: key for key, col in layout.columns.items()}
    first, n = layout.data_start, len(kind)
    covered: dict[int, int] = {}  # column -> last row filled: overlapping ranges (never written by Excel) are passed over
    for (r1, c1), (r2, _) in sorted(sheet.merged):
        key = key_of.get(c1)
        if key is None or r2 <= r1 or r1 < first or r1 - first >= n or r1 <= covered.get(c1, -1):
            continue
        top, bottom = r1 - first, min(r2 - first, n - 1)
        covered[c1] = r2
        series = texts[key]
        value = series.iat[top]
        if not value or kind[top] == 0:
            continue
        below = np.arange(top + 1, bottom + 1)
        rows = below[(kind[top + 1:bottom + 1] == 1) & (series.iloc[top + 1:bottom + 1] == "").to_numpy(dtype=bool)]
        if len(rows):
            filled = series.copy()
            filled.iloc[rows] = value
            texts[key] = filled


def _cell_problems(sheet: Sheet, layout: Layout, keep: np.ndarray, context: Context, columns: dict[str, Column]) -> list[CellIssue]:
    """The cells of the table that the file itself spoils (a reference to nothing, a formula
    saved without its value, an error value), at their cells: their records keep them empty."""
    if not sheet.problems:
        return []
    key_of = {col: key for key, col in layout.columns.items()}
    first = layout.data_start
    issues = []
    for row, col, code, value in sheet.problems:
        at = row - first
        in_header = row in layout.header_rows
        if not in_header and not (0 <= at < len(keep) and keep[at]):
            continue
        key = key_of.get(col)
        field = key if key in FIELDS else _FIELD_OF.get(key or "", "")
        column = columns.get(key) if key else None
        issues.append(CellIssue(
            context.file, context.sheet, sheet.row_number(row), sheet.letter(col),
            column.header if column else layout.headers.get(col, ""), field, code, value,
        ))
    return issues


def non_blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with anything written in them, column by column."""
    filled = np.zeros(len(frame), dtype=bool)
    for column in column_map(lambda col: non_blank(frame[col]), frame.columns, len(frame)):
        filled |= column
    return filled


def _forward(marks: dict[int, str], positions: np.ndarray) -> list[str | None]:
    """The latest heading above each record."""
    values: list[str | None] = []
    ordered = sorted(marks.items())
    for position in positions:
        current_mark = None
        for at, value in ordered:
            if at < position:
                current_mark = value
        values.append(current_mark)
    return values


def _merge_continuations(raw: pd.DataFrame, rid: np.ndarray) -> pd.DataFrame:
    """Fold continuation rows into the record above: their text joins with line breaks."""
    raw = raw.assign(_rid=rid)
    joined = {}
    for column in raw.columns:
        if column in ("_rid", "source_row"):
            continue
        joined[column] = raw.groupby("_rid", sort=True)[column].agg(lambda s: "\n".join(v for v in s if v))
    merged = pd.DataFrame(joined)
    merged["source_row"] = raw.groupby("_rid", sort=True)["source_row"].first()
    return merged.reset_index(drop=True)
