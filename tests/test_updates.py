"""The merge's problems found column-wise (check/updates.py, check/update_problems.py) equal those found one by one (check/review.py).

A national table read in chunks, or a thousand files read on several processes,
gives the ``update_conflict`` and ``contract_period_over`` warnings that the
plain merge of all records at once (check/merge.py) gives, at the same cells,
with the same messages, in the same order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdata.check import merge as merge_module
from procdata.check.review import plain_update_problems, review
from procdata.check.validate import Checker
from procdata.model import FIELDS, Column, IngestResult, SheetReport
from procdata.normalize.canonical import empty_records
from test_merge import test_latest_month_wins_and_conflicts_are_named

CODES = {"update_conflict", "contract_period_over"}
PLACES = [("a.csv", ""), ("b.xlsx", "ต.ค."), ("b.xlsx", "พ.ย."), ("c.xlsx", "ธ.ค.")]
LETTERS = {"budget_amount": "D", "agreed_price": "E", "reference_price": "F", "winner_name": "G", "status": "K"}

RECORD = st.fixed_dictionaries({
    "place": st.integers(0, len(PLACES) - 1),
    # and what is no project number ("ไม่มี", a number short of a digit): never a key (check.table.project_keys)
    "project_id": st.sampled_from([None, None, "67000000001", "67000000002", "67000000003", "ไม่มี", "6700000001", "0"]),
    "contract_no": st.sampled_from([None, "1/2568", "2/2568"]),
    "winner_name": st.sampled_from([None, "", "ร้าน ข", "ร้าน  ข", "ร้าน ค", "หจก.ก"]),
    "report_month": st.sampled_from([None, "2024-10", "2024-11", "2024-12"]),
    "budget_amount": st.sampled_from([None, 500000.0, 510000.0, 500000.004]),
    "agreed_price": st.sampled_from([None, 480000.0, 490000.0]),
    "reference_price": st.sampled_from([None, 495000.0, -0.0, 0.0]),
    "status": st.sampled_from([None, "in_contract", "in_contract", "completed"]),
    "contract_date": st.sampled_from([None, "2024-11-05", "2025-02-01"]),
    "contract_end_date": st.sampled_from([None, "2024-10-01", "2025-01-05", "2025-12-01"]),
    "fiscal_year": st.sampled_from([None, 2568, 2568, 2567]),
    "agency_name": st.sampled_from([None, None, "", "อบต.หนองบัว", "อบต. หนองบัว", "เทศบาลตำบลโนนสูง"]),
})


def ingested(rows: list[dict[str, Any]]) -> IngestResult:
    """Canonical records at the given places, each sheet's columns where the letters above say."""
    records = empty_records()
    frame = pd.DataFrame({
        **{name: [row[name] for row in rows] for name in RECORD_FIELDS},
        "source_file": [PLACES[row["place"]][0] for row in rows],
        "source_sheet": [PLACES[row["place"]][1] or None for row in rows],
        "source_row": [position + 3 for position in range(len(rows))],
        "item_name": ["งาน"] * len(rows),
    })
    records = pd.concat([records, frame], ignore_index=True)[list(FIELDS)].astype(empty_records().dtypes.to_dict())
    columns = {name: Column(letter, name) for name, letter in LETTERS.items()}
    sheets = [SheetReport(file, sheet, True, header_rows=[2], columns=columns) for file, sheet in PLACES]
    return IngestResult(records, files=list(dict.fromkeys(file for file, _ in PLACES)), sheets=sheets)


RECORD_FIELDS = [
    "project_id", "contract_no", "winner_name", "report_month", "budget_amount", "agreed_price", "reference_price",
    "status", "contract_date", "contract_end_date", "fiscal_year", "agency_name",
]


def column_wise(result: IngestResult, lang: str, parts: int, workers: bool, as_of: dt.date | None) -> list[dict[str, Any]]:
    """The merge's problems as the checker finds them, the records given part by part (a chunked table),
    or each part to its own checker absorbed into the first (files read by workers)."""
    chunks = [c for c in np.array_split(np.arange(len(result.records)), parts) if len(c)] or [np.arange(0)]
    checkers = [Checker(lang)] if not workers else [Checker(lang) for _ in chunks]
    for number, chunk in enumerate(chunks):
        part = IngestResult(result.records.iloc[chunk].reset_index(drop=True), sheets=result.sheets)
        checkers[number if workers else 0].check(part)
    first = checkers[0]
    for other in checkers[1:]:
        first.absorb(other)
    first.account(IngestResult(result.records.iloc[:0], files=result.files, sheets=result.sheets))
    report = first.report(as_of=as_of)
    return [p.to_dict() for p in report.problems if p.code in CODES]


@settings(max_examples=150, deadline=None)
@given(st.lists(RECORD, max_size=24), st.sampled_from(["th", "en"]), st.integers(1, 3), st.booleans(),
       st.sampled_from([None, dt.date(2025, 1, 31)]))
