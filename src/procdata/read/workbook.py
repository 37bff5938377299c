"""Workbooks (.xlsx, .xls, .ods) read with calamine into grids of text.

This module runs in the reader process (:mod:`procdata.read.sandbox`), away
from the officer's command: calamine is native code, and a damaged workbook can
make it panic, abort or ask for more memory than the machine has. It imports no
pandas, so that the reader process starts quickly.

Every sheet comes back as a :class:`SheetData`: its cells as text, where each
row and column sits in the sheet, merged ranges, hidden rows and cell problems;
or, when the sheet cannot be read, why.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from procdata.errors import InputError, LimitError
from procdata.read.early import EarlyParse, worthwhile
from procdata.read.leanscan import Again, Lean, lean_scan, settle
from procdata.read.limits import Deadline, Limits
from procdata.read.ods import check_ods
from procdata.read.patchscan import patched_rewrite, patched_scan
from procdata.read.xlsx import (
    DENSE_MIN,
    Damaged,
    SheetScan,
    count_strings,
    count_styles,
    rewrite_sheet,
    scan_sheet,
    sheet_parts,
)

Merge = tuple[tuple[int, int], tuple[int, int]]
# What zipfile and zlib raise on a damaged archive (a bad header, CRC or stream).
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError, OSError)


@dataclass
class SheetData:
    """One worksheet, as plain data (it crosses from the reader process)."""

    name: str
    rows: list[list[Any]] = field(default_factory=list)  # cell values (text, numbers, dates): see read.columns
    row_numbers: list[int] | None = None  # the sheet row (1-based) of each row; None: row i is row i + 1
    column_numbers: list[int] | None = None  # the sheet column (0-based) of each column; None: the same
    merged: list[Merge] = field(default_factory=list)
    hidden: list[int] = field(default_factory=list)  # positions of hidden rows
    problems: list[tuple[int, int, str, str]] = field(default_factory=list)  # row, column (positions), code, value
    error: tuple[str, dict[str, Any]] | None = None  # message code and parameters when unreadable
    # The cells as Arrow text columns (read.columns), in place of ``rows``, when the reader process sends them.
    columns: list[Any] | None = None


def cell_text(value: Any) -> str:
    """A cell's value as the text ingest reads: numbers without a needless ``.0``, dates ISO."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def read_workbook(path: str, kind: str, limits: Limits, seconds: float, early: bool = False) -> list[SheetData]:
    """Every worksheet of the workbook at ``path`` (``kind``: ``zip`` or ``cfb``).

    Raises :class:`InputError` (with ``file`` set to ``path``) when the workbook as a whole
    cannot be read or goes past a limit; a sheet that cannot be read comes back with ``error``.
    With ``early`` (the reader process only), calamine may parse a big .xlsx while it is
    scanned (:mod:`procdata.read.early`); the sheets read are the same.
    """
    deadline = Deadline(path, seconds)
    if early:
        try:
            return _read_workbook(path, kind, limits, deadline, early)
        except MemoryError:  # under the early parse's tighter cap: read again the plain way
            import gc

            gc.collect()
        except Again:  # a sheet proven plain must be written again: the plain way writes it
            pass
    return _read_workbook(path, kind, limits, deadline, False)


def _read_workbook(path: str, kind: str, limits: Limits, deadline: Deadline, early: bool) -> list[SheetData]:
    with tempfile.TemporaryDirectory(prefix="procdata-") as folder:
        found = _Prepared(path)
        if kind == "zip":
            try:
                found = _prepare_zip(path, limits, deadline, folder, early)
            except ZIP_DAMAGE:
                raise InputError("file_damaged", path) from None
        try:
            return _read(path, found, limits, deadline)
        finally:
            if found.early is not None:
                found.early.discard()


