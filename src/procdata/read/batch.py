"""Alike files read as one table: what makes a thousand agency files cost little more than one.

Files whose only table has the same title and header rows (the same template,
the same export) are put under one header, end to end, and sorted into
records and normalized in one pass, each record keeping its own file, row and
title month. This gives what reading each file alone gives only when each of
them is a plain table: every row under the header a record of its own or
blank (no wrapped lines, headings, totals, signatures or second tables); that
is checked on the result, and when it does not hold the files are read one by
one (:func:`procdata.read.ingest.read_file`). ``tests/test_batches.py``
compares the two.

The same holds for the parts of one long CSV read in chunks (``stream``): each
chunk is read under the header of the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from procdata.model import IngestResult, SheetReport
from procdata.normalize.builder import Context
from procdata.normalize.dates import find_month
from procdata.normalize.table import to_canonical_joined
from procdata.read.files import Sheet
from procdata.read.layout import Layout, _rows_texts, find_layout, find_layout_like
from procdata.resources import data

BATCH_ROWS = 200_000  # records of alike files read at once


@dataclass
class Alike:
    """A file of one table (besides template help sheets), and what makes it alike to others."""

    path: Path
    display: str
    sheets: list[Sheet]
    data: int  # the sheet holding the table
    layout: Layout
    key: tuple[object, ...]  # equal for files read alike

    @property
    def frame(self) -> pd.DataFrame:
        return self.sheets[self.data].frame

    @property
    def rows(self) -> int:
        return len(self.frame) - self.layout.data_start


def alike(path: Path, display: str, sheets: list[Sheet], like: Alike | None = None) -> Alike | None:
    """The file as one that may be read with others (with ``like`` when it is alike to it), or None
    when it must be read alone."""
    help_sheets = data("template")["help_sheets"]
    tables = [n for n, sheet in enumerate(sheets) if sheet.name not in help_sheets]
    if len(tables) != 1 or any(sheet.error for sheet in sheets):
        return None
    sheet = sheets[tables[0]]
    frame = sheet.frame
    if frame.empty or sheet.row_numbers is not None or sheet.column_numbers is not None or sheet.hidden or sheet.problems:
        return None  # a sheet read by its used cells, with hidden rows or spoilt cells: read alone
    names = tuple(s.name for s in sheets)
    merged = tuple(tuple(map(tuple, pair)) for pair in sheet.merged)
    layout = None
    if like is not None and like.key[0] == frame.shape[1] and like.key[2:] == (names, tables[0], merged):
        head: Any = like.key[1]
        layout = find_layout_like(frame, sheet.merged, like.layout, [list(row) for row in head], sheet.arrow)
        if layout is not None and not any(last[0] >= layout.data_start for _, last in sheet.merged):
            return Alike(path, display, sheets, tables[0], layout, like.key)
    layout = find_layout(frame, sheet.merged, 0)
    if layout is None or any(last[0] >= layout.data_start for _, last in sheet.merged):
        return None  # cells merged under the header: read alone
    rows = tuple(tuple(row) for row in _rows_texts(frame, 0, layout.data_start, sheet.arrow))
    return Alike(path, display, sheets, tables[0], layout, (frame.shape[1], rows, names, tables[0], merged))


def _joined(files: list[Alike], start: int) -> pd.DataFrame:
    """The title and header rows of the first file, then the rows under them of every file: column
    by column in Arrow when Arrow read the files (CSV), in one contiguous array each."""
    import pyarrow as pa

    sheets = [f.sheets[f.data] for f in files]
    if any(sheet.arrow is None for sheet in sheets):
        frames = [sheet.frame for sheet in sheets]
        return pd.concat([frames[0].iloc[:start], *(frame.iloc[start:] for frame in frames)], ignore_index=True)
    columns = {}
    for n in range(len(sheets[0].arrow)):  # type: ignore[arg-type]
        pieces = [sheets[0].arrow[n].slice(0, start)] + [sheet.arrow[n].slice(start) for sheet in sheets]  # type: ignore[index]
        chunks = [chunk for piece in pieces for chunk in (piece.chunks if isinstance(piece, pa.ChunkedArray) else [piece])]
        columns[n] = pd.arrays.ArrowStringArray(pa.concat_arrays(chunks))
    return pd.DataFrame(columns, copy=False)


def read_together(files: list[Alike], fiscal_year: int | None) -> tuple[pd.DataFrame, IngestResult, list[int]] | None:
    """The records of alike ``files`` read as one table, and the account of reading them (their sheets
    and issues, file by file, as reading each alone gives them) and each file's count of records;
    None when one of them is not a plain table."""
    from procdata.read.tables import non_blank_rows, read_table, title_month

    first = files[0]
    layout = first.layout
    start = layout.data_start
    lengths = np.array([f.rows for f in files])
    frame = _joined(files, start) if len(files) > 1 else first.frame
    heard = IngestResult(records=None)
    table, end, report = read_table(Sheet("", frame, first.sheets[first.data].merged), layout, Context("", "", None, fiscal_year), heard)
    raw = table.raw
    if (heard.skipped_rows or heard.issues or heard.failures or table.issues or end != len(frame)
            or "section_category" in raw or "section_month" in raw):
        return None
    # Every row that did not start a record must be blank: else it was folded into the record above
    # (a wrapped line) or read as a heading.
    starts = raw["source_row"].to_numpy(dtype=np.int64) - start - 1
    others = np.setdiff1d(np.arange(len(frame) - start), starts, assume_unique=True)
    if len(others) and non_blank_rows(frame.iloc[start + others]).any():
        return None
    # Each record back to its file: its row there, its file, sheet and title month.
    bounds = np.cumsum([0, *lengths])
    at = raw["source_row"].to_numpy(dtype=np.int64) - start - 1  # position among the bodies
    owner = np.searchsorted(bounds, at, side="right") - 1
    sizes = np.bincount(owner, minlength=len(files)).tolist()
    title = title_month(first.frame, 0, layout.header_rows[0])
    sheet_names = [f.sheets[f.data].name for f in files]
    months = [title or find_month(name) or find_month(f.path.stem) for f, name in zip(files, sheet_names, strict=True)]
    raw = raw.assign(source_row=at - bounds[owner] + start + 1)
    piece = to_canonical_joined(raw, sizes, table.columns, [f.display for f in files], sheet_names, months, fiscal_year)
    if piece is None:
        return None
    records, issues, resolutions = piece
    account = IngestResult(records=None, issues=issues, resolutions=resolutions)
    for f, size in zip(files, sizes, strict=True):
        account.files.append(f.display)
        for number, sheet in enumerate(f.sheets):
            if number == f.data:
                account.sheets.append(SheetReport(
                    f.display, sheet.name, True, layout=report.layout, header_rows=list(report.header_rows),
                    records=size, columns=dict(report.columns), ignored_columns=list(report.ignored_columns),
                ))
            else:
                account.sheets.append(SheetReport(f.display, sheet.name, False, reason="sheet_template_help"))
    return records, account, sizes
