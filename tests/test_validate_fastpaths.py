"""The column-wise fast paths that make validate fast give exactly what the cell parsers give.

normalize/columns.py keeps values already in final form and sends the rest
through the cell parsers; to_canonical normalizes big tables in parts on two
threads. Neither may change a single value or issue.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdata.normalize import columns, table
from procdata.normalize.cells import parse_contract
from procdata.normalize.numbers import digits_only
from procdata.normalize.text import one_line
from procdata.read.ingest import ingest
from test_validate import write

STRING = "string[pyarrow]"
# Thai letters, vowels, tone marks (in any order), digits, spaces and the characters clean() acts on.
THAI_TEXT = st.lists(
    st.sampled_from(
        [*"กขคงจนมยรลวสหอะาำิีุูเแโใไ่้๊๋็์ฺ๑๒๓ 0123456789abc-/.(),\"'",
         "\n", "\t", "\u00a0", "\u200b", "\u3000", "  ", "\u0e4d\u0e32", "\r\n", "é", "e\u0301"],
    ),
    max_size=30,
).map("".join)


def series(values: list[str]) -> pd.Series:
    return pd.Series(values, dtype=STRING)


@settings(max_examples=300, deadline=None)
@given(st.lists(THAI_TEXT, min_size=1, max_size=20))
def test_one_line_series_is_one_line_of_each_value(values: list[str]) -> None:
    assert columns.one_line_series(series(values)).tolist() == [one_line(v) for v in values]


# Every character str.strip() removes, in any script.
WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


@pytest.mark.parametrize("space", WHITESPACE, ids=[f"U+{ord(c):04X}" for c in WHITESPACE])
@pytest.mark.parametrize("text", ["", "ถนน", "ค่า", "abc", "ร้าน ก\u0e48", "é", "😀"])
def test_strip_series_strips_every_whitespace_character(space: str, text: str) -> None:
    for value in (f"{space}{text}", f"{text}{space}", f"{text}{space}{space}"):
        values = ["หมู่ที่ 1", value, "ไม้"]  # one suspect value among plain ones
        assert columns.strip_series(series(values)).tolist() == [v.strip() for v in values]


@settings(max_examples=300, deadline=None)
@given(st.lists(THAI_TEXT, min_size=1, max_size=20))
def test_strip_series_is_str_strip(values: list[str]) -> None:
    assert columns.strip_series(series(values)).tolist() == [v.strip() for v in values]
    assert list(columns.non_blank(series(values))) == [bool(v.strip()) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789๐๑ -.", max_size=15), min_size=1, max_size=20))
def test_digits_only_series_is_digits_only_of_each_value(values: list[str]) -> None:
    assert columns.digits_only_series(series(values)).tolist() == [digits_only(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789/.-AJNnoODdatelว ", min_size=1, max_size=12), min_size=1, max_size=20))
def test_plain_contract_numbers_are_what_parse_contract_returns(values: list[str]) -> None:
    plain = columns.plain_contract_numbers(series(values))
    for value, kept in zip(values, plain, strict=True):
        if kept:
            assert parse_contract(value).number == value


PRICES = st.one_of(
    st.none(), st.integers(-10**9, 10**15), st.floats(allow_nan=False, allow_infinity=False, min_value=-1e13, max_value=1e13),
    st.decimals(min_value=0, max_value=10**9, places=2).map(float),
)
BIDS = st.lists(st.fixed_dictionaries({"name": st.text(max_size=12), "price": PRICES}), max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(BIDS, min_size=1, max_size=10))
def test_canonical_bidders_are_kept_only_when_writing_them_again_changes_nothing(lists: list[list[dict]]) -> None:
    texts = [json.dumps(bids, ensure_ascii=False, separators=(", ", ": ")) for bids in lists]
    texts += [json.dumps(bids, ensure_ascii=False) for bids in lists]  # other spacing
    ready = columns.canonical_bidders(series(texts))
    for text, kept in zip(texts, ready, strict=True):
        if kept:
            assert table._dump(json.loads(text)) == text
    counts = columns.count_bidders(series(texts))
    for text, kept, count in zip(texts, ready, counts, strict=True):
        if kept:
            assert count == len(json.loads(text))


def test_most_canonical_bidders_take_the_fast_path() -> None:
    text = '[{"name": "หจก.สมบูรณ์ก่อสร้าง", "price": 8198.0}, {"name": "ร้าน ก", "price": 8500.5}]'
    assert list(columns.canonical_bidders(series([text, "[]", '[{"name": "a", "price": null}]']))) == [True, True, True]
    assert list(columns.canonical_bidders(series(['[{"name":"a","price":1.0}]', '[{"name": "a", "price": 1.50}]']))) == [False, False]


def test_big_tables_in_parts_give_what_one_pass_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changes = []
    for n in range(60):
        changes += [
            {}, {"budget_amount": f"{n},000.-"}, {"budget_amount": "เก้าพัน"}, {"method": "walk_in"},
            {"contract_date": f"{n % 28 + 1}/01/2568"}, {"contract_date": "2025-02-30"}, {"seq": "๑"},
            {"item_name": f"  จ้าง\nซ่อม  {n}"}, {"winner_tax_id": "403555008711"}, {"status": "finished"},
            {"bidders": '[{"name":"x","price":1}]'}, {"bidders": "[oops"}, {"bidder_count": "สอง"},
        ]
    path = write(tmp_path / "big.csv", *changes)
    whole = ingest([path])
    for parts in (2, 3, 7):
        monkeypatch.setattr(table, "PARALLEL_ROWS", 10)
        monkeypatch.setattr(table, "THREADS", parts)
        split = ingest([path])
        pd.testing.assert_frame_equal(split.records, whole.records)
        assert split.issues == whole.issues
    assert len(whole.issues) > 300
