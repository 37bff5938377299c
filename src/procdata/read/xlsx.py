"""An .xlsx looked at before calamine reads it: what each sheet claims, checked.

calamine turns a sheet into one dense rectangle from A1 to its farthest cell,
so two cells at A1 and XFD1048576 ask it for 512 GB; a shared-string index
that points nowhere makes it fail the whole sheet, and one that is not a
number silently becomes the text of string 0. So each worksheet part is first
scanned here, element by element, without building it in memory:

- where its cells sit (rows and columns actually used), and which rows are hidden;
- cells whose shared-string or style reference points nowhere, formulas saved
  without their value, and error values (``#N/A``): cell problems at their cells;
- cell and merge references that are not references at all: the sheet is damaged.

When some cells point nowhere, or the cells sit far apart, the part is written
again for calamine: without the cells that point nowhere, and with only the rows
and columns actually used, one after the other (the sheet remembers the real
row and column of each). calamine still reads every value, as it does for any
other workbook.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from lxml import etree

from procdata.read.grid import MAX_COLUMNS, MAX_ROWS, column_index, column_letter

_REF = re.compile(r"^([A-Za-z]{1,3})([0-9]{1,7})$")
_RANGE = re.compile(r"^([A-Za-z]{1,3}[0-9]{1,7})(?::([A-Za-z]{1,3}[0-9]{1,7}))?$")
_INDEX = re.compile(r"^[0-9]{1,10}$")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
# How far apart cells may sit before the sheet is read by its actual cells: the
# rectangle calamine would allocate against the cells that are really there.
DENSE_MIN = 1_000_000
DENSE_RATIO = 4


class Damaged(Exception):
    """A part is not what an .xlsx part must be; ``reason`` says what, for the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class SheetScan:
    """What one worksheet part holds, as found by :func:`scan_sheet`."""

    rows: set[int] = field(default_factory=set)  # 0-based rows with a value
    columns: set[int] = field(default_factory=set)  # 0-based columns with a value
    cells: int = 0
    hidden: set[int] = field(default_factory=set)  # 0-based rows marked hidden (or filtered out)
    problems: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)  # (row, col) -> (code, value)
    drop: set[tuple[int, int]] = field(default_factory=set)  # cells calamine must not see
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    @property
    def height(self) -> int:
        return max(self.rows) + 1 if self.rows else 0

    @property
    def width(self) -> int:
        return max(self.columns) + 1 if self.columns else 0

    def sparse(self) -> bool:
        """Whether the cells sit so far apart that the rectangle holding them is mostly empty."""
        area = self.height * self.width
        return area > DENSE_MIN and area > DENSE_RATIO * len(self.rows) * len(self.columns)


def _parser_options() -> dict[str, Any]:
    # No DTD, no entities expanded, nothing fetched, libxml2's own size and depth limits kept.
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parse_small(archive: zipfile.ZipFile, name: str) -> Any:
    """A small part (workbook, relationships, styles) as a tree; Damaged when it is not XML."""
    try:
        with archive.open(name) as handle:
            return etree.parse(handle, etree.XMLParser(**_parser_options())).getroot()
    except KeyError:
        return None
    except etree.XMLSyntaxError as error:
        raise Damaged(f"{name}: {_short(error)}") from None


