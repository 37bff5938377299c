"""ingest: input files -> one canonical procurement table, with a full account.

For each file: read its sheets (``files``), find each table (``layout``), sort
its rows into records, continuation lines, headings, totals and signatures,
then normalize the records column-wise (``procdata.normalize.table``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from procdata.errors import InputError
from procdata.model import CellIssue, Column, FileFailure, IngestResult, RowSkip, SheetReport
from procdata.normalize import vocab
from procdata.normalize.columns import column_map, empty, matches, non_blank, strip_series
from procdata.normalize.dates import find_month, read_fiscal_year
from procdata.normalize.investment import apply_overrides
from procdata.normalize.numbers import parse_int
from procdata.normalize.table import GROUP_ROWS, Context, empty_records, to_canonical_many
from procdata.read.files import Sheet, expand_inputs, read_sheets
from procdata.read.layout import (
    AGENCY_KEYS,
    IGNORE,
    MIN_HEADER_FIELDS,
    Layout,
    find_layout,
    is_signature,
    is_total,
    match_header,
)
from procdata.read.overrides import Overrides
from procdata.read.unused import unused_columns
from procdata.resources import data

BATCH_ROWS = 200_000  # records read before they are normalized (small tables together)

# Columns whose content makes a row a record of its own (rather than the
# wrapped continuation of the record above it).
CORE = (
    "seq", "budget_amount", "agreed_price", "reference_price", "project_id", "method",
    "contract_no", "fiscal_year", "contract_date", "status",
)


def _stop_words() -> str:
    """Words of a total row or a signature, looked for in the first columns and the item."""
    return "|".join(re.escape(word) for word in data("words")["stop"]["words"])


def _is_title(text: str) -> bool:
    return any(word in text for word in data("words")["title"]["words"])


def column_letter(index: int) -> str:
    """0 -> ``A``, 26 -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def ingest(
    inputs: Iterable[Path | str],
    *,
    encoding: str | None = None,
    fiscal_year: int | str | None = None,
    on_file: Callable[[str], None] | None = None,
    overrides: Overrides | None = None,
) -> IngestResult:
    """Read every input (files or folders) into one canonical table.

    A file that cannot be read is recorded in ``failures`` and the others are
    still read. ``fiscal_year`` (``2568``, ``68`` or ``2025`` CE) is used for
    records whose sheet names no month and no date. ``overrides`` (the
    officer's budget categories, by project number or item name) beat what was
    inferred from item names.
    """
    from procdata.read.batch import BATCH_ROWS as ALIKE_ROWS
    from procdata.read.batch import Alike, alike, read_together

    if fiscal_year is not None:
        fiscal_year = read_fiscal_year(fiscal_year)
    result = IngestResult(records=empty_records())
    frames: list[pd.DataFrame] = []
    pending: list[Pending] = []  # tables read, not yet normalized
    batch: list[Alike] = []  # alike files, not yet read
    batch_rows = 0

    def flush() -> None:
        nonlocal pending, batch, batch_rows
        together = read_together(batch, fiscal_year) if len(batch) > 1 else None
        if together is None:
            for file in batch:
                pending.extend(tables_of(file.path, file.display, file.sheets, fiscal_year, result))
        frames.extend(normalize(pending, result))
        pending = []
        if together is not None:
            records, account, sizes = together
            frames.append(_fill_fiscal_years(records, sizes))
            result.sheets.extend(account.sheets)
            result.issues.extend(account.issues)
            result.resolutions.extend(account.resolutions)
        batch, batch_rows = [], 0

    for path, display in expand_inputs([Path(p) for p in inputs]):
        if on_file:
            on_file(display)
        result.files.append(display)
        try:
            sheets = read_sheets(path, display, encoding)
        except InputError as error:
            flush()
            result.failures.append(FileFailure(display, error.code, {k: v for k, v in error.params.items() if k != "file"}))
            continue
        candidate = alike(path, display, sheets, batch[0] if batch else None) if len(sheets) <= 3 else None
        if candidate is not None and candidate.rows < GROUP_ROWS:
            if batch and candidate.key != batch[0].key:
                flush()
            batch.append(candidate)
            batch_rows += candidate.rows
            if batch_rows >= ALIKE_ROWS:
                flush()
            continue
        flush()
        pending.extend(tables_of(path, display, sheets, fiscal_year, result))
        if sum(len(table.raw) for table in pending) >= BATCH_ROWS:
            flush()
    flush()
    frames = [frame for frame in frames if len(frame)]
    if frames:
        result.records = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if overrides:
        apply_overrides(result.records, overrides.by_project, overrides.by_item)
    return result


def read_file(path: Path, display: str, encoding: str | None, fiscal_year: int | None, result: IngestResult) -> list[Pending]:
    """The tables of one file, read and sorted into records but not yet normalized; what was read,
    skipped or could not be read is told in ``result``."""
    result.files.append(display)
    try:
        sheets = read_sheets(path, display, encoding)
    except InputError as error:
        result.failures.append(FileFailure(display, error.code, {k: v for k, v in error.params.items() if k != "file"}))
        return []
    return tables_of(path, display, sheets, fiscal_year, result)


