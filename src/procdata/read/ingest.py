"""ingest: input files -> one canonical procurement table, with a full account.

For each file: read its sheets (``files``), find each table (``layout``), sort
its rows into records, continuation lines, headings, totals and signatures
(``rows``), then normalize the records column-wise (``procdata.normalize.table``).

Every item arrives exactly once or the account says why not: a file, sheet or
table that cannot be read is a failure (never "0 items" and success), each
skipped row is listed with its reason, and each cell that cannot be read is an
issue at its cell.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from procdata.errors import InputError, input_error, is_file_error, reading
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
from procdata.normalize.dates import find_month, read_fiscal_year
from procdata.normalize.investment import apply_overrides
from procdata.normalize.table import GROUP_ROWS, Context, empty_records, to_canonical_many
from procdata.read.files import Sheet, expand_inputs, read_sheets
from procdata.read.grid import column_letter
from procdata.read.layout import AGENCY_KEYS, Layout, build_layout, find_layout
from procdata.read.limits import Deadline, Limits, current
from procdata.read.overrides import Overrides
from procdata.read.rows import plan_rows
from procdata.read.unused import unused_columns
from procdata.resources import data

__all__ = ["column_letter", "ingest"]

BATCH_ROWS = 200_000  # records read before they are normalized (small tables together)

# The canonical field a composite or split column's problems are told under.
_FIELD_OF = {
    "bidders": "bidders", "bidder_names": "bidders", "bidder_prices": "bidders",
    "winner": "winner_name", "contract": "contract_no",
}


def ingest(
    inputs: Iterable[Path | str],
    *,
    encoding: str | None = None,
    fiscal_year: int | str | None = None,
    on_file: Callable[[str], None] | None = None,
    limits: Limits | None = None,
    overrides: Overrides | None = None,
) -> IngestResult:
    """Read every input (files or folders) into one canonical table.

    A file that cannot be read, or a sheet or table of it, is recorded in
    ``failures`` and the rest is still read. ``fiscal_year`` (``2568``, ``68``
    or ``2025`` CE) is used for records whose sheet names no month and no date.
    ``limits`` bound what one file may claim and take (``data/limits.toml``,
    raised by ``--limit``). ``overrides`` (the officer's budget categories, by
    project number or item name) beat what was inferred from item names.
    """
    from procdata.read.batch import BATCH_ROWS as ALIKE_ROWS
    from procdata.read.batch import Alike, alike, read_together

    limits = current(limits)
    if fiscal_year is not None:
        fiscal_year = read_fiscal_year(fiscal_year)
    result = IngestResult(records=empty_records())
    frames: list[pd.DataFrame] = []
    pending: list[FileRead | FileFailure] = []  # files read, their tables not yet normalized
    batch: list[Alike] = []  # alike files, not yet sorted into records
    batch_left: list[float] = []  # the time each of them has left
    batch_rows = 0

    def flush() -> None:
        nonlocal pending, batch, batch_left, batch_rows
        together = read_together(batch, fiscal_year) if len(batch) > 1 else None
        if together is None:
            for file, left in zip(batch, batch_left, strict=True):
                pending.append(read_file(file.path, file.display, encoding, fiscal_year, limits, file.sheets, left))
        frames.extend(normalize(pending, result, limits))
        pending = []
        if together is not None:
            records, account, sizes = together
            frames.append(_fill_fiscal_years(records, sizes))
            result.sheets.extend(account.sheets)
            result.issues.extend(account.issues)
            result.resolutions.extend(account.resolutions)
        batch, batch_left, batch_rows = [], [], 0

    for path, display in expand_inputs([Path(p) for p in inputs]):
        result.files.append(display)
        if on_file:
            on_file(display)
        deadline = Deadline(display, limits.seconds)
        try:
            with reading(display):
                sheets = read_sheets(path, display, encoding, limits, deadline)
        except BaseException as error:  # calamine's PanicException is a BaseException
            pending.append(_failure(error, display, limits))
            continue
        candidate = alike(path, display, sheets, batch[0] if batch else None) if len(sheets) <= 3 else None
        if candidate is not None and candidate.rows < GROUP_ROWS:
            if batch and candidate.key != batch[0].key:
                flush()
            batch.append(candidate)
            batch_left.append(deadline.left())
            batch_rows += candidate.rows
            if batch_rows >= ALIKE_ROWS:
                flush()
            continue
        flush()
        pending.append(read_file(path, display, encoding, fiscal_year, limits, sheets, deadline.left()))
        if sum(len(table.raw) for file in pending if isinstance(file, FileRead) for table in file.tables) >= BATCH_ROWS:
            flush()
    flush()
    frames = [frame for frame in frames if len(frame)]
    if frames:
        result.records = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if overrides:
        apply_overrides(result.records, overrides.by_project, overrides.by_item)
    return result


@dataclass
class FileRead:
    """One file read and its tables sorted into records, not yet normalized; what reading it said."""

    display: str
    tables: list[Pending]
    account: IngestResult  # its sheets, skipped rows, cell problems and failures


def read_file(
    path: Path, display: str, encoding: str | None, fiscal_year: int | None, limits: Limits,
    sheets: list[Sheet] | None = None, seconds: float | None = None,
) -> FileRead | FileFailure:
    """The tables of one file (its ``sheets`` when already read), read and sorted into records but not
    yet normalized, with what reading it said; or, when it cannot be read, why (nothing of a file that
    stopped half-way is kept: it is unreadable, and said so). ``seconds``: the time it has left."""
    deadline = Deadline(display, limits.seconds)
    if seconds is not None:
        deadline.end = time.monotonic() + seconds  # what reading its sheets took is spent already
    account = IngestResult(records=None)
    try:
        with reading(display):
            if sheets is None:
                sheets = read_sheets(path, display, encoding, limits, deadline)
            tables = tables_of(path, display, sheets, fiscal_year, account, deadline)
    except BaseException as error:  # calamine's PanicException is a BaseException
        return _failure(error, display, limits)
    return FileRead(display, tables, account)


def _failure(error: BaseException, display: str, limits: Limits) -> FileFailure:
    if not is_file_error(error):
        raise error
    failure = input_error(error, display, memory=limits.memory)
    return FileFailure(display, failure.code, _params(failure))


@dataclass
class Pending:
    """A table read and sorted into records, waiting to be normalized (with others like it)."""

    raw: pd.DataFrame
    columns: dict[str, Column]
    context: Context
    issues: list[CellIssue] = field(default_factory=list)  # found before normalizing (unused columns, spoilt cells)


def normalize(files: list[FileRead | FileFailure], result: IngestResult, limits: Limits | None = None) -> list[pd.DataFrame]:
    """The canonical records of the tables of ``files`` (normalized together where they are alike),
    and into ``result`` what reading each file said and the issues of its tables, file by file.

    Should normalizing fail, each file is normalized alone: one that fails is unreadable, as it is
    when read alone."""
    read = [file for file in files if isinstance(file, FileRead)]
    try:
        pieces = list(to_canonical_many([(table.raw, table.columns, table.context) for file in read for table in file.tables]))
    except BaseException as error:  # calamine's PanicException is a BaseException
        if len(read) > 1 and is_file_error(error):
            return [frame for file in files for frame in normalize([file], result, limits)]
        files = [_failure(error, file.display, current(limits)) if isinstance(file, FileRead) else file for file in files]
        read, pieces = [], []
    for file in files:
        if isinstance(file, FileFailure):
            result.failures.append(file)
            continue
        result.sheets.extend(file.account.sheets)
        result.skipped_rows.extend(file.account.skipped_rows)
        result.failures.extend(file.account.failures)
    frames = []
    tables = [table for file in read for table in file.tables]
    first = 0
    for records, issues, resolutions, sizes in pieces:
        for table in tables[first : first + len(sizes)]:
            result.issues.extend(table.issues)
        result.issues.extend(issues)
        result.resolutions.extend(resolutions)
        frames.append(_fill_fiscal_years(records, sizes))
        first += len(sizes)
    return frames


def _fill_fiscal_years(records: pd.DataFrame, sizes: list[int]) -> pd.DataFrame:
    """:func:`_fill_sheet_fiscal_year` of each of the tables (of ``sizes`` records) in ``records``."""
    if len(sizes) == 1:
        return _fill_sheet_fiscal_year(records)
    if not records["fiscal_year"].isna().any():
        return records
    bounds = np.cumsum([0, *sizes])
    return pd.concat([_fill_sheet_fiscal_year(records.iloc[bounds[i] : bounds[i + 1]].reset_index(drop=True))
                      for i in range(len(sizes))], ignore_index=True)


def _params(error: InputError) -> dict[str, object]:
    return {k: v for k, v in error.params.items() if k != "file"}


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
        month = _title_month(frame, start, layout.header_rows[0]) or find_month(sheet.name) or find_month(path.stem)
        context = Context(display, sheet.name, month, year)
        table, end, report = _read_table(sheet, layout, context, result)
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


def _title_month(frame: pd.DataFrame, first: int, last: int) -> str | None:
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


def _read_table(sheet: Sheet, layout: Layout, context: Context, result: IngestResult) -> tuple[Pending, int, SheetReport]:
    """The records of one table, sorted but not normalized; where the next table starts; its report."""
    frame = sheet.frame
    body = frame.iloc[layout.data_start:]
    cols = layout.columns
    # Column by column, in Arrow and NumPy.
    texts = dict(zip(cols, column_map(lambda col: strip_series(body[col]), cols.values(), len(body)), strict=True))
    header = [[str(v) for v in frame.iloc[row].tolist()] for row in layout.header_rows]
    plan = plan_rows(body, texts, layout, header, lambda at: build_layout(frame, sheet.merged, layout.data_start + at))
    n = plan.end
    for at, reason in plan.skips:
        cells = [t for t in (str(v).strip() for v in body.iloc[at].tolist()) if t]
        result.skipped_rows.append(RowSkip(context.file, context.sheet, sheet.row_number(layout.data_start + at), reason, " | ".join(cells)[:120]))
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
    # Said before the table's own issues (normalizing it): the columns read for no field, the cells the file spoils.
    issues = [*unused_columns(body.iloc[:n], layout, context, sheet), *_cell_problems(sheet, layout, keep, context, columns)]
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


def _fill_sheet_fiscal_year(records: pd.DataFrame) -> pd.DataFrame:
    """A record with no month and no date (e.g. a cancelled e-GP project) takes the
    fiscal year of its table when every other record there agrees on one."""
    years = records["fiscal_year"].dropna().unique()
    if len(years) == 1:
        records["fiscal_year"] = records["fiscal_year"].fillna(years[0])
    return records


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
