"""A worksheet part scanned at the speed of the regular-expression engine, when it is written plainly.

:func:`procdata.read.xlsx.scan_sheet` looks at a worksheet element by element
(about 6 µs a cell: 11 to 14 s of CPU for the 100,000-row, 18-column workbook of
``benchmarks/bench_workbook.py``, three to four times what calamine then takes
to read it; this scan takes 4.5 s of it). Most sheets are written plainly, as Excel and the
common writers write them: rows numbered, each cell with its reference, a
style and a type, and a value or an inline string; no formula, error value,
hidden row, rich text or comment. For those the scan's answer is counted over
whole blocks of rows at once (a check that every row and cell has that form,
then the sets of their rows, columns, styles and shared strings).

:func:`quick_scan` gives what ``scan_sheet`` gives, or None when the part holds
anything else (then ``scan_sheet`` reads it): a formula, an error value, a
hidden row, a style or shared string that points nowhere, a reference from
row 1,000,000 on, whitespace between elements, a character reference other than
a plain one, an attribute written in another order, bytes that are not UTF-8.
Whatever is not of the plain form is left to the slow scan, so a damaged or
hostile part is judged exactly as before. ``tests/test_quickscan.py`` proves the
two equal on generated and mutated sheets, and that plain sheets take this path.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import IO

from procdata.read.grid import column_index
from procdata.read.xlsx import Damaged, SheetScan, scan_sheet

Merge = tuple[tuple[int, int], tuple[int, int]]

BLOCK = 16 << 20  # bytes of rows looked at at once
MAX_HEAD = 1 << 20  # what may stand before <sheetData> (sheet properties, views, columns)
MAX_PENDING = 64 << 20  # a block without the end of a row in this much is not plain
TEXT_WINDOW = 1 << 20  # a text this long may be too long for libxml2 (10 MB a text node): not plain

_TEXT = rb"[^<]*"  # control characters, references and "]]>" are looked for on their own
_CELL = (
    rb'<c r="[A-Z]{1,3}[0-9]{1,6}"(?: s="[0-9]{1,9}")?(?: t="(?:s|n|b|str|inlineStr|d)")?'
    rb"(?:/>|>(?:<v>" + _TEXT + rb'</v>|<is><t(?: xml:space="preserve")?>' + _TEXT + rb"</t></is>)?</c>)"
)
# A row's attributes, as Excel writes them and in its order: no attribute twice.
_ROW = (
    rb'<row r="[1-9][0-9]{0,5}"(?: spans="[0-9]{1,5}:[0-9]{1,5}")?(?: s="[0-9]{1,9}")?(?: customFormat="[01]")?'
    rb'(?: ht="[0-9]{1,4}(?:\.[0-9]{1,8})?")?(?: customHeight="[01]")?(?: x14ac:dyDescent="[0-9]{1,3}(?:\.[0-9]{1,8})?")?'
    rb"(?:/>|>(?:" + _CELL + rb")*+</row>)"
)
_ROWS = re.compile(rb"(?:" + _ROW + rb")*+")
# The same without the attribute whose prefix (x14ac) the part does not declare.
_ROWS_UNDECLARED = re.compile(rb"(?:" + _ROW.replace(rb'(?: x14ac:dyDescent="[0-9]{1,3}(?:\.[0-9]{1,8})?")?', b"") + rb")*+")
# Column letters past XFD, a row 0 or with a leading zero: left to the slow scan (which says what is wrong).
_ODD_REF = re.compile(rb'<c r="(?:X[F-Z][E-Z]|X[G-Z][A-Z]|[Y-Z][A-Z]{2}|[A-Z]{1,3}0)')
# Character references other than the five entities and plain decimal ones (tab, line breaks, U+0020 to
# U+D7FF, no leading zero); the commonest form (3 or 4 digits: Thai letters) is tried first.
_ODD_REFERENCE = re.compile(
    rb"&(?!#[1-9][0-9]{2,3};|amp;|lt;|gt;|quot;|apos;|#(?:9|1[03]|3[2-9]|[4-9][0-9]|[1-4][0-9]{4}|5[0-4][0-9]{3}"
    rb"|55[01][0-9]{2}|552[0-8][0-9]|5529[0-5]);)"
)
_CONTROL = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))
_LETTERS_ALL = re.compile(rb'<c r="([A-Z]{1,3})')
_ROWS_ALL = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,6})"')
_VALUED = rb'"(?: s="[0-9]{1,9}")?(?: t="[a-zA-Z]{1,9}")?>(?=<[vi])'
_LETTERS_VALUED = re.compile(rb'<c r="([A-Z]{1,3})[0-9]{1,6}' + _VALUED)
_ROWS_VALUED = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,6})' + _VALUED)
_STYLES = re.compile(rb'<c r="[A-Z]{1,3}[0-9]{1,6}" s="([0-9]{1,9})"')
_SHARED = re.compile(rb' t="s"><v>([^<]*)</v>')
_INDEX = re.compile(rb"^[0-9]{1,10}$")


class NotPlain(Exception):
    """The part is not of the plain form: the slow scan reads it."""


def quick_scan(handle: IO[bytes], strings: int, styles: int, check: Callable[[], None] = lambda: None) -> SheetScan | None:
    """What :func:`procdata.read.xlsx.scan_sheet` finds in the part read from ``handle``, or None when
    the part is not of the plain form (see the module): then only the slow scan can say."""
    scan = SheetScan()
    try:
        scan.merges = walk(handle, lambda body, x14ac: plain_rows(body, scan, strings, styles, x14ac), strings, styles, check)
    except NotPlain:
        return None
    return scan


def walk(
    handle: IO[bytes], each: Callable[[bytes, bool], None], strings: int, styles: int, check: Callable[[], None],
    edges: list[bytes] | None = None,
) -> list[Merge]:
    """Hands ``each`` the rows of the part in blocks of whole rows (and whether the part declares the
    x14ac prefix), and returns its merged ranges, read around the rows as the slow scan reads them.
    Raises :class:`NotPlain` where the part is not laid out plainly (``each`` may raise it too).
    ``edges``, when given, receives what stands before ``<sheetData>`` and after ``</sheetData>``."""
    head = b""
    while b"<sheetData>" not in head:
        piece = handle.read(BLOCK)
        if not piece or len(head) > MAX_HEAD:
            raise NotPlain
        head += piece
    start = head.index(b"<sheetData>")
    prefix, pending = head[:start], head[start + len(b"<sheetData>"):]
    if b"<sheetData" in prefix or b"<row" in prefix:
        raise NotPlain
    x14ac = b"xmlns:x14ac=" in prefix  # the prefix of an attribute Excel writes on rows, declared
    suffix = None
    while suffix is None:
        end = pending.find(b"</sheetData>")
        if end >= 0:
            body, suffix = pending[:end], pending[end + len(b"</sheetData>"):] + _rest(handle)
        else:
            cut = pending.rfind(b"</row>")
            more = handle.read(BLOCK)
            if cut < 0:
                if not more or len(pending) > MAX_PENDING:
                    raise NotPlain
                pending += more
                continue
            body, pending = pending[: cut + len(b"</row>")], pending[cut + len(b"</row>"):] + more
            if not more and b"</sheetData>" not in pending:
                raise NotPlain
        check()
        if body:
            each(body, x14ac)
    # Everything around the rows (sheet properties, merged ranges), as the slow scan reads it; a part
    # damaged there is left to it, which names the place in the whole part.
    try:
        around = scan_sheet(io.BytesIO(prefix + b"<sheetData/>" + suffix), strings, styles, check)
    except Damaged:
        raise NotPlain from None
    if around.rows or around.columns or around.cells or around.hidden or around.problems or around.drop:
        raise NotPlain  # rows or cells outside sheetData
    if edges is not None:
        edges += [prefix, suffix]
    return around.merges


def long_text(body: bytes) -> bool:
    """Whether ``body`` may hold a text of :data:`TEXT_WINDOW` bytes or more without markup (it holds
    one of twice that when it does): one look into each window of that many bytes."""
    return any(body.find(b"<", start, start + TEXT_WINDOW) < 0 for start in range(0, len(body) - TEXT_WINDOW + 1, TEXT_WINDOW))


def _rest(handle: IO[bytes]) -> bytes:
    """What follows the rows: merged ranges, page setup; not of the plain form when it is long."""
    rest = handle.read(MAX_HEAD + 1)
    if len(rest) > MAX_HEAD:
        raise NotPlain
    return rest


def plain_rows(body: bytes, scan: SheetScan, strings: int, styles: int, x14ac: bool) -> None:
    """The scan of whole rows of the part added to ``scan``: ``body`` of the plain form, or
    :class:`NotPlain` (and nothing added)."""
    # Each check a pass over the block at C speed. Formulas (<f>), hidden rows and other attributes
    # are not of the plain form the full match below allows (its text holds no "<").
    if b"]]>" in body or (b"\xef\xbf" in body and (b"\xef\xbf\xbe" in body or b"\xef\xbf\xbf" in body)):
        raise NotPlain
    if len(body.translate(None, _CONTROL)) != len(body):
        raise NotPlain
    if long_text(body):
        raise NotPlain
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise NotPlain from None
    if b"&" in body and _ODD_REFERENCE.search(body):
        raise NotPlain
    if (_ROWS if x14ac else _ROWS_UNDECLARED).fullmatch(body) is None or _ODD_REF.search(body):
        raise NotPlain
    every = _LETTERS_ALL.findall(body)  # the letters of each cell's reference: one for each cell
    cells = len(every)
    valued = body.count(b"<v>") + body.count(b"<is>")
    if valued == cells:
        letters, rows = set(every), set(_ROWS_ALL.findall(body))
    else:
        letters, rows = _valued(body)
    if any(int(style) >= styles for style in set(_STYLES.findall(body))):
        raise NotPlain  # a style that points nowhere: a problem the slow scan places
    for index in set(_SHARED.findall(body)):
        if not _INDEX.match(index.strip()) or int(index) >= strings:
            raise NotPlain  # a shared string that points nowhere: the same
    scan.rows |= {int(row) - 1 for row in rows}
    scan.columns |= {column_index(letter.decode()) for letter in letters}
    scan.cells += valued


def _valued(body: bytes) -> tuple[set[bytes], set[bytes]]:
    """The column letters and row numbers of the cells of ``body`` (of the plain form) that hold a value."""
    return set(_LETTERS_VALUED.findall(body)), set(_ROWS_VALUED.findall(body))


def add_valued(body: bytes, scan: SheetScan) -> None:
    """The rows and columns of the cells of ``body`` (of the plain form) that hold a value, added to ``scan``."""
    letters, rows = _valued(body)
    scan.rows |= {int(row) - 1 for row in rows}
    scan.columns |= {column_index(letter.decode()) for letter in letters}
