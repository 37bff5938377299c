"""The column-wise fast paths that make validate fast give exactly what the cell parsers give.

normalize/columns.py keeps values already in final form and sends the rest
through the cell parsers; to_canonical normalizes big tables in parts on two
threads. Neither may change a single value or issue.
"""

from __future__ import annotations

import itertools
import json
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdata.check import rules
from procdata.check.table import Table
from procdata.model import FIELDS
from procdata.normalize import bidders, columns, table
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


@settings(max_examples=25, deadline=None)
@given(st.lists(THAI_TEXT, min_size=1, max_size=40), st.integers(0, 2**32))
def test_one_line_series_of_a_long_repeating_column_is_one_line_of_each_value(pool: list[str], seed: int) -> None:
    """A column long enough, and repeating enough, to be cleaned once per distinct value (firms, agencies)."""
    values = [pool[at] for at in np.random.default_rng(seed).integers(0, len(pool), 4 * 20_000 + 1)]
    column = series(values)
    assert columns.repeats(column)
    expected = {value: one_line(value) for value in pool}
    assert columns.one_line_series(column).tolist() == [expected[value] for value in values]


@pytest.mark.parametrize("text", [
    "ซื้อน้ำมันเชื้อเพลิงและหล่อลื่น จำนวน 200 ลิตร",  # two ำ, no า, nothing to change: kept as written
    "รำยกำรจัดซื้อวัสดุสำนักงำน",  # garbled: every ำ that stands for า becomes า again
    "รำยกำร  จัดซื้อ",  # garbled, and a double space: the whole of one_line
    " รำยกำร",  # garbled, and a leading space
    "รำยกำร\nจัดซื้อ",  # garbled, over two lines
    "ทำนบน้ำ ค่ำ",  # three ำ, no า: the restored words keep theirs
    "สำนักงำน ตำบล ๑๒",  # Thai digits are kept by one_line
])
def test_one_line_series_of_text_that_may_be_garbled_sara_am_is_one_line(text: str) -> None:
    """Values stopped only as maybe garbled sara am go to fix_sara_am alone (columns._one_lines); any
    other reason to change sends them through the whole of one_line. Both give one_line's text."""
    values = [text, "ค่าจ้าง", text + "ค่ำ"]
    assert columns.one_line_series(series(values)).tolist() == [one_line(v) for v in values]
    assert columns._one_lines(values) == [one_line(v) for v in values]


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


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(THAI_TEXT, st.sampled_from(["", " ", "\u00a0", "\u3000", "ก\u2009", "é", "\u0085x"])), max_size=12),
       st.integers(0, 4), st.booleans())
def test_strip_series_of_a_column_in_slices_is_str_strip(values: list[str], cut: int, large: bool) -> None:
    """A column in pieces, each a slice of a longer buffer (empty values first and last too)."""
    kind = pa.large_string() if large else pa.string()
    whole = pa.array(["x", *values], type=kind).slice(1)  # the data ends where the last value does
    column = pa.chunked_array([whole.slice(0, cut), whole.slice(cut)], type=kind)
    for array in (whole, column, pa.array(["x", *values, "y"], type=kind).slice(1, len(values))):
        got = columns.strip_series(pd.Series(pd.arrays.ArrowStringArray(array)))
        assert got.tolist() == [v.strip() for v in values]


