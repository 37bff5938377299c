"""Dates typed by people in options: CE or BE, any form the data's own dates take, the reading echoed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import SAMPLES
from procdata.cli import app
from procdata.normalize.dates import read_day, read_fiscal_year, read_month

runner = CliRunner()
CONFIG = str(SAMPLES / "procdata.toml")
SAME_DAY = ["2568-06-30", "2025-06-30", "30/6/2568", "30/06/2568", "30/6/68", "30-06-2568", "30.6.2568",
            "30 มิ.ย. 2568", "30 มิถุนายน 2568", "30 มิ.ย. 68", "๓๐/๖/๒๕๖๘", "๒๕๖๘-๐๖-๓๐", " 30/6/2568 ",
            "2568/06/30", "2025/6/30", "2568.06.30"]


@pytest.mark.parametrize("typed", SAME_DAY)
def test_every_form_is_the_same_day(typed: str) -> None:
    assert read_day(typed) == dt.date(2025, 6, 30)


@pytest.mark.parametrize("typed", ["2568-01", "2025-01", "1/2568", "01/2568", "1/68", "ม.ค. 2568", "มกราคม 68", "๒๕๖๘-๐๑"])
def test_every_form_is_the_same_month(typed: str) -> None:
    assert read_month(typed) == "2025-01"


@pytest.mark.parametrize("typed", ["2568", "68", "2025", "๒๕๖๘", "ปีงบประมาณ 2568", "พ.ศ. 2568"])
def test_every_form_is_the_same_fiscal_year(typed: str) -> None:
    assert read_fiscal_year(typed) == 2568


def test_status_reads_a_buddhist_era_date_as_the_data_would(repo_cwd: Path) -> None:
    result = runner.invoke(app, ["status", "samples/o12-2568.csv", "--config", CONFIG, "--as-of", "2568-01-31", "--format", "json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["as_of"] == "2025-01-31"
    assert result.stderr == "--as-of 2568-01-31 อ่านเป็นวันที่ 31 ม.ค. 2568 (ค.ศ. 2025-01-31)\n"
    text = runner.invoke(app, ["status", "samples/o12-2568.csv", "--config", CONFIG, "--as-of", "31/1/2568"])
    assert "ณ วันที่ 31 ม.ค. 2568" in text.stdout and "3111" not in text.stdout


def test_validate_takes_the_date_of_the_data_and_the_year_as_typed(repo_cwd: Path) -> None:
    result = runner.invoke(app, ["validate", "samples/o12-2568.csv", "--as-of", "30 มิ.ย. 68", "--fiscal-year", "68", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "--fiscal-year 68 read as fiscal year 2568 BE (2024-10-01 to 2025-09-30)\n"
        "--as-of 30 มิ.ย. 68 read as 2025-06-30 (30 มิ.ย. 2568 in the Buddhist Era)\n"
    )


def test_ingest_takes_a_ce_fiscal_year(repo_cwd: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", "samples/o12-2568.csv", "--fiscal-year", "2025", "--out", str(tmp_path / "a.csv")])
    assert result.exit_code == 0, result.output
    assert result.stderr == "--fiscal-year 2025 อ่านเป็นปีงบประมาณ พ.ศ. 2568 (1 ต.ค. 2567 ถึง 30 ก.ย. 2568)\n"


@pytest.mark.parametrize("typed", ["2568-01", "1/2568", "ม.ค. 68", "2025-01"])
def test_template_months_typed_either_way_give_the_same_workbook(typed: str, tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    result = runner.invoke(app, ["template", "--out", str(out), "--month", typed])
    assert result.exit_code == 0, result.output
    assert result.stderr == ("" if typed == "2025-01" else f"--month {typed} อ่านเป็นเดือน ม.ค. 2568 (ค.ศ. 2025-01)\n")
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet.title == "ม.ค.68" and "มกราคม 2568" in str(sheet["A2"].value)


@pytest.mark.parametrize(("args", "message"), [
    (["status", "samples/o12-2568.csv", "--config", CONFIG, "--as-of", "31/02/2568"],
     '--as-of "31/02/2568": no such day or month in the calendar; check the day and the month\n'),
    (["validate", "samples/o12-2568.csv", "--as-of", "29/2/2568"],  # 2025 is not a leap year
     '--as-of "29/2/2568": no such day or month in the calendar; check the day and the month\n'),
    (["publish", "samples/o12-2568.csv", "--config", CONFIG, "--out", "x", "--as-of", "2568-06-31"],
     '--as-of "2568-06-31": no such day or month in the calendar; check the day and the month\n'),
    (["status", "samples/o12-2568.csv", "--config", CONFIG, "--fiscal-year", "256"],
     '--fiscal-year "256": not a fiscal year; write it like 2568 or 68 (Buddhist Era) or 2025 (CE)\n'),
    (["template", "--out", "x.xlsx", "--month", "13/2568"],
     '--month "13/2568": no such day or month in the calendar; check the day and the month\n'),
    (["ingest", "samples/o12-2568.csv", "--fiscal-year", "3000"],
     '--fiscal-year "3000": bad year; use a Buddhist-Era year (2568 or 68) or a CE year (2025)\n'),
])
def test_an_impossible_date_is_exit_2_with_one_line(repo_cwd: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "--lang", "en"])
    assert (result.exit_code, result.stderr, result.stdout) == (2, message, "")
    assert not Path("x").exists() and not Path("x.xlsx").exists()


def test_the_library_reads_dates_the_same_way(repo_cwd: Path, tmp_path: Path) -> None:
    import procdata

    typed = procdata.publish(["samples/o12-2568.csv"], out=tmp_path / "a", config=CONFIG, as_of="30/6/2568",
                             fiscal_year="2025")
    dated = procdata.publish(["samples/o12-2568.csv"], out=tmp_path / "b", config=CONFIG, as_of=dt.date(2025, 6, 30),
                             fiscal_year=2568)
    assert (typed.as_of, typed.fiscal_year) == (dated.as_of, dated.fiscal_year) == (dt.date(2025, 6, 30), 2568)
    assert (tmp_path / "a" / "o12.csv").read_bytes() == (tmp_path / "b" / "o12.csv").read_bytes()
    assert procdata.status(["samples/o12-2568.csv"], config=CONFIG, as_of="2568-01-31").as_of == dt.date(2025, 1, 31)
