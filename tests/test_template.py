"""`procdata template`: dropdowns and validation present; a filled copy ingests cleanly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from procdata.cli import app
from procdata.normalize import vocab
from procdata.read.ingest import ingest
from procdata.template import write_template

runner = CliRunner()


def validations(path: Path, sheet: str) -> dict[str, tuple[str, str]]:
    book = openpyxl.load_workbook(path)
    return {
        str(v.sqref).split(":")[0]: (v.type, v.formula1)
        for v in book[sheet].data_validations.dataValidation
    }


def test_sorkorror1_template_has_dropdowns_validation_and_help(tmp_path: Path) -> None:
    out = tmp_path / "jan.xlsx"
    result = runner.invoke(app, ["template", "--out", str(out), "--month", "2568-01"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["ม.ค.68", "คำแนะนำ", "ตัวเลือก"]
    sheet = book["ม.ค.68"]
    assert sheet["A2"].value == "สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน มกราคม 2568"
    assert sheet["R1"].value == "แบบ สขร.๑"
    assert [sheet.cell(5, c).value for c in (1, 2, 6, 8, 11)] == [
        "ลำดับที่", "งานที่จัดซื้อหรือจัดจ้าง", "รายชื่อผู้เสนอราคาและราคาที่เสนอ",
        "ผู้ได้รับการคัดเลือกและราคาที่ตกลงซื้อหรือจ้าง", "เลขที่และวันที่ของสัญญาหรือข้อตกลงในการซื้อหรือจ้าง",
    ]
    assert [sheet.cell(6, c).value for c in (6, 7, 8, 9, 11, 12)] == ["ชื่อ", "ราคา", "ชื่อ", "ราคา", "เลขที่", "วันที่"]
    assert sheet.freeze_panes == "C8"
    rules = validations(out, "ม.ค.68")
    assert rules["E8"] == ("list", "='ตัวเลือก'!$A$2:$A$6")  # method: the five of the Act, not the old ones
    assert rules["Q8"] == ("list", "='ตัวเลือก'!$B$2:$B$5")  # status
    assert rules["O8"] == ("list", "='ตัวเลือก'!$C$2:$C$6")  # budget category
    assert rules["P8"][0] == "list"  # budget source
    assert rules["C8"] == ("decimal", "0") and rules["I8"] == ("decimal", "0")
    assert rules["L8"][0] == "date" and rules["R8"][0] == "date"
    assert rules["N8"][0] == "custom"  # 13-digit taxpayer ID
    lists = book["ตัวเลือก"]
    assert lists.sheet_state == "hidden"
    assert [lists.cell(r, 1).value for r in range(2, 7)] == [t.th for t in vocab.choices("method")]
    assert lists["A2"].value == "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)"
    help_sheet = book["คำแนะนำ"]
    texts = [c.value for row in help_sheet.iter_rows() for c in row if c.value]
    assert "ตัวอย่างการกรอกหนึ่งรายการ" in texts and "จัดซื้อครุภัณฑ์คอมพิวเตอร์ เครื่องคอมพิวเตอร์โน้ตบุ๊ก จำนวน 2 เครื่อง" in texts


def fill_like_excel(path: Path, sheet_name: str, rows: list[list[object]], first_row: int) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book[sheet_name]
    for r, values in enumerate(rows, start=first_row):
        for c, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    book.save(path)


def test_filled_sorkorror1_template_ingests_cleanly(tmp_path: Path) -> None:
    out = write_template(tmp_path / "jan.xlsx", month="2568-01", agency="องค์การบริหารส่วนตำบลหนองบัว")
    fill_like_excel(out, "ม.ค.68", [
        [1, "จัดซื้อครุภัณฑ์คอมพิวเตอร์ เครื่องคอมพิวเตอร์โน้ตบุ๊ก จำนวน 2 เครื่อง", 48000, 48000, "เฉพาะเจาะจง",
         "1. บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด\n2. ร้านไอทีช็อป", "47800\n47900", "บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด", 47800,
         "เป็นผู้เสนอราคาต่ำสุด", "2/2568", dt.datetime(2025, 1, 22), "67109201884", "0405558003428", "งบลงทุน",
         "ข้อบัญญัติ/เทศบัญญัติงบประมาณรายจ่าย", "อยู่ระหว่างระยะสัญญา", dt.datetime(2025, 2, 5)],
        [2, "จ้างเหมาบริการทำความสะอาดอาคารสำนักงาน", 9000, None, "เฉพาะเจาะจง", "นางสาวมาลี ศรีสุข", "9000",
         "นางสาวมาลี ศรีสุข", 9000, "มีคุณสมบัติครบถ้วน", "3/2568", dt.datetime(2025, 1, 2), None, None, "งบดำเนินงาน",
         "ข้อบัญญัติ/เทศบัญญัติงบประมาณรายจ่าย", "สิ้นสุดระยะสัญญา", dt.datetime(2025, 1, 31)],
    ], first_row=8)
    result = ingest([out])
    assert result.issues == [] and result.skipped_rows == [] and result.failures == []
    assert [(s.sheet, s.read, s.reason) for s in result.sheets] == [
        ("ม.ค.68", True, ""), ("คำแนะนำ", False, "sheet_template_help"), ("ตัวเลือก", False, "sheet_template_help"),
    ]
    first, second = json.loads(result.records.to_json(orient="records", force_ascii=False))
    assert (first["report_month"], first["fiscal_year"], first["project_id"]) == ("2025-01", 2568, "67109201884")
    assert (first["method"], first["status"], first["budget_category"], first["budget_source"]) == (
        "specific", "in_contract", "investment", "annual_budget")
    assert (first["is_investment"], first["investment_basis"]) == (True, "declared")
    assert json.loads(first["bidders"]) == [
        {"name": "บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด", "price": 47800.0}, {"name": "ร้านไอทีช็อป", "price": 47900.0}]
    assert (first["winner_name"], first["agreed_price"], first["winner_tax_id"]) == (
        "บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด", 47800.0, "0405558003428")
    assert (first["contract_no"], first["contract_date"], first["contract_end_date"]) == ("2/2568", "2025-01-22", "2025-02-05")
    assert (second["status"], second["is_investment"], second["source_row"]) == ("completed", False, 9)


def test_filled_o12_template_ingests_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "o12.xlsx"
    assert runner.invoke(app, ["template", "--out", str(out), "--layout", "o12"]).exit_code == 0
    rules = validations(out, "O12")
    assert rules["J2"][0] == "list" and rules["K2"][0] == "list" and rules["I2"][0] == "list"
    fill_like_excel(out, "O12", [[
        2568, None, None, None, None, None, "ก่อสร้างถนน คสล. หมู่ที่ 9", 2180000, "เงินสะสม", "ยังไม่ลงนามในสัญญา",
        "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)", 2150000, None, None, None, "68019054321", None, None, "งบลงทุน",
    ]], first_row=2)
    result = ingest([out])
    assert result.issues == [] and result.skipped_rows == []
    (record,) = json.loads(result.records.to_json(orient="records", force_ascii=False))
    assert (record["method"], record["status"], record["budget_source"], record["is_investment"]) == (
        "e_bidding", "not_signed", "accumulated_funds", True)


def test_template_is_deterministic(tmp_path: Path) -> None:
    first = write_template(tmp_path / "a.xlsx", month="2568-02").read_bytes()
    second = write_template(tmp_path / "b.xlsx", month="2568-02").read_bytes()
    assert first == second


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2568-13"], '--month "2568-13": วันที่หรือเดือนนี้ไม่มีอยู่จริงในปฏิทิน ตรวจวันและเดือนอีกครั้ง\n'),
        (["--month", "มกรา"], '--month "มกรา": อ่านเป็นเดือนไม่ได้ เขียนเช่น 2568-01, 1/2568, ม.ค. 68 หรือ 2025-01 (ค.ศ.)\n'),
        (["--layout", "xyz"], "ไม่รู้จักรูปแบบ 'xyz' เลือกได้: sorkorror1, o12\n"),
    ],
)
def test_template_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["template", "--out", str(tmp_path / "x.xlsx"), *args])
    assert result.exit_code == 2
    assert result.stderr == message


@pytest.mark.parametrize(("month", "title", "sheet"), [
    ("2567-10", "ตุลาคม 2567", "ต.ค.67"), ("2568-07", "กรกฎาคม 2568", "ก.ค.68"),
    ("2568-09", "กันยายน 2568", "ก.ย.68"), ("2025-01", "มกราคม 2568", "ม.ค.68"),
])
def test_every_month_title_reads_back_as_that_month(tmp_path: Path, month: str, title: str, sheet: str) -> None:
    out = write_template(tmp_path / "m.xlsx", month=month)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == sheet
    assert book[sheet]["A2"].value.endswith(title)
