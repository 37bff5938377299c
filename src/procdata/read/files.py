"""Open any input file and give back its sheets as grids of text.

Formats are recognised by their first bytes, not their names: e-GP's ".xls"
files are often HTML tables, and CSVs from Thai Windows are often cp874.
Workbooks are read with calamine in a reader process (``sandbox``), HTML with
lxml (``html``), delimited text with Arrow or the csv module (``delimited``).
Every failure becomes an InputError that names the file and says what to do,
and every reader stays within the limits of ``data/limits.toml``.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procdata.errors import InputError
from procdata.read.delimited import looks_utf16le, read_text
from procdata.read.grid import column_letter
from procdata.read.html import read_html
from procdata.read.limits import Deadline, Limits

if TYPE_CHECKING:
    import pandas as pd

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv", ".html", ".htm", ".json", ".parquet"}
# Limits that stop a zip bomb before anything is inflated.
MAX_UNZIPPED = 1 << 30  # 1 GiB in all
MAX_RATIO = 200  # a member inflating more than this many times over...
MAX_RATIO_MIN_SIZE = 50 << 20  # ...and to more than 50 MiB
MAX_MEMBERS = 10_000
SNIFF = 1 << 16


@dataclass
class Sheet:
    """One table-shaped region: a worksheet, a CSV file or an HTML table.

    ``frame`` holds every cell as text ("" when empty); its row 0 is the sheet's
    row 1 (A1 is ``frame.iat[0, 0]``), so Excel's row number is index + 1.
    """

    name: str
    frame: pd.DataFrame
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    # Where each frame row and column sits in the sheet, when not row i + 1 and column i
    # (a sheet whose cells sit far apart is read by its used rows and columns only).
    row_numbers: list[int] | None = None
    column_numbers: list[int] | None = None
    hidden: list[int] = field(default_factory=list)  # frame rows hidden (or filtered out) in the sheet
    problems: list[tuple[int, int, str, str]] = field(default_factory=list)  # frame row, column, code, value
    error: tuple[str, dict[str, Any]] | None = None  # why the sheet cannot be read (message code, parameters)
    arrow: list[Any] | None = None  # the frame's columns as Arrow text, when Arrow read them (CSV)

    def row_number(self, position: int) -> int:
        """The sheet's row number (1-based, as Excel shows it) of frame row ``position``."""
        return self.row_numbers[position] if self.row_numbers is not None else position + 1

    def letter(self, column: int) -> str:
        """The sheet's column letter of frame column ``column``."""
        return column_letter(self.column_numbers[column] if self.column_numbers is not None else column)


def kind_of(path: Path, head: bytes) -> str:
    """``zip``, ``cfb``, ``html``, ``text``, ``pdf`` or ``empty``, from the first bytes."""
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "cfb"
    if head.startswith(b"%PDF"):
        return "pdf"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head", b"<body", b"<style")):
        return "html" if b"<table" in head.lower() or b"<html" in head.lower() else "xml"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or looks_utf16le(head):
        return "text"  # UTF-16: Excel's "Unicode text"
    if b"\x00" in head[:4096] and not _nul_lines_only(head[:4096]):
        return "binary"
    return "text"


def _nul_lines_only(head: bytes) -> bool:
    """Whether the NUL bytes of ``head`` stand only in lines of NULs (with the delimiters of their empty
    cells): a text file a crash or a cut copy zeroed a row of, which is read (that row is told as damage,
    ``control_only``), not a binary file, whose NULs sit among other bytes."""
    return all(not line.translate(None, b"\x00\r ,;\t|") for line in head.split(b"\n") if b"\x00" in line)


def read_sheets(
    path: Path, display: str, encoding: str | None = None, limits: Limits | None = None, deadline: Deadline | None = None,
) -> list[Sheet]:
    """All sheets of ``path``; ``display`` is the name used in messages."""
    import pyarrow as pa

    from procdata.read.limits import current

    limits = current(limits)
    deadline = deadline or Deadline(display, limits.seconds)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a pipe would never open, a device never end
            raise InputError("file_not_found" if path.is_dir() else "file_not_regular", display)
        with path.open("rb") as handle:
            head = handle.read(SNIFF)
    except FileNotFoundError:
        raise InputError("file_not_found", display) from None
    except OSError as error:
        raise InputError("file_unreadable", display, error=error.strerror or str(error)) from None
    if head.startswith(b"PAR1"):  # a Parquet table (procdata ingest --out FILE.parquet)
        from procdata.read.parquet import read_parquet

        return [Sheet("", read_parquet(path, display))]
    kind = kind_of(path, head)
    if kind == "empty":
        raise InputError("file_empty", display)
    if kind == "pdf":
        raise InputError("file_pdf", display)
    if kind == "zip":
        _check_zip(path, display)
        return _read_workbook(path, display, kind, limits, deadline)
    if kind == "cfb":
        if "EncryptionInfo".encode("utf-16-le") in head or b"EncryptedPackage" in head:
            raise InputError("file_encrypted", display)
        return _read_workbook(path, display, kind, limits, deadline)
    if kind == "html":
        tables = read_html(path, display, head, encoding, limits, deadline)
        return [Sheet(table.name, _frame(table.rows), table.merged) for table in tables]
    if kind in ("binary", "xml"):
        raise InputError("file_not_spreadsheet", display)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):  # JSON: the government-spending API, CKAN
        from procdata.read.jsonfile import read_json

        return [Sheet("", _frame(read_json(path, display)))]
    cells = read_text(path, display, head, encoding, limits, deadline)
    if isinstance(cells, list):
        return [Sheet("", _frame(cells))]
    return [Sheet("", cells, arrow=[pa.array(cells[column].array) for column in cells.columns])]  # Arrow's own columns


