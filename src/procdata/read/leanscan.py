"""A big worksheet part proven plain in one pass of RE2, its rows and columns then taken from calamine.

When calamine parses a big .xlsx while it is scanned (:mod:`procdata.read.early`), the scan need not
count where the cells sit: calamine's grid says it. What the scan must still prove is that the part is
of the plain form (:mod:`procdata.read.quickscan`): well-formed, no formula, error value, hidden row,
style or shared string that points nowhere, so that the element-by-element scan
(:func:`procdata.read.xlsx.scan_sheet`) would find no problem in it. :func:`lean_scan` proves that with
one RE2 match of each block of rows (Arrow's ``match_substring_regex``, about 0.8 GB/s: character
references, control characters and the indices folded into the one grammar) and a check that the
block is UTF-8; about a fifth of the quick scan's passes.

The rows and columns that hold a value (the scan's ``rows`` and ``columns``, which the size limits and
the test for far-apart cells read) are then pinned between two sets by :func:`settle`, once calamine has
parsed the sheet: the rows and columns where calamine's grid shows some value, which is within them
(a value in the grid comes from a cell with a value); and calamine's extent, which holds them (the
grammar admits no cell with a value that calamine leaves out: no empty ``<v>``, no ``<v>`` in an
inline-string cell). When the two are equal, as in a table without an empty row or column, that is
the answer; otherwise the valued cells are counted in the part (:func:`procdata.read.quickscan.add_valued`).
``tests/test_leanscan.py`` proves the sheets read this way equal the plain order's.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from procdata.read.limits import Limits
from procdata.read.quickscan import Merge, NotPlain, add_valued, long_text, walk
from procdata.read.xlsx import DENSE_MIN, DENSE_RATIO, SheetScan

# A cell reference from A1 to XFD999999 (rows from 1,000,000 on are left to the other scans).
_REF = r"(?:[A-Z]{1,2}|[A-W][A-Z]{2}|X[A-E][A-Z]|XF[A-D])[1-9][0-9]{0,5}"
# A character of text: no markup, control character or non-character; the five entities and plain
# decimal references to characters XML allows.
_CHAR = r"[^<&>\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"
_ENTITY = (
    r"&(?:#[1-9][0-9]{2,3};|amp;|lt;|gt;|quot;|apos;|#(?:9|1[03]|3[2-9]|[4-9][0-9]|[1-4][0-9]{4}|5[0-4][0-9]{3}"
    r"|55[01][0-9]{2}|552[0-8][0-9]|5529[0-5]);)"
)
_TEXT = f"(?:{_CHAR}|{_ENTITY})*"
_FILLED = f"(?:{_CHAR}|{_ENTITY})+"
_ROW = (
    r'<row r="[1-9][0-9]{0,5}"(?: spans="[0-9]{1,5}:[0-9]{1,5}")?(?: s="[0-9]{1,9}")?(?: customFormat="[01]")?'
    r'(?: ht="[0-9]{1,4}(?:\.[0-9]{1,8})?")?(?: customHeight="[01]")?'
)
_X14AC = r'(?: x14ac:dyDescent="[0-9]{1,3}(?:\.[0-9]{1,8})?")?'


def below(count: int) -> str | None:
    """A regular expression for the whole numbers 0 to ``count - 1`` written plainly (no sign, no
    leading zero); None when there are none."""
    if count <= 0:
        return None
    top = str(count - 1)
    if len(top) == 1:
        return f"[0-{top}]"
    ways = ["0", f"[1-9][0-9]{{0,{len(top) - 2}}}"]  # fewer digits
    for at, digit in enumerate(top):  # as many digits, smaller at this one, the same before it
        least = "1" if at == 0 else "0"
        if digit > least:
            ways.append(f"{top[:at]}[{least}-{chr(ord(digit) - 1)}][0-9]{{{len(top) - at - 1}}}")
    ways.append(top)
    return "(?:" + "|".join(ways) + ")"


def grammar(strings: int, styles: int, x14ac: bool) -> str:
    """The plain form of a block of rows, as one RE2 pattern for these shared-string and style counts."""
    style = f'(?: s="{below(styles)}")?' if styles > 0 else ""
    start = f'<c r="{_REF}"{style}'
    cells = [
        f'{start}(?: t="(?:n|b|str|d|s|inlineStr)")?(?:/>|></c>)',
        f'{start}(?: t="(?:n|b|str|d)")?><v>{_FILLED}</v></c>',
        f'{start} t="inlineStr"><is><t(?: xml:space="preserve")?>{_TEXT}</t></is></c>',
    ]
    if strings > 0:
        cells.append(f'{start} t="s"><v>{below(strings)}</v></c>')
    row = _ROW + (_X14AC if x14ac else "") + "(?:/>|>(?:" + "|".join(cells) + ")*</row>)"
    return rf"\A(?:{row})*\z"


class Again(Exception):
    """A sheet proven plain turns out to need writing again (its cells sit far apart): the workbook is
    read again the plain way."""


@dataclass
class Lean:
    """A worksheet part proven plain by :func:`lean_scan`: no problem, no hidden row; its merged ranges,
    and how to count its valued cells when calamine's grid does not settle them."""

    merges: list[Merge]
    count: Callable[[Callable[[], None]], SheetScan] = field(repr=False, compare=False)


