"""The fast paths added for scale give exactly what the plain code they stand beside gives.

Header matching by four-character pieces against trying each synonym;
the layout of a file alike to another (``layout.find_layout_like``) against
``find_layout``; cell texts of a workbook against ``_cell_text`` of each cell;
and a CSV grid built from Arrow columns against ``Table.to_pandas``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, SAMPLES
from procdata.normalize.text import fold
from procdata.read import delimited, files, layout
from procdata.read.files import read_sheets
from procdata.read.limits import Limits
from procdata.read.workbook import cell_text

ITEM_TEXT = st.lists(
    st.sampled_from([
        *"กขคงจนมยรลวสหอะาำิีุูเแโใไ่้๊๋็์ฺ๑๒๓ 0123456789abcXYZ-/.(),:*_\"'[]", "\n", "\t", "\r\n", "\x0b", "\x1c",
        "\u00a0", "\u200b", "“", "”", "é", "e\u0301", "İ", "ΟΔΟΣ", "\u0e4d\u0e32", "(บาท)", "((", "))", "ำำ", "คสล.",
    ]),
    max_size=25,
).map("".join)


def plain_match(text: str) -> tuple[str, int] | None:
    """match_header as it was: every synonym tried in turn."""
    folded = fold(text)
    if not folded:
        return None
    exact, contained = layout._synonyms()
    if folded in exact:
        return exact[folded], 1000 + len(folded)
    for synonym, key in contained:
        if synonym in folded:
            return key, len(synonym)
    return None


HEADER_WORDS = [w for words in __import__("procdata.resources", fromlist=["data"]).data("headers")["fields"].values() for w in words]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(HEADER_WORDS) | ITEM_TEXT, min_size=1, max_size=3).map(" ".join))
def test_header_matching_by_pieces_is_trying_every_synonym(text: str) -> None:
    assert layout.match_header.__wrapped__(text) == plain_match(text)  # type: ignore[attr-defined]


WORKBOOKS = [*sorted(SAMPLES.glob("*.xlsx")), *sorted((FIXTURES / "validate" / "inputs").glob("*.xlsx")), FIXTURES / "formats" / "classic.ods"]


@pytest.mark.parametrize("path", [*WORKBOOKS, *sorted(SAMPLES.glob("*.csv"))], ids=lambda p: p.name)
def test_the_layout_of_an_alike_file_is_the_layout_found(path: Path) -> None:
    for sheet in read_sheets(path, str(path)):
        found = layout.find_layout(sheet.frame, sheet.merged, 0)
        if found is None:
            continue
        head = layout._rows_texts(sheet.frame, 0, found.data_start)
        assert layout.find_layout_like(sheet.frame, sheet.merged, found, head) == found
        # Another file under the same header: its own rows decide, and are looked at.
        changed = sheet.frame.copy()
        changed.iloc[found.data_start :] = changed.iloc[found.data_start :].astype(object).iloc[::-1].to_numpy()
        like = layout.find_layout_like(changed, sheet.merged, found, head)
        assert like is None or like == layout.find_layout(changed, sheet.merged, 0)


def test_a_row_that_could_outscore_the_header_is_not_taken_as_alike() -> None:
    header = ["ลำดับที่", "งานที่จัดซื้อหรือจัดจ้าง", "วงเงินงบประมาณ", "ราคากลาง", "วิธีซื้อหรือจ้าง", "zzz"]
    frame = pd.DataFrame([header, ["1", "จ้างซ่อมถนน", "5000", "5000", "เฉพาะเจาะจง", ""]], dtype=object)
    found = layout.find_layout(frame, [], 0)
    assert found is not None and found.score < 6
    head = layout._rows_texts(frame, 0, found.data_start)
    assert layout.find_layout_like(frame, [], found, head) == found
    # Six cells with letters under it: such a row might name more fields than the header does.
    wordy = pd.DataFrame([header, ["ลำดับ", "รายการ", "วงเงิน", "ราคากลาง", "วิธีการจัดซื้อ", "ผู้ได้รับการคัดเลือก"]], dtype=object)
    assert layout.find_layout_like(wordy, [], found, head) is None


CELLS = st.one_of(
    st.none(), st.just(""), st.text(max_size=8), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=False, width=64), st.integers(-10**16, 10**16).map(float),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)), st.dates(),
    st.timedeltas(max_value=dt.timedelta(days=30), min_value=dt.timedelta(0)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=6), max_size=8))
def test_workbook_cells_are_their_text(rows: list[list[object]]) -> None:
    width = max((len(r) for r in rows), default=0)
    plain = [[cell_text(v) for v in r] + [""] * (width - len(r)) for r in rows]
    frame = files._frame(rows)  # type: ignore[arg-type]
    assert (frame.to_numpy().tolist() if len(frame) else []) == plain


@pytest.mark.parametrize("path", [SAMPLES / "canonical-sample.csv", FIXTURES / "o12-2568-utf8bom.csv", *sorted((FIXTURES / "validate" / "inputs").glob("*.csv"))], ids=lambda p: p.name)
def test_a_csv_grid_from_arrow_columns_is_to_pandas(path: Path) -> None:
    table = delimited._arrow_csv(path, ",", 1000, newlines_in_values=True)
    expected = table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow")}.get)
    expected.columns = range(expected.shape[1])
    pd.testing.assert_frame_equal(delimited._read_csv_arrow(path, ",", Limits.default()), expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), ITEM_TEXT), max_size=20))
def test_distinct_texts_taken_at_once_are_those_iterated(texts: list[str | None]) -> None:
    """normalize.columns.python_values (Arrow text to Python at once) gives what iterating the distinct values gives."""
    from procdata.normalize.columns import STRING, python_values

    for series in (pd.Series(texts, dtype=STRING), pd.Series(texts, dtype=object)):
        _, uniques = pd.factorize(series)
        assert python_values(uniques) == list(uniques)


def test_contract_words_are_found_in_a_slice_of_a_column() -> None:
    """A chunk after the first is a slice whose text starts past byte 0 of the column's data (pyarrow's
    ascii_lower loses such a column's bytes): "No.5" and "date" are still told apart from plain numbers."""
    from procdata.normalize import shapes

    column = pa.array(["xyz", "No.5", "12/2568", "DATE-1", "NO"], type=pa.string()).slice(1).cast(pa.large_string())
    assert column.buffers()[1].to_pybytes()[:8] != bytes(8)  # the first offset is not 0
    series = pd.Series(pd.arrays.ArrowStringArray(column))
    assert shapes.plain_contracts(series).tolist() == [False, True, False, False]


