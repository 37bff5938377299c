"""The canonical table's CSV written column-wise by Arrow equals pandas' writer, byte for byte."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procdata import csvtext
from procdata.csvtext import canonical_csv, canonical_csv_pieces, plain_canonical_csv
from procdata.output import TableWriter

TEXT = pd.StringDtype("pyarrow")

# Amounts where "%.2f" is easy to get wrong: exact halves (0.125), near-halves in binary (1.005, 2.675),
# negative zero and values that round to it, the edges of the fast path, and what is not finite.
AMOUNTS = [
    0.0, -0.0, 0.125, 0.375, -0.125, 1.005, 2.675, 1.115, -0.001, -0.004999, -0.005, 0.005, 0.015, 0.045,
    123456789.125, 99_999_999_999.995, 1e11, -1e11, 1e11 - 0.005, 1e15, 1e17, 123456789012345678.0,
    5e-324, 1e-9, 500_000.0, 499_999.99, math.inf, -math.inf, math.nan, 1.0 / 3, 2.0 / 3, 0.994999, 0.995,
]

texts = st.lists(st.sampled_from([*'ab ,"\n\r\t\x00\u0e01\u0e30\u0e33\u00a0\u2028;\'=', "กข", "ค่า"]), max_size=6).map("".join)


def frame_of(amounts: list[float], counts: list[int | None], flags: list[bool | None], words: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({
        "budget_amount": pd.Series(amounts, dtype="float64"),
        "bidder_count": pd.array(counts, dtype="Int64"),
        "is_investment": pd.array(flags, dtype="boolean"),
        "item_name": pd.array(words, dtype=TEXT),
        "method": pd.array([w if w is None else w[::-1] for w in words], dtype=TEXT),
    })


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(0, 12))
    amount = st.one_of(st.sampled_from(AMOUNTS), st.floats(allow_nan=True, allow_infinity=True),
                       st.integers(-10**13, 10**13).map(lambda cents: cents / 100),
                       st.integers(-10**6, 10**6).map(lambda n: n / 8))
    return frame_of(
        draw(st.lists(amount, min_size=size, max_size=size)),
        draw(st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), min_size=size, max_size=size)),
        draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=size, max_size=size)),
        draw(st.lists(st.one_of(st.none(), texts), min_size=size, max_size=size)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(), st.booleans(), st.booleans(), st.integers(1, 5))
def test_arrow_csv_equals_pandas(frame: pd.DataFrame, header: bool, bom: bool, rows: int) -> None:
    expected = plain_canonical_csv(frame, bom=bom, header=header)
    assert canonical_csv(frame, bom=bom, header=header) == expected
    with pytest.MonkeyPatch.context() as patch:  # written a few rows at a time
        patch.setattr(csvtext, "CSV_ROWS", rows)
        assert canonical_csv(frame, bom=bom, header=header) == expected


def test_every_tricky_amount() -> None:
    frame = frame_of(AMOUNTS, [None] * len(AMOUNTS), [None] * len(AMOUNTS), ["x"] * len(AMOUNTS))
    written = canonical_csv(frame).decode().splitlines()[1:]
    assert [line.split(",")[0] for line in written] == ["" if a != a else f"{a:.2f}" for a in AMOUNTS]
    assert written[AMOUNTS.index(0.125)].startswith("0.12,")  # an exact half rounds to even
    assert written[AMOUNTS.index(-0.001)].startswith("-0.00,")
    assert canonical_csv(frame) == plain_canonical_csv(frame)


def test_many_amounts_against_python() -> None:
    rng = np.random.default_rng(2568)
    values = np.concatenate([
        rng.integers(-10**12, 10**12, 20_000) / 100,  # whole cents
        rng.integers(-10**7, 10**7, 20_000) / 1000,  # a third decimal: halves and near-halves
        rng.uniform(-1e12, 1e12, 20_000),
    ])
    frame = pd.DataFrame({"agreed_price": values})
    assert canonical_csv(frame) == plain_canonical_csv(frame)


def test_quoting_and_chunked_columns() -> None:
    first = frame_of([1.0, 2.5], [1, None], [True, None], ['ซื้อ "A", B', "line\nbreak"])
    second = frame_of([3.0], [2], [False], ["carriage\rreturn"])
    frame = pd.concat([first, second], ignore_index=True)  # text columns of two Arrow chunks
    assert canonical_csv(frame) == plain_canonical_csv(frame)
    assert b'"\xe0\xb8\x8b\xe0\xb8\xb7\xe0\xb9\x89\xe0\xb8\xad ""A"", B"' in canonical_csv(frame)


def test_other_kinds_go_to_pandas() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", None]}).astype({"b": object})
    assert canonical_csv_pieces(frame) is None
    assert canonical_csv(frame) == plain_canonical_csv(frame)


def test_table_writer_parts(tmp_path) -> None:
    parts = [frame_of([1.0, 2.0], [1, 2], [True, False], ["a", "b,c"]), frame_of([3.0], [None], [None], [None])]
    path = tmp_path / "table.csv"
    writer = TableWriter(path)
    for part in parts:
        writer.write(part)
    writer.commit()
    whole = pd.concat(parts, ignore_index=True)
    assert path.read_bytes() == plain_canonical_csv(whole)