def _check_zip(path: Path, display: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise InputError("file_damaged", display) from None
    names = {member.filename for member in members}
    if len(members) > MAX_MEMBERS:
        raise InputError("file_zip_bomb", display)
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_RATIO and member.file_size > MAX_RATIO_MIN_SIZE:
            raise InputError("file_zip_bomb", display)
    if total > MAX_UNZIPPED:
        raise InputError("file_zip_bomb", display)
    if "EncryptedPackage" in names:
        raise InputError("file_encrypted", display)
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names and "content.xml" not in names:
        raise InputError("file_not_spreadsheet", display)


def _frame(rows: list[list[Any]]) -> pd.DataFrame:
    """Every cell as its text, in columns of Arrow text as a CSV's are (every later step reads them
    without converting them): :func:`~procdata.read.columns.text_columns`."""
    import pandas as pd

    from procdata.read.columns import text_columns

    columns = text_columns(rows)
    if columns is None:
        return pd.DataFrame([[] for _ in rows], dtype=object) if rows else pd.DataFrame()
    return _frame_of(columns)


def _frame_of(columns: list[Any]) -> pd.DataFrame:
    """A frame of these Arrow text columns, named 0, 1, 2..."""
    import pandas as pd

    return pd.DataFrame({number: pd.arrays.ArrowStringArray(text) for number, text in enumerate(columns)}, copy=False)


def _read_workbook(path: Path, display: str, kind: str, limits: Limits, deadline: Deadline) -> list[Sheet]:
    from procdata.read.sandbox import read_isolated

    sheets = []
    for data in read_isolated(path, display, kind, limits, max(deadline.left(), 0.1)):
        frame = _frame(data.rows) if data.columns is None else _frame_of(data.columns)
        sheet = Sheet(data.name, frame, data.merged, data.row_numbers, data.column_numbers,
                      data.hidden, data.problems, data.error)
        sheets.append(sheet)
    return sheets


def identical_copies(files: list[tuple[Path, str]]) -> dict[str, str]:
    """The files among ``files`` that are byte for byte an earlier one (a file sent twice, "o12 (1).xlsx"
    downloaded again): each one's display name -> the earlier file's. Only files of the same size are
    compared, and each pair only until its first difference."""
    import filecmp

    by_size: dict[int, list[tuple[Path, str]]] = {}
    for path, display in files:
        try:
            found = path.stat()
        except OSError:  # not there: reading it says so
            continue
        if stat.S_ISREG(found.st_mode) and found.st_size:
            by_size.setdefault(found.st_size, []).append((path, display))
    copies: dict[str, str] = {}
    for alike in by_size.values():
        originals: list[tuple[Path, str]] = []
        for path, display in alike:
            try:
                original = next((d for p, d in originals if filecmp.cmp(p, path, shallow=False)), None)
            except OSError:
                original = None
            if original is None:
                originals.append((path, display))
            else:
                copies[display] = original
    return copies


def expand_inputs(inputs: list[Path]) -> Iterator[tuple[Path, str]]:
    """Files named and the spreadsheets inside folders named, sorted, with display names.

    Inside a folder, hidden files and folders (``.removed/``, where the web app
    puts the files an officer takes out) and Excel's ``~$`` lock files are left out.
    A file named twice (a folder and a file in it, a link to it, or the same name
    again) is read once, so that each of its items arrives once.
    """
    seen: set[object] = set()

    def first_time(path: Path) -> bool:
        try:
            found = path.stat()
            key: object = (found.st_dev, found.st_ino)
        except OSError:  # not there: reading it says so, once
            key = str(path)
        if key in seen:
            return False
        seen.add(key)
        return True

    for item in inputs:
        if item.is_dir():
            for child in sorted(p for p in item.rglob("*") if p.is_file()):
                hidden = any(part.startswith(".") for part in child.relative_to(item).parts)
                if child.suffix.lower() in SPREADSHEET_SUFFIXES and not hidden and not child.name.startswith("~$") and first_time(child):
                    yield child, str(child)
        elif first_time(item):
            yield item, str(item)