@dataclass
class _Prepared:
    """What was learnt of a workbook before calamine reads it."""

    source: str  # the file calamine reads: the workbook, or a copy with sheets written again
    scans: dict[str, SheetScan | Lean | Damaged] = field(default_factory=dict)  # .xlsx sheets (Lean: with ``early``)
    rewritten: dict[str, Any] = field(default_factory=dict)  # .xlsx sheets written again
    hidden: dict[str, list[int]] = field(default_factory=dict)  # .ods: hidden rows of each table
    early: EarlyParse | None = None  # calamine's parse of ``source``, done while it was scanned


def _prepare_zip(path: str, limits: Limits, deadline: Deadline, folder: str, early: bool = False) -> _Prepared:
    """Scan each worksheet of an .xlsx and write again those that must be (see :mod:`procdata.read.xlsx`);
    check the tables of an .ods (:mod:`procdata.read.ods`). With ``early``, calamine parses a big
    .xlsx meanwhile (:mod:`procdata.read.early`), kept only when the workbook is read as it is."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputError("file_damaged", path) from None
    with archive:
        try:
            parts = sheet_parts(archive)
        except Damaged as damage:
            raise InputError("file_unreadable_reason", path, reason=damage.reason) from None
        if not parts:  # not an .xlsx: an .ods, whose tables claim their size in repeat counts
            try:
                return _Prepared(path, hidden=check_ods(archive, path, limits, deadline.check))
            except Damaged as damage:
                raise InputError("file_unreadable_reason", path, reason=damage.reason) from None
        if len(parts) > limits.sheets:
            raise LimitError(path, "sheets", limits.sheets, len(parts))
        try:
            strings, styles = count_strings(archive), count_styles(archive)
        except Damaged as damage:
            raise InputError("file_unreadable_reason", path, reason=damage.reason) from None
        size = worthwhile(archive, list(parts.values())) if early else 0
        parse = None
        if size:
            import pyarrow.compute  # noqa: F401  (the lean scan's; loaded before the parse's memory cap is set)

            try:
                parse = EarlyParse(path, size)
            except RuntimeError:  # no thread to be had: the plain order
                parse = None
        try:
            found = _scan_parts(
                path, archive, parts, strings, styles, deadline, folder, lean=parse is not None,
                on_rewrite=None if parse is None else parse.discard,
            )
        except BaseException:
            if parse is not None:
                parse.discard()
            raise
        if parse is not None:
            if parse.finish() and found.source == path:
                found.early = parse
            else:
                parse.discard()
                if any(isinstance(scan, Lean) for scan in found.scans.values()):  # scanned again in full
                    found = _scan_parts(path, archive, parts, strings, styles, deadline, folder)
        return found


def _scan_parts(
    path: str, archive: zipfile.ZipFile, parts: dict[str, str], strings: int, styles: int, deadline: Deadline, folder: str,
    lean: bool = False, on_rewrite: Callable[[], None] | None = None,
) -> _Prepared:
    """Each worksheet scanned; those that must be written again, written into a copy of the workbook.
    With ``lean`` (calamine is parsing the workbook meanwhile), a plain sheet is only proven plain
    (:mod:`procdata.read.leanscan`): where its cells sit is settled from calamine's grid.
    ``on_rewrite`` is called before the first sheet is written again: calamine's parse of the workbook
    as it is, no longer of use, is let go with the memory it holds and the cap it is under."""
    scans: dict[str, SheetScan | Lean | Damaged] = {}
    replace: dict[str, bytes] = {}
    rewritten: dict[str, Any] = {}
    for name, part in parts.items():
        deadline.check()
        try:
            proven = None
            if lean:
                with archive.open(part) as handle:
                    proven = lean_scan(path, part, handle, strings, styles, deadline.check)
            if proven is not None:
                scans[name] = proven
                continue
            with archive.open(part) as handle:
                patched = patched_scan(handle, strings, styles, deadline.check)
            if patched is None:  # not written plainly: looked at element by element
                with archive.open(part) as handle:
                    scan = scan_sheet(handle, strings, styles, deadline.check)
            else:
                scan = patched.scan
        except KeyError:
            continue  # calamine says what it makes of a sheet without its part
        except Damaged as damage:
            scans[name] = damage
            replace[part] = _EMPTY_SHEET
            continue
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
            scans[name] = Damaged(" ".join(str(error).split())[:120])
            replace[part] = _EMPTY_SHEET
            continue
        scans[name] = scan
        compact = scan.sparse()
        if compact or scan.drop:
            if on_rewrite is not None:
                on_rewrite()
                on_rewrite = None
            result = None
            if patched is not None:  # only the rows that change written again
                with archive.open(part) as handle:
                    result = patched_rewrite(handle, patched, strings, styles, deadline.check, compact)
            if result is None:
                with archive.open(part) as handle:
                    result = rewrite_sheet(handle, scan, compact)
            replace[part] = result.xml
            rewritten[name] = result
    if not replace:
        return _Prepared(path, scans, rewritten)
    copy = f"{folder}/book.xlsx"
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as out:
        for info in archive.infolist():
            if info.filename in replace:
                out.writestr(info.filename, replace[info.filename])
            elif not info.filename.startswith(("xl/media/", "xl/embeddings/")):
                with archive.open(info) as src, out.open(info.filename, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    return _Prepared(copy, scans, rewritten)


_EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)


def _read(path: str, found: _Prepared, limits: Limits, deadline: Deadline) -> list[SheetData]:
    import python_calamine as calamine

    if found.early is not None:
        deadline.check()
        return _read_sheets(path, found.early.workbook, found, limits, deadline)
    try:
        workbook = calamine.CalamineWorkbook.from_path(found.source)
    except calamine.PasswordError:
        raise InputError("file_encrypted", path) from None
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, ValueError, OSError):
        raise InputError("file_damaged", path) from None
    except BaseException as error:  # a panic in calamine: the file is damaged
        if isinstance(error, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise InputError("file_unreadable_reason", path, reason=_reason(error)) from None
    with workbook:
        return _read_sheets(path, workbook, found, limits, deadline)


def _read_sheets(path: str, workbook: Any, found: _Prepared, limits: Limits, deadline: Deadline) -> list[SheetData]:
    metas = [m for m in workbook.sheets_metadata if str(m.typ) in ("SheetTypeEnum.WorkSheet", "WorkSheet")]
    if len(metas) > limits.sheets:
        raise LimitError(path, "sheets", limits.sheets, len(metas))
    sheets = []
    for meta in metas:
        deadline.check()
        scan = found.scans.get(meta.name)
        if isinstance(scan, Damaged):
            sheets.append(SheetData(meta.name, error=("sheet_unreadable_reason", {"sheet": meta.name, "reason": scan.reason})))
            continue
        try:
            parsed = found.early.sheets.get(meta.name) if found.early is not None else None
            sheet = parsed if parsed is not None else workbook.get_sheet_by_name(meta.name)
            data = _sheet(sheet, meta.name, scan, found.rewritten.get(meta.name), limits, deadline)
            if meta.name in found.hidden:
                data.hidden = _positions(found.hidden[meta.name], data)
            sheets.append(data)
        except LimitError as error:
            sheets.append(SheetData(meta.name, error=(error.code, {k: v for k, v in error.params.items() if k != "file"})))
            if error.name == "seconds":
                raise
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt | SystemExit | MemoryError | Again):
                raise
            sheets.append(SheetData(meta.name, error=("sheet_unreadable_reason", {"sheet": meta.name, "reason": _reason(error)})))
    return sheets


def _positions(rows: list[int], data: SheetData) -> list[int]:
    """The frame positions of sheet rows (0-based) that the sheet's grid holds."""
    if data.row_numbers is None:
        return [row for row in rows if row < len(data.rows)]
    at = {number - 1: position for position, number in enumerate(data.row_numbers)}
    return sorted(at[row] for row in rows if row in at)


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())[:120]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _sheet(
    sheet: Any, name: str, scan: SheetScan | Lean | None, rewritten: Any, limits: Limits, deadline: Deadline,
) -> SheetData:
    merged = list(getattr(sheet, "merged_cell_ranges", None) or [])
    rows = None
    if isinstance(scan, Lean):
        scan, rows = settle(sheet, scan, limits, deadline.check)
    if scan is not None:
        _check_size(name, len(scan.rows), len(scan.columns), limits)
    else:
        # .xls and .ods: calamine holds the rectangle from A1 to the last cell; a big one
        # (a stray cell at IV65536) is read by the cells that hold something.
        end = sheet.end or (-1, -1)
        if end[1] + 1 > limits.columns or (end[0] + 1) * (end[1] + 1) > DENSE_MIN:
            return _by_cells(sheet, name, limits, deadline)
        _check_size(name, end[0] + 1, end[1] + 1, limits)
    # Values as calamine gives them: read.columns turns them to text column by column (cell_text's
    # answer, without a call for each text or whole-number cell).
    if rows is None:
        rows = sheet.to_python(skip_empty_area=False)
    data = SheetData(name, rows, merged=merged)
    if scan is None:
        return data
    row_at: dict[int, int] | None = None
    column_at: dict[int, int] | None = None
    if rewritten is not None and rewritten.rows:
        data.row_numbers, data.column_numbers = rewritten.rows, rewritten.columns
        data.merged = rewritten.merges
        row_at = {row - 1: number for number, row in enumerate(rewritten.rows)}
        column_at = {col: number for number, col in enumerate(rewritten.columns)}
    for (row, col), (code, value) in sorted(scan.problems.items()):
        if row_at is not None and column_at is not None:
            if row not in row_at or col not in column_at:
                continue
            row, col = row_at[row], column_at[col]
        data.problems.append((row, col, code, value))
    data.hidden = sorted(row_at[r] for r in scan.hidden if r in row_at) if row_at is not None else sorted(scan.hidden)
    return data


