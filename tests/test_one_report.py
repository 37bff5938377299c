"""One report, one truth: validate lists exactly what publish refuses on or warns about, at the cell to fix."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import procdata
from procdata.cli import app
from test_merge import month_file

runner = CliRunner()
ROAD = ["67109123456", "ก่อสร้างถนน คสล. หมู่ที่ 3", 500000, 495000, "e-bidding"]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(app, ["init", "--name", "อบต.หนองบัว", "--district", "เมือง", "--province", "ขอนแก่น"])
    assert made.exit_code == 0, made.output
    monthly = tmp_path / "monthly"
    month_file(monthly, "2567-11.xlsx", "ประจำเดือน พฤศจิกายน 2567", [
        [1, *ROAD, "1. หจก.ก 480,000 บาท", "หจก.ก ราคา 480,000 บาท", "ต่ำสุด", "สัญญาจ้างเลขที่ 3/2568 ลว. 5 พ.ย. 2567",
         "อยู่ระหว่างระยะสัญญา", "5 ม.ค. 2568"],
    ])
    # The same road, a budget typed differently; a line break pasted from Word, as Excel stores it (_x000B_).
    month_file(monthly, "2567-12.xlsx", "ประจำเดือน ธันวาคม 2567", [
        [1, *ROAD[:2], 510000, *ROAD[3:], "1. หจก.ก 480,000 บาท", "หจก.ก ราคา 480,000 บาท", "ต่ำสุด", "3/2568",
         "อยู่ระหว่างระยะสัญญา", "25 ธ.ค. 2567"],
        [2, None, "จัดซื้อวัสดุ_x000B_สำนักงาน", 5000, None, "เฉพาะเจาะจง", "ร้าน ข 4,900 บาท", "ร้าน ข ราคา 4,900 บาท", "ต่ำสุด",
         "9/2568 ลว. 1 ธ.ค. 2567", "อยู่ระหว่างระยะสัญญา", "10 ธ.ค. 2567"],
    ])
    return tmp_path


def test_every_warning_publish_prints_validate_lists_at_its_cell(workspace: Path) -> None:
    checked = runner.invoke(app, ["validate", "--format", "json", "--lang", "en"])
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    published = runner.invoke(app, ["publish", "--lang", "en"])
    assert published.exit_code == 0, published.output
    printed = re.findall(r"^  (\S+) \[(.*?)\] row (\d+|-) column (\S+) \((.*?)\): (.*)$", published.stdout, re.M)
    assert len(printed) == 2  # the conflict, and the sheet's contracts past their end (one warning for the sheet)
    listed = {(p["file"], p["sheet"], str(p["row"] or "-"), p["column"], p["message"]) for p in report["problems"]}
    for file, sheet, row, column, _, message in printed:
        assert re.fullmatch("[A-Z]+", column), column  # a column letter, always
        assert (file, sheet, row, column, message) in listed
    warnings = report["summary"]["warnings"]
    assert f"{warnings} warning(s) (publishing not blocked; see them with procdata validate)" in published.stdout
    codes = {p["code"] for p in report["problems"]}
    assert codes == {"update_conflict", "contract_period_over", "control_characters"}


def test_the_library_gives_one_report_to_every_stage(workspace: Path) -> None:
    config = procdata.load_config(workspace / "procdata.toml")
    report = procdata.validate(config=config)
    result = procdata.publish(config=workspace / "procdata.toml")
    assert result.report.to_dict() == report.to_dict()
    state = procdata.status(config=config, as_of=result.as_of)
    months = {m.month: (m.errors, m.warnings) for m in state.months}
    assert months["2024-12"] == (0, 2)  # rows with warnings: the road (a conflict, past its end), the supplies
    assert [r.met for r in state.requirements if r.code == "no_errors"] == [True]


def test_errors_publish_refuses_on_are_those_validate_lists(workspace: Path) -> None:
    month_file(workspace / "monthly", "2568-01.xlsx", "ประจำเดือน มกราคม 2568", [
        [1, None, "จ้างเหมาซ่อมถนน", "ประมาณ 5 หมื่น", None, "เฉพาะเจาะจง", "ร้าน ค 4,000 บาท", "ร้าน ค ราคา 4,000 บาท",
         "ต่ำสุด", "10/2568 ลว. 5 ม.ค. 2568", "สิ้นสุดระยะสัญญา", "20 ม.ค. 2568"],
    ])
    checked = runner.invoke(app, ["validate", "--format", "json", "--lang", "en"])
    assert checked.exit_code == 1
    errors = [p for p in json.loads(checked.stdout)["problems"] if p["severity"] == "error"]
    refused = runner.invoke(app, ["publish", "--lang", "en"])
    assert refused.exit_code == 1
    lines = refused.stdout.splitlines()
    assert lines[0] == f"not published: {len(errors)} error(s) found; fix them in the source files and run again (or use --force to publish anyway)"
    assert lines[1:1 + len(errors)] == [
        f"  {p['file']} [{p['sheet'] or '-'}] row {p['row']} column {p['column']} ({p['column'] and 'วงเงินที่จะซื้อ หรือจ้าง (บาท)'}): "
        f"{p['message']}" for p in errors
    ]
