"""A worksheet part with a few rows out of the plain form (``read/patchscan.py``): its plain pieces counted
by pattern, the others element by element. The scan equals the element-by-element scan of the whole part
(``read/xlsx.scan_sheet``) wherever it answers, the part written again gives calamine the cells the whole
rewrite gives it, and a workbook with one broken cell among many rows no longer goes the slow way."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from procdata.read import patchscan, quickscan
from procdata.read import workbook as workbook_module
from procdata.read.limits import Limits
from procdata.read.patchscan import patched_rewrite, patched_scan
from procdata.read.xlsx import Damaged, SheetScan, rewrite_sheet, scan_sheet
from test_quickscan import edit_cells
from workbooks import cell, row, sheet_xml, xlsx

STRINGS, STYLES = 3, 2


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks and pieces of a few rows, so that a sheet of a few hundred rows has many of each."""
    monkeypatch.setattr(quickscan, "BLOCK", 4096)
    monkeypatch.setattr(patchscan, "PIECE", 600)


def values(rnd: random.Random, number: int) -> list[object]:
    return [rnd.choice([None, "จัดซื้อวัสดุสำนักงาน", "a & b < c", 12, 3.5, -7, True]) for _ in range(rnd.randint(1, 8))]


# Rows out of the plain form, as writers and damage leave them: (name, row number -> row XML).
ODD = {
    "style pointing nowhere": lambda n: f'<row r="{n}">{cell(f"A{n}", "x")}{cell(f"B{n}", 5, style=9)}</row>',
    "shared string pointing nowhere": lambda n: f'<row r="{n}"><c r="A{n}" t="s"><v>7</v></c>{cell(f"C{n}", 1)}</row>',
    "shared string": lambda n: f'<row r="{n}"><c r="A{n}" t="s"><v>2</v></c></row>',
    "formula without a value": lambda n: f'<row r="{n}"><c r="A{n}"><f>1+1</f></c>{cell(f"B{n}", "y")}</row>',
    "error value": lambda n: f'<row r="{n}"><c r="D{n}" t="e"><v>#N/A</v></c></row>',
    "hidden row": lambda n: f'<row r="{n}" hidden="1">{cell(f"A{n}", "h")}</row>',
    "whitespace between cells": lambda n: f'<row r="{n}">\n  {cell(f"A{n}", 1)}\n  {cell(f"B{n}", 2)}\n</row>',
    "a comment": lambda n: f'<row r="{n}"><!-- note -->{cell(f"A{n}", 1)}</row>',
    "cell without a reference": lambda n: f'<row r="{n}"><c t="inlineStr"><is><t>a</t></is></c><c><v>4</v></c></row>',
    "attributes in another order": lambda n: f'<row r="{n}"><c t="n" r="A{n}"><v>1</v></c></row>',
    "row without a number": lambda n: f'<row><c r="A{n}"><v>1</v></c></row>',
    "row without a number, cells without references": lambda n: "<row><c><v>1</v></c></row>",
    "row end inside CDATA": lambda n: f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t><![CDATA[a</row><row r="{n}">b]]></t></is></c></row>',
    "a broken cell that an earlier row fills": lambda n: f'<row r="{n}"><c r="A3" s="9"><v>1</v></c></row>',
    "a broken cell that a later row fills": lambda n: f'<row r="{n}"><c r="A{n + 3}" s="9"><v>1</v></c></row>',
}
# Those that must take the patched way (not the whole slow scan).
PATCHED = {
    "style pointing nowhere", "shared string pointing nowhere", "formula without a value", "error value", "hidden row",
    "whitespace between cells", "a comment", "cell without a reference", "attributes in another order",
}


