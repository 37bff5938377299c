"""Ingest you can trust: each defect class of issue 9, with a small file built here.

Every item arrives exactly once with its values, or the officer is told why in one
line; no input crashes, hangs or eats the machine. Each test names the defect it
guards against; the fuzzing harness (test_fuzz.py) looks for the ones not named.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, SAMPLES, SORKORROR1_HEADER, write_xlsx
from procdata.cli import app
from procdata.read.ingest import ingest
from procdata.read.limits import Limits
from workbooks import cell, ods, ods_table, row, rows, sheet_xml, xlsx

runner = CliRunner()
TITLE = ["สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน ตุลาคม 2567"]
O12 = [
    "ปีงบประมาณ", "ชื่อรายการของงานที่ซื้อหรือจ้าง", "วงเงินงบประมาณที่ได้รับจัดสรร (บาท)", "แหล่งที่มาของงบประมาณ",
    "สถานะการจัดซื้อจัดจ้าง", "วิธีการจัดซื้อจัดจ้าง", "ราคากลาง (บาท)", "ราคาที่ตกลงซื้อหรือจ้าง (บาท)",
    "รายชื่อผู้ประกอบการที่ได้รับการคัดเลือก", "เลขที่โครงการ",
]
CLASSIC_XLS = FIXTURES / "formats" / "classic.xls"


def item(n: int | None, name: str, amount: int, **cells: object) -> list[object]:
    """A สขร.๑ row (nine columns) for item ``n``."""
    row: list[object] = [
        n, name, amount, amount, "เฉพาะเจาะจง", f"1. ร้าน ก {amount:,}.00 บาท", f"ร้าน ก ราคา {amount:,}.00 บาท",
        "เสนอราคาต่ำสุด", f"ใบสั่งซื้อเลขที่ {n}/2568 ลว. 3 ต.ค. 2567",
    ]
    for column, value in cells.items():
        row["ABCDEFGHI".index(column)] = value
    return row


def o12_row(name: str, amount: int) -> list[object]:
    return [2568, name, amount, "ข้อบัญญัติงบประมาณรายจ่าย", "สิ้นสุดสัญญา", "เฉพาะเจาะจง", amount, amount - 100,
            "ร้าน ก", f"680{amount:08d}"]


def records(result: object) -> list[dict[str, object]]:
    return json.loads(result.records.to_json(orient="records", force_ascii=False))  # type: ignore[attr-defined]


def skips(result: object) -> list[tuple[int, str]]:
    return [(s.row, s.reason) for s in result.skipped_rows]  # type: ignore[attr-defined]


def one_line_exit_2(args: list[str], expected: str) -> str:
    """Run the CLI: exit 2, one line on stderr that contains ``expected``, no traceback, in time."""
    started = time.monotonic()
    result = runner.invoke(app, args)
    assert time.monotonic() - started < 20
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.output and "panicked" not in result.output
    return lines[0]


# --- nothing lost: rows judged by shape and place, not by words


def test_an_o12_item_named_with_a_signature_word_keeps_all_fourteen_items(tmp_path: Path) -> None:
    names = [f"จัดซื้อวัสดุสำนักงาน ชุดที่ {n}" for n in range(1, 15)]
    names[3] = "จ้างทำสมุดลงชื่อผู้มาติดต่อราชการ"
    names[7] = "รวมเล่มรายงานผลการดำเนินงานประจำปี"
    path = write_xlsx(tmp_path / "o12.xlsx", {"O12": [O12, *(o12_row(name, 10_000 + n) for n, name in enumerate(names))]})
    result = ingest([path])
    assert [r["item_name"] for r in records(result)] == names
    assert not result.skipped_rows and not result.failures
    cli = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert json.loads(cli.stdout)["summary"]["records"] == 14


def test_a_wrapped_line_with_a_signature_word_belongs_to_its_item(tmp_path: Path) -> None:
    rows_ = [
        TITLE, SORKORROR1_HEADER,
        item(1, "จัดซื้อวัสดุ", 1000), [None, "(สมุดลงชื่อ 5 เล่ม)"],
        item(2, "จัดซื้อแบบฟอร์ม", 2000), [None, "ลงชื่อรับของแล้ว"],
        item(3, "จัดซื้อโต๊ะ", 3000), ["รวม", None, 6000],
        [None, "ลงชื่อ ........................ ผู้รายงาน"], [None, "(นางสาวสมศรี ใจดี)"],
    ]
    result = ingest([write_xlsx(tmp_path / "s.xlsx", {"ต.ค.67": rows_})])
    assert [r["item_name"] for r in records(result)] == [
        "จัดซื้อวัสดุ (สมุดลงชื่อ 5 เล่ม)", "จัดซื้อแบบฟอร์ม ลงชื่อรับของแล้ว", "จัดซื้อโต๊ะ",
    ]
    assert skips(result) == [(8, "total_row"), (9, "after_table"), (10, "after_table")]


def test_a_subtotal_and_a_month_heading_do_not_end_the_table(tmp_path: Path) -> None:
    rows_ = [
        TITLE, SORKORROR1_HEADER,
        item(1, "จัดซื้อวัสดุ", 1000), item(2, "จ้างเหมาทำความสะอาด", 2000),
        ["รวมเดือนตุลาคม", None, 3000, 3000],
        [None, "เดือนพฤศจิกายน 2567"],
        item(3, "จัดซื้อโต๊ะ", 3000), item(4, "จัดซื้อเก้าอี้", 4000),
        [None, "รวมทั้งสิ้น 4 รายการ", 10000, 10000, "-", None, "-"],
        [None, "ลงชื่อ ........ ผู้รายงาน"],
    ]
    result = ingest([write_xlsx(tmp_path / "two-months.xlsx", {"ต.ค.-พ.ย.67": rows_})])
    got = [(r["seq"], r["item_name"], r["budget_amount"], r["report_month"]) for r in records(result)]
    assert got == [
        (1, "จัดซื้อวัสดุ", 1000.0, "2024-10"), (2, "จ้างเหมาทำความสะอาด", 2000.0, "2024-10"),
        (3, "จัดซื้อโต๊ะ", 3000.0, "2024-11"), (4, "จัดซื้อเก้าอี้", 4000.0, "2024-11"),
    ]
    assert skips(result) == [(5, "total_row"), (9, "total_row"), (10, "after_table")]
    assert not result.issues  # the subtotal is no phantom record with a bad sequence number


def test_rows_after_the_end_are_records_when_they_look_like_records(tmp_path: Path) -> None:
    rows_ = [
        TITLE, SORKORROR1_HEADER, item(1, "จัดซื้อวัสดุ", 1000), ["รวม", None, 1000],
        [None, "ลงชื่อ ........ ผู้รายงาน"], item(2, "จัดซื้อเพิ่มเติมหลังแถวรวม", 500), [None, "หมายเหตุ ข้อมูล ณ สิ้นเดือน"],
    ]
    result = ingest([write_xlsx(tmp_path / "after.xlsx", {"ต.ค.67": rows_})])
    assert [(r["seq"], r["item_name"]) for r in records(result)] == [(1, "จัดซื้อวัสดุ"), (2, "จัดซื้อเพิ่มเติมหลังแถวรวม")]
    assert skips(result) == [(4, "total_row"), (5, "after_table"), (7, "note")]


def test_a_second_table_of_other_columns_starts_at_its_header_without_a_total_above(tmp_path: Path) -> None:
    o12_header = ["ลำดับที่", *O12[1:3], "วิธีการจัดซื้อจัดจ้าง", "สถานะการจัดซื้อจัดจ้าง"]
    rows_ = [
        TITLE, SORKORROR1_HEADER, item(1, "จัดซื้อวัสดุ", 1000), item(2, "จ้างเหมา", 2000),
        ["สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน พฤศจิกายน 2567"], o12_header,
        [1, "จัดซื้อโต๊ะ", 3000, "เฉพาะเจาะจง", "สิ้นสุดสัญญา"],
    ]
    result = ingest([write_xlsx(tmp_path / "quarter.xlsx", {"ไตรมาส": rows_})])
    got = [(r["item_name"], r["budget_amount"], r["report_month"]) for r in records(result)]
    assert got == [("จัดซื้อวัสดุ", 1000.0, "2024-10"), ("จ้างเหมา", 2000.0, "2024-10"), ("จัดซื้อโต๊ะ", 3000.0, "2024-11")]
    assert [s.layout for s in result.sheets] == ["sorkorror1#1", "table#2"]
    assert not result.skipped_rows and not result.issues


def test_a_value_merged_down_reaches_every_item_it_covers(tmp_path: Path) -> None:
    rows_ = [
        TITLE, SORKORROR1_HEADER,
        item(1, "จัดซื้อวัสดุ", 1000), item(2, "จ้างเหมา", 2000, E=None, H=None), item(3, "จัดซื้อโต๊ะ", 3000, E=None, H=None),
        # Item 4 is written over two rows, its number and name merged down: one record, its name once.
        item(4, "จัดซื้อเก้าอี้", 4000), [None, None, None, None, None, "2. ร้าน ข 4,100.00 บาท"],
    ]
    merges = ["E3:E5", "H3:H5", "A6:A7", "B6:B7"]
    result = ingest([write_xlsx(tmp_path / "merged.xlsx", {"ต.ค.67": rows_}, {"ต.ค.67": merges})])
    got = [(r["seq"], r["item_name"], r["method_text"], r["selection_reason"], r["bidder_count"]) for r in records(result)]
    assert got == [
        (1, "จัดซื้อวัสดุ", "เฉพาะเจาะจง", "เสนอราคาต่ำสุด", 1),
        (2, "จ้างเหมา", "เฉพาะเจาะจง", "เสนอราคาต่ำสุด", 1),
        (3, "จัดซื้อโต๊ะ", "เฉพาะเจาะจง", "เสนอราคาต่ำสุด", 1),
        (4, "จัดซื้อเก้าอี้", "เฉพาะเจาะจง", "เสนอราคาต่ำสุด", 2),
    ]


def test_an_html_rowspan_over_several_items_reaches_each_of_them(tmp_path: Path) -> None:
    head = "".join(f"<th>{h}</th>" for h in SORKORROR1_HEADER)
    first = "<tr><td>1</td><td>จัดซื้อวัสดุ</td><td>1000</td><td>1000</td><td rowspan='3'>เฉพาะเจาะจง</td><td></td><td>ร้าน ก</td><td>ต่ำสุด</td><td>1/2568</td></tr>"
    more = "".join(f"<tr><td>{n}</td><td>รายการ {n}</td><td>{n}000</td><td>{n}000</td><td></td><td>ร้าน ก</td><td>ต่ำสุด</td><td>{n}/2568</td></tr>" for n in (2, 3))
    path = tmp_path / "export.xls"
    path.write_text(f"<html><meta charset='utf-8'><table><tr>{head}</tr>{first}{more}</table></html>", encoding="utf-8")
    assert [r["method"] for r in records(ingest([path]))] == ["specific"] * 3


def test_hidden_and_filtered_rows_are_read_and_counted(tmp_path: Path) -> None:
    data = rows([TITLE, SORKORROR1_HEADER, item(1, "จัดซื้อวัสดุ", 1000), item(2, "จ้างเหมา", 2000), item(3, "จัดซื้อโต๊ะ", 3000)], hidden=[4, 5])
    path = tmp_path / "hidden.xlsx"
    path.write_bytes(xlsx({"ต.ค.67": sheet_xml(data)}))
    result = ingest([path])
    assert [r["seq"] for r in records(result)] == [1, 2, 3]
    assert result.summary()["hidden_rows"] == 2
    cli = runner.invoke(app, ["ingest", str(path), "--lang", "en"])
    assert "(2 of its rows are hidden or filtered out in Excel; they were read too)" in cli.stdout


def test_hidden_rows_of_an_ods_are_read_and_counted(tmp_path: Path) -> None:
    table = ods_table("ต.ค.67", [TITLE, SORKORROR1_HEADER, item(1, "จัดซื้อวัสดุ", 1000), item(2, "จ้างเหมา", 2000)])
    table = table.replace("<table:table-row>", '<table:table-row table:visibility="collapse">', 4)  # rows 1-4
    table = table.replace('<table:table-row table:visibility="collapse">', "<table:table-row>", 3)  # only row 4 stays hidden
    path = tmp_path / "hidden.ods"
    path.write_bytes(ods(table))
    result = ingest([path])
    assert [r["seq"] for r in records(result)] == [1, 2] and result.summary()["hidden_rows"] == 1


# --- nothing invented: a cell that points nowhere is a problem at its cell


@pytest.mark.parametrize("index", ["5", "-1", "0x0", "1.5"])
def test_a_shared_string_that_points_nowhere_is_a_problem_at_its_cell(tmp_path: Path, index: str) -> None:
    body = rows([TITLE, SORKORROR1_HEADER]) + (
        f'<row r="3">{cell("A3", 1)}<c r="B3" t="s"><v>{index}</v></c>{cell("C3", 1000)}<c r="E3" t="s"><v>0</v></c></row>'
    )
    path = tmp_path / "strings.xlsx"
    path.write_bytes(xlsx({"ต.ค.67": sheet_xml(body)}, strings=["เฉพาะเจาะจง"]))
    result = ingest([path])
    (record,) = records(result)
    assert record["item_name"] is None and record["method"] == "specific"  # never string 0's text
    assert [(i.row, i.column, i.field, i.code, i.value) for i in result.issues] == [(3, "B", "item_name", "broken_string", index)]


def test_a_style_that_points_nowhere_is_a_problem_at_its_cell(tmp_path: Path) -> None:
    body = rows([TITLE, SORKORROR1_HEADER]) + f'<row r="3">{cell("A3", 1)}{cell("B3", "จัดซื้อวัสดุ")}{cell("C3", 45000, style=99)}</row>'
    path = tmp_path / "styles.xlsx"
    path.write_bytes(xlsx({"ต.ค.67": sheet_xml(body)}))
    result = ingest([path])
    assert records(result)[0]["budget_amount"] is None
    assert [(i.row, i.column, i.code) for i in result.issues] == [(3, "C", "broken_style")]


def test_a_formula_saved_without_its_value_is_reported_as_such_not_as_empty(tmp_path: Path) -> None:
    body = rows([TITLE, SORKORROR1_HEADER]) + (
        f'<row r="3">{cell("A3", 1)}{cell("B3", "จัดซื้อวัสดุ")}<c r="C3"><f>SUM(D1:D2)</f></c>{cell("E3", "เฉพาะเจาะจง")}'
        f'<c r="G3" t="e"><v>#N/A</v></c></row>'
    )
    path = tmp_path / "formula.xlsx"
    path.write_bytes(xlsx({"ต.ค.67": sheet_xml(body)}))
    result = runner.invoke(app, ["validate", str(path), "--format", "json", "--lang", "en"])
    problems = {(p["row"], p["column"], p["code"]) for p in json.loads(result.stdout)["problems"]}
    assert (3, "C", "formula_no_value") in problems and (3, "G", "cell_error") in problems
    assert not any(p[1] == "C" and p[2] == "required" for p in problems)
    text = runner.invoke(app, ["validate", str(path), "--lang", "en"]).stdout
    assert "this cell is a formula (=SUM(D1:D2)) saved without its value; open the file in Excel and save it" in text


# --- honest totals


def test_a_workbook_whose_only_sheet_cannot_be_read_is_a_failure_everywhere(tmp_path: Path, repo_cwd: Path) -> None:
    good = sheet_xml(rows([TITLE, SORKORROR1_HEADER, item(1, "จัดซื้อวัสดุ", 1000)]))
    path = tmp_path / "broken-sheet.xlsx"
    path.write_bytes(xlsx({"ต.ค.67": good}, replace={"xl/worksheets/sheet1.xml": good[: len(good) // 2]}))
    line = one_line_exit_2(["ingest", str(path), "--lang", "en"], f"{path} (ต.ค.67): cannot read this sheet")
    assert line.endswith("open the file in Excel and save it again, or copy the table into a new workbook")
    validate = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert validate.exit_code == 2 and json.loads(validate.stdout)["summary"]["files_unreadable"] == 1
    site = tmp_path / "site"
    args = ["publish", str(path), "samples/o12-2568.csv", "--config", "samples/procdata.toml", "--as-of", "2025-06-30",
            "--out", str(site), "--lang", "en"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and not site.exists()
    assert f"{path} (ต.ค.67): cannot read this sheet" in refused.stdout
    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0 and f"{path} (ต.ค.67): cannot read this sheet" in forced.stdout


def test_a_table_whose_filled_rows_give_no_item_is_a_failure(tmp_path: Path) -> None:
    rows_ = [TITLE, SORKORROR1_HEADER, [None, None, None, None, None, "ร้าน ก", "ร้าน ก", "ต่ำสุด"]]
    path = write_xlsx(tmp_path / "no-items.xlsx", {"ต.ค.67": rows_})
    one_line_exit_2(["ingest", str(path), "--lang", "en"], "none could be read as an item")


def test_a_template_not_yet_filled_is_no_failure(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "empty-month.xlsx", {"ต.ค.67": [TITLE, SORKORROR1_HEADER]})
    result = runner.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 0 and not result.stderr


# --- no crash: damaged workbooks are one line and exit 2


@pytest.mark.parametrize("reference", ["1A", "A0", "AAAAAAAAAAAAAAAAAAAAAAAAAA1", "XFE1", "A1048577"])
def test_a_malformed_cell_reference_is_one_line_and_exit_2(tmp_path: Path, reference: str) -> None:
    body = rows([TITLE, SORKORROR1_HEADER]) + f'<row r="3">{cell(reference, "x")}</row>'
    path = tmp_path / "reference.xlsx"
    path.write_bytes(xlsx({"ต.ค.67": sheet_xml(body)}))
    one_line_exit_2(["ingest", str(path), "--lang", "en"], "cannot read this sheet (cell reference")


def test_a_truncated_xls_that_makes_calamine_panic_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "truncated.xls"
    path.write_bytes(CLASSIC_XLS.read_bytes()[:4101])  # calamine: PanicException "slice index starts at 4096 ..."
    line = one_line_exit_2(["ingest", str(path), "--lang", "en"], f"{path}: cannot read the file (PanicException")
    assert "open it in Excel and save it again" in line


def test_an_xls_that_asks_for_more_memory_than_the_limit_stops_with_one_line(tmp_path: Path) -> None:
    data = CLASSIC_XLS.read_bytes()
    path = tmp_path / "inserted.xls"  # 28 bytes inserted into a record: calamine asks for gigabytes
    path.write_bytes(data[:3316] + bytes.fromhex("722041adf3fcbcdd7fe285ceb6c575c1365cb0260dd6fc1feb3877e8") + data[3316:])
    one_line_exit_2(["ingest", str(path), "--lang", "en"], "needs more than 2,048 MB of memory")


def test_cells_far_apart_are_read_by_their_cells(tmp_path: Path) -> None:
    """A1 and XFD1048576: calamine alone would ask for 512 GB and abort the process."""
    body = rows([TITLE, SORKORROR1_HEADER, item(1, "จัดซื้อวัสดุ", 1000), item(2, "จ้างเหมา", 2000)])
    body += '<row r="1048576">' + cell("XFD1048576", "ข้อความหลงอยู่") + "</row>"
    path = tmp_path / "far.xlsx"
    path.write_bytes(xlsx({"ต.ค.67": sheet_xml(body, merges=["A1:XFD1048576"])}))
    started = time.monotonic()
    result = ingest([path])
    assert time.monotonic() - started < 20
    assert [(r["seq"], r["source_row"]) for r in records(result)] == [(1, 3), (2, 4)]
    assert skips(result) == [(1048576, "outside_columns")]
    assert result.sheets[0].columns["budget_amount"].letter == "C"


def test_cell_problems_keep_their_cells_in_a_sheet_read_by_its_cells(tmp_path: Path) -> None:
    body = rows([TITLE, SORKORROR1_HEADER]) + (
        f'<row r="3">{cell("A3", 1)}{cell("B3", "จัดซื้อวัสดุ")}<c r="C3"><f>SUM(D1:D2)</f></c><c r="E3" t="s"><v>7</v></c></row>'
        f'<row r="1048576">{cell("XFD1048576", "x")}</row>'
    )
    path = tmp_path / "far-problems.xlsx"
    path.write_bytes(xlsx({"ต.ค.67": sheet_xml(body)}))
    result = ingest([path])
    assert [(i.row, i.column, i.code) for i in result.issues] == [(3, "C", "formula_no_value"), (3, "E", "broken_string")]


def test_an_unused_column_is_named_at_its_cell_in_a_sheet_read_by_its_cells(tmp_path: Path) -> None:
    """Rows 2-4 and column A are empty: the header of the unused column is still D5, not a frame position."""
    header = [None, *SORKORROR1_HEADER, "ค่าปรับ (บาท)"]
    body = row(1, [None, *TITLE]) + row(5, header) + row(6, [None, *item(1, "จัดซื้อวัสดุ", 1000), 0])
    body += '<row r="1048576">' + cell("XFD1048576", "ข้อความหลงอยู่") + "</row>"
    path = tmp_path / "far-unused.xlsx"
    path.write_bytes(xlsx({"ต.ค.67": sheet_xml(body)}))
    result = ingest([path])
    assert [(r["seq"], r["source_row"]) for r in records(result)] == [(1, 6)]
    assert [(i.row, i.column, i.header) for i in result.issues if i.code == "unused_column"] == [(5, "K", "ค่าปรับ (บาท)")]


def test_html_spans_are_held_to_the_table(tmp_path: Path) -> None:
    """770 bytes of rowspan=1000 colspan=1000 took 27 s and 3.2 GB."""
    hostile = tmp_path / "spans.xls"
    cells = "".join('<td rowspan="1000" colspan="1000">x</td>' for _ in range(20))
    hostile.write_text(f"<html><body><table><tr>{cells}</tr></table></body></html>")
    one_line_exit_2(["ingest", str(hostile), "--lang", "en"], "no procurement table in this file")
    # A title over the table spanning 1000 x 1000: held to the table, the items read as usual.
    title = '<tr><td colspan="1000" rowspan="1000">สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน ตุลาคม 2567</td></tr>'
    head = "".join(f"<th>{h}</th>" for h in SORKORROR1_HEADER)
    body = "".join(f"<td>{v}</td>" for v in item(1, "จัดซื้อวัสดุ", 1000))
    table = tmp_path / "title.xls"
    table.write_text(f"<html><meta charset='utf-8'><table>{title}<tr>{head}</tr><tr>{body}</tr></table></html>", encoding="utf-8")
    assert [r["item_name"] for r in records(ingest([table]))] == ["จัดซื้อวัสดุ"]


def test_an_html_export_cut_short_is_refused_not_read_up_to_the_cut(tmp_path: Path) -> None:
    """An e-GP export cut in the middle of its table gave the items before the cut, exit 0."""
    head = "".join(f"<th>{h}</th>" for h in SORKORROR1_HEADER)
    body = "".join(f"<tr>{''.join(f'<td>{v}</td>' for v in item(n, 'จัดซื้อวัสดุ', 1000))}</tr>" for n in (1, 2, 3))
    whole = f"<html><meta charset='utf-8'><table><tr>{head}</tr>{body}</table></html>"
    path = tmp_path / "export.xls"
    path.write_text(whole, encoding="utf-8")
    assert len(records(ingest([path]))) == 3
    path.write_text(whole[:whole.rindex("<tr>") + 40], encoding="utf-8")  # the third item cut in the middle
    one_line_exit_2(["ingest", str(path), "--lang", "en"], "the file ends in the middle of a table")
    # Tags written in capitals, and a table without its body's end tags, are whole all the same.
    path.write_text(whole.replace("<table>", "<TABLE border=1>").replace("</table>", "</TABLE >")
                    .replace("</html>", ""), encoding="utf-8")
    assert len(records(ingest([path]))) == 3


@pytest.mark.parametrize(("depth", "readable"), [(300, True), (3000, False)])
def test_html_nested_deeply(tmp_path: Path, depth: int, readable: bool) -> None:
    """Exports wrap text in many tags: lxml's default stops at 256 levels and lost the rest of the table."""
    head = "".join(f"<th>{h}</th>" for h in SORKORROR1_HEADER)
    name = "<b>" * depth + "จัดซื้อวัสดุ" + "</b>" * depth
    rows_ = "".join(f"<tr>{''.join(f'<td>{v}</td>' for v in item(n, name if n == 1 else 'จ้างเหมา', 1000))}</tr>" for n in (1, 2))
    path = tmp_path / "deep.xls"
    path.write_text(f"<html><meta charset='utf-8'><table><tr>{head}</tr>{rows_}</table></html>", encoding="utf-8")
    if readable:
        assert [r["item_name"] for r in records(ingest([path]))] == ["จัดซื้อวัสดุ", "จ้างเหมา"]
    else:
        one_line_exit_2(["ingest", str(path), "--lang", "en"], "its HTML is nested too deeply")


