"""Open any input file and give back its sheets as grids of text.

Formats are recognised by their first bytes, not their names: e-GP's ".xls"
files are often HTML tables, and CSVs from Thai Windows are often cp874.
Workbooks are read with calamine. Every failure becomes an InputError that
names the file and says what to do.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procdata.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv", ".html", ".htm", ".json"}
# Limits that stop a zip bomb before anything is inflated.
MAX_UNZIPPED = 1 << 30  # 1 GiB in all
MAX_RATIO = 200  # a member inflating more than this many times over...
MAX_RATIO_MIN_SIZE = 50 << 20  # ...and to more than 50 MiB
MAX_MEMBERS = 10_000
SNIFF = 1 << 16
MAX_CSV_COLUMNS = 1_000  # read as text by Arrow; wider files go through the csv module


@dataclass
class Sheet:
    """One table-shaped region: a worksheet, a CSV file or an HTML table.

    ``frame`` holds every cell as text ("" when empty); its row 0 is the sheet's
    row 1 (A1 is ``frame.iat[0, 0]``), so Excel's row number is index + 1.
    """

    name: str
    frame: pd.DataFrame
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


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
    if b"\x00" in head[:4096]:
        return "binary"
    return "text"


def read_sheets(path: Path, display: str, encoding: str | None = None) -> list[Sheet]:
    """All sheets of ``path``; ``display`` is the name used in messages."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF)
    except FileNotFoundError:
        raise InputError("file_not_found", display) from None
    except IsADirectoryError:
        raise InputError("file_not_found", display) from None
    except OSError as error:
        raise InputError("file_unreadable", display, error=error.strerror or str(error)) from None
    kind = kind_of(path, head)
    if kind == "empty":
        raise InputError("file_empty", display)
    if kind == "pdf":
        raise InputError("file_pdf", display)
    if kind == "zip":
        _check_zip(path, display)
        return _read_workbook(path, display)
    if kind == "cfb":
        if "EncryptionInfo".encode("utf-16-le") in head or b"EncryptedPackage" in head:
            raise InputError("file_encrypted", display)
        return _read_workbook(path, display)
    if kind == "html":
        return _read_html(path, display, head, encoding)
    if kind in ("binary", "xml"):
        raise InputError("file_not_spreadsheet", display)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):  # JSON: the government-spending API, CKAN
        from procdata.read.jsonfile import read_json

        return [Sheet("", _frame(read_json(path, display)))]
    return [_read_text(path, display, head, encoding)]


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


def _cell_text(value: Any) -> str:
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


def _frame(rows: list[list[Any]]) -> pd.DataFrame:
    import pandas as pd

    width = max((len(row) for row in rows), default=0)
    grid = [[_cell_text(value) for value in row] + [""] * (width - len(row)) for row in rows]
    return pd.DataFrame(grid, dtype=object) if grid else pd.DataFrame()


def _read_workbook(path: Path, display: str) -> list[Sheet]:
    import python_calamine as calamine

    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise InputError("file_encrypted", display) from None
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, ValueError, OSError):
        raise InputError("file_damaged", display) from None
    sheets = []
    with _closing(workbook):
        for meta in workbook.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet"):
                continue
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = list(getattr(sheet, "merged_cell_ranges", None) or [])
            except (calamine.CalamineError, calamine.XmlError, calamine.ZipError, ValueError) as error:
                sheets.append(Sheet(meta.name, _frame([]), []))
                sheets[-1].error = str(error)  # type: ignore[attr-defined]
                continue
            sheets.append(Sheet(meta.name, _frame(rows), merged))
    return sheets


class _closing:
    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook

    def __enter__(self) -> Any:
        return self.workbook

    def __exit__(self, *exc: object) -> None:
        close = getattr(self.workbook, "close", None)
        if close:
            close()