def tables_of(path: Path, display: str, sheets: list[Sheet], fiscal_year: int | None, result: IngestResult) -> list[Pending]:
    """The tables of the sheets of one file (see :func:`read_file`)."""
    first = len(result.sheets)
    tables = []
    for sheet in sheets:
        tables.extend(_read_sheet(sheet, display, path, fiscal_year, result))
    reports = result.sheets[first:]
    if not any(r.read for r in reports) and any(r.reason == "sheet_no_table" for r in reports):
        # Something is written in it, but no procurement table: the wrong file, not an empty month.
        result.failures.append(FileFailure(display, "file_no_table", {}))
    return tables


@dataclass
class Pending:
    """A table read and sorted into records, waiting to be normalized (with others like it)."""

    raw: pd.DataFrame
    columns: dict[str, Column]
    context: Context
    issues: list[CellIssue] = field(default_factory=list)  # found before normalizing (columns read for no field)


def normalize(tables: list[Pending], result: IngestResult) -> list[pd.DataFrame]:
    """The canonical records of each table (normalized together where they are alike); their
    issues go to ``result``, table by table."""
    frames = []
    pieces = to_canonical_many([(table.raw, table.columns, table.context) for table in tables])
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


def _read_sheet(sheet: Sheet, display: str, path: Path, year: int | None, result: IngestResult) -> list[Pending]:
    error = getattr(sheet, "error", None)
    if error:
        result.sheets.append(SheetReport(display, sheet.name, False, reason="sheet_unreadable"))
        return []
    if sheet.name in data("template")["help_sheets"]:
        result.sheets.append(SheetReport(display, sheet.name, False, reason="sheet_template_help"))
        return []
    frame = sheet.frame
    if frame.empty or not any(non_blank(frame[col]).any() for col in frame.columns):
        result.sheets.append(SheetReport(display, sheet.name, False, reason="sheet_empty"))
        return []
    out: list[Pending] = []
    start, title_from = 0, 0
    reports: list[SheetReport] = []
    while start < len(frame):
        layout = find_layout(frame, sheet.merged, start)
        if layout is None:
            if reports:
                _skip_rest(frame, start, len(frame), "after_table", display, sheet.name, result)
            break
        if reports:
            _skip_rest(frame, start, layout.header_rows[0], "between_tables", display, sheet.name, result)
        month = _title_month(frame, title_from, layout.header_rows[0]) or find_month(sheet.name) or find_month(path.stem)
        context = Context(display, sheet.name, month, year)
        table, end, report = _read_table(frame, layout, context, result)
        out.append(table)
        reports.append(report)
        start = title_from = max(end, layout.data_start)
        if end >= len(frame):
            break
    if not reports:
        result.sheets.append(SheetReport(display, sheet.name, False, reason="sheet_no_table"))
    for number, report in enumerate(reports):
        if len(reports) > 1:
            report.layout = f"{report.layout}#{number + 1}"
        result.sheets.append(report)
    return out


def _non_blank(frame: pd.DataFrame) -> pd.Series:
    filled = np.zeros(len(frame), dtype=bool)
    for column in column_map(lambda col: non_blank(frame[col]), frame.columns, len(frame)):
        filled |= column
    return pd.Series(filled, index=frame.index)


def _title_month(frame: pd.DataFrame, first: int, last: int) -> str | None:
    for row in range(first, last):
        for value in frame.iloc[row].tolist():
            if value and (month := find_month(str(value))):
                return month
    return None


def _skip_rest(frame: pd.DataFrame, first: int, last: int, reason: str, file: str, sheet: str, result: IngestResult) -> None:
    for row in range(first, last):
        texts = [str(v).strip() for v in frame.iloc[row].tolist() if str(v).strip()]
        if texts and reason == "between_tables" and any(find_month(t) or _is_title(t) for t in texts):
            continue  # the title lines of the next table
        if texts:
            result.skipped_rows.append(RowSkip(file, sheet, row + 1, reason, " | ".join(texts)[:120]))