# --- bounded work: limits as data, raised with --limit


def test_a_workbook_of_more_sheets_than_the_limit_stops_before_reading_them(tmp_path: Path) -> None:
    sheet = sheet_xml(rows([TITLE, SORKORROR1_HEADER, item(1, "จัดซื้อวัสดุ", 1000)]))
    path = tmp_path / "sheets.xlsx"
    path.write_bytes(xlsx({f"S{n}": sheet for n in range(1000)}))
    line = one_line_exit_2(["ingest", str(path), "--lang", "en"], "sheets in one workbook go past the limit of 500 (found 1,000)")
    assert line.endswith("raise the limit with --limit sheets=N")


def test_a_csv_row_of_100000_commas_stops_at_the_field_limit(tmp_path: Path) -> None:
    path = tmp_path / "commas.csv"
    path.write_bytes(b"a,b,c\n" + b"," * 100_000 + b"\n")
    one_line_exit_2(["ingest", str(path), "--lang", "en"], "fields in one CSV row go past the limit of 1,000 (found 100,001)")


def test_an_ods_claiming_a_huge_filled_table_stops_before_calamine_spreads_it(tmp_path: Path) -> None:
    cell_ = '<table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p></table:table-cell>'
    path = tmp_path / "repeat.ods"
    path.write_bytes(ods(f'<table:table table:name="S"><table:table-row table:number-rows-repeated="1000000">{cell_}</table:table-row></table:table>'))
    one_line_exit_2(["ingest", str(path), "--lang", "en"], "(S): stopped reading")


