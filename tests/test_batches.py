"""Many files read as one: small tables normalized together give what each gives alone.

``normalize.table.to_canonical_many`` puts tables with the same columns end to
end and normalizes them in one pass (a thousand agency files would otherwise
each pay the fixed cost of a pass); this compares every record, issue, sheet
and skipped row with reading the files one at a time.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import FIXTURES, SAMPLES
from procdata.model import IngestResult
from procdata.normalize import table as normalize_table
from procdata.read import ingest as ingest_module
from procdata.read.ingest import ingest
from test_validate import write

FILES = [
    *sorted(p for p in SAMPLES.iterdir() if p.suffix in (".csv", ".xlsx", ".xls")),
    *sorted((FIXTURES / "validate" / "inputs").iterdir()),
    FIXTURES / "o12-2568-utf8bom.csv",
    FIXTURES / "egp-export-tis620.xls",
    FIXTURES / "formats" / "classic.ods",
]


def one_at_a_time(paths: list[Path]) -> IngestResult:
    """Each file ingested on its own, the results put end to end."""
    parts = [ingest([path]) for path in paths]
    whole = IngestResult(records=pd.concat([p.records for p in parts], ignore_index=True))
    for part in parts:
        whole.files += part.files
        whole.sheets += part.sheets
        whole.skipped_rows += part.skipped_rows
        whole.issues.extend(part.issues)
        whole.failures += part.failures
    return whole


def agency_files(folder: Path, count: int) -> list[Path]:
    """Small canonical files with problems in each: unreadable amounts, unknown words, short IDs."""
    changes = [
        {"budget_amount": "เก้าพัน"}, {"method": "walk_in"}, {"winner_tax_id": "403555008711"},
        {"contract_date": "31/02/2568"}, {"report_month": "เดือนหน้า"}, {},
    ]
    return [write(folder / f"agency-{n:03d}.csv", *changes[n % 3 :], {"project_id": f"670000000{n:02d}"}) for n in range(count)]


def assert_same(together: IngestResult, alone: IngestResult) -> None:
    pd.testing.assert_frame_equal(together.records, alone.records)
    assert together.issues == alone.issues
    assert together.sheets == alone.sheets
    assert together.skipped_rows == alone.skipped_rows
    assert together.failures == alone.failures
    assert together.files == alone.files


def test_every_kind_of_file_read_together_is_read_as_alone(repo_cwd: Path) -> None:
    paths = [p.relative_to(repo_cwd) for p in FILES]
    assert_same(ingest(paths), one_at_a_time(paths))


def test_many_agency_files_read_together_are_read_as_alone(tmp_path: Path) -> None:
    paths = agency_files(tmp_path, 30)
    together = ingest(paths)
    assert len(together.issues) > 30
    assert_same(together, one_at_a_time(paths))


def test_alike_tables_are_normalized_in_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken: thirty files with the same header, one normalization."""
    paths = agency_files(tmp_path, 30)
    calls: list[int] = []
    original = normalize_table.to_canonical

    def counting(raw: pd.DataFrame, *args: object) -> object:
        calls.append(len(raw))
        return original(raw, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(normalize_table, "to_canonical", counting)
    ingest(paths)
    assert len(calls) == 1 and calls[0] == sum(len(ingest_module.ingest([p]).records) for p in paths)


def test_alike_files_are_read_as_one_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken: the files are sorted into records under one header, once."""
    from procdata.read import batch

    paths = agency_files(tmp_path, 12)
    taken: list[int] = []
    original = batch.read_together

    def counting(files: list[batch.Alike], year: int | None) -> object:
        got = original(files, year)
        taken.append(len(files) if got is not None else 0)
        return got

    monkeypatch.setattr(batch, "read_together", counting)
    ingest(paths)
    assert taken == [12]


def plain_rows_and(path: Path, *extra: list[str]) -> Path:
    """A canonical file of three records, then the rows ``extra`` as written (a total, a wrapped line)."""
    write(path, {}, {"seq": "2"}, {"seq": "3"})
    with path.open("a", encoding="utf-8") as handle:
        for row in extra:
            handle.write(",".join(row) + "\n")
    return path


@pytest.mark.parametrize("extra", [
    [",,รวม 3 รายการ"],  # a total row: the table ends there
    [",,ต่อจากรายการก่อน"],  # a wrapped line: it belongs to the record above
    [",,งบลงทุน"],  # a heading
    [",,", ",,"],  # blank rows only: still plain
], ids=["total", "wrapped", "heading", "blank"])
def test_files_that_are_not_plain_tables_are_read_one_by_one(tmp_path: Path, extra: list[str]) -> None:
    paths = agency_files(tmp_path, 4)
    paths.insert(2, plain_rows_and(tmp_path / "agency-002b.csv", *extra))
    assert_same(ingest(paths), one_at_a_time(paths))