SHAPED_TEXT = st.lists(
    st.sampled_from([*"0123456789", ".", "-", "/", " ", "a", "Z", "n", "o", "N", "O", "d", "a", "t", "e", "D", "E", ",",
                     "ก", "๑", "\u212a", "ſ", "\x00", "\n", "12345678901234567890", "123456789012", "012345678901", "0123456789012",
                     "2568-1", "declared", "inferred:"]),
    max_size=12,
).map("".join)
DIGITS_AND_DOTS = st.text(alphabet="0123456789.", max_size=14)  # what only the lengths, dots and ends tell apart
SHAPES = {
    "only_digits": "^[0-9]*$",
    "whole_numbers": "^[0-9]{1,18}$",
    "starts_with_letter": "^[A-Za-z]",
    "plain_amounts": r"^-?[0-9]+(\.[0-9]+)?$",
    "lost_leading_zero": "^[1-9][0-9]{11}$",
    "numbered": r"^[0-9๐-๙]+\.?$",
}
# Patterns of the schema's fields, and of digits alone, as fullmatches takes them (whole values).
FULL_PATTERNS = [
    *(spec["constraints"]["pattern"] for spec in __import__("procdata.resources", fromlist=["schema"]).schema("procurement")["fields"]
      if "pattern" in spec.get("constraints", {})),
    "[0-9]{13}", "[0-9]{3}", "[0-9]{0}", "[0-9]*", "[0-9]+", "[0-9]{2,4}",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), SHAPED_TEXT, DIGITS_AND_DOTS), max_size=20), st.integers(0, 3), st.booleans())
