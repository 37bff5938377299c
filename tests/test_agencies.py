"""``validate --by-agency``: one row per agency, the view of a provincial office.

Until the canonical record names its agency (national e-GP data), an agency is
the file its records came from; records naming their agency are grouped by it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from procdata.check import validate
from procdata.check.agencies import agencies_of, as_csv
from procdata.cli import app
from test_validate import write


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three agencies: one clean, one with an error this year, one with a warning and last year's records."""
    root = tmp_path / "province"
    root.mkdir()
    # Each agency its own contracts: records of one contract and winner are one project (merged across files).
    write(root / "a-clean.csv", {"contract_no": "1/a"}, {"contract_no": "2/a", "budget_category": "งบลงทุน", "is_investment": "true"})
    write(root / "b-errors.csv", {"contract_no": "1/b", "budget_amount": "-9000"}, {"contract_no": "2/b"})
    write(root / "c-warned.csv", {"contract_no": "1/c", "reference_price": "9500.00"},
          {"contract_no": "2/c", "fiscal_year": "2567", "report_month": "2024-01", "contract_date": "2024-01-10",
           "contract_end_date": "2024-02-10"})
    (root / "d-broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    return root


def test_one_row_per_agency_with_its_counts_and_readiness(folder: Path) -> None:
    report = validate([folder], by_agency=True)
    rows = {Path(row["agency"]).name: row for row in report.by_agency or []}
    assert sorted(rows) == ["a-clean.csv", "b-errors.csv", "c-warned.csv", "d-broken.xlsx"]
    clean, errors, warned, broken = (rows[name] for name in sorted(rows))
    assert (clean["files"], clean["records"], clean["errors"], clean["warnings"], clean["investment_items"]) == (1, 2, 0, 0, 1)
    assert clean["o12_ready"] and not clean["o13_ready"]  # nothing of 2567
    assert (errors["errors"], errors["o12_ready"]) == (1, False)
    assert (warned["warnings"], warned["o12_ready"], warned["o13_ready"]) == (1, True, True)
    assert (broken["files"], broken["records"], broken["errors"], broken["o12_ready"]) == (1, 0, 1, False)
    assert {row["fiscal_year"] for row in rows.values()} == {2568}
    # The rows add up to the report.
    assert sum(r["records"] for r in rows.values()) == report.summary["records"]
    assert sum(r["errors"] for r in rows.values()) == report.summary["errors"] + report.summary["files_unreadable"]
    assert sum(r["warnings"] for r in rows.values()) == report.summary["warnings"]


def test_in_parallel_the_table_is_the_same(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procdata.read import run

    for number in range(10):
        write(folder / f"e-{number}.csv", {"project_id": "67019123456", "seq": str(number + 1)}, {})  # alike, not copies
    monkeypatch.setattr(run, "GROUP_FILES", 2)
    alone = validate([folder], by_agency=True, workers=1)
    together = validate([folder], by_agency=True, workers=2)
    assert together.by_agency == alone.by_agency
    duplicated = [r for r in alone.by_agency or [] if Path(r["agency"]).name.startswith("e-")]
    assert all(r["errors"] == 1 for r in duplicated)  # the project number in every file: one error in each


def test_records_that_name_their_agency_are_grouped_by_it() -> None:
    records = pd.DataFrame({
        "source_file": pd.array(["national.csv"] * 3, dtype="string[pyarrow]"),
        "agency_name": pd.array(["อบต.หนองบัว", "", "อบต.หนองบัว"], dtype="string[pyarrow]"),
        "agency_unit": pd.array(["กองช่าง", None, ""], dtype="string[pyarrow]"),
    })
    assert agencies_of(records).to_pylist() == ["อบต.หนองบัว / กองช่าง", "national.csv", "อบต.หนองบัว"]


def test_the_cli_writes_the_table_as_csv_or_json(folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    table = tmp_path / "agencies.csv"
    result = runner.invoke(app, ["validate", str(folder), "--by-agency", str(table), "--lang", "en"])
    assert result.exit_code == 2  # one file cannot be read
    assert "wrote the per-agency table (4 agencies)" in result.stderr
    text = table.read_text(encoding="utf-8")
    assert text.startswith("\ufeffagency,files,records,errors,warnings,investment_items,fiscal_year,o12_ready,o13_ready\n")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [Path(r["agency"]).name for r in rows] == ["a-clean.csv", "b-errors.csv", "c-warned.csv", "d-broken.xlsx"]
    assert rows[0]["o12_ready"] == "true" and rows[1]["o12_ready"] == "false"
    as_json = tmp_path / "agencies.json"
    assert runner.invoke(app, ["validate", str(folder), "--by-agency", str(as_json)]).exit_code == 2
    assert json.loads(as_json.read_text(encoding="utf-8")) == validate([folder], by_agency=True).by_agency
    assert as_csv(validate([folder], by_agency=True).by_agency or []) == text
    bad = runner.invoke(app, ["validate", str(folder), "--by-agency", str(tmp_path / "agencies.txt"), "--lang", "en"])
    assert bad.exit_code == 2 and f"--by-agency {tmp_path / 'agencies.txt'}: give the per-agency table's file name" in bad.stderr
    # The option's value forgotten, the next option taken for it: the message names both.
    forgot = runner.invoke(app, ["validate", str(folder), "--by-agency", "--out", "x.csv", "--lang", "en"])
    assert forgot.exit_code == 2 and "--by-agency --out: give the per-agency table's file name" in forgot.stderr


def test_the_progress_bar_shows_only_on_a_terminal_and_after_a_second(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import rich.console

    from procdata.cli import common

    shown = io.StringIO()

    class Terminal(rich.console.Console):
        def __init__(self, **kwargs: object) -> None:
            super().__init__(file=shown, force_terminal=True, width=100)

    monkeypatch.setattr(rich.console, "Console", Terminal)
    path = write(tmp_path / "a.csv", {})
    monkeypatch.setattr(common, "PROGRESS_AFTER", 60.0)
    with common.file_progress([path], "reading") as step:
        step(str(path))
    assert shown.getvalue() == ""  # a quick run: no bar
    monkeypatch.setattr(common, "PROGRESS_AFTER", 0.01)
    with common.file_progress([path], "reading") as step:
        step(str(path))
        step.rows(str(path), 1_200_000)
        deadline = time.monotonic() + 10  # the bar's timer is a thread: a loaded machine may start it late
        while "1,200,000" not in shown.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "reading a.csv · 1,200,000" in shown.getvalue()


def test_a_file_holding_no_record_has_a_row_and_a_copy_counts_for_its_original(folder: Path) -> None:
    """A file read but holding no record (a header, no row) had no row: the table's files fell one short
    of the report's. It has one now, with no record and not ready. A copy of a file (read once) has no
    row of its own: its warning counts for the original's agency."""
    header = (folder / "a-clean.csv").read_text(encoding="utf-8").splitlines()[0]
    (folder / "e-header-only.csv").write_text(header + "\n", encoding="utf-8")
    (folder / "f-copy.csv").write_bytes((folder / "a-clean.csv").read_bytes())
    report = validate([folder], by_agency=True)
    rows = {Path(row["agency"]).name: row for row in report.by_agency or []}
    assert sorted(rows) == ["a-clean.csv", "b-errors.csv", "c-warned.csv", "d-broken.xlsx", "e-header-only.csv"]
    empty = rows["e-header-only.csv"]
    assert (empty["files"], empty["records"], empty["errors"], empty["warnings"], empty["o12_ready"]) == (1, 0, 0, 0, False)
    assert rows["a-clean.csv"]["warnings"] == 1  # the copy's duplicate_file
    assert sum(r["files"] for r in rows.values()) == report.summary["files"] - 1  # all but the copy
    assert sum(r["warnings"] for r in rows.values()) == report.summary["warnings"]