def _short(error: BaseException) -> str:
    return " ".join(str(error).split())[:120] or type(error).__name__


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name -> the part that holds it (from the workbook and its relationships)."""
    book = _parse_small(archive, "xl/workbook.xml")
    if book is None:
        return {}
    rels = _parse_small(archive, "xl/_rels/workbook.xml.rels")
    targets: dict[str, str] = {}
    for rel in rels.iter() if rels is not None else ():
        if _local(rel.tag) == "Relationship" and rel.get("Id") and rel.get("Target"):
            target = rel.get("Target")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = path
    parts = {}
    for sheet in book.iter():
        if _local(sheet.tag) == "sheet":
            rid = sheet.get(f"{{{_REL_NS}}}id") or sheet.get(f"{{{_STRICT_REL_NS}}}id")
            if sheet.get("name") is not None and rid in targets:
                parts[sheet.get("name")] = targets[rid]
    return parts


def count_strings(archive: zipfile.ZipFile) -> int:
    """How many shared strings the workbook has (0 without a shared-strings part)."""
    name = _part_named(archive, "sharedStrings.xml")
    if name is None:
        return 0
    count = 0
    with archive.open(name) as handle:
        try:
            for _, element in etree.iterparse(handle, events=("end",), **_parser_options()):
                if _local(element.tag) == "si":
                    count += 1
                    _free(element)
        except etree.XMLSyntaxError as error:
            raise Damaged(f"{name}: {_short(error)}") from None
    return count


def count_styles(archive: zipfile.ZipFile) -> int:
    """How many cell formats (``cellXfs``) the workbook has."""
    name = _part_named(archive, "styles.xml")
    root = _parse_small(archive, name) if name else None
    if root is None:
        return 1  # no styles part: only the default format
    for element in root.iter():
        if _local(element.tag) == "cellXfs":
            return sum(1 for child in element if _local(child.tag) == "xf")
    return 1


def _part_named(archive: zipfile.ZipFile, suffix: str) -> str | None:
    for name in archive.namelist():
        if name.lower() == f"xl/{suffix.lower()}":
            return name
    return None


def _free(element: Any) -> None:
    """Forget an element once handled, and the siblings before it, so memory stays flat."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _cell_ref(ref: str) -> tuple[int, int]:
    match = _REF.match(ref)
    if not match:
        raise Damaged(f"cell reference '{ref[:20]}' is not valid")
    col, row = column_index(match.group(1)), int(match.group(2)) - 1
    if not (0 <= row < MAX_ROWS and 0 <= col < MAX_COLUMNS):
        raise Damaged(f"cell reference '{ref[:20]}' is outside a sheet")
    return row, col


def scan_sheet(
    handle: IO[bytes], strings: int, styles: int, check: Callable[[], None] = lambda: None,
) -> SheetScan:
    """Where the cells of one worksheet part sit, and which of them are problems (see the module).

    ``check`` is called every few thousand rows (the reader's deadline).
    """
    scan = SheetScan()
    row_number = -1
    column = -1
    try:
        for event, element in etree.iterparse(handle, events=("start", "end"), **_parser_options()):
            name = _local(element.tag)
            if event == "start":
                if name == "row":
                    given = element.get("r")
                    if given is not None:
                        if not _INDEX.match(given) or not 1 <= int(given) <= MAX_ROWS:
                            raise Damaged(f"row number '{given[:20]}' is not valid")
                        row_number = int(given) - 1
                    else:
                        row_number += 1
                    column = -1
                    if element.get("hidden") in ("1", "true"):
                        scan.hidden.add(row_number)
                    if row_number % 4096 == 0:
                        check()
                continue
            if name == "c":
                column = _scan_cell(element, scan, row_number, column, strings, styles)
                _free(element)
            elif name == "row":
                _free(element)
            elif name == "mergeCell":
                scan.merges.append(_merge_ref(element.get("ref") or ""))
    except etree.XMLSyntaxError as error:
        raise Damaged(_short(error)) from None
    return scan


def _scan_cell(element: Any, scan: SheetScan, row_number: int, column: int, strings: int, styles: int) -> int:
    ref = element.get("r")
    if ref is not None:
        row, col = _cell_ref(ref)
    else:
        row, col = max(row_number, 0), column + 1
        if col >= MAX_COLUMNS:
            raise Damaged("a row has more cells than a sheet has columns")
    kind = element.get("t") or "n"
    formula = value = None
    inline = False
    for child in element:
        local = _local(child.tag)
        if local == "f":
            formula = child
        elif local == "v":
            value = child.text or ""
        elif local == "is":
            inline = True
    where = (row, col)
    style = element.get("s")
    if style is not None and (not _INDEX.match(style) or int(style) >= styles):
        scan.problems[where] = ("broken_style", style)
        scan.drop.add(where)
    elif kind == "s" and value is not None and (not _INDEX.match(value.strip()) or int(value) >= strings):
        scan.problems[where] = ("broken_string", value)
        scan.drop.add(where)
    elif formula is not None and value is None and not inline:
        scan.problems[where] = ("formula_no_value", f"={(formula.text or '').strip()}"[:120])
    elif kind == "e":
        scan.problems[where] = ("cell_error", value or "")
    if (value is not None or inline) and where not in scan.drop:
        scan.cells += 1
    if value is not None or inline or where in scan.problems:  # a problem keeps its place in the grid
        scan.rows.add(row)
        scan.columns.add(col)
    return col


