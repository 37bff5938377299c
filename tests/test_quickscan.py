"""The quick scan of a worksheet part (``read/quickscan.py``) equals the element-by-element scan
(``read/xlsx.scan_sheet``) on every part it answers for, leaves every other part to it, and is the
path that plain sheets take when a workbook is read."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from mutate import ANY
from procdata.read import workbook as workbook_module
from procdata.read.limits import Limits
from procdata.read.quickscan import quick_scan
from procdata.read.xlsx import (
    Damaged,
    SheetScan,
    count_strings,
    count_styles,
    scan_sheet,
    sheet_parts,
)
from workbooks import cell, row, rows, sheet_xml, xlsx

REPO = Path(__file__).resolve().parent.parent
SAMPLES = sorted((REPO / "samples").glob("*.xlsx"))


def slow(data: bytes, strings: int, styles: int) -> SheetScan | Damaged:
    try:
        return scan_sheet(io.BytesIO(data), strings, styles)
    except Damaged as damage:
        return damage


def assert_same(data: bytes, strings: int = 0, styles: int = 2, *, plain: bool | None = None) -> None:
    """The quick scan gives the slow scan's answer or none; ``plain`` says which is expected."""
    quick = quick_scan(io.BytesIO(data), strings, styles)
    if plain is not None:
        assert (quick is not None) == plain
    if quick is not None:
        assert quick == slow(data, strings, styles)


def parts_of(book: bytes) -> list[tuple[bytes, int, int]]:
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        strings, styles = count_strings(archive), count_styles(archive)
        return [(archive.read(part), strings, styles) for part in sheet_parts(archive).values()]


def generated(seed: int) -> str:
    """A sheet as Excel and the common writers write it: Thai text, numbers, styles, gaps, merges."""
    rnd = random.Random(seed)
    values = []
    for _ in range(rnd.randint(1, 60)):
        values.append([
            rnd.choice([None, "", "จัดซื้อวัสดุสำนักงาน", "a & b < c", "ค่า \"ก\" 'ข'", 12, 3.5, -7, True, "  ช่องว่าง  "])
            for _ in range(rnd.randint(1, 12))
        ])
    return sheet_xml(rows(values, first=rnd.randint(1, 50)), merges=["A1:C1"] if seed % 3 == 0 else (),
                     dimension="A1:L99" if seed % 2 else None)


@pytest.mark.parametrize("seed", range(40))
def test_generated_sheets_take_the_quick_path_and_equal_the_slow_scan(seed: int) -> None:
    assert_same(generated(seed).encode(), plain=True)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_the_bundled_workbooks_take_the_quick_path(path: Path) -> None:
    for data, strings, styles in parts_of(path.read_bytes()):
        assert_same(data, strings, styles, plain=True)


def test_a_workbook_written_by_openpyxl_takes_the_quick_path(tmp_path: Path) -> None:
    import openpyxl

    for write_only in (True, False):
        book = openpyxl.Workbook(write_only=write_only)
        sheet = book.create_sheet("O12") if write_only else book.active
        for number in range(300):
            sheet.append([number, f"รายการที่ {number}", number * 1.25, None, "0105561000011", "15/01/2568"])
        path = tmp_path / f"book-{write_only}.xlsx"
        book.save(path)
        for data, strings, styles in parts_of(path.read_bytes()):
            assert_same(data, strings, styles, plain=True)


@pytest.mark.parametrize(("name", "body"), [
    ("formula", row(1, ["a"]) + '<row r="2"><c r="A2"><f>SUM(B1:B9)</f></c></row>'),
    ("error value", '<row r="1"><c r="A1" t="e"><v>#N/A</v></c></row>'),
    ("hidden row", rows([["a"], ["b"]], hidden=[2])),
    ("style pointing nowhere", f'<row r="1">{cell("A1", "x", style=9)}</row>'),
    ("shared string pointing nowhere", '<row r="1"><c r="A1" t="s"><v>5</v></c></row>'),
    ("shared string not a number", '<row r="1"><c r="A1" t="s"><v>x</v></c></row>'),
    ("cell without a reference", '<row r="1"><c t="inlineStr"><is><t>a</t></is></c></row>'),
    ("row without a number", '<row><c r="A1"><v>1</v></c></row>'),
    ("whitespace between cells", '<row r="1">\n  <c r="A1"><v>1</v></c>\n</row>'),
    ("column past XFD", '<row r="1"><c r="XFE1"><v>1</v></c></row>'),
    ("row zero", '<row r="1"><c r="A0"><v>1</v></c></row>'),
    ("odd character reference", '<row r="1"><c r="A1" t="inlineStr"><is><t>&#1;</t></is></c></row>'),
    ("named entity", '<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>'),
    ("control character", '<row r="1"><c r="A1" t="inlineStr"><is><t>a\x01b</t></is></c></row>'),
    ("attributes in another order", '<row r="1"><c t="n" r="A1"><v>1</v></c></row>'),
])
def test_sheets_not_written_plainly_are_left_to_the_slow_scan(name: str, body: str) -> None:
    assert_same(sheet_xml(body).encode(), strings=2, plain=False)


