"""The lean scan of a big worksheet part (``read/leanscan.py``): a part it proves plain is one the
element-by-element scan (``read/xlsx.scan_sheet``) finds no problem in; and a workbook read with it
(calamine's grid settling where the cells sit) gives the sheets the plain order gives, limits, cells far
apart and empty rows and columns included; and it is the path a big plain workbook takes."""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutate import ANY
from procdata.read import early as early_module
from procdata.read import leanscan
from procdata.read import workbook as workbook_module
from procdata.read.leanscan import below, lean_scan
from procdata.read.limits import Limits
from procdata.read.quickscan import quick_scan
from procdata.read.workbook import read_workbook
from procdata.read.xlsx import Damaged, scan_sheet
from test_quickscan import SAMPLES, edit_cells, generated, parts_of
from workbooks import cell, row, rows, sheet_xml, xlsx


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=10**8))
def test_below_matches_exactly_the_smaller_numbers(count: int, number: int) -> None:
    pattern = below(count)
    if pattern is None:
        assert count == 0
        return
    compiled = re.compile(pattern)
    for candidate in (number, count - 1, count, number % max(count, 1)):
        assert bool(compiled.fullmatch(str(candidate))) == (0 <= candidate < count)
    assert not compiled.fullmatch("0" + str(number)) and not compiled.fullmatch(f" {number}")


def lean(data: bytes, strings: int = 0, styles: int = 2) -> Any:
    return lean_scan("unused.xlsx", "xl/worksheets/sheet1.xml", io.BytesIO(data), strings, styles)


def assert_proven_only_where_plain(data: bytes, strings: int, styles: int) -> bool:
    """Where the lean scan proves a part plain, the slow scan finds it whole, without a problem, a
    hidden row or a cell to leave out, with the same merged ranges; whether it was proven."""
    proven = lean(data, strings, styles)
    if proven is not None:
        slow = scan_sheet(io.BytesIO(data), strings, styles)  # Damaged would fail the test here
        assert (slow.problems, slow.hidden, slow.drop) == ({}, set(), set())
        assert proven.merges == slow.merges
        assert quick_scan(io.BytesIO(data), strings, styles) is not None  # a narrower form than the quick scan's
    return proven is not None


@pytest.mark.parametrize("seed", range(40))
def test_generated_sheets_are_proven_plain(seed: int) -> None:
    assert assert_proven_only_where_plain(generated(seed).encode(), 0, 2)


def test_the_bundled_workbooks_are_proven_plain() -> None:
    for path in SAMPLES:
        for data, strings, styles in parts_of(path.read_bytes()):
            assert assert_proven_only_where_plain(data, strings, styles)


@pytest.mark.parametrize(("name", "body"), [
    ("formula", '<row r="1"><c r="A1"><f>SUM(B1:B9)</f><v>3</v></c></row>'),
    ("error value", '<row r="1"><c r="A1" t="e"><v>#N/A</v></c></row>'),
    ("hidden row", rows([["a"], ["b"]], hidden=[2])),
    ("style pointing nowhere", f'<row r="1">{cell("A1", "x", style=9)}</row>'),
    ("shared string pointing nowhere", '<row r="1"><c r="A1" t="s"><v>5</v></c></row>'),
    ("shared string with a leading zero", '<row r="1"><c r="A1" t="s"><v>01</v></c></row>'),
    ("empty value", '<row r="1"><c r="A1" t="n"><v></v></c></row>'),
    ("value of an inline-string cell", '<row r="1"><c r="A1" t="inlineStr"><v>a</v></c></row>'),
    ("column past XFD", '<row r="1"><c r="XFE1"><v>1</v></c></row>'),
    ("row 1,000,000", '<row r="1000000"><c r="A1000000"><v>1</v></c></row>'),
    ("row zero", '<row r="1"><c r="A0"><v>1</v></c></row>'),
    ("odd character reference", '<row r="1"><c r="A1" t="inlineStr"><is><t>&#1;</t></is></c></row>'),
    ("named entity", '<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>'),
    ("control character", '<row r="1"><c r="A1" t="inlineStr"><is><t>a\x01b</t></is></c></row>'),
    ("non-character", '<row r="1"><c r="A1" t="inlineStr"><is><t>a\ufffeb</t></is></c></row>'),
    ("end of a CDATA section", '<row r="1"><c r="A1" t="inlineStr"><is><t>a]]>b</t></is></c></row>'),
    ("text node longer than libxml2 reads", f'<row r="1">{cell("A1", "ก" * 4_000_000)}</row>'),
])
def test_sheets_not_written_plainly_are_not_proven(name: str, body: str) -> None:
    data = sheet_xml(body).encode()
    assert lean(data, strings=2) is None
    assert_proven_only_where_plain(data, 2, 2)