FOLD_CHARACTERS = st.sampled_from([*"กขคงจนบริษัทจำกัดห้างหุ้นส่วน่้ำาิีุู์", *"๐๑๒๓๔๕๖๗๘๙0159", *"AZaz (){}[].-_/:,*\"'"])
FOLD_TEXT = st.one_of(
    st.text(alphabet=FOLD_CHARACTERS, max_size=16),  # ASCII and Thai: mostly taken in Arrow
    st.text(  # anything else too: names that clean changes, or other scripts
        alphabet=st.one_of(
            FOLD_CHARACTERS, st.sampled_from(["“", "”", "\t", "\n", "\u00a0", "\u200b"]),
            st.characters(exclude_categories=("Cs",)),  # names come from UTF-8 text: no surrogate halves
        ),
        max_size=16,
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(FOLD_TEXT, min_size=1, max_size=30))
def test_fold_values_in_arrow_are_fold_of_each_value(values: list[str]) -> None:
    """columns.fold_values (Arrow for the values clean leaves as they are) equals text.fold of each."""
    from procdata.normalize.text import fold

    named = ["บริษัท ก (สำนักงานใหญ่) จำกัด", "ร้าน (๑) ข.", "หจก. A-B/C", "บริษัท จำกัด (มหาชน)", "(ก) ข (ค"]
    many = named + (values * (columns.FOLD_ROWS // len(values) + 1))[: columns.FOLD_ROWS + len(values)]
    assert columns.fold_values(many) == [fold(value) for value in many]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789๐๑ -.", max_size=15), min_size=1, max_size=20))
def test_digits_only_series_is_digits_only_of_each_value(values: list[str]) -> None:
    """Digits grouped by spaces and hyphens (0-1055-51234-56-7) are joined in Arrow, the rest in Python."""
    values = [*values, "0-1055-51234-56-7", " 0105551234567 ", "1 2  3", "-5", "5-", "- -", "", "12.0", "๑-๒"]
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
    ready = bidders.canonical_bidders(series(texts))
    for text, kept in zip(texts, ready, strict=True):
        if kept:
            assert table._dump(json.loads(text)) == text
    counts = bidders.count_bidders(series(texts))
    for text, kept, count in zip(texts, ready, counts, strict=True):
        if kept:
            assert count == len(json.loads(text))


NAMES = st.text(
    alphabet=st.one_of(
        st.sampled_from([*"กขคงจน่้ำาิีุู์ ", *'ab"\\/\n\t\x00\x1f\x7f\x80\u2028\ufeff\uffff', "\U0001f600", "\u0e01"]),
        st.characters(),
    ),
    max_size=10,
)
ESCAPED_BIDS = st.lists(st.one_of(
    st.fixed_dictionaries({"name": NAMES, "price": PRICES}),
    st.fixed_dictionaries({"price": PRICES, "name": st.one_of(NAMES, st.none())}),  # price first
    st.fixed_dictionaries({"name": st.one_of(NAMES, st.none())}), st.fixed_dictionaries({"price": PRICES}),  # one key
), max_size=4)


@settings(max_examples=400, deadline=None)
@given(st.lists(ESCAPED_BIDS, min_size=1, max_size=10), st.booleans())
def test_escaped_bidders_decoded_in_c_are_what_parsing_and_writing_them_again_gives(
    lists: list[list[dict]], some_ready: bool,
) -> None:
    """Bidders JSON written by json.dumps' defaults (every non-ASCII character a \\uXXXX escape) is made
    canonical by decoding its escapes: exactly the text json_bidders then dump_bidders give, and the
    rows it cannot vouch for (quote marks, backslashes, control characters, characters past U+FFFF,
    other spacing) are left to them, unchanged."""
    from procdata.normalize.values import dump_bidders, json_bidders

    texts = [json.dumps(bids) for bids in lists] + [json.dumps(bids, separators=(",", ":")) for bids in lists]
    texts += [text for bids in lists if _encodable(text := json.dumps(bids, ensure_ascii=False, separators=(", ", ": ")))]
    column = series(texts)
    ready = bidders.canonical_bidders(column)
    if some_ready:
        ready[::2] = False
    written, done = bidders.unescaped_bidders(column, ready)
    assert (done | ~ready).all() and (done >= ready).all()
    for text, before, after, value in zip(texts, ready, done, written.tolist(), strict=True):
        if after and not before:
            assert value == dump_bidders(json_bidders(text))
        else:
            assert value == text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.fixed_dictionaries({"name": st.one_of(NAMES, st.sampled_from(["a},{b", '{"name":"', ":", ","])), "price": PRICES}),
                         max_size=4), min_size=1, max_size=10), st.booleans())
def test_compact_bidders_spaced_in_c_are_what_parsing_and_writing_them_again_gives(
    lists: list[list[dict]], some_ready: bool,
) -> None:
    """Bidders JSON written with no spaces (json.dumps with separators (",", ":"), pandas' to_json),
    escaped or not, is given procdata's spacing (and decoded): exactly the text json_bidders then
    dump_bidders give; the rows it cannot vouch for are left to them, unchanged."""
    from procdata.normalize.values import dump_bidders, json_bidders

    texts = [json.dumps(bids, separators=(",", ":")) for bids in lists]
    texts += [text for bids in lists if _encodable(text := json.dumps(bids, separators=(",", ":"), ensure_ascii=False))]
    column = series(texts)
    ready = bidders.canonical_bidders(column)
    if some_ready:
        ready[::2] = False
    spaced, spaced_ready = bidders.respaced_bidders(column, ready)
    written, done = bidders.unescaped_bidders(spaced, spaced_ready)
    assert (done >= spaced_ready).all() and (spaced_ready >= ready).all()
    for text, before, after, value in zip(texts, ready, done, written.tolist(), strict=True):
        if after and not before:
            assert value == dump_bidders(json_bidders(text))
        elif not after:
            assert json.loads(value) == json.loads(text)  # left to the parser: the same JSON
        else:
            assert value == text


def test_most_compact_bidders_take_the_fast_path() -> None:
    bids = [{"name": "หจก.สมบูรณ์ก่อสร้าง", "price": 8198.0}, {"name": "ร้าน ก},{ข", "price": 8500.5}]
    texts = [json.dumps(bids, separators=(",", ":")), json.dumps(bids, separators=(",", ":"), ensure_ascii=False)]
    written, done = bidders.unescaped_bidders(*bidders.respaced_bidders(series(texts), np.zeros(2, dtype=bool)))
    assert done.tolist() == [True, True]
    assert written.tolist() == [json.dumps(bids, ensure_ascii=False)] * 2