def test_the_memory_limit_holds_for_workbooks(tmp_path: Path) -> None:
    cell_ = '<table:table-cell table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p></table:table-cell>'
    path = tmp_path / "big.ods"  # 100 x 1,000,000 filled cells once spread: gigabytes for calamine
    path.write_bytes(ods(f'<table:table table:name="S"><table:table-row table:number-rows-repeated="1000000">{cell_}</table:table-row></table:table>'))
    one_line_exit_2(["ingest", str(path), "--limit", "cells=200000000", "--limit", "memory=300", "--lang", "en"],
                    "needs more than 300 MB of memory")


def test_the_time_limit_holds_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "long.xls"
    body = "".join(f"<tr><td>{n}</td><td>รายการ {n}</td><td>{n}</td></tr>" for n in range(60_000))
    path.write_text(f"<html><meta charset='utf-8'><table>{body}</table></html>", encoding="utf-8")
    line = one_line_exit_2(["ingest", str(path), "--limit", "seconds=0.2", "--lang", "en"], "stopped reading after 0.2 seconds")
    assert line.endswith("allow more with --limit seconds=N")


def test_limits_are_raised_with_an_option(tmp_path: Path) -> None:
    path = tmp_path / "o12.csv"
    path.write_text("\n".join(",".join(str(v) for v in row) for row in [O12, o12_row("จัดซื้อวัสดุ", 1000)]), encoding="utf-8")
    one_line_exit_2(["ingest", str(path), "--limit", "fields=5", "--lang", "en"], "go past the limit of 5 (found 10)")
    assert runner.invoke(app, ["ingest", str(path), "--limit", "fields=5", "--limit", "fields=20"]).exit_code == 0
    wrong = runner.invoke(app, ["ingest", str(path), "--limit", "speed=9", "--lang", "en"])
    assert wrong.exit_code == 2 and "cannot understand --limit speed=9" in wrong.stderr
    assert "Traceback" not in wrong.output
    # a value that is no number is said as typed, not as Python's float() says it
    words = runner.invoke(app, ["ingest", str(path), "--limit", "fields=abc", "--lang", "en"])
    assert words.exit_code == 2 and "cannot understand --limit fields=abc;" in words.stderr
    assert "convert" not in words.stderr
    assert Limits.default().raised({"seconds": 60}).seconds == 60