def lean_scan(
    path: str, part: str, handle: Any, strings: int, styles: int, check: Callable[[], None] = lambda: None,
) -> Lean | None:
    """:class:`Lean` when the part read from ``handle`` (``part`` of the workbook at ``path``) is of the
    plain form, else None (the quick or the slow scan reads it)."""
    import pyarrow.compute as pc

    patterns: dict[bool, str] = {}

    def prove(body: bytes, x14ac: bool) -> None:
        text = None if long_text(body) else _as_text(body)
        pattern = patterns.setdefault(x14ac, grammar(strings, styles, x14ac))
        if text is None or not pc.match_substring_regex(text, pattern)[0].as_py():
            raise NotPlain

    try:
        merges = walk(handle, prove, strings, styles, check)
    except NotPlain:
        return None

    def count(check: Callable[[], None]) -> SheetScan:
        scan = SheetScan(merges=list(merges))
        try:
            with zipfile.ZipFile(path) as archive, archive.open(part) as again:
                walk(again, lambda body, _x14ac: add_valued(body, scan), strings, styles, check)
        except NotPlain:  # not as it was when proven: the plain way reads it
            raise Again from None
        return scan

    return Lean(merges, count)


def _as_text(body: bytes) -> Any:
    """``body`` as a one-value Arrow string array (no copy), or None when it is not UTF-8."""
    import numpy as np
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(body)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(body)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return None
    return text


def settle(sheet: Any, lean: Lean, limits: Limits, check: Callable[[], None]) -> tuple[SheetScan, list[list[Any]] | None]:
    """The scan's answer for a sheet proven plain, and calamine's rows when they were read to find it.

    Raises :class:`Again` when the sheet's cells sit far apart (the plain order writes it again)."""
    rows = None
    if sheet.end is None:  # calamine holds no cell: no cell has a value
        return SheetScan(merges=list(lean.merges)), None
    (top, left), (bottom, right) = sheet.start, sheet.end
    height, width = bottom - top + 1, right - left + 1
    area = (bottom + 1) * (right + 1)
    if (height <= limits.rows and width <= limits.columns and height * width <= limits.cells
            and not (area > DENSE_MIN and area > DENSE_RATIO * height * width)):
        rows = sheet.to_python(skip_empty_area=False)
        if _filled(rows, top, bottom, left, right):
            return SheetScan(set(range(top, bottom + 1)), set(range(left, right + 1)), merges=list(lean.merges)), rows
    scan = lean.count(check)
    if scan.sparse():
        raise Again
    return scan, rows


def _filled(rows: list[list[Any]], top: int, bottom: int, left: int, right: int) -> bool:
    """Whether every row from ``top`` to ``bottom`` and every column from ``left`` to ``right`` of
    calamine's grid shows a value somewhere."""
    if len(rows) != bottom + 1:
        return False
    band = rows[top:]
    if any(len(row) != right + 1 or row.count("") == len(row) for row in band):
        return False
    missing = set(range(left, right + 1))
    for row in band:
        missing = {column for column in missing if row[column] == ""}
        if not missing:
            return True
    return False