def sheet(seed: int, odd: list[str], count: int = 300, *, far: bool = False) -> bytes:
    """``count`` rows as writers write them, with rows of the ``odd`` kinds put in at random places;
    with ``far``, a row and a column with formats but no value, and a value far below and to the right
    (the sheet is then compacted: the empty row and column go)."""
    rnd = random.Random(seed)
    places = {rnd.randint(5, count): kind for kind in odd}
    empty = rnd.randint(5, count) if far else 0
    body = "".join(
        ODD[places[n]](n) if n in places
        else f'<row r="{n}"><c r="B{n}" s="1"/></row>' if n == empty
        else row(n, [f"เลขที่ {n}", *values(rnd, n)]).replace("</row>", f'<c r="J{n}" s="1"/></row>' if far and n % 7 == 0 else "</row>")
        for n in range(1, count + 1)
    )
    if far:
        body += '<row r="999999"><c r="ZZ999999"><v>1</v></c></row>'
    return sheet_xml(body, merges=["A1:C1", "B5:D7"] if seed % 2 else ()).encode()


def slow(data: bytes) -> SheetScan | Damaged:
    try:
        return scan_sheet(io.BytesIO(data), STRINGS, STYLES)
    except Damaged as damage:
        return damage


@pytest.mark.parametrize("kind", sorted(ODD))
@pytest.mark.parametrize("seed", range(12))
def test_a_sheet_with_odd_rows_is_scanned_as_the_whole_slow_scan_scans_it(kind: str, seed: int) -> None:
    rnd = random.Random(seed)
    odd = [kind] + ([rnd.choice(sorted(ODD))] if seed % 3 == 0 else []) + ([kind] if seed % 4 == 1 else [])
    data = sheet(seed, odd)
    patched = patched_scan(io.BytesIO(data), STRINGS, STYLES)
    if patched is not None:
        assert patched.scan == slow(data)
    if set(odd) <= PATCHED:
        assert patched is not None and patched.odd, "the patched way was not taken"


def test_the_problems_of_the_odd_rows_are_found_where_the_slow_scan_finds_them() -> None:
    data = sheet(4, ["style pointing nowhere", "formula without a value", "error value"])
    patched = patched_scan(io.BytesIO(data), STRINGS, STYLES)
    assert patched is not None and len(patched.odd) == 3
    assert sorted(code for code, _ in patched.scan.problems.values()) == ["broken_style", "cell_error", "formula_no_value"]
    assert len(patched.scan.drop) == 1


def test_a_plain_sheet_is_the_quick_scan_s_answer_with_no_odd_piece() -> None:
    data = sheet(7, [])
    patched = patched_scan(io.BytesIO(data), STRINGS, STYLES)
    assert patched is not None and patched.odd == []
    assert patched.scan == quickscan.quick_scan(io.BytesIO(data), STRINGS, STYLES) == slow(data)


@pytest.mark.parametrize("filled", [50, 200])
@pytest.mark.parametrize("other", [
    lambda n: row(n, [f"เลขที่ {n}", 1]),  # a plain row
    lambda n: f'<row r="{n}" hidden="1">{cell(f"A{n}", "h")}</row>',  # another odd row
])
def test_a_broken_cell_that_another_row_fills_is_left_to_the_slow_scan(filled: int, other: Callable[[int], str]) -> None:
    """The slow scan and rewrite drop every cell at a broken cell's place, another row's too: a piece
    alone cannot know that."""
    body = "".join(
        f'<row r="{n}"><c r="A{filled}" s="9"><v>1</v></c></row>' if n == 100 else other(n) if n == filled
        else row(n, [f"เลขที่ {n}", 2])
        for n in range(1, 301)
    )
    data = sheet_xml(body).encode()
    assert patched_scan(io.BytesIO(data), STRINGS, STYLES) is None
    every = len(etree.fromstring(data).findall(".//{*}c"))  # each cell here holds a value
    assert slow(data).cells == every - (2 if filled > 100 else 1)  # the broken cell (and a later one at its place)


def test_too_many_odd_pieces_are_left_to_the_slow_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patchscan, "MAX_ODD", 1000)
    data = sheet(5, ["hidden row"] * 8)
    assert patched_scan(io.BytesIO(data), STRINGS, STYLES) is None