# --- CSV as people save it


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp874"])
@pytest.mark.parametrize("separator", [",", "\t", ";"])
def test_csv_as_people_save_it(tmp_path: Path, newline: str, encoding: str, separator: str) -> None:
    lines = [O12, *(o12_row(f"จัดซื้อวัสดุ รายการที่ {n}", 1000 * n) for n in (1, 2, 3))]
    path = tmp_path / "o12.csv"
    path.write_bytes(newline.join(separator.join(str(v) for v in row) for row in lines).encode(encoding) + newline.encode(encoding))
    result = ingest([path])
    assert not result.failures, result.failures
    got = [(r["item_name"], r["budget_amount"], r["source_row"]) for r in records(result)]
    assert got == [(f"จัดซื้อวัสดุ รายการที่ {n}", 1000.0 * n, n + 1) for n in (1, 2, 3)]


def test_excel_unicode_text_is_tab_separated_utf16(tmp_path: Path) -> None:
    """What Excel writes for "Unicode Text (*.txt)", saved with a .csv name."""
    path = tmp_path / "unicode.csv"
    text = "\r\n".join("\t".join(str(v) for v in row) for row in [O12, o12_row("จัดซื้อวัสดุ", 5000)]) + "\r\n"
    path.write_bytes(text.encode("utf-16-le"))  # no BOM
    assert [r["item_name"] for r in records(ingest([path]))] == ["จัดซื้อวัสดุ"]


