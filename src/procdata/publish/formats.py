"""A table as CSV and JSON bytes, and text made safe for spreadsheets.

CSV is UTF-8 with a byte-order mark (so Excel shows Thai), amounts with two
decimals and no separators, dates in ISO CE, yes/no columns as ใช่/ไม่ใช่.
JSON is an array of objects keyed by the same headers, with typed values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from procdata.publish.model import Cell, Table

YES, NO = "ใช่", "ไม่ใช่"
# A cell starting with one of these is read by spreadsheet programs as a formula
# (CSV injection): such text is published with a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``; other text unchanged."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(value: Cell, kind: str) -> str:
    """A cell as CSV text for a column of Table Schema type ``kind``."""
    if value is None:
        return ""
    if kind == "boolean":
        return YES if value else NO
    if kind == "number":
        return f"{float(value):.2f}"  # type: ignore[arg-type]
    if kind == "integer":
        return str(int(value))  # type: ignore[arg-type]
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return neutralise(str(value))


def to_csv(table: Table) -> bytes:
    """The table as CSV: BOM, header row, one line per row, every text cell safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in table.headers])
    kinds = [c.type for c in table.columns]
    for row in table.rows:
        writer.writerow([csv_cell(value, kind) for value, kind in zip(row, kinds, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def json_cell(value: Cell) -> str | float | int | bool | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 2)
    return value


def to_json(table: Table) -> bytes:
    """The table as a JSON array of objects keyed by the published headers."""
    records = [
        {header: json_cell(value) for header, value in zip(table.headers, row, strict=True)}
        for row in table.rows
    ]
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