def _check_size(name: str, rows: int, columns: int, limits: Limits) -> None:
    if rows > limits.rows:
        raise LimitError("", "rows", limits.rows, rows, name)
    if columns > limits.columns:
        raise LimitError("", "columns", limits.columns, columns, name)
    if rows * columns > limits.cells:
        raise LimitError("", "cells", limits.cells, rows * columns, name)


def _by_cells(sheet: Any, name: str, limits: Limits, deadline: Deadline) -> SheetData:
    """A sheet whose rectangle is big, read by the cells that hold something.

    (calamine's ``iter_rows`` starts at the sheet's first row and its first used column.)
    """
    cells: dict[tuple[int, int], str] = {}
    used_columns: set[int] = set()
    first_column = (sheet.start or (0, 0))[1]
    for number, row in enumerate(sheet.iter_rows()):
        if number % 1024 == 0:
            deadline.check()
        for col, value in enumerate(row):
            text = cell_text(value)
            if text:
                cells[(number, first_column + col)] = text
                used_columns.add(first_column + col)
        if len(used_columns) > limits.columns:
            raise LimitError("", "columns", limits.columns, len(used_columns), name)
        if len(cells) > limits.cells:
            raise LimitError("", "cells", limits.cells, len(cells), name)
    rows = sorted({row for row, _ in cells})
    columns = sorted(used_columns)
    _check_size(name, len(rows), len(columns), limits)
    column_at = {col: number for number, col in enumerate(columns)}
    grid = [[""] * len(columns) for _ in rows]
    row_at = {row: number for number, row in enumerate(rows)}
    for (row, col), text in cells.items():
        grid[row_at[row]][column_at[col]] = text
    return SheetData(name, grid, [row + 1 for row in rows], columns, [])