def _merge_ref(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    match = _RANGE.match(ref)
    if not match:
        raise Damaged(f"merged range '{ref[:20]}' is not valid")
    first = _cell_ref(match.group(1))
    last = _cell_ref(match.group(2) or match.group(1))
    return (min(first[0], last[0]), min(first[1], last[1])), (max(first[0], last[0]), max(first[1], last[1]))


@dataclass
class Rewritten:
    """A worksheet part written again: its bytes, and the sheet row and column of each of its rows and columns."""

    xml: bytes
    rows: list[int]
    columns: list[int]
    merges: list[tuple[tuple[int, int], tuple[int, int]]]


def rewrite_sheet(handle: IO[bytes], scan: SheetScan, compact: bool) -> Rewritten:
    """The part again, without the cells in ``scan.drop`` and, with ``compact``, with
    only its used rows and columns, one after the other."""
    rows = sorted(scan.rows) if compact else []
    columns = sorted(scan.columns) if compact else []
    out = rows_again(handle, scan, (rows, columns) if compact else None)
    merges = scan.merges if not compact else compact_merges(scan.merges, rows, columns)
    return Rewritten(sheet_document(out, merges), [r + 1 for r in rows], columns, merges)


def sheet_document(rows: list[bytes], merges: list[tuple[tuple[int, int], tuple[int, int]]], *, x14ac: bool = False) -> bytes:
    """A worksheet part of these rows (``<row>`` elements) and merged ranges; with ``x14ac``, that
    attribute prefix of Excel's rows declared."""
    merge_xml = b"".join(
        f'<mergeCell ref="{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"/>'.encode() for (r1, c1), (r2, c2) in merges
    )
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    declared = ' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"' if x14ac else ""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"{declared}><sheetData>'.encode()
    tail = (
        b"</sheetData>"
        + (f'<mergeCells count="{len(merges)}">'.encode() + merge_xml + b"</mergeCells>" if merges else b"")
        + b"</worksheet>"
    )
    return b"".join([head, *rows, tail])  # one copy; a cell written again carries its namespace: the worksheet's own


def rows_again(handle: IO[bytes], scan: SheetScan, used: tuple[list[int], list[int]] | None = None) -> list[bytes]:
    """The rows of the part written again without the cells in ``scan.drop``; with ``used`` (the used
    rows and columns, in order: the sheet compacted), only those, renumbered one after the other."""
    compact = used is not None
    rows, columns = used or ([], [])
    row_at = {row: number for number, row in enumerate(rows)}
    column_at = {col: number for number, col in enumerate(columns)}
    out: list[bytes] = []
    row_number = -1
    for event, element in etree.iterparse(handle, events=("start", "end"), **_parser_options()):
        name = _local(element.tag)
        if event == "start":
            if name == "row":
                given = element.get("r")
                row_number = int(given) - 1 if given is not None else row_number + 1
            continue
        if name != "row":
            continue
        kept = []
        column = -1
        for cell in list(element):
            if _local(cell.tag) != "c":
                continue
            ref = cell.get("r")
            row, col = _cell_ref(ref) if ref is not None else (row_number, column + 1)
            column = col
            if (row, col) in scan.drop:
                continue
            if compact:
                if row not in row_at or col not in column_at:
                    continue  # a cell without a value, only a format
                row, col = row_at[row], column_at[col]
            cell.set("r", f"{column_letter(col)}{row + 1}")
            kept.append(etree.tostring(cell))
        target = row_at.get(row_number) if compact else row_number
        if kept and target is not None:
            out.append(f'<row r="{target + 1}">'.encode() + b"".join(kept) + b"</row>")
        _free(element)
    return out


def compact_merges(
    merges: list[tuple[tuple[int, int], tuple[int, int]]], rows: list[int], columns: list[int],
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Merged ranges in compacted positions: from the first used row and column inside to the last."""
    import bisect

    out = []
    for (r1, c1), (r2, c2) in merges:
        top, bottom = bisect.bisect_left(rows, r1), bisect.bisect_right(rows, r2) - 1
        left, right = bisect.bisect_left(columns, c1), bisect.bisect_right(columns, c2) - 1
        if top <= bottom and left <= right and (top, left) != (bottom, right):
            out.append(((top, left), (bottom, right)))
    return out
