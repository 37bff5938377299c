"""Golden reports for files with many injected problems (tests/fixtures/validate/).

Regenerate the golden files after an intended change with:
    PROCDATA_REGENERATE=1 PYTHONPATH=src python3 -m pytest tests/test_validate_golden.py
then read the diff (git diff tests/fixtures/validate/) before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from procdata.check import validate
from procdata.check.render import report_json, report_text
from procdata.cli import app
from test_validate import fixtures

HERE = FIXTURES / "validate"
INPUT = "tests/fixtures/validate/inputs"  # relative, so that the reports name files as a user would see them
REGENERATE = bool(os.environ.get("PROCDATA_REGENERATE"))


def assert_golden(actual: str, name: str) -> None:
    path = HERE / name
    if REGENERATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with PROCDATA_REGENERATE=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_text_report_matches_the_golden_file(repo_cwd: Path, lang: str) -> None:
    assert_golden(report_text(validate([INPUT], lang=lang), lang), f"report.{lang}.txt")


def test_json_report_matches_the_golden_file(repo_cwd: Path) -> None:
    assert_golden(report_json(validate([INPUT])), "report.th.json")


def test_every_injected_problem_is_found_at_its_row_and_field_and_nothing_else(repo_cwd: Path) -> None:
    report = validate([INPUT])
    found = {(Path(p.file).name, p.row, p.field, p.code) for p in report.problems}
    canonical = "canonical-schema-errors.csv"
    assert {f for f in found if f[0] != canonical} == set(fixtures.INJECTED)
    assert {(row, field) for name, row, field, _ in found if name == canonical} == set(fixtures.CANONICAL_INJECTED)


def test_clean_rows_are_not_reported(repo_cwd: Path) -> None:
    report = validate([INPUT])
    rows = {(Path(p.file).name, p.row) for p in report.problems}
    for clean in fixtures.CLEAN_ROWS:
        assert clean not in rows


def test_severities_follow_the_catalog(repo_cwd: Path) -> None:
    data = json.loads((HERE / "report.th.json").read_text(encoding="utf-8"))
    severities = {p["code"]: p["severity"] for p in data["problems"]}
    assert severities["agreed_above_budget"] == "error" and severities["agreed_above_reference"] == "warning"
    assert severities["duplicate_project"] == "error" and severities["method_above_ceiling"] == "warning"


def test_the_command_exits_1_and_prints_the_golden_report(repo_cwd: Path) -> None:
    result = CliRunner().invoke(app, ["validate", INPUT])
    assert result.exit_code == 1
    assert result.stdout == (HERE / "report.th.txt").read_text(encoding="utf-8")
