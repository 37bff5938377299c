"""An .ods looked at before calamine reads it: how big each table says it is.

OpenDocument writes a run of equal cells or rows once, with a repeat count
(``table:number-columns-repeated="16384"``), and calamine spreads every run
into its grid when it opens the file. Runs of empty cells cost nothing (every
sheet saved by LibreOffice ends with one), but a run of filled cells a million
rows long would; so the filled runs are added up here first, and a table whose
filled rectangle goes past the limits stops the file with the limit named. Rows
hidden or filtered out (``table:visibility``) are noted on the way, to be counted.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import Any

from lxml import etree

from procdata.errors import LimitError
from procdata.read.limits import Limits
from procdata.read.xlsx import Damaged

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _repeat(element: Any, name: str) -> int:
    try:
        return max(1, int(element.get(f"{{{_TABLE}}}{name}", "1")))
    except ValueError:
        return 1


def _filled(cell: Any) -> bool:
    return cell.get(f"{{{_OFFICE}}}value-type") is not None or len(cell) > 0


def check_ods(archive: zipfile.ZipFile, path: str, limits: Limits, check: Callable[[], None]) -> dict[str, list[int]]:
    """Raise :class:`LimitError` when a table's filled cells claim more than the limits allow.

    Returns the hidden (collapsed or filtered out) rows that hold something, by table name.
    """
    hidden: dict[str, list[int]] = {}
    try:
        handle = archive.open("content.xml")
    except KeyError:
        return hidden
    sheets = 0
    name, row, width, used_rows = "", 0, 0, 0
    columns: set[int] = set()
    try:
        with handle:
            for event, element in etree.iterparse(
                handle, events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
            ):
                tag = element.tag
                if event == "start":
                    if tag == f"{{{_TABLE}}}table":
                        sheets += 1
                        if sheets > limits.sheets:
                            raise LimitError(path, "sheets", limits.sheets, f"> {limits.sheets:,}")
                        name, row, width, used_rows = element.get(f"{{{_TABLE}}}name", ""), 0, 0, 0
                        columns = set()
                    continue
                if tag == f"{{{_TABLE}}}table-row":
                    rows = _repeat(element, "number-rows-repeated")
                    column, filled = 0, False
                    for cell in element:
                        repeat = _repeat(cell, "number-columns-repeated")
                        if _filled(cell):
                            filled = True
                            width = max(width, column + repeat)
                            if len(columns) <= limits.columns:
                                columns.update(range(column, min(column + repeat, column + limits.columns + 1)))
                        column += repeat
                    if filled:
                        used_rows = row + rows
                        if element.get(f"{{{_TABLE}}}visibility") in ("collapse", "filter"):
                            hidden.setdefault(name, []).extend(range(row, row + rows))
                    row += rows
                    if len(columns) > limits.columns:
                        raise LimitError(path, "columns", limits.columns, f"> {limits.columns:,}", name)
                    if used_rows > limits.rows:
                        raise LimitError(path, "rows", limits.rows, used_rows, name)
                    if used_rows * width > limits.cells:
                        raise LimitError(path, "cells", limits.cells, used_rows * width, name)
                    if row % 1024 < rows:
                        check()
                    element.clear()
    except etree.XMLSyntaxError as error:
        raise Damaged(" ".join(str(error).split())[:120]) from None
    return hidden