SPACING = st.text(alphabet=" \t\n\r", max_size=2)


class Literal(str):
    """A number written as it stands (digits past what a float holds, exponents, leading zeros)."""


LAID_OUT_VALUES = st.one_of(
    PRICES, st.decimals(min_value=-10**11 + 1, max_value=10**11 - 1, places=4), st.booleans(),
    st.sampled_from([0, -0.0, 0.0001, 1e-05, 1e16, 123456789012.5]),
    st.from_regex(r"-?(0|[1-9][0-9]{0,16})(\.[0-9]{1,7})?([eE][-+]?[0-9])?", fullmatch=True).map(Literal),
    # unrounded floats as json.dumps writes them (27777.899999999998), and long decimals written otherwise
    st.floats(allow_nan=False, allow_infinity=False), st.floats(min_value=-2e10, max_value=2e10),
    st.floats(min_value=-0.001, max_value=0.001), st.from_regex(r"-?(0|[1-9][0-9]{0,10})\.(0{0,5})[0-9]{1,22}", fullmatch=True).map(Literal),
    NAMES, st.sampled_from(["a },{ b", "x: y", "1.50", " "]),
    # prices written as texts: plain numbers (read as amounts) and others the parser reads or rejects
    st.from_regex(r"[-+]?(0|00|[1-9][0-9]{0,13})(\.[0-9]{0,6})?", fullmatch=True),
    st.from_regex(r"-?[0-9]{1,4}(,[0-9]{2,4}){0,4}(\.[0-9]{0,5})?", fullmatch=True),  # grouped in thousands, or not quite
    st.sampled_from(["9,000.00", "๙,๕๐๐ บาท", " 5", "5 ", "1e3", "-", "-0", "-0.0", ".5"]),
)
# Keys a writer may add, and some that are nearly name or price (or are, escaped).
OTHER_KEYS = st.one_of(
    st.sampled_from(["tax_id", "", "n", "nam", "names", "Name", "p", "pric", "prices", "nme", "x\u0000", "\u0e01"]),
    st.sampled_from([r'"na\u006de"', r'"\u0070rice"', r'"tax\u005fid"']).map(Literal),  # keys written with escapes
    st.text(max_size=6),
)
# Objects as their members: mostly a name and a price, either first; sometimes one alone, none,
# a key twice or another key.
MEMBERS = st.one_of(
    st.tuples(LAID_OUT_VALUES, LAID_OUT_VALUES).map(lambda pair: [("name", pair[0]), ("price", pair[1])]),
    st.tuples(LAID_OUT_VALUES, LAID_OUT_VALUES).map(lambda pair: [("price", pair[0]), ("name", pair[1])]),
    st.lists(st.tuples(st.sampled_from(["name", "price", "nick"]), LAID_OUT_VALUES), max_size=3),
    st.tuples(LAID_OUT_VALUES, LAID_OUT_VALUES, OTHER_KEYS, LAID_OUT_VALUES).map(  # one more key, after them
        lambda four: [("name", four[0]), ("price", four[1]), (four[2], four[3])]),
)


def _laid_out(data: st.DataObject, objects: list[list[tuple[str, object]]]) -> str:
    """The JSON list of ``objects`` in a layout drawn by ``data``: whitespace between any tokens,
    decimals with trailing zeros, escapes or not."""
    def space() -> str:
        return data.draw(SPACING)

    def value(v: object) -> str:
        if isinstance(v, Literal):
            return str(v)
        if isinstance(v, Decimal):
            return f"{v:.{data.draw(st.integers(0, 6))}f}"
        return json.dumps(v, ensure_ascii=data.draw(st.booleans()))

    written = [
        space() + "{" + ",".join(space() + (key if isinstance(key, Literal) else json.dumps(key)) + space() + ":" + space() + value(v) + space() for key, v in members) + "}" + space()
        for members in objects
    ]
    return space() + "[" + (",".join(written) or space()) + "]" + space()


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(MEMBERS, max_size=4), min_size=1, max_size=8), st.data())
def test_bidders_in_any_layout_rewritten_in_c_are_what_parsing_and_writing_them_again_gives(lists: list, data: st.DataObject) -> None:
    """Bidders JSON laid out otherwise (whitespace and line breaks, "price" first, 28000.00) is given,
    in C, exactly the text json_bidders then dump_bidders give; the rows it cannot vouch for are left
    to them, the same JSON; and the bidders of the rows it gives are counted."""
    from procdata.normalize.values import dump_bidders, json_bidders

    texts = [text for objects in lists if _encodable(text := _laid_out(data, objects))]
    written, done = bidders.in_canonical_form(series(texts))
    for text, after, value in zip(texts, done, written.tolist(), strict=True):
        if after:
            assert value == dump_bidders(json_bidders(text))
        else:  # left to the parser: the cell's own text, or one it reads as the same bidders
            assert value == text or _parsed(value) == _parsed(text)
    counts = bidders.count_bidders(written[done])
    assert counts.tolist() == [len(json.loads(text)) for text, after in zip(texts, done, strict=True) if after]