def test_values_told_by_their_bytes_are_those_the_pattern_matches(texts: list[str | None], skip: int, large: bool) -> None:
    """normalize.shapes (bytes, lengths, first and last bytes) equals columns.matches with each pattern,
    on Arrow columns of either width, sliced (an offset into the buffers) and chunked."""
    from procdata.normalize import shapes
    from procdata.normalize.columns import _CONTRACT_WORDS, _PLAIN_CONTRACT, matches

    kind = pa.large_string() if large else pa.string()
    whole = pa.array(["x", *texts], type=kind).slice(1)
    parts = pa.chunked_array([whole.slice(0, skip), whole.slice(skip)], type=kind)
    for array in (whole, parts):
        series = pd.Series(pd.arrays.ArrowStringArray(array))
        for name, pattern in SHAPES.items():
            assert getattr(shapes, name)(series).tolist() == matches(series, pattern).tolist(), name
        assert shapes.all_digits(series) == bool(matches(series, "^[0-9]*$").all())
        for width in (0, 3, 13):
            assert shapes.digits_of_width(series, width).tolist() == matches(series, f"^[0-9]{{{width}}}$").tolist(), width
        for pattern in FULL_PATTERNS:
            assert shapes.fullmatches(series, pattern).tolist() == matches(series, f"^(?:{pattern})$").tolist(), pattern
        plain = matches(series, _PLAIN_CONTRACT) & ~matches(series, _CONTRACT_WORDS)
        assert shapes.plain_contracts(series).tolist() == plain.tolist()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), SHAPED_TEXT), min_size=1, max_size=30), st.integers(0, 29))
def test_a_pattern_tried_on_distinct_values_is_the_pattern_tried_on_each(texts: list[str | None], skip: int) -> None:
    """A column that repeats its values (here 100,000 rows of a few) has the schema's patterns tried on
    its distinct values only: each row gets what the pattern says of its own value."""
    from procdata.normalize import shapes
    from procdata.normalize.columns import matches, repeats

    values = (texts * (100_000 // len(texts) + 1))[skip : skip + 100_000]
    column = pa.chunked_array([pa.array(values[:40_000], pa.large_string()), pa.array(values[40_000:], pa.large_string())])
    series = pd.Series(pd.arrays.ArrowStringArray(column))
    assert repeats(series)
    for pattern in FULL_PATTERNS:
        assert (shapes.fullmatches(series, pattern) == matches(series, f"^(?:{pattern})$")).all(), pattern


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.one_of(st.none(), st.text(max_size=4)), max_size=6), min_size=1, max_size=5),
    st.data(),
)
def test_texts_taken_chunk_by_chunk_are_those_arrow_takes(chunks: list[list[str | None]], data: st.DataObject) -> None:
    """check.table.taken (a take per chunk, no copy of the whole column) equals Arrow's take of the
    joined column, for rows in any order, repeated or not, from chunks of any size (empty too)."""
    from procdata.check.table import taken

    column = pa.chunked_array([pa.array(chunk, type=pa.large_string()) for chunk in chunks], type=pa.large_string())
    size = len(column)
    rows = data.draw(st.lists(st.integers(0, size - 1), max_size=12) if size else st.just([]))
    expected = column.combine_chunks().take(pa.array(rows, type=pa.int64()))
    assert taken(column, np.array(rows, dtype=np.int64)).to_pylist() == expected.to_pylist()
    if column.num_chunks:
        assert taken(column.chunk(0), np.array([r for r in rows if r < len(column.chunk(0))], dtype=np.int64)).to_pylist() == [
            column.chunk(0)[r].as_py() for r in rows if r < len(column.chunk(0))
        ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=6), max_size=5), st.integers(0, 3), st.booleans())