def _read_table(frame: pd.DataFrame, layout: Layout, context: Context, result: IngestResult) -> tuple[Pending, int, SheetReport]:
    body = frame.iloc[layout.data_start:]
    cols = layout.columns
    # Column by column, in Arrow and NumPy.
    texts = dict(zip(cols, column_map(lambda col: strip_series(body[col]), cols.values(), len(body)), strict=True))
    n = len(body)
    # A blank row: nothing in the columns just stripped, nor in the others.
    others = body[[col for col in body.columns if col not in set(cols.values())]]
    blank = ~_non_blank(others).to_numpy()
    for text in texts.values():
        blank &= empty(text)
    # A row with a sequence number is a record: never a total, a signature or a repeated header.
    numbered = matches(texts["seq"], r"^[0-9๐-๙]+\.?$") if "seq" in texts else np.zeros(n, dtype=bool)
    core = numbered.copy()
    for key in CORE:
        if key in texts and key != "seq":
            core |= ~empty(texts[key])
    # Rows that need a closer look: not plainly a record, or possibly a total row or a signature.
    suspect = ~core & ~blank
    others_at = ~numbered & ~blank
    if others_at.any():
        rows = np.flatnonzero(others_at)
        searched = [texts[key] for key in ("seq", "item_name") if key in texts]
        searched += [body[col] for col in list(body.columns[:2])]
        for found in column_map(lambda column: matches(column.iloc[rows], _stop_words()), searched, len(rows)):
            suspect[rows] |= found
        # A header repeated after a page break: three or more cells equal to the header.
        header_row = frame.iloc[layout.header_rows[0]]
        same = np.zeros(len(rows), dtype=int)
        for key, col in cols.items():
            if heading := str(header_row.iat[col]).strip():
                same += texts[key].iloc[rows].eq(heading).to_numpy(dtype=bool)
        same_as_header = np.zeros(n, dtype=bool)
        same_as_header[rows] = same >= MIN_HEADER_FIELDS
        core &= ~same_as_header
        suspect |= same_as_header

    kind = np.where(core, 1, 0)  # 1 record, 2 continuation, 0 not a record
    kind[blank] = 0
    section_category: dict[int, str] = {}
    section_month: dict[int, str] = {}
    end = n
    have_record = False
    first_record = int(np.argmax(core)) if core.any() else n
    for i in np.flatnonzero(suspect).tolist():
        row_texts = [str(v).strip() for v in body.iloc[i].tolist()]
        filled = [t for t in row_texts if t]
        excel_row = layout.data_start + i + 1
        have_record = have_record or bool(first_record < i)
        if (is_total(row_texts[:4]) or is_total([texts["item_name"].iat[i]] if "item_name" in texts else [])) and not _has_seq(texts, i):
            end = i
            break
        if is_signature(filled):
            end = i
            break
        if core[i]:
            continue
        if sum(1 for t in row_texts if (m := match_header(t)) and m[0] != IGNORE) >= MIN_HEADER_FIELDS:
            result.skipped_rows.append(RowSkip(context.file, context.sheet, excel_row, "repeated_header", " | ".join(filled)[:120]))
            continue
        if len(filled) == 1 and len(filled[0]) <= 60:
            category = vocab.classify("category", filled[0])
            month = find_month(filled[0])
            if category or month:
                if category:
                    section_category[i] = category
                if month:
                    section_month[i] = month
                continue
        if have_record:
            kind[i] = 2
        elif "item_name" in texts and texts["item_name"].iat[i]:
            kind[i] = 1
            have_record = True
        else:
            result.skipped_rows.append(RowSkip(context.file, context.sheet, excel_row, "no_item", " | ".join(filled)[:120]))
    kind[end:] = 0
    if end < n:
        reason = "total_row" if is_total([str(v).strip() for v in body.iloc[end].tolist()]) else "signature"
        first_after = layout.data_start + end
        result.skipped_rows.append(RowSkip(context.file, context.sheet, first_after + 1, reason,
                                           " | ".join(t for t in (str(v).strip() for v in body.iloc[end].tolist()) if t)[:120]))

    starts = kind == 1
    _own_agency(texts, cols, layout, kind > 0)
    rid = np.cumsum(starts) - 1
    keep = kind > 0
    raw = pd.DataFrame({key: series.array for key, series in texts.items()})
    raw["source_row"] = np.arange(layout.data_start + 1, layout.data_start + n + 1)
    if (kind == 2).any():
        raw = _merge_continuations(raw[keep], rid[keep])
    else:
        raw = raw[starts].reset_index(drop=True)
    start_positions = np.flatnonzero(starts)
    if section_category:
        raw["section_category"] = _forward(section_category, start_positions, n)
    if section_month:
        raw["section_month"] = _forward(section_month, start_positions, n)
    columns = {key: Column(column_letter(col), layout.headers.get(col, "")) for key, col in cols.items()}
    unused = unused_columns(body, layout, context)  # said before the table's own issues
    report = SheetReport(
        context.file, context.sheet, True, layout=layout.name,
        header_rows=[r + 1 for r in layout.header_rows], records=len(raw),
        columns=columns, ignored_columns=layout.ignored,
    )
    # The stop row (total or signature) is reported above; what follows it is "after_table".
    return Pending(raw, columns, context, list(unused)), layout.data_start + min(end + 1, n), report


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


def _fill_sheet_fiscal_year(records: pd.DataFrame) -> pd.DataFrame:
    """A record with no month and no date (e.g. a cancelled e-GP project) takes the
    fiscal year of its table when every other record there agrees on one."""
    years = records["fiscal_year"].dropna().unique()
    if len(years) == 1:
        records["fiscal_year"] = records["fiscal_year"].fillna(years[0])
    return records


def _has_seq(texts: dict[str, pd.Series], i: int) -> bool:
    if "seq" not in texts:
        return False
    try:
        return parse_int(texts["seq"].iat[i]) is not None
    except ValueError:
        return False


def _forward(marks: dict[int, str], positions: np.ndarray, n: int) -> list[str | None]:
    """The latest heading above each record."""
    values: list[str | None] = []
    ordered = sorted(marks.items())
    for position in positions:
        current = None
        for at, value in ordered:
            if at < position:
                current = value
        values.append(current)
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