@pytest.mark.parametrize("text", [
    '[{"price": 1, "price": 2}]', '[{"name": "a", "name": "b"}]', '[{"name": "a", "nick": "b"}]', "[{}]",  # keys
    '[{"name": "a", "price": 12345678901234.123456}]', '[{"name": "a", "price": 0.12345678901234567}]',  # digits
    '[{"name": "a", "price": 1.5e3}]', '[{"name": "a", "price": 1E-7}]', '[{"name": "a", "price": -0}]',  # forms
    '[{"name": "a", "price": 0.00001}]', '[{"name": "a", "price": 12345678901.12340}]', '[{"name": "a", "price": -0.000}]',
    '[{"name": "a\\"b", "price": 1}]', '[{"name": "a\\/b", "price": 1}]', '[{"name": "\\u0E01", "price": 1}]',  # escapes
    '[{"name": "a\\nb", "price": 1}]', '[{"name": "\\ud83d\\ude00", "price": 1.10}]', '[{"n\\u0061me": "a", "price": 1}]',
    '[{"name": "a", "price": "9,00.00"}]', '[{"name": "a", "price": "+5"}]', '[{"name": "a", "price": "007"}]',  # prices as texts
    '[{"name": "a", "price": "1e3"}]', '[{"name": "a", "price": " 5"}]', '[{"name": "a", "price": "123456789012"}]',
    '[{"name": "a", "price": "1.23456"}]', '[{"name": "a", "price": "1."}]', '[{"name": "a", "price": "\\u0035"}]',
])
def test_bidders_the_rewrite_cannot_vouch_for_are_parsed(text: str) -> None:
    """Layouts whose canonical text is not their own tokens re-spaced (a key twice, digits past what a
    float holds, exponents, escapes other than \\uXXXX of a printable character) are left to the parser;
    those it takes are exactly what the parser gives."""
    from procdata.normalize.values import dump_bidders, json_bidders

    laid_out = text.replace(", ", " ,\n ").replace(": ", " :")
    for each in (text, laid_out):
        written, done = bidders.in_canonical_form(series([each]))
        if done[0]:
            assert written.tolist() == [dump_bidders(json_bidders(each))]
        else:
            assert written.tolist() == [each] or json.loads(written.tolist()[0]) == json.loads(each)


def test_bidders_rewritten_in_slices_are_those_rewritten_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from procdata.normalize.values import dump_bidders, json_bidders

    texts = [
        f'[ {{"price" : {n}.{n % 7}0, "name": "ร้าน {n}: ก,ข"}}' + (f',\n{{"name":"x{n}"}}' if n % 3 else "") + " ]"
        for n in range(40)
    ]
    at_once, done = bidders.in_canonical_form(series(texts))
    monkeypatch.setattr(bidders, "_SLICE_ROWS", 7)
    in_slices, done_in_slices = bidders.in_canonical_form(series(texts))
    assert done.all() and done_in_slices.all()
    assert in_slices.tolist() == at_once.tolist() == [dump_bidders(json_bidders(text)) for text in texts]


def test_bidders_in_other_common_layouts_take_the_fast_path() -> None:
    bids = [{"name": "หจก.สมบูรณ์ก่อสร้าง", "price": 8198.0}, {"name": "ร้าน ก},{ข: ค", "price": 8500.5}]
    canonical = json.dumps(bids, ensure_ascii=False, separators=(", ", ": "))
    texts = [
        json.dumps(bids, ensure_ascii=False, indent=2),  # line breaks
        '[{"price": 8198.0, "name": "หจก.สมบูรณ์ก่อสร้าง"}, {"price": 8500.5, "name": "ร้าน ก},{ข: ค"}]',  # price first
        canonical.replace("8198.0", "8198.00").replace("8500.5", "8500.50"),  # two decimals
        "[ " + json.dumps(bids, separators=(" , ", " : "))[1:-1] + " ]",  # escaped, spaced otherwise
    ]
    written, done = bidders.in_canonical_form(series(texts))
    assert done.tolist() == [True] * 4
    assert written.tolist() == [canonical, canonical.replace('"name": "หจก.สมบูรณ์ก่อสร้าง", "price": 8198.0', '"price": 8198.0, "name": "หจก.สมบูรณ์ก่อสร้าง"').replace('"name": "ร้าน ก},{ข: ค", "price": 8500.5', '"price": 8500.5, "name": "ร้าน ก},{ข: ค"'), canonical, canonical]
    assert bidders.count_bidders(written).tolist() == [2] * 4
    # json.dumps' defaults (escapes) with "price" first, a null name or one key alone
    first = [{"price": 8198.0, "name": "หจก.สมบูรณ์ก่อสร้าง"}, {"price": 8500.5, "name": None}, {"name": "ร้าน ข"}, {"price": 1}]
    written, done = bidders.in_canonical_form(series([json.dumps(first)]))
    assert done.tolist() == [True]
    assert written.tolist() == [json.dumps(first, ensure_ascii=False)]


