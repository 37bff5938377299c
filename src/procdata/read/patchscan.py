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
not see).

That gives what :func:`procdata.read.xlsx.scan_sheet` gives when the odd pieces stand alone: each of
their rows numbered, none of their cells with a problem at a row that another piece has a value or a
problem in, each piece well-formed on its own. Otherwise, or when the odd pieces are many, it gives
None and the slow scan reads the whole part, as before. ``tests/test_patchscan.py`` proves the two
equal on generated and mutated sheets.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

from procdata.read.quickscan import NotPlain, plain_rows, walk
from procdata.read.xlsx import Damaged, SheetScan, rows_again, scan_sheet

PIECE = 256 << 10  # bytes of rows a block out of the plain form is cut into
MAX_ODD = 16 << 20  # bytes of odd pieces at most; a part with more is scanned element by element

_ROW_TAG = re.compile(rb"<(?:[^\s<>/:]+:)?row(?=[\s/>])")
_ROW_NUMBERED = re.compile(rb'<(?:[^\s<>/:]+:)?row r="')


@dataclass
class Patched:
    """The scan of a part, and where its odd pieces are: (block, start, end) in the blocks of
    :func:`procdata.read.quickscan.walk`, with a digest of the piece."""

    scan: SheetScan
    odd: list[tuple[int, int, int, bytes]] = field(default_factory=list)  # and a digest of each piece


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
) -> bytes | None:
    """The part read from ``handle`` (the one ``patched`` scanned) written again without the cells in
    ``patched.scan.drop``: its plain pieces as they are, the rows of its odd pieces written again. None
    when the part does not read as it did (:func:`procdata.read.xlsx.rewrite_sheet` then writes it)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for number, start, end, _ in patched.odd:
        spans.setdefault(number, []).append((start, end))
    out: list[bytes] = []
    odd: list[tuple[int, bytes]] = []  # (place in out, piece)
    blocks = 0

    def each(body: bytes, _x14ac: bool) -> None:
        nonlocal blocks
        number, blocks = blocks, blocks + 1
        at = 0
        for start, end in spans.get(number, []):
            out.append(body[at:start])
            odd.append((len(out), body[start:end]))
            out.append(b"")
            at = end
        out.append(body[at:])

    edges: list[bytes] = []
    try:
        walk(handle, each, strings, styles, check, edges)
    except NotPlain:
        return None
    if [_digest(piece) for _, piece in odd] != [digest for *_, digest in patched.odd]:
        return None  # not the part that was scanned
    for place, piece in odd:
        try:
            out[place] = b"".join(rows_again(io.BytesIO(_document(piece, edges)), patched.scan))
        except etree.LxmlError:  # the piece no longer reads as it did
            return None
    prefix, suffix = edges
    return prefix + b"<sheetData>" + b"".join(out) + b"</sheetData>" + suffix


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
