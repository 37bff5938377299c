"""Frictionless stays the authority on the schema: it and procdata flag the same cells."""

from __future__ import annotations

from pathlib import Path

import frictionless
import pytest

from conftest import REPO
from procdata.check import catalog, validate
from test_validate import fixtures

SCHEMA = "schemas/procurement.schema.json"


@pytest.mark.parametrize("path", sorted((REPO / "schemas").glob("*.json")), ids=lambda p: p.name)
def test_schemas_are_valid_table_schemas(path: Path) -> None:
    report = frictionless.Schema.validate_descriptor(str(path))
    assert report.valid, report.flatten(["type", "note"])
    assert frictionless.Schema.from_descriptor(str(path)).fields


def _frictionless_cells(path: str) -> set[tuple[int, str]]:
    report = frictionless.validate(path, schema=SCHEMA)
    return {(error.row_number, error.field_name) for task in report.tasks for error in task.errors}


def _procdata_cells(path: str) -> set[tuple[int | None, str]]:
    return {(p.row, p.field) for p in validate([path]).problems if catalog.check(p.code).schema}


def test_frictionless_and_procdata_flag_the_same_cells(repo_cwd: Path) -> None:
    path = "tests/fixtures/validate/inputs/canonical-schema-errors.csv"  # relative: frictionless's path-safety rule
    theirs = _frictionless_cells(path)
    assert theirs == set(fixtures.CANONICAL_INJECTED)
    assert _procdata_cells(path) == theirs


def test_a_clean_canonical_file_passes_both(repo_cwd: Path) -> None:
    path = "samples/canonical-sample.csv"
    assert _frictionless_cells(path) == set()
    assert _procdata_cells(path) == set()
