"""Cells turned to Arrow text columns (``read/columns.py``): the column-wise form equals the cell-by-cell
form on any grid of the values calamine gives, and takes the column-wise way for numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from procdata.read import columns as columns_module
from procdata.read.columns import plain_text_columns, text_columns

VALUES = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["", "วงเงิน", "ก\u0e33", " "]),
    st.floats(),
    st.floats(min_value=-1e16, max_value=1e16).map(round),
    st.sampled_from([0.0, -0.0, 1e15, -1e15, 1e15 - 1, 999999999999999.9, 1e-05, 1e16, 0.1, 13126.77, float("nan")]),
    st.integers(-10**18, 10**18),
    st.booleans(),
    st.none(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.dates(),
    st.times(),
    st.timedeltas(),
)


def same(rows: list[list[Any]]) -> None:
    fast, plain = text_columns(rows), plain_text_columns(rows)
    if plain is None:
        assert fast is None
        return
    assert fast is not None and len(fast) == len(plain)
    for a, b in zip(fast, plain, strict=True):
        assert a.type == b.type and a.to_pylist() == b.to_pylist()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(VALUES, max_size=5), max_size=12))
@example([["วงเงิน", "ชื่อ"], [5000.0, "ก"], [12.5, ""], [float("nan"), "ข"], [-0.0, "ค"]])
@example([[1e15], [-1e15], [1e15 - 1], [float("inf")], [float("-inf")]])
def test_the_column_wise_texts_equal_the_cell_by_cell_texts(rows: list[list[Any]]) -> None:
    same(rows)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(), st.text(max_size=4)), min_size=1, max_size=40))
def test_a_column_of_numbers_and_text_equals_the_cell_by_cell_texts(column: list[Any]) -> None:
    same([[value] for value in column])


def test_a_lone_surrogate_is_refused_alike() -> None:
    for rows in ([["a\ud800"], ["b"]], [["a\ud800"], [1.5]]):
        with pytest.raises(UnicodeEncodeError):
            plain_text_columns(rows)
        with pytest.raises(UnicodeEncodeError):
            text_columns(rows)


def test_the_columns_are_made_without_pyarrows_converter(monkeypatch: pytest.MonkeyPatch) -> None:
    """pa.array imports pandas on its first call: the reader process, which reads no frame, never calls it."""
    import pyarrow as pa

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("pa.array was called")

    monkeypatch.setattr(pa, "array", refused)
    columns = text_columns([["วงเงิน", "ชื่อ", "วันที่"], [5000.0, "ก", dt.date(2025, 1, 15)], [12.5, "", True]])
    assert columns is not None and [c.to_pylist() for c in columns] == [["วงเงิน", "5000", "12.5"], ["ชื่อ", "ก", ""], ["วันที่", "2025-01-15", "TRUE"]]


def test_a_column_of_numbers_takes_the_column_wise_way(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[int] = []
    original = columns_module._numbers

    def spy(column: list[Any]) -> Any:
        used.append(len(column))
        return original(column)

    monkeypatch.setattr(columns_module, "_numbers", spy)
    rows = [["วงเงิน", "ชื่อ"]] + [[n * 1.25, f"รายการ {n}"] for n in range(100)]
    same(rows)
    assert used == [101]  # the number column, not the text column
