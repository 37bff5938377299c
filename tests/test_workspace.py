"""The officer's year, end to end: init, template, monthly files, ingest, status, publish.

Six monthly workbooks are made from `procdata template` and filled as Excel
would save them. One road project goes from not signed (October) to under
contract (November) to completed (January); a drainage project's budget
differs between December and February (a conflict that must be named).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import SAMPLES
from procdata.cli import app

runner = CliRunner()
D = dt.datetime

ROAD = ["ก่อสร้างถนน คสล. หมู่ที่ 3 สายบ้านนายทองดี", 1850000, 1823400, "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)"]
DRAIN = ["ก่อสร้างรางระบายน้ำ คสล. หมู่ที่ 6", 780000, 776500, "คัดเลือก"]


def supplies(seq: int, month: int, year: int) -> list[object]:
    return [seq, f"จัดซื้อวัสดุสำนักงาน เดือน {month}", 5000 + month, None, "เฉพาะเจาะจง", "ร้านเจริญพาณิชย์", "4900",
            "ร้านเจริญพาณิชย์", 4900, "เสนอราคาต่ำสุด", f"{month}/2568", D(year, month, 5), None, None, "งบดำเนินงาน",
            "ข้อบัญญัติ/เทศบัญญัติงบประมาณรายจ่าย", "สิ้นสุดระยะสัญญา", D(year, month, 20)]


def road(seq: int, status: str, signed: bool) -> list[object]:
    winner = ["1. หจก.สมบูรณ์ก่อสร้าง\n2. หจก.รุ่งเรือง", "1689000\n1700000", "หจก.สมบูรณ์ก่อสร้าง", 1689000] if signed else [None] * 4
    return [seq, ROAD[0], ROAD[1], ROAD[2], ROAD[3], *winner, "เสนอราคาต่ำสุด" if signed else None,
            "2/2568" if signed else None, D(2024, 11, 15) if signed else None, "67099234517", "0403553001239" if signed else None,
            "งบลงทุน", "ข้อบัญญัติ/เทศบัญญัติงบประมาณรายจ่าย", status, D(2025, 1, 14) if signed else None]


def drain(seq: int, budget: int, status: str) -> list[object]:
    return [seq, DRAIN[0], budget, DRAIN[2], DRAIN[3], "หจก.สมบูรณ์ก่อสร้าง", "768000", "หจก.สมบูรณ์ก่อสร้าง", 768000,
            "เสนอราคาต่ำสุด", "6/2568", D(2024, 12, 20), "67109367788", "0403553001239", "งบลงทุน",
            "เงินสะสม", status, D(2025, 3, 19)]


YEAR = {
    "2567-10": [road(1, "ยังไม่ลงนามในสัญญา", False), supplies(2, 10, 2024)],
    "2567-11": [road(1, "อยู่ระหว่างระยะสัญญา", True), supplies(2, 11, 2024)],
    "2567-12": [drain(1, 780000, "อยู่ระหว่างระยะสัญญา"), supplies(2, 12, 2024)],
    "2568-01": [road(1, "สิ้นสุดระยะสัญญา", True), supplies(2, 1, 2025)],
    "2568-02": [drain(1, 790000, "อยู่ระหว่างระยะสัญญา"), supplies(2, 2, 2025)],
    "2568-03": [drain(1, 790000, "สิ้นสุดระยะสัญญา"), supplies(2, 3, 2025)],
}


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", "--name", "องค์การบริหารส่วนตำบลหนองบัว", "--district", "เมืองขอนแก่น",
                                 "--province", "ขอนแก่น"])
    assert result.exit_code == 0, result.output
    for month, rows in YEAR.items():
        out = tmp_path / "monthly" / f"{month}.xlsx"
        made = runner.invoke(app, ["template", "--out", str(out), "--month", month])
        assert made.exit_code == 0, made.output
        book = openpyxl.load_workbook(out)
        sheet = book.worksheets[0]
        for r, values in enumerate(rows, start=8):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    sheet.cell(r, c, value)
        book.save(out)
    shutil.copy(SAMPLES / "o12-2567.xlsx", tmp_path / "monthly" / "o12-2567.xlsx")
    return tmp_path


def test_template_files_ingest_without_layout_warnings(workspace: Path) -> None:
    result = runner.invoke(app, ["ingest", "--out", "all.csv", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "records 28 · rows skipped 0 · cells to check 0" in result.stdout
    assert "no table found" not in result.stdout
    rows = list(csv.DictReader((workspace / "all.csv").open(encoding="utf-8")))
    assert len(rows) == 12 + 16  # six months of two items, and the previous year


def test_status_before_and_after_publishing(workspace: Path) -> None:
    before = runner.invoke(app, ["status", "--as-of", "2025-03-31", "--format", "json"])
    assert before.exit_code == 1
    state = json.loads(before.stdout)
    assert [m["month"] for m in state["months"]] == ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
    assert [m["items"] for m in state["months"]] == [2, 2, 2, 2, 2, 2]
    assert state["missing_months"] == []
    unmet = {r["code"] for r in state["requirements"] if not r["met"]}
    assert unmet == {"dataset_published"}

    published = runner.invoke(app, ["publish", "--as-of", "2025-03-31", "--lang", "en"])
    assert published.exit_code == 0, published.output
    # The road's three months and the drain's three months each become one record.
    assert "4 record(s) of the same projects in several months merged" in published.stdout
    (conflict,) = [line for line in published.stdout.splitlines() if "differs from" in line]
    assert conflict == (
        "  monthly/2568-03.xlsx [มี.ค.68] row 8 column C (วงเงินที่จะซื้อหรือจ้าง (บาท)): Budget (baht) differs from "
        "monthly/2567-12.xlsx [ธ.ค.67] row 8 (780,000.00); the latest month's value (790,000.00) is used; "
        "check which value is right"
    )

    o12 = list(csv.DictReader((workspace / "site" / "o12.csv").open(encoding="utf-8-sig")))
    assert len(o12) == 8  # 6 supplies + the road + the drain, each project once
    by_name = {row["ชื่อรายการของงานที่ซื้อหรือจ้าง"]: row for row in o12}
    assert by_name[ROAD[0]]["สถานะการจัดซื้อจัดจ้าง"] == "สิ้นสุดระยะสัญญา"  # January's word wins
    assert by_name[ROAD[0]]["วันที่ลงนามในสัญญา"] == "2024-11-15"
    assert by_name[DRAIN[0]]["วงเงินงบประมาณที่ได้รับจัดสรร (บาท)"].replace(",", "").startswith("790000")
    assert [row["รายการงบลงทุน"] for row in o12][:2] == ["ใช่", "ใช่"]

    after = runner.invoke(app, ["status", "--as-of", "2025-03-31"])
    assert after.exit_code == 0, after.stdout
    assert "✗" not in after.stdout
    assert after.stdout.rstrip().endswith("พร้อมสำหรับการประเมิน ITA ทุกข้อ")
    assert "✓ ผ่าน: O12: เผยแพร่ 8 รายการ ควรเป็น 8 (มี 8 ไม่เกิน 100)" in after.stdout


def test_status_names_missing_months(workspace: Path) -> None:
    (workspace / "monthly" / "2568-02.xlsx").unlink()
    result = runner.invoke(app, ["status", "--as-of", "2025-03-31"])
    assert result.exit_code == 1
    assert "เดือนที่ยังไม่มีข้อมูล: ก.พ. 2568" in result.stdout
    assert "→ วางแฟ้ม สขร.๑ ของเดือนที่ขาด (ก.พ. 2568) ในโฟลเดอร์แฟ้มรายเดือน" in result.stdout


def test_commands_outside_a_workspace_say_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 2
    assert result.stderr == "ไม่ได้ระบุแฟ้ม และไม่พบ procdata.toml ในโฟลเดอร์นี้ ระบุแฟ้มหรือโฟลเดอร์ หรือสร้างโฟลเดอร์ทำงานด้วย procdata init\n"
    status = runner.invoke(app, ["status", "--lang", "en"])
    assert status.exit_code == 2
    assert "procdata.toml" in status.stderr and len(status.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", [["validate"], ["ingest", "--out", "table.csv"], ["publish"]])
def test_commands_in_a_new_workspace_ask_for_the_month_s_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str],
) -> None:
    """Right after init the monthly folder is empty: validate said "0 files: no problems, ready to
    publish", publish asked to name .xlsx files. Each now says to put the month's files there."""
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(app, ["init", "--name", "อบต.หนองบัว", "--district", "เมืองขอนแก่น", "--province", "ขอนแก่น"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, [*command, "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "the monthly folder monthly holds no spreadsheet yet; put the month's สขร.๑ or O12 files there and run again\n"
    )
    assert not (tmp_path / "table.csv").exists() and not any((tmp_path / "site").glob("*"))


def test_status_names_a_broken_file_and_exits_2(workspace: Path) -> None:
    (workspace / "monthly" / "2568-04.xlsx").write_bytes(b"")
    result = runner.invoke(app, ["status", "--as-of", "2025-03-31"])
    assert result.exit_code == 2
    assert result.stderr == "monthly/2568-04.xlsx: แฟ้มว่างเปล่า (0 ไบต์) บันทึกแฟ้มจาก Excel ใหม่อีกครั้ง\n"
    assert "Traceback" not in result.output


def test_a_row_with_an_error_and_a_warning_counts_in_both_columns_of_its_month(tmp_path: Path) -> None:
    from procdata.workspace.status import status
    from test_publish_helpers import project, write_canonical, write_profile

    config = write_profile(tmp_path)
    source = write_canonical(tmp_path / "jan.csv", [
        project(1, budget_amount=-5),  # an error (negative amount), and a warning (no status) in the same row
        project(2),  # a warning only
    ])
    state = status([source], config=config, as_of="2025-01-31", offline=True)
    january = next(m for m in state.months if m.month == "2025-01")
    codes = sorted((p.row, p.severity) for p in state.report.problems)
    assert codes == [(2, "error"), (2, "warning"), (3, "warning")]
    assert (january.errors, january.warnings) == (1, 2)  # rows with errors, rows with warnings
