"""A worksheet part with a few rows out of the plain form: the rest still counted at the speed of RE2.

:func:`procdata.read.quickscan.quick_scan` gives up on a whole part when one block of its rows is not of
the plain form, and the element-by-element scan and rewrite then read all of it. One cell whose style
points nowhere in the 100,000-row workbook of ``benchmarks/bench_workbook.py`` made its ingest take 99 s
instead of 8 s, and the reader's 20 s limit refused the file; read this way it takes 15 s (6.5 s for
the clean workbook in the same run; ``bench_workbook.py --broken``).

:func:`patched_scan` cuts such a block into pieces of whole rows (:data:`PIECE` bytes); the pieces of
the plain form are counted as the quick scan counts them, and only the others are scanned element by
element, each as a part of its own (the part's head and tail around the piece's rows).
:func:`patched_rewrite` writes the part again the same way: the plain pieces as they are, the rows of
the others as :func:`procdata.read.xlsx.rewrite_sheet` writes them (without the cells calamine must
not see). A sheet whose cells sit far apart is written compacted (its used rows and columns one after
the other); then the plain pieces whose cells all sit before the first unused row and column keep
their places and are written as they are too, and the others are written again renumbered. One value
at XFD1048576 in the same workbook made its ingest take 46 s with the limit raised, and refused it at
20 s; now 22 s, read within the limit.

That gives what :func:`procdata.read.xlsx.scan_sheet` gives when the odd pieces stand alone: each of
their rows numbered, none of their cells with a problem at a row that another piece has a value or a
problem in, each piece well-formed on its own. Otherwise, or when the odd pieces are many, it gives
None and the slow scan reads the whole part, as before. ``tests/test_patchscan.py`` proves the two
equal on generated and mutated sheets.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

from procdata.read.grid import column_index
from procdata.read.leanscan import below
from procdata.read.quickscan import NotPlain, plain_rows, walk
from procdata.read.xlsx import (
    Damaged,
    Rewritten,
    SheetScan,
    compact_merges,
    rows_again,
    scan_sheet,
    sheet_document,
)

PIECE = 256 << 10  # bytes of rows a block out of the plain form is cut into
MAX_ODD = 16 << 20  # bytes of odd pieces at most; a part with more is scanned element by element

_ROW_TAG = re.compile(rb"<(?:[^\s<>/:]+:)?row(?=[\s/>])")
_ROW_NUMBERED = re.compile(rb'<(?:[^\s<>/:]+:)?row r="')
_ROW_NUMBERS = re.compile(rb'<row r="([0-9]+)"')
# Every cell's row number and column letters, of any length (quickscan's stop at the plain form's six digits).
_CELL_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([0-9]+)"')
_CELL_LETTERS = re.compile(rb'<c r="([A-Z]{1,3})')


@dataclass
class Patched:
    """The scan of a part, and where its odd pieces are: (block, start, end) in the blocks of
    :func:`procdata.read.quickscan.walk`, with a digest of the piece."""

    scan: SheetScan
    odd: list[tuple[int, int, int, bytes]] = field(default_factory=list)


def patched_scan(handle: IO[bytes], strings: int, styles: int, check: Callable[[], None] = lambda: None) -> Patched | None:
    """What :func:`procdata.read.xlsx.scan_sheet` finds in the part read from ``handle``, its plain
    pieces counted by pattern and the others scanned element by element; None when only the slow
    scan of the whole part can say (see the module)."""
    scan = SheetScan()
    odd: list[tuple[int, int, int, bytes]] = []
    blocks = size = 0

    def each(body: bytes, x14ac: bool) -> None:
        nonlocal blocks, size
        number, blocks = blocks, blocks + 1
        try:
            plain_rows(body, scan, strings, styles, x14ac)  # all or nothing: it adds only once the block passes
            return
        except NotPlain:
            pass
        for start, end in pieces(body):
            try:
                plain_rows(body[start:end], scan, strings, styles, x14ac)
            except NotPlain:
                odd.append((number, start, end, body[start:end]))
                size += end - start
                if size > MAX_ODD:
                    raise NotPlain from None

    edges: list[bytes] = []
    try:
        scan.merges = walk(handle, each, strings, styles, check, edges)
    except NotPlain:
        return None
    if not odd:
        return Patched(scan)
    alone = [_alone(piece, edges, strings, styles, check) for *_, piece in odd]
    found = [part for part in alone if part is not None]
    if len(found) < len(alone):
        return None
    valued = set(scan.rows)  # of the plain pieces
    for number, part in enumerate(found):
        placed = {row for row, _ in part.problems}
        if placed & valued or any(placed & other.rows for at, other in enumerate(found) if at != number):
            return None  # a problem in a row that another piece has values or problems in: the whole part decides
    for part in found:
        scan.rows |= part.rows
        scan.columns |= part.columns
        scan.cells += part.cells
        scan.hidden |= part.hidden
        scan.problems.update(part.problems)
        scan.drop |= part.drop
    return Patched(scan, [(number, start, end, _digest(piece)) for number, start, end, piece in odd])


def patched_rewrite(
    handle: IO[bytes], patched: Patched, strings: int, styles: int, check: Callable[[], None] = lambda: None,
    compact: bool = False,
) -> Rewritten | None:
    """The part read from ``handle`` (the one ``patched`` scanned) written again as
    :func:`procdata.read.xlsx.rewrite_sheet` writes it (without the cells in ``patched.scan.drop``; with
    ``compact``, only its used rows and columns, one after the other): its plain pieces as they are
    where that is the same (compacted, those whose cells all sit before the first unused row and
    column), the rows of the others written again. None when the part does not read as it did, or too
    much of it must be written again (``rewrite_sheet`` then writes all of it)."""
    scan = patched.scan
    rows = sorted(scan.rows) if compact else []
    columns = sorted(scan.columns) if compact else []
    last_row, last_column = _dense(rows), _dense(columns)
    spans: dict[int, list[tuple[int, int]]] = {}
    for number, start, end, _ in patched.odd:
        spans.setdefault(number, []).append((start, end))
    out: list[bytes] = []
    odd: list[bytes] = []  # the odd pieces, in order, to check against the scan's
    again: list[tuple[int, bytes]] = []  # (place in out, piece) of the pieces written again
    blocks = size = 0
    declared = False

    def each(body: bytes, x14ac: bool) -> None:
        nonlocal blocks, size, declared
        number, blocks = blocks, blocks + 1
        declared |= x14ac
        at = 0
        for start, end in [*spans.get(number, []), (len(body), len(body))]:
            for first, stop in pieces(body[at:start]) if compact else [(0, start - at)]:
                plain = body[at + first : at + stop]
                if compact and not _in_place(plain, last_row, last_column):
                    again.append((len(out), plain))
                    size += len(plain)
                    if size > MAX_ODD:
                        raise NotPlain
                out.append(plain)
            if end > start:
                odd.append(body[start:end])
                again.append((len(out), body[start:end]))
                out.append(b"")
            at = end

    edges: list[bytes] = []
    try:
        walk(handle, each, strings, styles, check, edges)
    except NotPlain:
        return None
    if [_digest(piece) for piece in odd] != [digest for *_, digest in patched.odd]:
        return None  # not the part that was scanned
    for place, piece in again:
        try:
            out[place] = b"".join(rows_again(io.BytesIO(_document(piece, edges)), scan, (rows, columns) if compact else None))
        except etree.LxmlError:  # the piece no longer reads as it did
            return None
    merges = compact_merges(scan.merges, rows, columns) if compact else scan.merges
    return Rewritten(sheet_document(out, merges, x14ac=declared), [r + 1 for r in rows], columns, merges)


def _dense(used: list[int]) -> int:
    """How many of ``used`` (sorted) are 0, 1, 2, ... one after the other: the positions a compacted
    sheet keeps as they are."""
    return bisect.bisect_right([value - at for at, value in enumerate(used)], 0)


def _in_place(piece: bytes, last_row: int, last_column: int) -> bool:
    """Whether every row and cell of ``piece`` (of the plain form) sits before row ``last_row`` and
    column ``last_column`` (0-based): compacted, such rows are written as they are."""
    outside = _outside(last_row, last_column)
    if outside is not None:  # one search for a reference past them
        return outside.search(piece) is None
    return in_place_counted(piece, last_row, last_column)


def in_place_counted(piece: bytes, last_row: int, last_column: int) -> bool:
    """:func:`_in_place` the plain way: every row and cell reference read and compared."""
    numbers = [*_ROW_NUMBERS.findall(piece), *_CELL_ROWS.findall(piece)]
    letters = set(_CELL_LETTERS.findall(piece))
    return max(map(int, numbers), default=0) <= last_row and all(column_index(letter.decode()) < last_column for letter in letters)


@functools.cache
def _outside(last_row: int, last_column: int) -> re.Pattern[bytes] | None:
    """A row or cell reference past row ``last_row`` or column ``last_column`` (of the first 26), or
    None when the columns are more (then they are counted)."""
    if not 0 < last_column <= 26 or last_row <= 0:
        return None
    rows = below(last_row + 1)  # 0 to last_row, written plainly (the plain form has no row 0)
    letters = f"[A-{chr(ord('A') + last_column - 1)}]"
    return re.compile(f'<(?:c r="(?!{letters}{rows}")|row r="(?!{rows}"))'.encode())


def pieces(body: bytes) -> list[tuple[int, int]]:
    """``body`` (whole rows) cut after a row's end every :data:`PIECE` bytes or so."""
    out = []
    start = 0
    while start < len(body):
        cut = body.find(b"</row>", start + PIECE) if start + PIECE < len(body) else -1
        end = len(body) if cut < 0 else cut + len(b"</row>")
        out.append((start, end))
        start = end
    return out


def _alone(piece: bytes, edges: list[bytes], strings: int, styles: int, check: Callable[[], None]) -> SheetScan | None:
    """The slow scan of an odd piece as a part of its own; None when that is not what the whole
    part's scan finds there (a row without its number) or the piece is not well-formed alone."""
    if len(_ROW_TAG.findall(piece)) != len(_ROW_NUMBERED.findall(piece)):
        return None
    try:
        return scan_sheet(io.BytesIO(_document(piece, edges)), strings, styles, check)
    except Damaged:
        return None


def _digest(piece: bytes) -> bytes:
    return hashlib.blake2b(piece, digest_size=16).digest()


def _document(piece: bytes, edges: list[bytes]) -> bytes:
    prefix, suffix = edges
    return prefix + b"<sheetData>" + piece + b"</sheetData>" + suffix