def test_empty_told_by_offsets_is_empty_told_by_arrows_lengths(chunks: list[list[str | None]], cut: int, large: bool) -> None:
    """normalize.columns.empty reads each chunk's offsets (slices, missing values, both string types)."""
    from procdata.normalize.columns import empty, plain_empty

    kind = pa.large_string() if large else pa.string()
    column = pa.chunked_array([pa.array(values, kind) for values in chunks], type=kind)
    column = column.slice(min(cut, len(column)))
    series = pd.Series(pd.arrays.ArrowStringArray(column))
    assert empty(series).tolist() == plain_empty(column).tolist()
    for chunk in column.chunks:
        assert empty(pd.Series(pd.arrays.ArrowStringArray(chunk))).tolist() == plain_empty(chunk).tolist()


def test_a_missing_value_over_bytes_is_empty() -> None:
    """A missing value is empty even where its offsets span bytes (Arrow allows it: the result of a take
    or an if_else may leave them so)."""
    from procdata.normalize.columns import empty, plain_empty

    validity = pa.py_buffer(np.packbits([1, 0, 1], bitorder="little").tobytes())
    offsets = pa.py_buffer(np.array([0, 1, 3, 3], dtype=np.int64).tobytes())
    column = pa.Array.from_buffers(pa.large_string(), 3, [validity, offsets, pa.py_buffer(b"abc")], null_count=1)
    assert column.to_pylist() == ["a", None, ""]
    assert empty(pd.Series(pd.arrays.ArrowStringArray(column))).tolist() == plain_empty(column).tolist() == [False, True, True]


GROUPED = st.one_of(
    st.floats(min_value=-1e13, max_value=1e13, allow_nan=False).map(lambda x: f"{x:,.2f}"),
    st.integers(-10**15, 10**15).map(lambda n: f"{n:,}"),
    st.sampled_from(["1,234", "12,34", "1,2345", ",123", "1,234.", "+1,234", "1,234.-", "๑,๒๓๔", " 1,234 ", "1,234 บาท", "-0,000", ""]),
    st.decimals(min_value=0, max_value=10**12, places=3).map(str),
    st.tuples(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False), st.sampled_from(["{:,.2f} บาท", "{:.2f}บาท", "{:,.0f}บาท", "{:.1f} บาท"]))
    .map(lambda pair: pair[1].format(pair[0])),
    st.sampled_from(["บาท", " บาท", "1 บาท ", "1  บาท", "1,234บาท.", "1.บาท", "1 บาท (หนึ่งบาท)", "1,23 บาท", "-5 บาท", "1 THB"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(GROUPED, min_size=1, max_size=30))
def test_amounts_with_thousands_separators_cast_in_arrow_are_what_parse_amount_gives(texts: list[str]) -> None:
    """normalize.builder.amount_series casts "29,800.00" and "29800.00 บาท" without their commas and
    unit in Arrow: the same number as parse_amount gives, and the same cells it cannot read."""
    import math

    from procdata.errors import ParseError
    from procdata.normalize.builder import Builder, Context, amount_series
    from procdata.normalize.numbers import parse_amount

    raw = pd.DataFrame({"budget_amount": pd.array(texts, dtype="string[pyarrow]"), "source_row": range(2, len(texts) + 2)})
    builder = Builder(raw, {}, Context(file="x.csv", sheet="", report_month=None, fiscal_year=None))
    got = amount_series(builder, "budget_amount", "budget_amount")
    expected, failed = [], []
    for at, text in enumerate(texts):
        try:
            value = parse_amount(text.strip())
        except ParseError:
            value, failed = None, [*failed, at]
        expected.append(math.nan if value is None else value)
    assert got is not None
    assert [("nan" if math.isnan(v) else v) for v in got.tolist()] == [("nan" if math.isnan(v) else v) for v in expected]
    assert sorted(int(p) for run in builder.issues.runs for p in run.positions) == failed