def _rewritten_in_c(texts: list[str]) -> list[str]:
    """``texts`` as the bidders fast path writes them, each vouched for in C and each exactly what
    json_bidders then dump_bidders give."""
    from procdata.normalize.values import dump_bidders, json_bidders

    written, done = bidders.in_canonical_form(series(texts))
    assert done.tolist() == [True] * len(texts)
    assert written.tolist() == [dump_bidders(json_bidders(text)) for text in texts]
    return written.tolist()


def test_bidders_with_prices_written_as_texts_of_plain_numbers_take_the_fast_path() -> None:
    """A writer of decimals that quotes them ("price": "27777.90", a held-out national table) had every
    cell parsed one by one: 6 times the clean table's time. Such prices become numbers in C, whole ones
    floats as the parser makes them, in any layout; other texts are left to the parser."""
    texts = [
        '[{"name": "ร้าน ก", "price": "27777.90"}, {"name": "ร้าน price", "price": "7102"}]',
        '[{"price":"-0.50","name":"ข"},{"name":null,"price":null},{"price": 5}]',
        '[\n  {"name": "\\u0e01", "price" : "0"}\n]',
        '[{"name": "ค", "price": "12345678901.1234"}]',
    ]
    assert _rewritten_in_c(texts) == [
        '[{"name": "ร้าน ก", "price": 27777.9}, {"name": "ร้าน price", "price": 7102.0}]',
        '[{"price": -0.5, "name": "ข"}, {"name": null, "price": null}, {"price": 5}]',
        '[{"name": "ก", "price": 0.0}]',
        '[{"name": "ค", "price": 12345678901.1234}]',
    ]
    grouped = ['[{"name": "a", "price": "9,000.00"}, {"price": "-123,456,789.5", "name": "b"}, {"price": "1,000"}]']
    assert _rewritten_in_c(grouped) == [
        '[{"name": "a", "price": 9000.0}, {"price": -123456789.5, "name": "b"}, {"price": 1000.0}]',
    ]
    others = ['[{"name": "a", "price": "9,00.00"}]', '[{"name": "a", "price": "27777.90"}, {"name": "b", "price": "1e3"}]',
              '[{"name": "a", "price": "1,234,567,890"}]', '[{"name": "a", "price": "๙,๐๐๐"}]']
    assert bidders.in_canonical_form(series(others))[1].tolist() == [False] * 4


def test_bidders_with_unrounded_float_prices_take_the_fast_path() -> None:
    """Prices as json.dumps writes an unrounded float (27777.899999999998) had every cell parsed one by
    one: 3.5 times the clean table's time. Their float is written in C as Python writes it; a float
    Python writes with an exponent (1.2345e-05) leaves its row to the parser, as its own text."""
    texts = [
        '[{"name": "ก", "price": 27777.899999999998}, {"name": "ข", "price": 0.30000000000000004}]',
        '[{"price": 12.00000000000000000001, "name": "ค"}, {"price": -0.000000}]',  # whole floats: 12.0, -0.0
        '[{"name": "ง", "price": 999999999.99999999999}, {"name": "จ", "price": "7102"}]',  # 1000000000.0
    ]
    assert _rewritten_in_c(texts) == [
        '[{"name": "ก", "price": 27777.899999999998}, {"name": "ข", "price": 0.30000000000000004}]',
        '[{"price": 12.0, "name": "ค"}, {"price": -0.0}]',
        '[{"name": "ง", "price": 1000000000.0}, {"name": "จ", "price": 7102.0}]',
    ]
    tiny = ['[{"name": "a", "price": 0.000012345}]', '[ {"name": "a", "price": 0.00001000000} ]']
    written, done = bidders.in_canonical_form(series(tiny))
    assert done.tolist() == [False, False]
    assert written.tolist() == tiny


def test_bidders_with_one_more_key_after_name_and_price_take_the_fast_path() -> None:
    """A writer's own key after the name and price ("tax_id": null) had every cell parsed one by one
    (3.2 to 4.9 times the clean table's time); it is kept as written back. A key twice (also written
    with an escape), one before the name and price, or two more are left to the parser."""
    from procdata.normalize.values import dump_bidders, json_bidders

    texts = [
        '[{"name": "ก", "price": 27777.90, "tax_id": null}, {"price": 5, "name": "ข", "rank": 2}]',
        '[ {"name": "ค", "x": "ง", "price": 1} ]', '[{"price": "7,102", "names": true}]', '[{"name": "จ", "": false}]',
    ]
    written, done = bidders.in_canonical_form(series(texts))
    assert done.tolist() == [True, False, True, True]  # the second: a key between name and price
    vouched = [text for text, after in zip(texts, done, strict=True) if after]
    assert written[done].tolist() == [dump_bidders(json_bidders(text)) for text in vouched] == [
        '[{"name": "ก", "price": 27777.9, "tax_id": null}, {"price": 5, "name": "ข", "rank": 2}]',
        '[{"price": 7102.0, "names": true}]', '[{"name": "จ", "": false}]',
    ]
    assert bidders.count_bidders(written[done]).tolist() == [2, 1, 1]
    others = ['[{"name": "a", "price": 1, "name": "b"}]', '[{"name": "a", "na\\u006de": "b"}]',
              '[{"tax_id": null, "name": "a"}]', '[{"name": "a", "x": 1, "y": 2}]', '[{"name": "a", "x": [1]}]']
    assert bidders.in_canonical_form(series(others))[1].tolist() == [False] * 5


