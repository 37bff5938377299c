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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from procdata.errors import InputError, input_error, is_file_error, reading
from procdata.model import (
    FileFailure,
    IngestResult,
)
from procdata.normalize.dates import read_fiscal_year
from procdata.normalize.investment import apply_overrides
from procdata.normalize.table import GROUP_ROWS, empty_records, to_canonical_many
from procdata.read.files import Sheet, expand_inputs, identical_copies, read_sheets
from procdata.read.grid import column_letter
from procdata.read.limits import Deadline, Limits, current
from procdata.read.overrides import Overrides
from procdata.read.tables import Pending, tables_of

__all__ = ["column_letter", "ingest"]

BATCH_ROWS = 200_000  # records read before they are normalized (small tables together)


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

    files = list(expand_inputs([Path(p) for p in inputs]))
    copies = identical_copies(files)
    for path, display in files:
        result.files.append(display)
        if on_file:
            on_file(display)
        if display in copies:  # its items are the earlier file's: read once, and the officer told
            result.copies[display] = copies[display]
            continue
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


def _fill_sheet_fiscal_year(records: pd.DataFrame) -> pd.DataFrame:
    """A record with no month and no date (e.g. a cancelled e-GP project) takes the
    fiscal year of its table when every other record there agrees on one."""
    years = records["fiscal_year"].dropna().unique()
    if len(years) == 1:
        records["fiscal_year"] = records["fiscal_year"].fillna(years[0])
    return records