def cells(xml: bytes) -> dict[tuple[str, str], tuple[str, str]]:
    """What calamine reads of a part: each cell's reference, type and value or inline text."""
    out = {}
    for element in etree.fromstring(xml).iter("{*}c"):
        value = element.find("{*}v")
        text = "".join(element.itertext()) if value is None else (value.text or "")
        out[(element.get("r") or "", element.getparent().get("r") or "")] = (element.get("t") or "n", text)
    return out


@pytest.mark.parametrize("far", [False, True])
@pytest.mark.parametrize("seed", range(16))
def test_the_part_written_again_gives_calamine_the_cells_the_whole_rewrite_gives(seed: int, far: bool) -> None:
    """As it is, or compacted (a value far off): the same cells at the same places, rows, columns and merges."""
    rnd = random.Random(seed)
    odd = ["style pointing nowhere", rnd.choice(["shared string pointing nowhere", "hidden row", "a comment", "error value"])]
    data = sheet(seed, odd, far=far)
    patched = patched_scan(io.BytesIO(data), STRINGS, STYLES)
    assert patched is not None and patched.scan.drop and patched.scan.sparse() == far
    written = patched_rewrite(io.BytesIO(data), patched, STRINGS, STYLES, compact=far)
    assert written is not None
    whole = rewrite_sheet(io.BytesIO(data), patched.scan, far)
    assert (written.rows, written.columns, written.merges) == (whole.rows, whole.columns, whole.merges)
    again = written.xml
    assert cells(again) == cells(whole.xml)
    scanned, expected = scan_sheet(io.BytesIO(again), STRINGS, STYLES), scan_sheet(io.BytesIO(whole.xml), STRINGS, STYLES)
    assert (scanned.rows, scanned.columns, scanned.cells, scanned.problems) == (expected.rows, expected.columns, expected.cells, expected.problems)
    assert not any(code == "broken_style" for code, _ in scanned.problems.values())


def test_a_part_that_changed_since_it_was_scanned_is_written_the_whole_way() -> None:
    data = sheet(3, ["style pointing nowhere"])
    patched = patched_scan(io.BytesIO(data), STRINGS, STYLES)
    assert patched is not None
    changed = data.replace(b's="9"', b's="8"')
    assert patched_rewrite(io.BytesIO(changed), patched, STRINGS, STYLES) is None


def test_sheets_with_cells_changed_are_scanned_as_the_whole_slow_scan_scans_them() -> None:
    """References, styles, types and values changed at random: an answer only where it equals the slow scan's."""
    taken = 0
    for seed in range(300):
        rnd = random.Random(seed)
        data = edit_cells(sheet(seed, []), rnd)
        patched = patched_scan(io.BytesIO(data), STRINGS, STYLES)
        if patched is not None:
            assert patched.scan == slow(data)
            taken += bool(patched.odd)
    assert taken > 50  # the patched way was tested, not only the way out of it


