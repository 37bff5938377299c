"""`procdata validate` and `procdata explain` from the command line: exact output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import FIXTURES, write_xlsx
from procdata.check import catalog, validate
from procdata.cli import app
from test_validate import write

runner = CliRunner()
BROKEN = FIXTURES / "broken"


def test_a_clean_file_exits_0(repo_cwd: Path) -> None:
    result = runner.invoke(app, ["validate", "samples/canonical-sample.csv"])
    assert result.exit_code == 0
    assert result.stdout == "ตรวจ 1 แฟ้ม 5 รายการ: ข้อผิดพลาด 0 · คำเตือน 0\nไม่พบปัญหา เผยแพร่ได้\n"
    assert result.stderr == ""


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", {"reference_price": "9500.00"})
    result = runner.invoke(app, ["validate", str(path), "--lang", "en"])
    assert result.exit_code == 0
    assert result.stdout == (
        "checked 1 file(s), 1 records: 0 error(s) · 1 warning(s)\n"
        "no errors, ready to publish (look at the warnings)\n"
        "\n"
        f"file {path}\n"
        '  row 2, column K "reference_price": warning [reference_above_budget]\n'
        "    the reference price 9,500.00 baht is above the budget 9,000.00 baht; check both amounts\n"
        "    value: 9,500.00\n"
        "\n"
        "see what each code means and how to fix it with procdata explain CODE, e.g. procdata explain reference_above_budget\n"
    )


def test_errors_exit_1(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", {}, {"budget_amount": "-9000"})
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == (
        "ตรวจ 1 แฟ้ม 2 รายการ: ข้อผิดพลาด 1 · คำเตือน 0\n"
        "ต้องแก้ข้อผิดพลาดก่อนเผยแพร่ ส่วนคำเตือนควรตรวจดู\n"
        "\n"
        f"แฟ้ม {path}\n"
        '  แถว 3 คอลัมน์ F "budget_amount": ข้อผิดพลาด [negative_amount]\n'
        "    จำนวนเงินติดลบ (-9,000.00) ใส่จำนวนเงินเป็นบวก\n"
        "    ค่าที่พบ: -9,000.00\n"
        "\n"
        "ดูคำอธิบายและวิธีแก้ของแต่ละรหัสด้วย procdata explain รหัส เช่น procdata explain negative_amount\n"
    )


def test_an_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    good = write(tmp_path / "a.csv", {"budget_amount": "-9000"})
    result = runner.invoke(app, ["validate", str(BROKEN / "truncated.xlsx"), str(good), "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{BROKEN / 'truncated.xlsx'}: the file is damaged or incomplete (perhaps cut short while copying); "
        "open it in Excel and save it again, or copy the original again\n"
    )
    assert result.stdout.startswith(
        "checked 2 file(s), 1 records: 1 error(s) · 0 warning(s)\n"
        "1 file(s) could not be read (see above); fix them and check again\n"
    )
    assert "Traceback" not in result.output


def test_a_file_of_the_wrong_kind_exits_2_with_one_line(tmp_path: Path) -> None:
    """Text saved under an Excel name has no procurement table: said in one line, not "ready to publish"."""
    wrong = tmp_path / "notes.xlsx"
    wrong.write_text("บันทึกการประชุม\nวาระที่ 1 เรื่องแจ้งเพื่อทราบ\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(wrong), "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"{wrong}: no procurement table in this file")
    assert "Traceback" not in result.output


def test_a_workbook_with_nothing_written_yet_is_not_a_failure(tmp_path: Path) -> None:
    empty = write_xlsx(tmp_path / "month.xlsx", {"Sheet1": []})
    result = runner.invoke(app, ["validate", str(empty), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["files_unreadable"] == 0


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.xlsx"), "--format", "json"])
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.xlsx'}: ไม่พบแฟ้มนี้ ตรวจชื่อแฟ้มและโฟลเดอร์อีกครั้ง\n"
    assert json.loads(result.stdout)["summary"]["files_unreadable"] == 1


def test_json_equals_the_library(repo_cwd: Path) -> None:
    path = "tests/fixtures/validate/inputs/o12-errors.xlsx"
    result = runner.invoke(app, ["validate", path, "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == validate([path]).to_dict()
    english = runner.invoke(app, ["validate", path, "--format", "json", "--lang", "en"])
    assert json.loads(english.stdout) == validate([path], lang="en").to_dict()


def test_html_report_is_self_contained_and_escaped(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", {"budget_amount": "<script>alert(1)</script>", "item_name": "ซื้อ <b>โต๊ะ</b> & เก้าอี้"})
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["validate", str(path), "--format", "html", "--out", str(out)])
    assert result.exit_code == 1
    assert result.stdout == f"บันทึกรายงานลงใน {out}\n"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"th\">")
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for external in ("http://", "https://", "src=", "<link", "url(", "@import"):
        assert external not in page
    assert "รายงานผลการตรวจข้อมูลจัดซื้อจัดจ้าง" in page and "@media print" in page
    assert '<tr class="error"><td class="row">2</td><td class="column">F</td>' in page


def test_text_report_to_a_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", {})
    out = tmp_path / "report.txt"
    result = runner.invoke(app, ["validate", str(path), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0
    assert result.stdout == f"wrote the report to {out}\n"
    assert out.read_text(encoding="utf-8") == "checked 1 file(s), 1 records: 0 error(s) · 0 warning(s)\nno problems found, ready to publish\n"


def test_fiscal_year_option_reaches_the_records(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", {}, fields=["item_name", "budget_amount", "method"])
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 1
    assert runner.invoke(app, ["validate", str(path), "--fiscal-year", "2568"]).exit_code == 0


def test_a_bad_format_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(write(tmp_path / "a.csv", {})), "--format", "pdf"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_explain_prints_the_explanation_and_the_fix() -> None:
    result = runner.invoke(app, ["explain", "tax_id_check_digit"])
    assert result.exit_code == 0
    assert result.stdout == (
        "tax_id_check_digit (คำเตือน)\n"
        "หลักที่ 13 ของเลขประจำตัวผู้เสียภาษีคำนวณจาก 12 หลักแรก: (11 - (ผลรวมของหลักที่ i คูณ (14 - i) สำหรับ i = 1 ถึง 12) mod 11) mod 10 "
        "ถ้าไม่ตรงแปลว่าพิมพ์ผิดอย่างน้อยหนึ่งหลัก\n"
        "วิธีแก้: คัดลอกเลขจากหนังสือรับรองหรือใบเสนอราคาของผู้ขายใหม่\n"
    )


def test_explain_in_english_notes_schema_rules() -> None:
    result = runner.invoke(app, ["explain", "negative_amount", "--lang", "en"])
    assert result.exit_code == 0
    assert result.stdout == (
        "negative_amount (error)\n"
        "Budgets, reference prices and agreed prices cannot be negative; a minus sign usually comes from a formula or a copy.\n"
        "how to fix: Remove the minus sign, or correct the formula behind the cell.\n"
        "a rule of the table schema schemas/procurement.schema.json (frictionless flags it too)\n"
    )


def test_explain_an_unknown_code_lists_the_codes_and_exits_2() -> None:
    result = runner.invoke(app, ["explain", "no_such_code", "--lang", "en"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith('unknown check code "no_such_code"; the codes are: not_a_number, not_an_integer, ')
    assert lines[0].endswith("signed_no_winner, signed_no_price")


def test_explain_without_a_code_lists_every_code() -> None:
    result = runner.invoke(app, ["explain"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "รหัสปัญหาทั้งหมด ดูคำอธิบายด้วย procdata explain รหัส"
    assert "  agreed_above_budget     ข้อผิดพลาด" in lines
    assert len(lines) == 1 + len(catalog.checks())