def test_text_too_long_for_libxml2_is_left_to_the_slow_scan_by_the_quick_scan_too() -> None:
    data = sheet_xml(f'<row r="1">{cell("A1", "ก" * 4_000_000)}</row>').encode()
    assert quick_scan(io.BytesIO(data), 0, 2) is None
    with pytest.raises(Damaged):
        scan_sheet(io.BytesIO(data), 0, 2)


def test_bytes_that_are_not_utf8_are_not_proven() -> None:
    data = sheet_xml(row(1, ["ก"])).encode().replace("ก".encode(), b"\xe0\xb8")
    assert lean(data) is None


@pytest.mark.parametrize("mutation", sorted(ANY))
@pytest.mark.parametrize("seed", range(40))
def test_a_mutated_part_is_proven_only_where_it_is_plain(mutation: str, seed: int) -> None:
    rnd = random.Random(seed)
    source = generated(seed).encode() if seed % 2 else parts_of(SAMPLES[seed % len(SAMPLES)].read_bytes())[0][0]
    assert_proven_only_where_plain(ANY[mutation](source, rnd), rnd.choice([0, 3, 50]), rnd.choice([1, 2, 40]))


def test_sheets_with_cells_changed_are_proven_only_where_plain() -> None:
    proven = 0
    for seed in range(400):
        rnd = random.Random(seed)
        source = generated(seed).encode() if seed % 2 else parts_of(SAMPLES[seed % len(SAMPLES)].read_bytes())[0][0]
        strings, styles = (0, 2) if seed % 2 else parts_of(SAMPLES[seed % len(SAMPLES)].read_bytes())[0][1:]
        strings, styles = rnd.choice([(strings, styles), (50, 40)])
        proven += assert_proven_only_where_plain(edit_cells(source, rnd), strings, styles)
    assert proven > 100  # the proof was tested, not only the way out of it


# --- whole workbooks: read with the lean scan and calamine's grid, and the plain order