def _parsed(text: str) -> list | str:
    """What the parser reads a bidders cell as: the bidders, or the code of its problem."""
    from procdata.errors import ParseError
    from procdata.normalize.values import json_bidders

    try:
        return json_bidders(text)
    except ParseError as error:
        return error.code


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no file holds one
        return False
    return True


def test_escaped_bidders_read_as_the_canonical_ones(tmp_path: Path) -> None:
    """A national table whose bidders were written by json.dumps' defaults reads as the same table
    written with procdata's canonical JSON."""
    from procdata.read.ingest import ingest

    bids = [{"name": "หจก.สมบูรณ์ก่อสร้าง", "price": 8198.0}, {"name": "ร้าน \"ก\"", "price": 8500.5}]
    plain, escaped = tmp_path / "plain.csv", tmp_path / "escaped.csv"
    write(plain, {"bidders": json.dumps(bids, ensure_ascii=False, separators=(", ", ": "))}, {"bidders": json.dumps(bids[:1], ensure_ascii=False, separators=(", ", ": "))})
    write(escaped, {"bidders": json.dumps(bids)}, {"bidders": json.dumps(bids[:1])})
    a, b = ingest([plain]).records, ingest([escaped]).records
    pd.testing.assert_frame_equal(a.drop(columns=["source_file"]), b.drop(columns=["source_file"]))


def test_compact_bidders_read_as_the_canonical_ones(tmp_path: Path) -> None:
    """A national table whose bidders were written without spaces (escaped or not) reads as the same
    table written with procdata's canonical JSON."""
    from procdata.read.ingest import ingest

    bids = [{"name": "หจก.สมบูรณ์ก่อสร้าง", "price": 8198.0}, {"name": "ร้าน ก},{ข", "price": 8500.5}]
    canonical = {"bidders": json.dumps(bids, ensure_ascii=False)}, {"bidders": json.dumps(bids[:1], ensure_ascii=False)}
    plain = write(tmp_path / "plain.csv", *canonical)
    a = ingest([plain]).records.drop(columns=["source_file"])
    for ascii_only in (False, True):
        compact = write(tmp_path / f"compact-{ascii_only}.csv", *({"bidders": json.dumps(b, separators=(",", ":"), ensure_ascii=ascii_only)} for b in (bids, bids[:1])))
        pd.testing.assert_frame_equal(a, ingest([compact]).records.drop(columns=["source_file"]))


def test_numbers_json_cannot_write_back_in_bidders_are_cell_problems(tmp_path: Path) -> None:
    """NaN, Infinity, a decimal past a float's range (Python reads 1e400 as inf and writes Infinity,
    which is no JSON), an integer of 5,000 digits (which Python refuses to read) and one of 400 (no
    float holds it: shown as an amount it overflowed) in a bidders cell: each that cell's
    not_json_bidders, at its row, the rest of the file read; a long integer a float holds is kept."""
    from procdata.check.validate import validate_ingested
    from procdata.read.ingest import ingest

    cells = ['[{"name": "a", "price": NaN}]', '[{"name": "a", "price": -Infinity}]', '[{"name": "a", "price": 1e400}]',
             '[{"name": "a", "price": ' + "9" * 5000 + "}]", '[{"name": "a", "price": ' + "9" * 400 + "}]",
             '[{"name": "a", "price": 1, "rank": NaN}]', '[{"name": "a", "notes": [{"x": -1e400}]}]',  # in another key
             '[{"name": "a", "price": ' + "9" * 20 + "}]"]
    path = write(tmp_path / "numbers.csv", *({"bidders": cell} for cell in cells))
    result = ingest([path])
    report = validate_ingested(result, "en").to_dict()
    assert report["summary"]["records"] == 8
    assert [(p["code"], p["row"]) for p in report["problems"] if p["field"] == "bidders"] == [("not_json_bidders", row) for row in range(2, 9)]
    assert result.records["bidders"].tolist()[7] == '[{"name": "a", "price": ' + "9" * 20 + "}]"