def test_a_big_workbook_with_one_broken_cell_is_read_without_the_whole_slow_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sheets read are those of the whole slow scan and rewrite, which are not used."""
    from procdata.read.workbook import read_workbook

    rnd = random.Random(1)
    body = "".join(
        ODD["style pointing nowhere"](n) if n == 1500 else row(n, [f"รายการ {n}", *values(rnd, n)]) for n in range(1, 3001)
    )
    path = tmp_path / "book.xlsx"
    path.write_bytes(xlsx({"O12": sheet_xml(body)}))
    monkeypatch.setattr(workbook_module, "patched_scan", lambda *args: None)
    expected = read_workbook(str(path), "zip", Limits.default(), 60, False)
    monkeypatch.undo()
    monkeypatch.setattr(quickscan, "BLOCK", 4096)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole part was scanned or written again element by element")

    monkeypatch.setattr(workbook_module, "scan_sheet", refused)
    monkeypatch.setattr(workbook_module, "rewrite_sheet", refused)
    read = read_workbook(str(path), "zip", Limits.default(), 60, False)
    assert read == expected
    assert read[0].problems and len(read[0].rows) == 3000


def test_calamine_s_early_parse_is_let_go_before_a_sheet_is_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its memory and the tighter cap it runs under would otherwise be held while the part is written
    again (a 100,000-row workbook ran out of it and was read a second time)."""
    from procdata.read import early as early_module
    from procdata.read.workbook import read_workbook

    body = "".join(
        ODD["style pointing nowhere"](n) if n == 20_000 else row(n, [f"จัดซื้อวัสดุ {n}", n * 3.25, "หจก. ก"]) for n in range(1, 40_001)
    )
    path = tmp_path / "big.xlsx"
    path.write_bytes(xlsx({"O12": sheet_xml(body)}))
    expected = read_workbook(str(path), "zip", Limits.default(), 60, False)
    parses: list[early_module.EarlyParse] = []
    rewrites: list[bool] = []

    class Recorded(early_module.EarlyParse):
        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            parses.append(self)

    def rewrite(*args: object) -> bytes | None:
        rewrites.append(all(parse.workbook is None and not parse.sheets for parse in parses))
        return patched_rewrite(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(workbook_module, "EarlyParse", Recorded)
    monkeypatch.setattr(workbook_module, "patched_rewrite", rewrite)
    assert read_workbook(str(path), "zip", Limits.default(), 60, True) == expected
    assert parses and rewrites == [True]


def test_compacted_rows_before_the_first_unused_row_and_column_are_kept_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """A value far off makes the sheet compacted; the rows above it need not be written again."""
    from procdata.read import xlsx

    body = "".join(row(n, [f"เลขที่ {n}", n, "ก"]) for n in range(1, 301)) + '<row r="999999"><c r="ZZ999999"><v>1</v></c></row>'
    data = sheet_xml(body).encode()
    patched = patched_scan(io.BytesIO(data), STRINGS, STYLES)
    assert patched is not None and patched.scan.sparse()
    written: list[int] = []

    def spy(handle: io.BytesIO, *args: object) -> list[bytes]:
        written.append(len(handle.getvalue()))
        return xlsx.rows_again(handle, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(patchscan, "rows_again", spy)
    again = patched_rewrite(io.BytesIO(data), patched, STRINGS, STYLES, compact=True)
    assert again is not None and again.xml
    assert cells(again.xml) == cells(rewrite_sheet(io.BytesIO(data), patched.scan, True).xml)
    assert 0 < sum(written) < len(data) / 4


def test_a_piece_is_in_place_by_one_search_exactly_when_its_references_counted_say_so() -> None:
    """The fast path of ``_in_place`` (one pattern for a reference past the first unused row and
    column) against reading and comparing every reference."""
    from procdata.read.patchscan import _in_place, in_place_counted
    from procdata.read.xlsx import column_letter

    rnd = random.Random(12)
    checked = {True: 0, False: 0}
    for _ in range(3000):
        last_row, last_column = rnd.choice([1, 9, 10, 99, 100, 101, 1000, 99999, 100001]), rnd.randint(1, 26)
        numbers = [rnd.choice([1, last_row, max(1, last_row - 1), rnd.randint(1, last_row)]) for _ in range(4)]
        letters = [rnd.choice([0, last_column - 1, rnd.randint(0, last_column - 1)]) for _ in range(3)]
        if rnd.random() < 0.5:  # one reference past them
            if rnd.random() < 0.5:
                numbers[rnd.randrange(4)] = rnd.choice([last_row + 1, last_row * 10, 999999, rnd.randint(last_row + 1, 2 * last_row + 1)])
            else:
                letters[rnd.randrange(3)] = rnd.choice([last_column, last_column + 1, 26, 27, 701, 702])
        cells = "".join(cell(f"{column_letter(c)}{m}", 1) for c, m in zip(letters, numbers[1:], strict=True))
        body = f'<row r="{numbers[0]}">{cells}</row>'.encode()
        expected = in_place_counted(body, last_row, last_column)
        assert _in_place(body, last_row, last_column) == expected, (body, last_row, last_column)
        checked[expected] += 1
    assert min(checked.values()) > 300