def detect_encoding(head: bytes) -> str:
    """``utf-8-sig``, ``utf-8`` or ``cp874``, judged from the first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp874")
        return "cp874"
    except UnicodeDecodeError:
        return "unknown"


def _decode(path: Path, display: str, head: bytes, encoding: str | None) -> str:
    chosen = encoding or detect_encoding(head)
    if chosen == "unknown":
        raise InputError("file_encoding", display)
    try:
        return path.read_bytes().decode(chosen)
    except LookupError:
        raise InputError("bad_encoding_option", display, encoding=chosen) from None
    except UnicodeDecodeError:
        raise InputError("file_encoding_failed", display, encoding=chosen) from None


def _read_text(path: Path, display: str, head: bytes, encoding: str | None) -> Sheet:
    import pandas as pd

    chosen = encoding or detect_encoding(head)
    delimiter = _sniff_delimiter(head.decode(chosen if chosen != "unknown" else "latin-1", errors="replace"))
    if chosen in ("utf-8", "utf-8-sig") and encoding is None:
        try:
            frame = _read_csv_arrow(path, delimiter)
            frame.columns = range(frame.shape[1])
            return Sheet("", frame)
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError):
            pass  # ragged rows (title lines above the header): the csv module copes
        except Exception as error:  # pyarrow.lib.ArrowInvalid and kin
            if type(error).__module__.startswith("pyarrow"):
                pass
            else:
                raise
    text = _decode(path, display, head, encoding)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))
    return Sheet("", _frame(rows))


CSV_BLOCK = 32 << 20


def _read_csv_arrow(path: Path, delimiter: str) -> pd.DataFrame:
    """Every cell as text, read by Arrow's multithreaded CSV reader.

    32 MB blocks keep each column of a national table (877 MB) in 28 chunks
    rather than 880 with the default 1 MB: every column-wise step after this
    pays a little for each chunk, while both cores still parse.

    A quoted cell may hold several lines (one bidder per line). Arrow's parser
    reads such a cell right within a block; only a block boundary inside it
    goes wrong, and Arrow says so ("got out of sync with chunker", or a count
    of columns) rather than misreading. So the file is first read with the fast
    chunker that splits blocks at any line break (``newlines_in_values=False``,
    0.8 s less on a national table) and, only if that fails, again with the one
    that follows quotes.
    """
    import pandas as pd
    import pyarrow as pa

    try:
        table = _arrow_csv(path, delimiter, newlines_in_values=False)
    except pa.ArrowInvalid:
        table = _arrow_csv(path, delimiter, newlines_in_values=True)
    if table.num_columns > MAX_CSV_COLUMNS:
        raise ValueError("too many columns")
    return table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow")}.get)


def _arrow_csv(path: Path, delimiter: str, *, newlines_in_values: bool) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    # Large strings: what pandas keeps text in, so that no column is converted afterwards.
    every_column_text = {f"f{i}": pa.large_string() for i in range(MAX_CSV_COLUMNS)}
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=CSV_BLOCK),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=newlines_in_values),
        convert_options=pacsv.ConvertOptions(
            column_types=every_column_text, strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )


def _sniff_delimiter(sample: str) -> str:
    lines = sample.splitlines()[:20]
    counts = {d: sum(line.count(d) for line in lines) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_html(path: Path, display: str, head: bytes, encoding: str | None) -> list[Sheet]:
    import lxml.html

    raw = path.read_bytes()
    chosen = encoding
    if chosen is None:
        lowered = head.lower()
        for declared in (b"tis-620", b"windows-874", b"cp874", b"iso-8859-11"):
            if declared in lowered:
                chosen = "cp874"
        chosen = chosen or detect_encoding(head)
    if chosen == "unknown":
        raise InputError("file_encoding", display)
    try:
        document = lxml.html.document_fromstring(raw.decode(chosen))
    except (UnicodeDecodeError, LookupError):
        raise InputError("file_encoding_failed", display, encoding=chosen) from None
    except Exception:  # lxml.etree.ParserError: nothing parseable
        raise InputError("file_damaged", display) from None
    sheets = [Sheet(f"table{number}", _frame(_html_grid(table))) for number, table in enumerate(document.iter("table"), 1)]
    if not sheets:
        raise InputError("file_not_spreadsheet", display)
    return sheets


def _html_grid(table: Any) -> list[list[str]]:
    """Cells of an HTML table with colspan/rowspan spread as merged cells are:
    the text in the first cell, the rest empty. Leading zeros are kept (pandas
    ``read_html`` would turn ``0105551234567`` into a number)."""
    grid: dict[tuple[int, int], str] = {}
    rows = [row for row in table.iter("tr") if _owning_table(row) is table]
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            for br in cell.iter("br"):
                br.tail = "\n" + (br.tail or "")
            text = cell.text_content()
            span_c = _span(cell.get("colspan"))
            span_r = _span(cell.get("rowspan"))
            for dr in range(span_r):
                for dc in range(span_c):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            c += span_c
    if not grid:
        return []
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)]


def _owning_table(row: Any) -> Any:
    parent = row.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def expand_inputs(inputs: list[Path]) -> Iterator[tuple[Path, str]]:
    """Files named and the spreadsheets inside folders named, sorted, with display names.

    Inside a folder, hidden files and folders (``.removed/``, where the web app
    puts the files an officer takes out) and Excel's ``~$`` lock files are left out.
    """
    for item in inputs:
        if item.is_dir():
            for child in sorted(p for p in item.rglob("*") if p.is_file()):
                hidden = any(part.startswith(".") for part in child.relative_to(item).parts)
                if child.suffix.lower() in SPREADSHEET_SUFFIXES and not hidden and not child.name.startswith("~$"):
                    yield child, str(child)
        else:
            yield item, str(item)