def test_whole_numbers_of_more_than_18_digits_are_cell_problems_not_an_unreadable_file(tmp_path: Path) -> None:
    """A row number, fiscal year or bidder count of 19 digits or more fits no column of whole numbers
    (it stopped the whole file: "Python int too large to convert to C long"): that cell's
    not_an_integer, at its row, the rest read; 18 digits, or more with leading zeros, are numbers."""
    from procdata.check.validate import validate_ingested
    from procdata.read.ingest import ingest

    rows = [{"seq": "9" * 19}, {"fiscal_year": "9" * 40}, {"bidder_count": "๙" * 25}, {"seq": "9" * 18}, {"seq": "0" * 30 + "7"}]
    path = write(tmp_path / "long.csv", *rows)
    result = ingest([path])
    report = validate_ingested(result, "en").to_dict()
    assert report["summary"]["records"] == 5
    assert [(p["code"], p["field"], p["row"]) for p in report["problems"] if p["code"] == "not_an_integer"] == [
        ("not_an_integer", "seq", 2), ("not_an_integer", "fiscal_year", 3), ("not_an_integer", "bidder_count", 4),
    ]
    assert result.records["seq"].tolist()[3:] == [10**18 - 1, 7]


BIDS_OF_NO_USE = [
    '[{"name": "a", "price": "ประมาณ 5,000"}]', '[{"name": "a", "price": [1, 2]}]', '[{"name": "a", "price": {"b": 1}}]',
    '[{"name": "a", "price": true}]', '[{"name": 123, "price": 5}]', '[{"name": ["a"], "price": 5}]',
    '[{"name": "a", "price": 1}, {"name": false}]', '[{"price": "5,000 เศษ", "name": "a"}]',
]


@pytest.mark.parametrize("cell", BIDS_OF_NO_USE)
def test_a_bidders_name_that_is_no_text_or_price_that_is_no_amount_is_the_cells_problem(tmp_path: Path, cell: str) -> None:
    """Each step after reading takes a bidder's name as text and price as a number (publishing wrote
    each price as an amount, and a text or a list there stopped it with an internal error): any
    other is that cell's not_json_bidders, at its row, whether the column is all JSON or not."""
    from procdata.check.validate import validate_ingested
    from procdata.read.ingest import ingest

    for rows in ([{"bidders": cell}], [{"bidders": cell}, {"bidders": "ร้าน ก 5,000 บาท"}]):
        path = write(tmp_path / "bids.csv", *rows)
        report = validate_ingested(ingest([path]), "en").to_dict()
        assert [(p["code"], p["row"]) for p in report["problems"] if p["field"] == "bidders"] == [("not_json_bidders", 2)]
    assert bidders.in_canonical_form(series([cell]))[1].tolist() == [False]  # never vouched for in C


def test_a_bidders_price_written_as_text_is_read_as_an_amount(tmp_path: Path) -> None:
    """"9,000.00", Thai digits and "บาท" in a price written as a JSON text: the number, as in an
    amount cell; a name or price left out or null stays so."""
    from procdata.check.validate import validate_ingested
    from procdata.read.ingest import ingest

    cells = ['[{"name": "a", "price": "9,000.00"}]', '[{"price": "๙,๕๐๐ บาท", "name": "b"}]',
             '[{"name": null, "price": 5}, {"name": "c"}, {}]']
    path = write(tmp_path / "bids.csv", *({"bidders": cell} for cell in cells))
    result = ingest([path])
    report = validate_ingested(result, "en").to_dict()
    assert [p for p in report["problems"] if p["field"] == "bidders"] == []
    assert result.records["bidders"].tolist() == [
        '[{"name": "a", "price": 9000.0}]', '[{"price": 9500.0, "name": "b"}]', '[{"name": null, "price": 5}, {"name": "c"}, {}]',
    ]


def test_an_escaped_half_surrogate_in_bidders_is_a_cell_problem_not_an_unreadable_file(tmp_path: Path) -> None:
    """JSON may escape half of a surrogate pair ("\\ud800"), which is no character: that cell is
    reported (not_json_bidders, at its row), the rest of the file is read; a whole pair is a character."""
    from procdata.check.validate import validate_ingested
    from procdata.read.ingest import ingest

    path = write(tmp_path / "surrogate.csv", {"bidders": '[{"name": "\\ud800", "price": 1}]'}, {"bidders": '[{"name": "\\ud83d\\ude00", "price": 2}]'})
    report = validate_ingested(ingest([path]), "en").to_dict()
    assert report["summary"]["records"] == 2
    assert [(p["code"], p["row"]) for p in report["problems"] if p["field"] == "bidders"] == [("not_json_bidders", 2)]


def test_most_canonical_bidders_take_the_fast_path() -> None:
    text = '[{"name": "หจก.สมบูรณ์ก่อสร้าง", "price": 8198.0}, {"name": "ร้าน ก", "price": 8500.5}]'
    assert list(bidders.canonical_bidders(series([text, "[]", '[{"name": "a", "price": null}]']))) == [True, True, True]
    assert list(bidders.canonical_bidders(series(['[{"name":"a","price":1.0}]', '[{"name": "a", "price": 1.50}]']))) == [False, False]


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


