"""What a downloaded file holds: does it open as what its name says, its columns, rows, years and dates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from procdata.normalize.dates import parse_date
from procdata.normalize.text import clean
from procdata.sitecheck.links import looks_like_html

YEAR_HEADER = "ปีงบประมาณ"
SIGNED_HEADER = "วันที่ลงนามในสัญญา"
_HEADER_ROWS = 10  # a header is looked for in the first rows (titles may come first)


@dataclass
class Contents:
    problem: str = ""  # a message code when the file is not what its name says
    detail: str = ""
    headers: list[str] = field(default_factory=list)
    rows: int | None = None
    fiscal_years: set[int] = field(default_factory=set)
    latest_signed: dt.date | None = None
    value: Any = None  # a JSON file's parsed content


def read(body: bytes, ext: str, known_headers: set[str], max_unzipped: int) -> Contents:
    """Open ``body`` as a file of extension ``ext`` and describe it."""
    if ext in ("csv", "xlsx", "xls", "ods", "json") and looks_like_html(body):
        return Contents(problem="site_html_not_file")
    if ext == "csv":
        return _csv(body, known_headers)
    if ext in ("xlsx", "xls", "ods"):
        return _workbook(body, ext, known_headers, max_unzipped)
    if ext == "json":
        return _json(body)
    return Contents()


def _table(rows: list[list[Any]], known: set[str]) -> Contents:
    """Header (the first row naming known columns, else the first row) and the rows below it."""
    texts = [[clean(str(c)) if c is not None else "" for c in row] for row in rows]
    rows = [row for row in texts if any(row)]
    if not rows:
        return Contents(problem="site_file_empty")
    at = next((i for i, row in enumerate(rows[:_HEADER_ROWS]) if len(known & set(row)) >= 3), 0)
    headers, body = rows[at], rows[at + 1:]
    out = Contents(headers=headers, rows=len(body))
    if YEAR_HEADER in headers:
        column = headers.index(YEAR_HEADER)
        for row in body:
            try:
                out.fiscal_years.add(int(float(row[column])))
            except (IndexError, ValueError):
                continue
    if SIGNED_HEADER in headers:
        column = headers.index(SIGNED_HEADER)
        dates = []
        for row in body:
            try:
                day = parse_date(row[column]) if column < len(row) else None
            except ValueError:
                continue
            if day is not None:
                dates.append(day)
        out.latest_signed = max(dates, default=None)
    return out


def decode_text(raw: bytes) -> str | None:
    """Text as the CSV reader of ``read`` judges it (UTF-8 with or without BOM, UTF-16 or cp874); ``None`` if none fits."""
    from procdata.read.delimited import detect_encoding

    encoding = detect_encoding(raw[:65536])
    try:
        return None if encoding == "unknown" else raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def _csv(body: bytes, known: set[str]) -> Contents:
    text = decode_text(body)
    if text is None:
        return Contents(problem="site_csv_unreadable", detail="encoding")
    if "\x00" in text:
        return Contents(problem="site_csv_unreadable", detail="binary")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        return Contents(problem="site_csv_unreadable", detail=str(error))
    return _table(rows, known)


def _workbook(body: bytes, ext: str, known: set[str], max_unzipped: int) -> Contents:
    if ext == "xlsx":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, EOFError, ValueError):
            return Contents(problem="site_xlsx_unreadable", detail="not a zip")
        if sum(m.file_size for m in members) > max_unzipped:
            return Contents(problem="site_xlsx_unreadable", detail="too large unzipped")
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(body))
        sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own errors for anything broken
        return Contents(problem="site_xlsx_unreadable", detail=str(error).splitlines()[0][:120] if str(error) else "")
    return _table([list(row) for row in sheet], known)  # cells: text, numbers, dates


def _json(body: bytes) -> Contents:
    try:
        value = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        return Contents(problem="site_json_unreadable", detail=str(error)[:120])
    out = Contents(value=value)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out.headers = list(value[0])
        out.rows = len(value)
        for row in value:
            year = row.get(YEAR_HEADER)
            if isinstance(year, int):
                out.fiscal_years.add(year)
    elif isinstance(value, list):
        out.rows = len(value)
    return out