def test_update_problems_equal_the_plain_merge(
    rows: list[dict[str, Any]], lang: str, parts: int, workers: bool, as_of: dt.date | None,
) -> None:
    result = ingested(rows)
    expected = [p.to_dict() for p in plain_update_problems(result, as_of=as_of, lang=lang)]
    assert column_wise(result, lang, parts, workers, as_of) == expected


def test_the_fixture_months_give_the_plain_problems(tmp_path: Any) -> None:
    from procdata.read.ingest import ingest

    test_latest_month_wins_and_conflicts_are_named(tmp_path)
    result = ingest([tmp_path])
    for lang in ("th", "en"):
        expected = [p.to_dict() for p in plain_update_problems(result, lang=lang)]
        assert [c for c in expected if c["code"] == "update_conflict"]
        got = [p.to_dict() for p in review(result, lang=lang).report.problems if p.code in CODES]
        assert got == expected


def test_the_report_never_merges_records_one_by_one(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken: neither validate nor the review's report calls the plain merge."""
    from procdata.read.ingest import ingest

    test_latest_month_wins_and_conflicts_are_named(tmp_path)
    result = ingest([tmp_path])

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the plain merge was called")

    monkeypatch.setattr(merge_module, "merge_updates", refuse)
    monkeypatch.setattr("procdata.check.review.merge_updates", refuse)
    checked = review(result, lang="en")
    assert any(p.code == "update_conflict" for p in checked.report.problems)
    with pytest.raises(AssertionError, match="plain merge"):
        _ = checked.records  # publish's merged table is the plain merge, made when asked for


def test_a_merged_record_stands_where_its_latest_record_does() -> None:
    """Found by the equality test: the merged record of a CSV's project took the sheet name of an
    earlier month's workbook (the location is the latest record's, never filled from another)."""
    from procdata.check.merge import merge_updates

    base = {name: None for name in RECORD_FIELDS} | {"project_id": "67000000001", "fiscal_year": 2568}
    rows = [base | {"place": 1, "report_month": "2024-10"}, base | {"place": 0, "report_month": "2024-11"}]
    merged = merge_updates(ingested(rows).records).records
    assert merged[["source_file", "source_sheet", "source_row"]].astype(object).where(merged.notna(), None).values.tolist() == [["a.csv", None, 4]]


DATES = st.lists(st.one_of(st.none(), st.sampled_from(["2024-11-05", "2025-02-29", "2025-13-01", "", "5/11/2567", "2024-11-05 "]),
                           st.dates().map(dt.date.isoformat)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(DATES)
def test_dates_read_once_per_distinct_value_are_read_one_by_one(values: list[str | None]) -> None:
    """check/updates._days (each distinct date read once) equals _plain_days (every date read)."""
    from procdata.check.updates import _days, _plain_days

    column = pd.Series(values, dtype="string")
    assert _days(column).tolist() == _plain_days(column).tolist()
    assert _days(column).dtype == _plain_days(column).dtype


def test_conflicts_written_from_their_parts_read_as_the_plain_messages(tmp_path: Any) -> None:
    """Where an earlier record stands is kept as its parts (problems.Joined: the place's code and the
    row) and joined only when written: the messages written column-wise are those of str.format."""
    from procdata.check.texts import Joined
    from procdata.read.ingest import ingest

    test_latest_month_wins_and_conflicts_are_named(tmp_path)
    result = ingest([tmp_path])
    for lang in ("th", "en"):
        found = review(result, lang=lang).report.found
        conflicts = [b for b in found.batches if b.code == "update_conflict"]
        assert conflicts and all(isinstance(b.params["other"], Joined) for b in conflicts)
        written = found.columns(np.arange(len(found)))["message"].to_pylist()
        assert written == [p.message for p in found.problems()]
        assert any(" row " in m or " แถว " in m for m in written)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="0123456789", max_size=19), st.sampled_from(["", "0", "00", "007", "7", "1/2568", "๑๒"])), max_size=30))
def test_text_codes_are_equal_exactly_for_equal_texts(texts: list[str]) -> None:
    """check.table.text_codes (digit strings coded by number and length, other columns dictionary-encoded)
    gives two texts the same code exactly when they are the same text: "007" is not "7"."""
    import pyarrow as pa

    from procdata.check.table import both_codes, text_codes

    codes, filled = text_codes(pa.array(texts, type=pa.large_string()))
    assert filled.tolist() == [text != "" for text in texts]
    # Two columns coded at once, on threads (the merge's), are each coded as alone.
    other = pa.array(texts[::-1], type=pa.large_string())
    for (made, has), (alone, alone_has) in zip(both_codes(pa.array(texts, type=pa.large_string()), other),
                                              [(codes, filled), text_codes(other)], strict=True):
        assert made.tolist() == alone.tolist() and has.tolist() == alone_has.tolist()
    assert all(0 <= code < max(len(texts), 1) for code in codes.tolist())
    for a, code_a in zip(texts, codes.tolist(), strict=True):
        for b, code_b in zip(texts, codes.tolist(), strict=True):
            assert (code_a == code_b) == (a == b)