NAMES = st.one_of(
    st.sampled_from([
        "หจก.สมบูรณ์ก่อสร้าง", "ร้าน ก", "บริษัท เอ จำกัด", "", 'ร้าน "ดี"', "a\\b", "ร้าน\tข", "name", "price", "evil", "a\\\\b",
        'x", "price": null}, {"name": "evil',  # a name that looks like the JSON around it
    ]),
    st.text(max_size=8),
)
# Bidders as procdata writes them (name, then price), now and then with the keys the other way round.
BID = st.builds(
    lambda name, price, form: {
        "as_written": {"name": name, "price": price}, "price_first": {"price": price, "name": name},
        "other_key": {"nick": name, "price": price},  # a key of four letters that is not "name"
    }[form],
    NAMES, PRICES, st.sampled_from(["as_written"] * 8 + ["price_first", "other_key"]),
)
RECORDS = st.lists(st.tuples(st.one_of(st.none(), NAMES), st.one_of(st.none(), st.lists(BID, max_size=4))), min_size=1, max_size=25)


@settings(max_examples=300, deadline=None)
@given(RECORDS, st.integers(0, 3), st.booleans())
def test_verbatim_winners_are_exactly_the_winners_among_the_names(records: list, skip: int, large: bool) -> None:
    """_verbatim: the winner equals a bidder's name; a record with a backslash may be left to the slow path."""
    text_type = pa.large_string() if large else pa.string()
    winners = pa.array(["x"] * skip + [w for w, _ in records], type=text_type).slice(skip)
    cells = pa.array(["[]"] * skip + [table._dump(b) for _, b in records], type=text_type).slice(skip)
    found = rules._verbatim(rules._contiguous(winners), cells)
    for (winner, bids), verbatim, text in zip(records, found, cells.to_pylist(), strict=True):
        truth = winner is not None and bids is not None and winner in [bid.get("name") for bid in bids]
        as_written = "\\" not in (text or "") and all(next(iter(bid)) == "name" for bid in bids or [])
        assert verbatim == truth if as_written else verbatim <= truth  # elsewhere it may only leave records to the slow path


@pytest.mark.parametrize(("winner", "bids"), [
    ("a\\\\b", [{"name": "a\\b", "price": 1}]),  # the JSON of a\b reads a\\b
    ("X", [{"nick": "X", "price": 1}]),  # another key of four letters
    ("X", [{"xname": "X", "price": 1}]),  # a key that ends in "name"
    ("X", [{"name": "A", "price": 1}, {"nick": "X", "price": 2}]),
])
def test_verbatim_takes_only_the_values_of_name_keys(winner: str, bids: list) -> None:
    text = pa.array([table._dump(bids)], type=pa.large_string())
    assert not rules._verbatim(pa.array([winner], type=pa.large_string()), text)[0]


@settings(max_examples=200, deadline=None)
@given(RECORDS, st.integers(1, 5))
def test_winner_check_in_chunks_is_the_check_of_each_record(records: list, chunks: int) -> None:
    """winners() over a chunked table flags exactly the records the name-by-name comparison flags."""
    frame = pd.DataFrame({
        "winner_name": pd.Series([w for w, _ in records], dtype=STRING),
        "bidders": pd.Series([table._dump(b) for _, b in records], dtype=STRING),
    })
    bounds = sorted({0, len(records), *(len(records) * i // chunks for i in range(chunks))})
    texts = [table._dump(b) for _, b in records]
    chunked = pa.chunked_array([pa.array(texts[a:b], type=pa.large_string()) for a, b in itertools.pairwise(bounds)])
    frame["bidders"] = pd.Series(pd.arrays.ArrowStringArray(chunked), dtype=STRING)
    frame = frame.reindex(columns=[*FIELDS]).astype({"winner_name": STRING, "bidders": STRING})
    (hits,) = rules.winners(Table(frame))
    present = [i for i, (w, b) in enumerate(records) if w and b is not None and table._dump(b) != ""]
    if present:
        expected = set(np.array(present)[rules._not_listed(
            pa.array([records[i][0] for i in present], type=pa.large_string()),
            pa.array([table._dump(records[i][1]) for i in present], type=pa.large_string()),
        )].tolist())
    else:
        expected = set()
    assert set(hits.rows.tolist()) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["status", "method", "source", "category"]),
    st.text(alphabet=st.sampled_from(list("abcdeilmnoprstu_- 0123456789ABCกขคาสถนะรยการ")), max_size=16),
)
def test_the_suggestion_for_an_unknown_word_is_difflib_s_nearest_code(kind: str, text: str) -> None:
    """``vocab.closest`` skips difflib for a word that shares no character with any code (every
    ratio would be 0): the suggestion is still the one difflib gives."""
    import difflib

    from procdata.normalize import vocab

    plain = vocab.classify(kind, text) or next(
        iter(difflib.get_close_matches(text.strip().lower(), vocab.codes(kind), n=1, cutoff=0.5)), None,
    )
    assert vocab.closest(kind, text) == plain
