"""The officer's path with no dead ends: init, template, status and publish before and after the profile is filled."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLES
from procdata.cli import app
from procdata.normalize.dates import fiscal_year
from procdata.workspace.status import status
from test_publish_helpers import project, write_canonical, write_profile

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_with_nothing_lays_out_the_workspace_and_names_every_missing_value(folder: Path) -> None:
    result = runner.invoke(app, ["init", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "wrote the agency profile procdata.toml\n"
        "workspace: drop monthly files into monthly; published files go to site\n"
        "still to fill in: agency.name, agency.district, agency.province "
        "(edit the file, or run procdata init --force with --name ... --district ... --province ...)\n"
    )
    assert (folder / "monthly").is_dir() and (folder / "site").is_dir()


def test_every_command_before_the_profile_is_filled(folder: Path) -> None:
    runner.invoke(app, ["init"])
    template = runner.invoke(app, ["template", "--out", "monthly/2568-01.xlsx", "--month", "2568-01"])
    assert template.exit_code == 0, template.output  # works with the profile not yet filled in
    (folder / "monthly" / "o12.csv").write_bytes((SAMPLES / "o12-2568.csv").read_bytes())
    state = runner.invoke(app, ["status", "--as-of", "2025-06-30", "--format", "json"])
    assert state.exit_code == 1, state.output  # not stopped: an unmet requirement
    first = json.loads(state.stdout)["requirements"][0]
    assert (first["code"], first["met"]) == ("profile_complete", False)
    assert "agency.name, agency.district, agency.province" in first["detail"]
    assert first["todo"] == (
        f"กรอก agency.name, agency.district, agency.province ในแฟ้ม {folder.resolve() / 'procdata.toml'} "
        "หรือสั่ง procdata init --force --name ... --district ... --province ..."
    )
    text = runner.invoke(app, ["status", "--as-of", "2025-06-30"])
    assert text.exit_code == 1 and "✗ ยังไม่ผ่าน: กรอกค่าที่จำเป็นในโปรไฟล์หน่วยงาน" in text.stdout
    published = runner.invoke(app, ["publish", "--lang", "en"])
    assert published.exit_code == 2
    assert published.stderr == (  # every missing value at once, not one at a time
        f"{folder.resolve() / 'procdata.toml'}: still empty: agency.name, agency.district, agency.province; add these "
        'lines: [agency] name = "..."; [agency] district = "..."; [agency] province = "...", or run procdata init '
        "--force with the missing values\n"
    )
    filled = runner.invoke(app, ["init", "--force", "--name", "อบต.หนองบัว", "--district", "เมือง", "--province", "ขอนแก่น"])
    assert filled.exit_code == 0
    assert runner.invoke(app, ["publish", "--as-of", "2025-06-30"]).exit_code == 0


def test_init_force_keeps_what_was_typed_by_hand(folder: Path) -> None:
    runner.invoke(app, ["init", "--name", "อบต.หนองบัว", "--district", "เมือง", "--province", "ขอนแก่น"])
    path = folder / "procdata.toml"
    typed = path.read_text(encoding="utf-8").replace('phone = ""', 'phone = "043-000-000"  # สายตรงงานพัสดุ')
    typed = typed.replace('problems = ""', 'problems = """\nผู้รับจ้างน้อยราย\n\nฝนตกหนัก\n"""')
    typed += "# บันทึกของเจ้าหน้าที่: ปรับปรุงเมื่อ ม.ค. 2568\n"
    path.write_text(typed, encoding="utf-8")
    changed = runner.invoke(app, ["init", "--force", "--district", "บ้านไผ่", "--lang", "en"])
    assert changed.exit_code == 0, changed.output
    assert changed.stdout.splitlines()[0] == "updated the agency profile procdata.toml (only the values given; the others are as they were)"
    assert path.read_text(encoding="utf-8") == typed.replace('district = "เมือง"', 'district = "บ้านไผ่"')
    again = runner.invoke(app, ["init", "--force", "--lang", "en"])
    assert again.exit_code == 0 and again.stdout.splitlines()[0] == "procdata.toml: already holds every value given; not changed"
    assert path.read_text(encoding="utf-8") == typed.replace('district = "เมือง"', 'district = "บ้านไผ่"')


def test_init_force_over_a_broken_profile_keeps_the_old_text(folder: Path) -> None:
    (folder / "procdata.toml").write_text('[agency]\nname = "อบต.หนองบัว\n', encoding="utf-8")  # an unclosed quote
    result = runner.invoke(app, ["init", "--force", "--name", "อบต.หนองบัว", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "the old procdata.toml was not readable, so it was written anew; its text is kept in procdata.toml.bak"
    )
    assert (folder / "procdata.toml.bak").read_text(encoding="utf-8") == '[agency]\nname = "อบต.หนองบัว\n'


def test_status_with_no_data_is_about_this_year_and_calls_no_future_month_missing(folder: Path) -> None:
    runner.invoke(app, ["init", "--name", "อบต.หนองบัว", "--district", "เมือง", "--province", "ขอนแก่น"])
    result = status(config=folder / "procdata.toml", today=dt.date(2025, 1, 15))
    assert (result.fiscal_year, result.as_of) == (2568, dt.date(2025, 1, 15))
    assert [m.month for m in result.months] == ["2024-10", "2024-11", "2024-12", "2025-01"]
    assert result.missing == ["2024-10", "2024-11", "2024-12"]  # January is not over yet
    today = dt.date.today()
    state = runner.invoke(app, ["status", "--format", "json"])
    assert state.exit_code == 1
    shown = json.loads(state.stdout)
    assert shown["fiscal_year"] == fiscal_year(today)
    assert all(month < f"{today:%Y-%m}" for month in shown["missing_months"])


def test_a_contract_past_its_end_is_shown_ended_and_warned_about(tmp_path: Path) -> None:
    rows = [project(1, status="in_contract", contract_end_date="2025-02-28"),
            project(2, status="in_contract", contract_end_date="2025-06-30")]
    source = write_canonical(tmp_path / "in.csv", rows)
    config = write_profile(tmp_path)
    report = runner.invoke(app, ["validate", str(source), "--as-of", "2025-03-31", "--format", "json", "--lang", "en"])
    assert report.exit_code == 0
    (warning,) = json.loads(report.stdout)["problems"]
    assert (warning["row"], warning["column"], warning["code"], warning["value"]) == (None, "Q", "contract_period_over", "2")
    assert warning["message"] == (
        "1 record(s) still say under contract although the contract ended before 2025-03-31 (rows 2), so they are "
        "published as completed; check and correct the status or the end date in the file"
    )
    published = runner.invoke(app, ["publish", str(source), "--config", str(config), "--out", str(tmp_path / "site"),
                                    "--as-of", "2025-03-31"])
    assert published.exit_code == 0, published.output
    assert f"  {source} [-] แถว - คอลัมน์ Q (status): 1 รายการยังระบุสถานะว่าอยู่ระหว่างระยะสัญญา" in published.stdout
    with (tmp_path / "site" / "o12.csv").open(encoding="utf-8-sig") as handle:
        rows_out = {r["ชื่อรายการของงานที่ซื้อหรือจ้าง"]: r for r in csv.DictReader(handle)}
    assert rows_out["รายการทดสอบที่ 1"]["สถานะการจัดซื้อจัดจ้าง"] == "สิ้นสุดระยะสัญญา"
    assert rows_out["รายการทดสอบที่ 2"]["สถานะการจัดซื้อจัดจ้าง"] == "อยู่ระหว่างระยะสัญญา"