# A byte the encoding cannot decode on line 4 of a file: the message names that line.
_BAD = {"utf-8": b"\xff\xfe", "utf-8-sig": b"\xff\xfe", "utf-16": "\udc00".encode("utf-16-le", "surrogatepass"), "cp874": b"\xff"}


@pytest.mark.parametrize("encoding", list(_BAD))
@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_byte_that_cannot_be_decoded_is_named_by_its_line(tmp_path: Path, encoding: str, lang: str) -> None:
    """A damaged character in a CSV said only "cannot decode the file as utf-8", and suggested
    --encoding utf-8 for a file read as UTF-8: the officer could not find it in a long file."""
    lines = [O12, *(o12_row(f"จัดซื้อวัสดุ รายการที่ {n}", 1000 * n) for n in (1, 2, 3, 4))]
    text = [",".join(str(v) for v in row) + "\n" for row in lines]
    codec = "utf-16-le" if encoding == "utf-16" else encoding
    data = [line.encode(codec) for line in text]
    data[3] = data[3][: len(data[3]) // 2 & ~1] + _BAD[encoding] + data[3][len(data[3]) // 2 & ~1 :]
    path = tmp_path / "o12.csv"
    path.write_bytes((b"\xff\xfe" if encoding == "utf-16" else b"") + b"".join(data))
    options = ["--encoding", "cp874"] if encoding == "cp874" else []
    result = runner.invoke(app, ["validate", str(path), *options, "--lang", lang])
    assert result.exit_code == 2, result.output
    said = [line for line in result.stderr.splitlines() if line]
    assert len(said) == 1 and said[0].startswith(str(path)), result.stderr
    assert ("line 4 " if lang == "en" else "บรรทัดที่ 4 ") in said[0] and encoding in said[0]
    assert f"--encoding {encoding}" not in said[0]  # not the encoding that failed


@pytest.mark.parametrize("name", ["records.json", "export.xls"])
def test_json_and_html_tables_name_the_line_of_a_byte_that_cannot_be_decoded(tmp_path: Path, name: str) -> None:
    if name.endswith(".json"):
        body = '[\n{"project_id": "67012345678",\n "name": "ซื้อวัสดุ"},\n{"name": "BAD"}\n]\n'
    else:
        body = "<html><body><table>\n<tr><td>ชื่อรายการ</td></tr>\n<tr><td>ซื้อวัสดุ</td></tr>\n<tr><td>BAD</td></tr>\n</table></body></html>\n"
    assert body.splitlines()[3].count("BAD") == 1
    path = tmp_path / name
    path.write_bytes(body.encode("utf-8").replace(b"BAD", b"\xe0\xb8"))
    result = runner.invoke(app, ["validate", str(path), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "line 4 " in result.stderr and result.stderr.startswith(str(path)), result.stderr


def test_a_long_csv_with_a_damaged_character_far_down_names_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read in chunks, the chunk holding the bad byte sends the file to the whole-file reader,
    which names the line."""
    from procdata.read import stream

    monkeypatch.setattr(stream, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream, "CHUNK_ROWS", 50)
    lines = [O12, *(o12_row(f"จัดซื้อวัสดุ รายการที่ {n}", 1000 + n) for n in range(1, 301))]
    data = "".join(",".join(str(v) for v in row) + "\n" for row in lines).encode("utf-8")
    at = data.index("รายการที่ 250,".encode())
    path = tmp_path / "national.csv"
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    result = runner.invoke(app, ["ingest", str(path), "--out", str(tmp_path / "out.csv"), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "line 251 " in result.stderr, result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_a_long_csv_with_a_damaged_character_far_down_is_not_read_whole_to_name_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forbid_whole_reads: Callable[[], None],
) -> None:
    """Read whole only to name the line, a 1.15 GB table with a bad byte at its end took 7 GB and 25 s:
    the line is found a block at a time, and the whole-file readers are never reached."""
    from procdata.read import delimited, stream

    monkeypatch.setattr(stream, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream, "CHUNK_ROWS", 50)
    monkeypatch.setattr(delimited, "SCAN_FROM", 0)
    monkeypatch.setattr(delimited, "SCAN_BLOCK", 1000)
    forbid_whole_reads()
    lines = [O12, *(o12_row(f"จัดซื้อวัสดุ รายการที่ {n}", 1000 + n) for n in range(1, 301))]
    data = "".join(",".join(str(v) for v in row) + "\n" for row in lines).encode("utf-8")
    at = data.index("รายการที่ 290,".encode())
    path = tmp_path / "national.csv"
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    for command in (["validate", str(path)], ["ingest", str(path), "--out", str(tmp_path / "out.csv")]):
        result = runner.invoke(app, [*command, "--lang", "en"])
        assert result.exit_code == 2, result.output
        assert "line 291 " in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_a_csv_read_row_by_row_is_held_to_the_memory_limit_before_it_is_decoded(tmp_path: Path) -> None:
    """A title line above the header sends a CSV to the csv module, which holds about 7 times the file
    (a national table of 1.15 GB so read took 4.8 GB and then the time limit): refused at once when
    that passes the limit, though Arrow's 1.7 times would not."""
    lines = [["รายงานผลการจัดซื้อจัดจ้าง ปีงบประมาณ 2568"], O12, *(o12_row(f"จัดซื้อวัสดุ รายการที่ {n}", 1000 + n) for n in range(1, 2001))]
    path = tmp_path / "o12.csv"
    path.write_text("".join(",".join(str(v) for v in row) + "\n" for row in lines), encoding="utf-8")
    limit = int(path.stat().st_size * 3 / 2**20) + 1  # MB: above 1.7 times the file, below 7 times
    assert path.stat().st_size * 1.7 < limit * 2**20 < path.stat().st_size * 7
    one_line_exit_2(["validate", str(path), "--limit", f"memory={limit}", "--lang", "en"], f"needs more than {limit:,} MB of memory")
    result = runner.invoke(app, ["validate", str(path), "--limit", f"memory={limit * 3}", "--lang", "en"])
    assert result.exit_code in (0, 1) and "2,000 records" in result.stdout, result.output


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
@pytest.mark.parametrize("block", [1, 2, 3, 5, 7, 64])
def test_the_line_found_a_block_at_a_time_is_the_one_the_whole_text_names(tmp_path: Path, encoding: str, block: int) -> None:
    """Wherever a block ends (inside a character, right after a line end, at a byte-order mark),
    the first bad byte's line is the one decoding the whole file names."""
    from procdata.read import delimited
    from procdata.read.delimited import first_undecodable, undecodable

    text = "ชื่อ,ราคา\nซื้อวัสดุ,1\n\nจ้าง ก,2\r\nx,3\n"
    raw = text.encode(encoding)
    bad = b"\xff" if encoding != "cp874" else b"\xdb"  # (0xDB: no character in cp874)
    path = tmp_path / "t.csv"
    for at in [*range(len(raw) + 1)]:
        data = raw[:at] + bad + raw[at:]
        if encoding == "utf-8-sig" and at < 3:
            continue  # (a damaged byte-order mark is not one)
        path.write_bytes(data)
        try:
            data.decode(encoding)
            continue  # a byte that completes nothing wrong (none here, but a cut character would)
        except UnicodeDecodeError as error:
            expected = undecodable("t.csv", encoding, data, error)
        old = delimited.SCAN_BLOCK
        delimited.SCAN_BLOCK = block
        try:
            found = first_undecodable(path, "t.csv", encoding)
        finally:
            delimited.SCAN_BLOCK = old
        assert found is not None and found.render("en") == expected.render("en"), (at, found and found.render("en"))
    path.write_bytes(raw)
    assert first_undecodable(path, "t.csv", encoding) is None
    if encoding != "cp874":
        path.write_bytes(raw + "ก".encode()[:2])  # a character cut short at the end
        found = first_undecodable(path, "t.csv", encoding)
        assert found is not None and "line 6 " in found.render("en"), found and found.render("en")


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="pipes and /dev/zero: POSIX")
@pytest.mark.parametrize("kind", ["pipe", "device"])
def test_a_pipe_or_a_device_named_as_input_is_one_line_not_a_hang(tmp_path: Path, kind: str) -> None:
    """A named pipe never opened (the command waited for ever) and /dev/zero was read until the memory
    ran out: neither is a file, and each is said so at once, the other files read as usual."""
    import subprocess
    import sys

    if kind == "pipe":
        odd = tmp_path / "o12.csv"
        os.mkfifo(odd)
    else:
        odd = Path("/dev/zero")
    out = tmp_path / "out.csv"
    done = subprocess.run(
        [sys.executable, "-m", "procdata", "ingest", str(odd), str(SAMPLES / "o12-2568.csv"), "--out", str(out), "--lang", "en"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"{odd}: not a regular file (a device or a pipe); name a .xlsx, .xls, .ods or .csv file\n"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + 14  # the sample's records all written


# --- the one conversion point


def test_anything_raised_while_reading_a_file_is_that_files_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class PanicException(BaseException):  # what calamine raises: not an Exception
        pass

    def panic(*args: object, **kwargs: object) -> None:
        raise PanicException("called `Option::unwrap()` on a `None` value")

    from procdata.read import files

    path = write_xlsx(tmp_path / "ok.xlsx", {"ต.ค.67": [TITLE, SORKORROR1_HEADER, item(1, "จัดซื้อวัสดุ", 1000)]})
    other = SAMPLES / "o12-2568.csv"

    def read_sheets(found: Path, *args: object, **kwargs: object) -> object:
        return panic() if found == path else files.read_sheets(found, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("procdata.read.ingest.read_sheets", read_sheets)
    result = runner.invoke(app, ["ingest", str(path), str(other), "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr == f"{path}: cannot read the file (PanicException: called `Option::unwrap()` on a `None` value); open it in Excel and save it again as .xlsx; if it still fails, run again with --debug and report what it prints\n"
    assert "records 14" in result.stdout  # the other file is read all the same


def test_the_cli_handler_names_the_file_for_what_escapes_a_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procdata.errors import reading

    class PanicException(BaseException):
        pass

    def escaping(*args: object, **kwargs: object) -> None:
        with reading("book.xlsx", "ต.ค.67"):
            raise PanicException("index out of bounds")

    monkeypatch.setattr("procdata.read.ingest.ingest", escaping)
    monkeypatch.setattr("procdata.read.run.read_into", escaping)  # ingest writes CSV and Parquet as it reads
    result = runner.invoke(app, ["ingest", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr == "book.xlsx (ต.ค.67): cannot read this sheet (PanicException: index out of bounds); open the file in Excel and save it again, or copy the table into a new workbook\n"


def test_an_ods_built_here_reads(tmp_path: Path) -> None:
    path = tmp_path / "month.ods"
    path.write_bytes(ods(ods_table("ต.ค.67", [TITLE, SORKORROR1_HEADER, item(1, "จัดซื้อวัสดุ", 1000)])))
    assert [r["item_name"] for r in records(ingest([path]))] == ["จัดซื้อวัสดุ"]


def test_every_message_fills_its_placeholders_and_nothing_else() -> None:
    """Found by the fuzzer: a message with a literal brace ("[{"name": ...}]") stopped ingest with exit 3."""
    import string

    from procdata.resources import data

    for code, entry in data("messages").items():
        for lang in ("th", "en"):
            fields = [name for _, name, _, _ in string.Formatter().parse(entry[lang]) if name is not None]
            assert all(name.isidentifier() for name in fields), (code, lang, fields)


def test_a_canonical_csv_with_broken_bidders_json_is_reported_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "canonical.csv"
    text = (SAMPLES / "canonical-sample.csv").read_text(encoding="utf-8")
    path.write_text(text.replace('[{""name""', '[{""name', 1), encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "bidders must be JSON like [{" in result.stdout


def test_a_canonical_table_with_one_bidders_cell_edited_by_hand_keeps_the_others(tmp_path: Path) -> None:
    """A bidders column of JSON with one cell typed as a name: that cell is a name, the others are read
    as JSON as before the edit (they were read as names holding JSON text, every record changed)."""
    import csv

    source = SAMPLES / "canonical-sample.csv"
    with source.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    at = table[0].index("bidders")
    table[1][at] = "บริษัท ก จำกัด"
    table[2][at] = "[1] หจก. ข"  # text in brackets: a name too
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table)
    before = ingest([source]).records["bidders"].tolist()
    after = ingest([edited]).records["bidders"].tolist()
    assert json.loads(after[0]) == [{"name": "บริษัท ก จำกัด", "price": None}]
    assert json.loads(after[1]) == [{"name": "[1] หจก. ข", "price": None}]
    assert after[2:] == before[2:] and len(after) == len(before) > 2


@pytest.mark.parametrize("command", [["validate"], ["publish", "--config", "samples/procdata.toml", "--out", "{site}"]])
def test_a_fiscal_year_typed_far_out_of_range_is_its_cell_s_error_not_the_year_of_the_data(
    repo_cwd: Path, tmp_path: Path, command: list[str],
) -> None:
    """One fiscal year cell of 99999999 (found by the fuzzing test in a mutated workbook) was taken as the
    latest year of the data, and the end of that year, as a date, stopped validate and publish with an
    internal error. It is now an error at its cell; the year of the data is the latest that can be one."""
    source = (SAMPLES / "o12-2568.csv").read_bytes()
    header, first, rest = source.split(b"\n", 2)
    assert first.startswith(b"2568,")
    table = tmp_path / "o12.csv"
    table.write_bytes(header + b"\n" + b"99999999," + first[len(b"2568,"):] + b"\n" + rest)
    args = [part.format(site=tmp_path / "site") for part in command]
    result = runner.invoke(app, [*args, str(table), "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    assert "99999999" in result.output and "2400" in result.output


@pytest.mark.parametrize("encoding", ["utf-8", "cp874"])
def test_a_row_below_an_empty_line_is_named_by_the_row_the_officer_sees(tmp_path: Path, encoding: str) -> None:
    """Arrow's CSV reader dropped empty lines: in a UTF-8 file (read by Arrow) every row below one was
    named one row too high; cp874 (read by the csv module) was right. An empty line is a row."""
    lines = (SAMPLES / "canonical-sample.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines.insert(2, "\n")
    at = 4  # the record on file line 5 (Excel row 5)
    import csv
    import io

    header = next(csv.reader([lines[0]]))
    record = next(csv.reader([lines[at]]))
    record[header.index("contract_date")] = "2025-02-30"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(record)
    lines[at] = out.getvalue()
    path = tmp_path / "blank.csv"
    path.write_bytes("".join(lines).encode(encoding))
    report = json.loads(runner.invoke(app, ["validate", str(path), "--format", "json"]).stdout)
    dates = [(p["row"], p["code"]) for p in report["problems"] if p["field"] == "contract_date"]
    assert dates == [(5, "impossible_date")]


def test_a_long_csv_whose_last_row_lost_its_empty_cells_is_still_read_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """e-GP rows often leave out their trailing empty cells. One such row sent a long table to the
    whole-file reader (300,000 rows: 21 s and 3.4 GB instead of 4 s and 0.7 GB, or stopped by the time
    limit). It is put back in place, padded, and the table is still read in chunks."""
    from procdata.read import files, stream

    monkeypatch.setattr(stream, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream, "CHUNK_ROWS", 50)
    lines = [O12, *(o12_row(f"จัดซื้อวัสดุ รายการที่ {n}", 1000 + n) for n in range(1, 201))]
    text = "".join(",".join(str(v) for v in row) + "\n" for row in lines)
    path = tmp_path / "national.csv"
    path.write_text(text + ",".join(str(v) for v in o12_row("จัดซื้อวัสดุ รายการสุดท้าย", 999)[:8]) + "\n", encoding="utf-8")

    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("read whole")

    monkeypatch.setattr(files, "read_text", whole)
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    report = json.loads(result.stdout)
    assert report["summary"]["records"] == 201


def test_a_value_in_a_column_with_no_header_is_named_not_dropped(tmp_path: Path) -> None:
    """Text past the header's last column (a CSV row with two cells more, a note typed beside a
    workbook's table) was read for nothing without a word: validate said "ready to publish", ingest
    "0 unreadable cells", and the note was in no output. Each such cell is now a ``no_header`` warning
    at its cell; blank cells of that column, and a line below the table (a skipped row, said as one),
    are not."""
    lines = (SAMPLES / "o12-2568.csv").read_text(encoding="cp874").split("\n")
    width = len(lines[0].split(","))
    lines[3] += ",หมายเหตุ: สัญญาถูกยกเลิก,999999"
    lines[5] += ",  ,"  # blank cells past the header: nothing to say
    source = tmp_path / "extra.csv"
    source.write_text("\n".join(lines), encoding="cp874")
    before = source.read_bytes()
    result = runner.invoke(app, ["validate", str(source), "--format", "json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    found = [(p["row"], p["column"], p["value"]) for p in report["problems"] if p["code"] == "no_header"]
    letter = lambda n: chr(65 + n)  # noqa: E731
    assert found == [(4, letter(width), "หมายเหตุ: สัญญาถูกยกเลิก"), (4, letter(width + 1), "999999")]
    assert report["summary"]["warnings"] == 2 and report["summary"]["records"] == 14
    text = runner.invoke(app, ["validate", str(source), "--lang", "en"]).stdout
    assert f"row 4, column {letter(width)} (no header)" in text and "will not be in the published data" in text
    ingested = runner.invoke(app, ["ingest", str(source), "--out", str(tmp_path / "out.csv"), "--lang", "en"])
    assert ingested.exit_code == 0 and "cells to check 2" in ingested.stdout
    assert f"cell {letter(width)}4 (no header): not read, so not in the dataset \"หมายเหตุ: สัญญาถูกยกเลิก\"" in ingested.stdout
    assert source.read_bytes() == before

    book = write_xlsx(tmp_path / "note.xlsx", {"ต.ค.67": [
        TITLE, SORKORROR1_HEADER, [*item(1, "จัดซื้อวัสดุ", 1000), None, "ยกเลิกแล้ว"], item(2, "จัดจ้างซ่อม", 2000),
        [None], ["ลงชื่อ", None, None, None, None, None, None, None, None, None, "ผู้รายงาน"],
    ]})
    read = ingest([book])
    assert len(read.records) == 2
    assert [(i.row, i.column, i.value) for i in read.issues if i.code == "no_header"] == [(3, "K", "ยกเลิกแล้ว")]
    assert any(skip.row == 6 for skip in read.skipped_rows)  # the signature line: a skipped row, said as one

    # A column nobody headed that numbers the rows (1, 2 or ๑, ๒ or 1., 2., a row deleted, a month's own
    # numbers starting again) loses nothing: no warning; nor do cells of invisible characters alone.
    for numbers in (["1", "2"], ["๑", "๒"], ["1.", "2."], ["1)", "3)"], ["2", "1"], ["\u200b", "\ufeff"]):
        numbered = write_xlsx(tmp_path / "numbered.xlsx", {"ต.ค.67": [
            TITLE, SORKORROR1_HEADER, [*item(1, "จัดซื้อวัสดุ", 1000), None, numbers[0]], [*item(2, "จัดจ้างซ่อม", 2000), None, numbers[1]],
        ]})
        assert not [i for i in ingest([numbered]).issues if i.code == "no_header"], numbers
    unnumbered = write_xlsx(tmp_path / "amounts.xlsx", {"ต.ค.67": [  # satang typed past the header: said
        TITLE, SORKORROR1_HEADER, [*item(1, "จัดซื้อวัสดุ", 1000), None, "50"], [*item(2, "จัดจ้างซ่อม", 2000), None, "25"],
    ]})
    assert [(i.row, i.column) for i in ingest([unnumbered]).issues if i.code == "no_header"] == [(3, "K"), (4, "K")]


def test_a_damaged_parquet_file_is_told_to_be_copied_or_made_again_not_opened_in_excel(tmp_path: Path) -> None:
    """Excel cannot open Parquet: the advice for a damaged workbook was wrong for it."""
    whole = tmp_path / "national.parquet"
    assert runner.invoke(app, ["ingest", str(SAMPLES / "canonical-sample.csv"), "--out", str(whole)]).exit_code == 0
    for name, data in (("cut.parquet", whole.read_bytes()[: whole.stat().st_size // 2]), ("junk.parquet", b"PAR1" + b"x" * 1000)):
        path = tmp_path / name
        path.write_bytes(data)
        line = one_line_exit_2(["validate", str(path), "--lang", "en"], "the Parquet file is damaged or incomplete")
        assert "Excel" not in line and "--out FILE.parquet" in line


def test_a_row_of_nul_bytes_is_no_record_and_is_said_once(tmp_path: Path) -> None:
    """A line of NUL bytes (a file cut or zeroed while saved) was read as a record: three ``required``
    errors, ``status_blank``, and a ``control_characters`` warning showing 200 ␀. It is now no record,
    and one ``control_only`` warning at the row's first cell says to look for an item lost there. A
    row with text beside a control character is still a record."""
    header, *body = [line for line in (SAMPLES / "canonical-sample.csv").read_bytes().split(b"\n") if line]
    rows = body * 6  # past the first 4 KB, where a NUL byte says "no text file" (read.files.kind_of)
    assert len(b"\n".join([header, *rows])) > 4096
    damaged = [*rows, b"\x00" * 200, body[0].replace(b",", b",\x00", 1)]  # the last: a control character in a real record
    path = tmp_path / "damaged.csv"
    path.write_bytes(b"\n".join([header, *damaged]) + b"\n")
    result = ingest([path])
    assert len(result.records) == len(rows) + 1
    nul_row, last_row = len(rows) + 2, len(rows) + 3
    assert [(i.row, i.column, i.code) for i in result.issues if i.code in ("control_only", "control_characters")] == [
        (nul_row, "A", "control_only"), (last_row, "B", "control_characters"),
    ]
    report = json.loads(runner.invoke(app, ["validate", str(path), "--format", "json", "--lang", "en"]).stdout)
    on_row = [(p["code"], p["value"]) for p in report["problems"] if p["row"] == nul_row]
    assert on_row == [("control_only", "␀" * 24 + "…")]


def test_a_small_csv_with_a_row_of_nul_bytes_is_read_not_called_no_spreadsheet(tmp_path: Path) -> None:
    """A NUL byte in the first 4 KB made a file "not a spreadsheet; use an .xlsx, .xls, .ods or .csv
    file", even a .csv, and none of its records was read: a monthly CSV of a dozen rows whose one row
    was zeroed lost them all. NULs that stand in lines of their own (with their cells' commas) are a
    damaged row, told as ``control_only``; NULs among other bytes still mean a binary file."""
    lines = (SAMPLES / "o12-2568.csv").read_bytes().split(b"\n")
    whole = len(ingest([SAMPLES / "o12-2568.csv"]).records)
    for name, zeroed in (("nul-row.csv", b"\x00" * 200), ("nul-cells.csv", b"\x00," * 17 + b"\x00\r")):
        path = tmp_path / name
        path.write_bytes(b"\n".join([*lines[:3], zeroed, *lines[4:]]))
        result = ingest([path])
        assert not result.failures and len(result.records) == whole - 1, name
        assert [(i.row, i.code) for i in result.issues] == [(4, "control_only")], name
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"a,b\n" + bytes(range(256)) * 4)
    one_line_exit_2(["validate", str(binary), "--lang", "en"], "not a spreadsheet")
