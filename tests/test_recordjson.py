"""The canonical table's JSON written column-wise, a slice of records at a time, equals
``json.dumps`` of its records byte for byte, and streams through ``TableWriter``."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procdata import recordjson
from procdata.output import TableWriter
from procdata.recordjson import canonical_json, json_pieces, plain_canonical_json

TEXT = pd.StringDtype("pyarrow")
FLOATS = [0.0, -0.0, 1.0, -1.5, 0.1, 1e15, 1e16, 9999999999999998.0, 1e16 + 2, 1e-7, 5e-324, 123456.78,
          math.inf, -math.inf, math.nan, 2.0**63, -(2.0**63)]

texts = st.lists(st.sampled_from([*'ab "\\/\n\r\t\x00\x1f\x7f\u0e01\u0e33\u2028\u00a0{}[],:', "กข", "ค่า"]), max_size=6).map("".join)
bidder = st.one_of(
    st.fixed_dictionaries({"name": texts, "price": st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))}),
    st.dictionaries(texts, st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts), max_size=3),
)
# Bidders as procdata writes them (model.CANONICAL_BIDDERS), laid out column-wise: names holding what
# the layout replaces, but no quote mark, backslash or control character.
own_name = st.lists(st.sampled_from([*'ab /\u0e01\u0e33\u2028\u00a0{}[],:', ", ", "}, {", "}]", "[{", ": "]), max_size=5).map("".join)
own_bidder = st.fixed_dictionaries({"name": own_name, "price": st.one_of(
    st.none(), st.integers(-(10**13), 10**13).map(lambda n: n / 100), st.integers(-(10**14), 10**14),
)})
bidders = st.one_of(
    st.none(), texts,  # not JSON: kept as text
    st.lists(own_bidder, max_size=3).map(lambda items: json.dumps(items, ensure_ascii=False)),
    st.lists(bidder, max_size=3).map(lambda items: json.dumps(items, ensure_ascii=False)),
    st.lists(bidder, max_size=3).map(json.dumps),  # non-ASCII escaped, as other programs write it
    st.just("[]"), st.just('{"a": [1, {"b": []}]}'), st.just(""),
)


def frame_of(amounts: list[float], counts: list[int | None], flags: list[bool | None], words: list[str | None],
             bids: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({
        "fiscal_year": pd.array(counts, dtype="Int64"),
        "item_name": pd.array(words, dtype=TEXT),
        "budget_amount": pd.Series(amounts, dtype="float64"),
        "is_investment": pd.array(flags, dtype="boolean"),
        "bidders": pd.array(bids, dtype=TEXT),
    })


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(0, 10))

    def column(values: st.SearchStrategy) -> list:
        return draw(st.lists(values, min_size=size, max_size=size))

    return frame_of(
        column(st.one_of(st.sampled_from(FLOATS), st.floats(), st.integers(-10**9, 10**9).map(lambda n: n / 100))),
        column(st.one_of(st.none(), st.integers(-(2**62), 2**62))),
        column(st.one_of(st.none(), st.booleans())),
        column(st.one_of(st.none(), texts)),
        column(bidders),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(), st.integers(1, 4))
def test_column_wise_json_equals_json_dumps(frame: pd.DataFrame, rows: int) -> None:
    expected = plain_canonical_json(frame)
    assert canonical_json(frame) == expected
    with pytest.MonkeyPatch.context() as patch:  # a few records at a time
        patch.setattr(recordjson, "JSON_ROWS", rows)
        assert canonical_json(frame) == expected


def test_every_tricky_number_and_text() -> None:
    size = len(FLOATS)
    words = ['say "hi"', "back\\slash", "tab\there", "\x00", "ไทย", None, "", "\u2028", "/", "\x7f", "{}", "a\nb", "x", "y", "z", "q", "r"]
    frame = frame_of(FLOATS, [None] * size, [True, False, None] * 5 + [True, True], words, ['[{"name": "ก", "price": 1.5}]'] * size)
    assert canonical_json(frame) == plain_canonical_json(frame)
    records = json.loads(canonical_json(frame))
    assert records[0]["bidders"] == [{"name": "ก", "price": 1.5}] and records[0]["item_name"] == 'say "hi"'


def test_text_columns_of_several_arrow_chunks() -> None:
    first = frame_of([1.0], [1], [True], ['a "b"'], ['[{"name": "ก"}]'])
    second = frame_of([2.0, 3.5], [None, 2], [None, False], ["c", None], [None, "[]"])
    frame = pd.concat([first, second], ignore_index=True)  # text columns of two Arrow chunks
    assert canonical_json(frame) == plain_canonical_json(frame)


def test_other_kinds_go_to_json_dumps() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", None]}).astype({"b": object})
    assert json_pieces(frame) is None
    assert canonical_json(frame) == plain_canonical_json(frame)
    assert canonical_json(frame.iloc[:0]) == plain_canonical_json(frame.iloc[:0]) == b"[]\n"


@pytest.mark.parametrize("sizes", [[2, 1], [0, 3, 0, 2], [0], []])
def test_table_writer_streams_one_array(tmp_path, sizes: list[int]) -> None:
    whole = frame_of([1.0, 2.5, -0.0, 4.0, 5.0], [1, None, 3, 4, 5], [True, None, False, True, True],
                     ["a", 'b"c', None, "d", "e"], ["[]", None, '[{"name": "x"}]', "not json", ""])
    parts, start = [], 0
    for size in sizes:
        parts.append(whole.iloc[start : start + size].reset_index(drop=True))
        start += size
    path = tmp_path / "table.json"
    writer = TableWriter(path)
    for part in parts:
        writer.write(part)
    writer.commit()
    assert path.read_bytes() == plain_canonical_json(whole.iloc[:start].reset_index(drop=True))
