"""The fast paths added for scale give exactly what the plain code they stand beside gives.

Header matching by four-character pieces against trying each synonym;
the layout of a file alike to another (``layout.find_layout_like``) against
``find_layout``; cell texts of a workbook against ``_cell_text`` of each cell;
and a CSV grid built from Arrow columns against ``Table.to_pandas``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
