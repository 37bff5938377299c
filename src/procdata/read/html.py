"""HTML tables saved with an .xls name (e-GP and other government exports).

Parsed with lxml; each ``<table>`` is a sheet. Cells keep their text as written
(pandas ``read_html`` would turn ``0105551234567`` into a number). A cell's
``rowspan`` and ``colspan`` become a merged range, as in a workbook, and are
held to the table: a row span stops at the table's last row, as browsers do,
and columns that nothing is written in are dropped when the spans would make
the table wider than the column limit. So a few bytes of
``rowspan=1000 colspan=1000`` cost nothing.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from procdata.errors import InputError, LimitError
from procdata.read.delimited import detect_encoding, undecodable
from procdata.read.limits import Deadline, Limits

MAX_COLSPAN = 1000  # the most a browser spans (HTML: colspan is clamped to 1000)
_DECLARED_CP874 = (b"tis-620", b"windows-874", b"cp874", b"iso-8859-11")


@dataclass
class HtmlTable:
    name: str
    rows: list[list[str]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def read_html(path: Path, display: str, head: bytes, encoding: str | None, limits: Limits, deadline: Deadline) -> list[HtmlTable]:
    """Every table of an HTML file, as rows of text with merged ranges."""
    import lxml.html

    raw = path.read_bytes()
    chosen = encoding
    if chosen is None:
        lowered = head.lower()
        if any(declared in lowered for declared in _DECLARED_CP874):
            chosen = "cp874"
        chosen = chosen or detect_encoding(head)
    if chosen == "unknown":
        raise InputError("file_encoding", display)
    try:
        text = raw.decode(chosen)
    except UnicodeDecodeError as error:
        raise undecodable(display, chosen, raw, error) from None
    except LookupError:
        raise InputError("bad_encoding_option", display, encoding=chosen) from None
    if _cut_short(text):
        raise InputError("file_cut_short", display)
    # huge_tree lets cells nest 2,048 deep (exports wrap text in many <font> and <b>), not 256.
    parser = lxml.html.HTMLParser(huge_tree=True, no_network=True, remove_comments=True, remove_pis=True)
    try:
        document = lxml.html.document_fromstring(text, parser=parser)
    except Exception as error:  # lxml.etree.ParserError: nothing parseable
        raise InputError("file_unreadable_reason", display, reason=" ".join(str(error).split())[:120] or "no HTML") from None
    fatal = [entry for entry in parser.error_log if entry.level_name == "FATAL"]
    if fatal:
        # libxml2 stopped early (nesting too deep): what follows is missing, so nothing is trusted.
        raise InputError("file_too_deep", display, reason=" ".join(fatal[0].message.split())[:120])
    tables = document.xpath("//table")
    if len(tables) > limits.sheets:
        raise LimitError(display, "sheets", limits.sheets, len(tables))
    out = []
    for number, table in enumerate(tables, 1):
        deadline.check()
        name = f"table{number}"
        rows, merged = _grid(table, display, name, limits, deadline)
        out.append(HtmlTable(name, rows, merged))
    if not out:
        raise InputError("file_not_spreadsheet", display)
    return out


_OPENS = re.compile(r"<table[\s>]", re.IGNORECASE)
_CLOSES = re.compile(r"</table\s*>", re.IGNORECASE)


def _cut_short(text: str) -> bool:
    """A table opened and never closed: the file ends inside it (a download or copy cut short).

    lxml recovers such a file silently, the rows after the cut simply absent and the last
    one cut in the middle; exports (e-GP's, Excel's "web page") always close their tables."""
    return len(_OPENS.findall(text)) > len(_CLOSES.findall(text))


def _grid(table: Any, display: str, name: str, limits: Limits, deadline: Deadline) -> tuple[list[list[str]], list]:
    """The cells of one table placed as a browser places them, spans clipped to the table."""
    rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    height = len(rows)
    if height > limits.rows:
        raise LimitError(display, "rows", limits.rows, height, name)
    texts: dict[tuple[int, int], str] = {}
    spans: list[tuple[int, int, int, int]] = []  # row, column, rows, columns of each spanning cell
    # Columns held by a row span from above: per row, a sorted list of (first, last) columns.
    held: dict[int, list[tuple[int, int]]] = {}
    holding = 0  # row-span entries kept, bounded like cells
    used: set[int] = set()  # columns something is written in
    for r, row in enumerate(rows):
        if r % 64 == 0:
            deadline.check()
        c = 0
        taken = held.pop(r, [])
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            c = _free_column(taken, c)
            span_c = _span(cell.get("colspan"), MAX_COLSPAN)
            span_r = _span(cell.get("rowspan"), height - r, zero=height - r)
            for br in cell.iter("br"):
                br.tail = "\n" + (br.tail or "")
            text = cell.text_content()
            if text:
                texts[(r, c)] = text
                used.add(c)
                if len(used) > limits.columns:
                    raise LimitError(display, "columns", limits.columns, f"> {limits.columns:,}", name)
            if span_r > 1 or span_c > 1:
                spans.append((r, c, span_r, span_c))
                holding += span_r - 1
                if holding > limits.cells:
                    raise LimitError(display, "cells", limits.cells, holding, name)
                for below in range(r + 1, r + span_r):
                    bisect.insort(held.setdefault(below, []), (c, c + span_c - 1))
            c += span_c
        if len(texts) > limits.cells:
            raise LimitError(display, "cells", limits.cells, len(texts), name)
    if not texts:
        return [], []
    width = max([c + 1 for _, c in texts] + [c + cols for _, c, _, cols in spans])
    columns = list(range(width))
    if width > limits.columns:
        columns = sorted({c for _, c in texts})  # only the columns something is written in
        if len(columns) > limits.columns:
            raise LimitError(display, "columns", limits.columns, len(columns), name)
    height = max(r for r, _ in texts) + 1
    if height * len(columns) > limits.cells:
        raise LimitError(display, "cells", limits.cells, height * len(columns), name)
    at = {col: number for number, col in enumerate(columns)}
    grid = [[""] * len(columns) for _ in range(height)]
    for (r, c), text in texts.items():
        grid[r][at[c]] = text
    merged = []
    for r, c, span_r, span_c in spans:
        left = bisect.bisect_left(columns, c)
        right = bisect.bisect_right(columns, c + span_c - 1) - 1
        bottom = min(r + span_r - 1, height - 1)
        if left <= right and r <= bottom and (r, left) != (bottom, right):
            merged.append(((r, left), (bottom, right)))
    return grid, merged


def _free_column(taken: list[tuple[int, int]], c: int) -> int:
    """The first column at or after ``c`` that no row span from above holds."""
    for first, last in taken:
        if first <= c <= last:
            c = last + 1
    return c


def _span(value: str | None, most: int, zero: int = 1) -> int:
    """A span attribute as a browser reads it: a whole number from 1 to ``most`` (0: ``zero``)."""
    try:
        number = int(str(value).strip()) if value is not None else 1
    except ValueError:
        return 1
    if number == 0:
        return max(1, min(zero, most))
    return max(1, min(number, most))
