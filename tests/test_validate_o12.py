"""An officer's O12 workbook (the ITA columns, Thai headers, Buddhist-Era dates) with sixteen
problems in fourteen rows and two clean rows, validated as a new user would."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import write_xlsx
from procdata.cli import app

HEADER = [
    "ปีงบประมาณ", "ประเภทหน่วยงาน", "กระทรวง", "ชื่อหน่วยงาน", "อำเภอ", "จังหวัด", "ชื่อรายการของงานที่ซื้อหรือจ้าง",
    "วงเงินงบประมาณที่ได้รับจัดสรร (บาท)", "แหล่งที่มาของงบประมาณ", "สถานะการจัดซื้อจัดจ้าง", "วิธีการจัดซื้อจัดจ้าง", "ราคากลาง (บาท)",
    "ราคาที่ตกลงซื้อหรือจ้าง (บาท)", "เลขประจำตัวผู้เสียภาษี", "รายชื่อผู้ประกอบการที่ได้รับการคัดเลือก", "เลขที่โครงการ",
    "วันที่ลงนามในสัญญา", "วันสิ้นสุดสัญญา",
]
AGENCY = ["2568", "องค์กรปกครองส่วนท้องถิ่น", "กระทรวงมหาดไทย", "เทศบาลตำบลบ้านไผ่", "บ้านไผ่", "ขอนแก่น"]
SHOP, FIRM, CO = "0403553001239", "0993000176545", "0105550123451"  # valid check digits


def row(item: str, budget: str, method: str, reference: str, agreed: str, tax: str, winner: str, project: str,
        start: str, end: str) -> list[str]:
    return [*AGENCY, item, budget, "ข้อบัญญัติงบประมาณรายจ่าย", "สิ้นสุดระยะสัญญา", method, reference, agreed, tax, winner,
            project, start, end]


SPECIFIC = "วิธีเฉพาะเจาะจง"
ROWS = [  # Excel row 2 onwards
    row("จัดซื้อวัสดุสำนักงาน", "45,000.00", SPECIFIC, "45,000.00", "44,500.00", SHOP, "ร้านบ้านไผ่พาณิชย์", "67109000001", "05/11/2567", "20/11/2567"),
    row("จัดซื้อวัสดุไฟฟ้า", "หนึ่งแสน", SPECIFIC, "98,000.00", "97,000.00", SHOP, "ร้านบ้านไผ่พาณิชย์", "67109000002", "06/11/2567", "20/11/2567"),
    row("จ้างซ่อมรถบรรทุกน้ำ", "30,000.00", SPECIFIC, "30,000.00", "29,000.00", SHOP, "อู่ช่างเอก", "", "31/02/2568", "15/03/2568"),
    row("จัดซื้อน้ำมันเชื้อเพลิง", "60,000.00", "วิธีเฉพาะเจาะ", "60,000.00", "60,000.00", FIRM, "หจก.ปั๊มบ้านไผ่", "67109000004", "01/12/2567", "31/12/2567"),
    row("จัดซื้อหนังสือพิมพ์", "-5,000.00", SPECIFIC, "5,000.00", "5,000.00", SHOP, "ร้านข่าวสด", "", "02/12/2567", "31/12/2567"),
    row("จัดซื้อครุภัณฑ์คอมพิวเตอร์", "100,000.00", SPECIFIC, "100,000.00", "120,000.00", CO, "บริษัท ไอทีขอนแก่น จำกัด", "67109000006", "03/12/2567", "20/12/2567"),
    row("จัดซื้อโต๊ะทำงาน", "100,000.00", SPECIFIC, "90,000.00", "95,000.00", CO, "บริษัท ไอทีขอนแก่น จำกัด", "67109000007", "04/12/2567", "20/12/2567"),
    row("จ้างเหมาทำความสะอาด", "80,000.00", SPECIFIC, "80,000.00", "79,000.00", SHOP, "นายสมชาย ใจดี", "67109000008", "10/12/2567", "01/12/2567"),
    row("จ้างจัดงานวันเด็ก", "50,000.00", SPECIFIC, "50,000.00", "49,000.00", SHOP, "ร้านบ้านไผ่พาณิชย์", "67109000009", "15/11/2568", "30/11/2568"),
    row("จัดซื้อยางรถยนต์", "40,000.00", SPECIFIC, "40,000.00", "39,000.00", "04035530012", "ร้านยางดี", "67109000010", "05/01/2568", "20/01/2568"),
    row("จัดซื้อแบตเตอรี่", "20,000.00", SPECIFIC, "20,000.00", "19,500.00", "0993000176548", "หจก.ปั๊มบ้านไผ่", "67109000011", "06/01/2568", "20/01/2568"),
    row("จ้างตัดหญ้าริมทาง", "25,000.00", SPECIFIC, "25,000.00", "24,000.00", SHOP, "นายสมชาย ใจดี", "671090012", "07/01/2568", "30/01/2568"),
    row("จ้างซ่อมถนนลูกรัง หมู่ 4", "400,000.00", SPECIFIC, "400,000.00", "395,000.00", SHOP, "หจก.รุ่งเรืองโยธา", "67109000020", "08/01/2568", "30/03/2568"),
    row("จ้างซ่อมถนนลูกรัง หมู่ 5", "380,000.00", SPECIFIC, "380,000.00", "375,000.00", SHOP, "หจก.รุ่งเรืองโยธา", "67109000020", "09/01/2568", "30/03/2568"),
    row("ก่อสร้างถนน คสล. หมู่ 7", "650,000.00", SPECIFIC, "650,000.00", "640,000.00", SHOP, "หจก.รุ่งเรืองโยธา", "67109000016", "10/01/2568", "30/04/2568"),
    row("จ้างทำป้ายประชาสัมพันธ์", "10,000.00", SPECIFIC, "10,000.00", "", "", "", "", "11/01/2568", "20/01/2568"),
    row("จัดซื้อวัสดุงานบ้านงานครัว", "12,000.00", SPECIFIC, "12,000.00", "11,800.00", FIRM, "หจก.ปั๊มบ้านไผ่", "", "12/01/2568", "25/01/2568"),
]
EXPECTED = {  # (Excel row, column, field, code, severity)
    (3, "H", "budget_amount", "not_a_number", "error"),
    (4, "Q", "contract_date", "impossible_date", "error"),
    (5, "K", "method", "unknown_method", "error"),
    (6, "H", "budget_amount", "negative_amount", "error"),
    (7, "M", "agreed_price", "agreed_above_budget", "error"),
    (8, "M", "agreed_price", "agreed_above_reference", "warning"),
    (9, "R", "contract_end_date", "end_before_contract", "error"),
    (10, "Q", "contract_date", "outside_fiscal_year", "warning"),
    (11, "N", "winner_tax_id", "tax_id_digits", "error"),
    (12, "N", "winner_tax_id", "tax_id_check_digit", "warning"),
    (13, "P", "project_id", "project_id_digits", "error"),
    (14, "P", "project_id", "duplicate_project", "error"),
    (15, "P", "project_id", "duplicate_project", "error"),
    (16, "K", "method", "method_above_ceiling", "warning"),
    (17, "M", "agreed_price", "signed_no_price", "error"),
    (17, "O", "winner_name", "signed_no_winner", "error"),
}


def test_every_problem_at_its_cell_with_its_severity_and_the_clean_rows_silent(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "o12-2568.xlsx", {"O12": [HEADER, *ROWS]})
    result = CliRunner().invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    found = {(p["row"], p["column"], p["field"], p["code"], p["severity"]) for p in report["problems"]}
    assert found == EXPECTED
    assert {p["row"] for p in report["problems"]}.isdisjoint({2, 18})
    assert report["summary"]["records"] == 17
    # Dates are shown as the officer reads them; the duplicate names its partner row.
    by_code = {p["code"]: p for p in report["problems"]}
    assert by_code["end_before_contract"]["value"] == "1 ธ.ค. 2567"
    assert "แถว 15" in next(p["message"] for p in report["problems"] if p["row"] == 14)


def test_the_text_report_names_sheet_row_column_and_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "o12-2568.xlsx", {"O12": [HEADER, *ROWS]})
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert 'แผ่นงาน "O12"' in result.output
    assert 'แถว 3 คอลัมน์ H "วงเงินงบประมาณที่ได้รับจัดสรร (บาท)": ข้อผิดพลาด [not_a_number]' in result.output
