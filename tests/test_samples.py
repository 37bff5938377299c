"""Golden tests: every bundled sample ingests to the committed canonical CSV.

Regenerate the goldens after an intended change with:
    PROCDATA_REGENERATE=1 python -m pytest tests/test_samples.py
and review the diff before committing.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from conftest import FIXTURES, SAMPLES
from procdata.csvtext import canonical_csv
from procdata.read.ingest import ingest

GOLDEN = FIXTURES / "golden"
INPUTS = [
    "samples/sorkorror1-2568-q1.xlsx",
    "samples/egp-export-2568.xls",
    "samples/o12-2568.csv",
    "samples/o12-2567.xlsx",
    "samples/canonical-sample.csv",
    "tests/fixtures/egp-export-tis620.xls",
    "tests/fixtures/o12-2568-utf8bom.csv",
    "tests/fixtures/formats/classic.xls",
    "tests/fixtures/formats/classic.ods",
]


def assert_golden(actual: str, golden: Path) -> None:
    if os.environ.get("PROCDATA_REGENERATE"):
        golden.write_text(actual, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), str(golden), "actual"))
        pytest.fail(f"output differs from {golden.name}:\n{diff}")


@pytest.mark.parametrize("name", INPUTS)
def test_sample_matches_golden(name: str, repo_cwd: Path) -> None:
    result = ingest([name])
    assert not result.failures
    assert_golden(canonical_csv(result.records).decode("utf-8"), GOLDEN / (Path(name).name + ".csv"))


def test_counts_match_the_samples_readme(repo_cwd: Path) -> None:
    expected = json.loads((SAMPLES / "expected-counts.json").read_text(encoding="utf-8"))
    for key, count in expected.items():
        name, _, sheet = key.partition("!")
        path = name if "/" in name else f"samples/{name}"
        frame = ingest([path]).records
        if sheet:
            frame = frame[frame["source_sheet"] == sheet]
        assert len(frame) == count, key


def test_every_sample_item_appears_once(repo_cwd: Path) -> None:
    frame = ingest(["samples/sorkorror1-2568-q1.xlsx"]).records
    assert not frame.duplicated(["source_sheet", "source_row"]).any()
    assert frame["item_name"].notna().all() and frame["budget_amount"].notna().all()
    assert frame["method"].notna().all()
    assert frame["report_month"].tolist() == ["2024-10"] * 5 + ["2024-11"] * 6 + ["2024-12"] * 7
    assert set(frame["fiscal_year"]) == {2568}


def test_the_same_input_gives_the_same_bytes(repo_cwd: Path) -> None:
    first = canonical_csv(ingest(["samples/"]).records)
    second = canonical_csv(ingest(["samples/"]).records)
    assert first == second