@pytest.fixture
def lean_path(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every workbook counts as big (its parse starts early); records how each lean sheet was settled:
    "grid" (calamine's extent and grid agree), "counted" or "again"."""
    monkeypatch.setattr(early_module, "EARLY_MIN", 0)
    ways: list[str] = []

    def settle(sheet: Any, proven: Any, limits: Limits, check: Any) -> Any:
        counted: list[bool] = []

        def count(check: Any) -> Any:
            counted.append(True)
            return proven.count(check)

        try:
            out = real_settle(sheet, leanscan.Lean(proven.merges, count), limits, check)
        except leanscan.Again:
            ways.append("again")
            raise
        ways.append("counted" if counted else "grid")
        return out

    real_settle = leanscan.settle
    monkeypatch.setattr(workbook_module, "settle", settle)
    return ways


def both_ways(path: Path, limits: Limits | None = None) -> tuple[Any, Any]:
    def read(early: bool) -> Any:
        try:
            return read_workbook(str(path), "zip", limits or Limits.default(), 20, early)
        except Exception as error:
            return type(error).__name__, getattr(error, "code", None), getattr(error, "params", None)

    return read(True), read(False)


def test_a_full_table_is_settled_by_calamines_grid(tmp_path: Path, lean_path: list[str]) -> None:
    path = tmp_path / "full.xlsx"
    values = [["ชื่อรายการ", "วงเงิน", "วันที่"]] + [[f"วัสดุ {n} & <อื่น>", n * 1.5, "15/01/2568"] for n in range(300)]
    path.write_bytes(xlsx({"O12": sheet_xml(rows(values, first=3), merges=["A1:C1"])}))
    with_lean, plain = both_ways(path)
    assert lean_path == ["grid"]
    assert with_lean == plain and len(plain[0].rows) == 303


SHAPES = {
    "an empty row inside": ([["a", 1], [None, None], ["b", 2]], "counted"),
    "an empty column inside": ([["a", None, 1], ["b", None, 2]], "counted"),
    "a blank inline string alone on its row": ([["a", 1], [None, None], ["b", 2]], "counted"),
    "a row of cells without values": ([["a", 1], [None, None]], "grid"),
    "a number that is not a number": ([["a", 1]], "grid"),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_tables_with_gaps_are_counted_in_the_part_and_read_alike(tmp_path: Path, lean_path: list[str], name: str) -> None:
    values, way = SHAPES[name]
    body = rows(values)
    if name == "a blank inline string alone on its row":  # calamine trims it to nothing
        body = body.replace('<row r="2"></row>', '<row r="2"><c r="A2" t="inlineStr"><is><t> </t></is></c></row>')
    if name == "a row of cells without values":
        body += '<row r="3"><c r="A3" s="1"/><c r="B3" s="1" t="s"/></row>'
    if name == "a number that is not a number":
        body += '<row r="2"><c r="A2"><v>inf</v></c><c r="B2"><v>x1</v></c></row>'
    path = tmp_path / "gaps.xlsx"
    path.write_bytes(xlsx({"S": sheet_xml(body)}))
    with_lean, plain = both_ways(path)
    assert lean_path == [way]
    assert with_lean == plain


def test_shared_strings_blank_or_empty_read_alike(tmp_path: Path, lean_path: list[str]) -> None:
    body = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{n % 4}</v></c><c r="B{n}"><v>{n}</v></c></row>' for n in range(1, 9))
    body += '<row r="9"><c r="A9" t="s"><v>1</v></c></row>'  # an empty string alone on its row
    path = tmp_path / "strings.xlsx"
    path.write_bytes(xlsx({"S": sheet_xml(body)}, strings=["ก", "", " ", "\n"]))
    with_lean, plain = both_ways(path)
    assert lean_path == ["counted"]
    assert with_lean == plain


def test_cells_far_apart_are_written_again_as_in_the_plain_order(tmp_path: Path, lean_path: list[str]) -> None:
    body = row(1, ["a", 1]) + '<row r="3000"><c r="A3000" t="inlineStr"><is><t> </t></is></c></row>'
    body += '<row r="3001"><c r="ZZ3001"><v>1</v></c></row>'
    path = tmp_path / "far.xlsx"
    path.write_bytes(xlsx({"S": sheet_xml(body)}))
    with_lean, plain = both_ways(path)
    assert lean_path == ["again"]
    assert with_lean == plain and plain[0].row_numbers == [1, 3000, 3001]


@pytest.mark.parametrize("limit", ["rows", "columns", "cells"])
def test_a_sheet_past_a_limit_is_refused_alike(tmp_path: Path, lean_path: list[str], limit: str) -> None:
    values = [[f"r{r}c{c}" if (r + c) % 5 else None for c in range(12)] for r in range(40)]
    path = tmp_path / "limit.xlsx"
    path.write_bytes(xlsx({"S": sheet_xml(rows(values)), "T": sheet_xml(rows([["ok", 1]]))}))
    limits = Limits.default().raised({limit: {"rows": 30, "columns": 10, "cells": 300}[limit]})
    with_lean, plain = both_ways(path, limits)
    assert with_lean == plain
    assert plain[0].error is not None and plain[0].error[1]["name"] == limit
    assert lean_path[0] == "counted"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.sampled_from(["", " ", "ก", "a & b", "  x  ", "\n"]),
                                   st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False)),
                         min_size=0, max_size=6), min_size=0, max_size=12),
       st.integers(1, 4))