def test_a_sheet_whose_cells_sit_far_apart_is_scanned_alike() -> None:
    body = row(1, ["a"]) + '<row r="999999"><c r="ZZ999999"><v>1</v></c></row>'
    assert_same(sheet_xml(body).encode(), plain=True)


@pytest.mark.parametrize("mutation", sorted(ANY))
@pytest.mark.parametrize("seed", range(60))
def test_a_mutated_part_is_scanned_as_the_slow_scan_scans_it(mutation: str, seed: int) -> None:
    """Flipped, cut, inserted and repeated bytes: an answer only where it equals the slow scan's."""
    rnd = random.Random(seed)
    source = generated(seed).encode() if seed % 2 else parts_of(SAMPLES[seed % len(SAMPLES)].read_bytes())[0][0]
    data = ANY[mutation](source, rnd)
    assert_same(data, strings=rnd.choice([0, 3, 50]), styles=rnd.choice([1, 2, 40]))


_EDITS = [
    (rb'(?<=<c r=")[A-Z]', lambda rnd: rnd.choice([b"A", b"B", b"Z", b"AA", b"XFD", b"XFE", b"a"])),
    (rb'(?<=<c r="[A-Z])[0-9]+', lambda rnd: rnd.choice([b"1", b"0", b"7", b"1048576", b"1048577", b"01", b"999999"])),
    (rb'(?<=<row r=")[0-9]+', lambda rnd: rnd.choice([b"1", b"0", b"3", b"1048576", b"2000000", b"02"])),
    (rb' s="[0-9]+"', lambda rnd: rnd.choice([b"", b' s="0"', b' s="1"', b' s="39"', b' s="41"', b' s="x"'])),
    (rb' t="[a-zA-Z]+"', lambda rnd: rnd.choice([b"", b' t="s"', b' t="n"', b' t="b"', b' t="e"', b' t="str"', b' t="d"', b' t="x"'])),
    (rb"(?<=<v>)[^<]*", lambda rnd: rnd.choice([b"", b"1", b"2", b"49", b"50", b" 3", b"x", b"-1", b"#N/A"])),
    (rb"<c [^>]*>(?:<v>[^<]*</v>|<is><t[^>]*>[^<]*</t></is>)?</c>", lambda rnd: rnd.choice([b"", b"<c/>"])),
]


def edit_cells(data: bytes, rnd: random.Random) -> bytes:
    """A few cells changed where a plain sheet may differ: references, styles, types, values, cells left out."""
    import re

    for _ in range(rnd.randint(1, 4)):
        pattern, replacement = rnd.choice(_EDITS)
        found = list(re.finditer(pattern, data))
        if found:
            hit = rnd.choice(found)
            data = data[: hit.start()] + replacement(rnd) + data[hit.end() :]
    return data


def test_sheets_with_cells_changed_are_scanned_as_the_slow_scan_scans_them() -> None:
    """Changes that keep the plain form (or just leave it): the quick scan answers for many of them,
    always as the slow scan does, damaged parts and problems included."""
    quick = 0
    for seed in range(400):
        rnd = random.Random(seed)
        source = generated(seed).encode() if seed % 2 else parts_of(SAMPLES[seed % len(SAMPLES)].read_bytes())[0][0]
        data = edit_cells(source, rnd)
        strings, styles = (0, 2) if seed % 2 else parts_of(SAMPLES[seed % len(SAMPLES)].read_bytes())[0][1:]
        strings, styles = rnd.choice([(strings, styles), (50, 40)])
        assert_same(data, strings, styles)
        quick += quick_scan(io.BytesIO(data), strings, styles) is not None
    assert quick > 100  # the quick path was tested, not only the way out of it


def test_reading_a_plain_workbook_takes_the_quick_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procdata.read.workbook import read_workbook

    path = tmp_path / "plain.xlsx"
    path.write_bytes(xlsx({"O12": sheet_xml(rows([["ชื่อรายการ", "วงเงิน"], ["วัสดุ", 5000]]))}))
    expected = read_workbook(str(path), "zip", Limits.default(), 20)

    def refused(*args: object, **kwargs: object) -> SheetScan:
        raise AssertionError("the slow scan was used")

    monkeypatch.setattr(workbook_module, "scan_sheet", refused)
    assert read_workbook(str(path), "zip", Limits.default(), 20) == expected
    assert expected[0].rows == [["ชื่อรายการ", "วงเงิน"], ["วัสดุ", 5000]]