def test_any_table_reads_alike_with_the_lean_scan(tmp_path_factory: pytest.TempPathFactory, values: list[list[Any]], first: int) -> None:
    path = tmp_path_factory.mktemp("lean") / "any.xlsx"
    path.write_bytes(xlsx({"S": sheet_xml(rows(values, first=first))}))
    saved = early_module.EARLY_MIN
    early_module.EARLY_MIN = 0
    try:
        with_lean, plain = both_ways(path)
    finally:
        early_module.EARLY_MIN = saved
    assert with_lean == plain


def test_a_big_plain_workbook_takes_the_lean_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past EARLY_MIN, with its real value, a plain workbook is proven plain and never quick-scanned."""
    values = [["ชื่อรายการ", "วงเงิน", "ผู้ขาย"]] + [[f"จัดซื้อวัสดุ {n}", n * 3.25, "หจก. ก"] for n in range(40_000)]
    path = tmp_path / "big.xlsx"
    path.write_bytes(xlsx({"O12": sheet_xml(rows(values))}))
    with zipfile.ZipFile(path) as archive:
        assert sum(info.file_size for info in archive.infolist()) > early_module.EARLY_MIN
    plain = read_workbook(str(path), "zip", Limits.default(), 60, False)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the quick scan was used")

    monkeypatch.setattr(workbook_module, "patched_scan", refused)
    assert read_workbook(str(path), "zip", Limits.default(), 60, True) == plain


def test_ingest_of_a_big_workbook_gives_the_same_records_issues_and_reports_through_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """End to end: the reader process (early parse and lean scan: the workbook is past EARLY_MIN) and
    the plain order in this process (the quick scan, then calamine) give the same ingest result, with
    cells that draw issues, an empty row inside the table and a merged title."""
    from procdata import ingest

    header = ["ชื่อรายการของงานที่ซื้อหรือจ้าง", "วงเงินงบประมาณที่ได้รับจัดสรร (บาท)", "วิธีการจัดซื้อจัดจ้าง",
              "ราคากลาง (บาท)", "เลขประจำตัวผู้เสียภาษี", "รายชื่อผู้ประกอบการที่ได้รับการคัดเลือก",
              "วันที่ลงนามในสัญญา", "ปีงบประมาณ"]
    rnd = random.Random(12)
    values: list[list[object]] = [["แบบ สขร. ๑ องค์การบริหารส่วนตำบลหนองบัว"], header]
    for n in range(30_000):
        values.append([
            f"ซื้อวัสดุสำนักงาน กองคลัง จำนวน {n % 97} รายการ", rnd.randint(1, 10**8) / 100, rnd.choice(["เฉพาะเจาะจง", "e-bidding"]),
            rnd.choice([5000, 12500.5, "๑๒,๕๐๐"]), rnd.choice(["0105561000011", "123"]), "หจก. ก & ข",
            rnd.choice(["15/01/2568", "31/02/2568", "๑ ม.ค. ๖๘"]), 2568,
        ] if n != 500 else [None])
    path = tmp_path / "o12.xlsx"
    path.write_bytes(xlsx({"O12": sheet_xml(rows(values), merges=["A1:H1"])}))
    with zipfile.ZipFile(path) as archive:
        assert sum(info.file_size for info in archive.infolist()) > early_module.EARLY_MIN
    limits = Limits.default().raised({"seconds": 600})  # a loaded machine is no part of this test
    via_reader = ingest([path], limits=limits)
    monkeypatch.setenv("PROCDATA_READ_IN_PROCESS", "1")
    here = ingest([path], limits=limits)
    assert len(here.records) > 29_000
    assert via_reader.records.equals(here.records)
    assert (via_reader.sheets, via_reader.skipped_rows, via_reader.failures) == (here.sheets, here.skipped_rows, here.failures)
    assert list(via_reader.issues) == list(here.issues) and len(here.issues) > 0
