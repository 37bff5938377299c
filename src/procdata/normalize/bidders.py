"""Bidders JSON, column-wise: which cells are already canonical, and others given that form in C.

A bidders cell of a canonical table is a JSON list of ``{"name", "price"}``
objects. procdata writes it one way (``normalize.values.dump_bidders``:
``json.dumps`` with ``ensure_ascii=False`` and separators ``", "`` and ``": "``),
and a cell written that way is kept as it is (:func:`canonical_bidders`). Other
writers lay out the same values otherwise: no spaces (:func:`respaced_bidders`),
other spacing, line breaks, "price" first, 28000.00, "28,000.00", 27777.899999999998 or
one more key (:func:`reformatted_bidders`),
``\\uXXXX`` escapes (:func:`unescaped_bidders`). Each function gives exactly the
text that parsing the cell and writing it again gives (``json_bidders`` then
``dump_bidders``), or leaves the cell to them; tests/test_validate_fastpaths.py
holds each to that.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.model import BIDDER_PRICE, CANONICAL_BIDDERS
from procdata.normalize.columns import STRING, arrow, matches, value_bytes

# Bidders JSON as procdata writes it (model.CANONICAL_BIDDERS), written instead by json.dumps with
# its default ensure_ascii=True and spacing: ASCII only,
# every other character a \\uXXXX escape. Decoding the escapes gives the canonical text, except
# for what json.dumps(ensure_ascii=False) escapes itself: control characters, quote marks and
# backslashes (\\u0000-\\u001f, \\u0022, \\u005c) and surrogate halves (characters past U+FFFF);
# those, and any other escape, are left to the parser.
_ESCAPE = r"\\u(?:002[013-9a-f]|00[34][0-9a-f]|005[0-9abd-f]|00[6-9a-f][0-9a-f]|0[1-9a-f][0-9a-f]{2}|[1-9a-c][0-9a-f]{3}|d[0-7][0-9a-f]{2}|[ef][0-9a-f]{3})"
# Either key first, or one alone, and a null name (as a writer of objects laid out otherwise writes them).
_ESCAPED_NAME = r'"name": (?:"(?:[ !#-\[\]-~]|' + _ESCAPE + r')*"|null)'
_ESCAPED_BID = (
    r"\{(?:" + _ESCAPED_NAME + '(?:, "price": ' + BIDDER_PRICE + ')?|"price": ' + BIDDER_PRICE + "(?:, " + _ESCAPED_NAME + r")?)\}"
)
_ESCAPED_BIDDERS = r"^\[(?:" + _ESCAPED_BID + r"(?:, " + _ESCAPED_BID + r")*)?\]$"

# The same two written with no spaces between items and keys (json.dumps with separators (",", ":"),
# pandas' to_json): names without a quote mark or backslash other than \\uXXXX escapes. Each
# separator below holds a quote mark, so none is found inside a name ("a},{b" is a name).
_COMPACT_BID = r'\{"name":"(?:[^"\\\x00-\x1f]|' + _ESCAPE + r')*","price":' + BIDDER_PRICE + r"\}"
_COMPACT_BIDDERS = r"^\[(?:" + _COMPACT_BID + r"(?:," + _COMPACT_BID + r")*)\]$"
_SPACED = (('},{"name":"', '}, {"name":"'), ('{"name":"', '{"name": "'), ('","price":', '", "price": '))

# Any other layout of the same values: JSON's whitespace anywhere between tokens, "price" before
# "name" (or one of the two alone), decimals with trailing zeros (28000.00, which Python reads as
# 28000.0), a text or null for the name, a number, a text of a plain number or null for the price
# (any other value is the parser's to read or report). Numbers are those whose Python form is their
# own digits: integers but -0, and decimals with at most 11 digits before the point and 4 after it
# (15 significant digits at most: each is one float, written back as its digits without the trailing
# zeros, never in exponent form); and longer decimals below 10 digits before the point (an unrounded
# float as json.dumps writes it, 27777.899999999998), given in C the form Python writes their float
# in (_LONG_DECIMAL below), or the row left to the parser where that is not sure. Keys are written without escapes; texts may hold \uXXXX escapes
# as above (decoded by unescaped_bidders, or left to the parser), no other.
_WS = r"[ \t\n\r]*"
_TEXT = r'"(?:[^"\\\x00-\x1f]|' + _ESCAPE + r')*"'
_NUMBER = r"(?:0|-?[1-9][0-9]{0,14}|-?(?:0|[1-9][0-9]{0,10})\.[0-9]{1,4}|-?(?:0|[1-9][0-9]{0,8})\.[0-9]{5,24})"
_NAME_MEMBER = '"name"' + _WS + ":" + _WS + "(?:" + _TEXT + "|null)"
# A price may also be written as a text of a plain number ("27777.90", as some writers of decimals
# do) or one grouped in thousands ("27,777.90", up to 999,999,999), which the parser reads as an
# amount (normalize.numbers.parse_amount: the float of the digits): its number, a whole one with
# ".0" (a float, as the parser makes it). Other texts ("+5", "007", "1,00", "๙,๐๐๐ บาท") and numbers
# past these digits are left to the parser.
_PRICE_TEXT = r'"-?(?:0|[1-9][0-9]{0,10}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,2})(?:\.[0-9]{1,4})?"'
_PRICE_MEMBER = '"price"' + _WS + ":" + _WS + "(?:" + _NUMBER + "|" + _PRICE_TEXT + "|null)"
# One more member after those (a writer's "tax_id": null): its key written without escapes and neither
# "name" nor "price" (a key twice is not the same text written back), its value a text, number, null,
# true or false. It is not first: count_bidders counts the objects that start with a name or a price.
_KEY_CHAR = r'[^"\\\x00-\x1f]'


def _other_than(word: str) -> str:
    """A text of key characters that is not ``word``, after its first character."""
    if not word:
        return _KEY_CHAR + "+"
    return "(?:|" + _KEY_CHAR.replace("[^", "[^" + word[0]) + _KEY_CHAR + "*|" + word[0] + _other_than(word[1:]) + ")"


_OTHER_KEY = '"(?:|' + _KEY_CHAR.replace("[^", "[^np") + _KEY_CHAR + "*|n" + _other_than("ame") + "|p" + _other_than("rice") + ')"'
_OTHER_MEMBER = _OTHER_KEY + _WS + ":" + _WS + "(?:" + _TEXT + "|" + _NUMBER + "|null|true|false)"
_ANY_BID = (
    r"\{" + _WS + "(?:" + _NAME_MEMBER + "(?:" + _WS + "," + _WS + _PRICE_MEMBER + ")?|"
    + _PRICE_MEMBER + "(?:" + _WS + "," + _WS + _NAME_MEMBER + ")?)" + "(?:" + _WS + "," + _WS + _OTHER_MEMBER + ")?" + _WS + r"\}"
)
_ANY_BIDDERS = "^" + _WS + r"\[" + _WS + "(?:" + _ANY_BID + "(?:" + _WS + "," + _WS + _ANY_BID + ")*)?" + _WS + r"\]" + _WS + "$"
# Their canonical form: the text between quote marks is JSON's texts and keys, at odd places when the
# JSON is split at its quote marks (none of those texts holds an escaped quote mark); at even places,
# what lies between them, rewritten: whitespace dropped, trailing zeros of decimals dropped (one digit
# kept after the point), a space put after each "," and ":". A price's text is first put, as its
# number, between the pieces around it.
_TRAILING_ZEROS = (r"(\.[0-9]*?[0-9])0+\b", r"\1")
# A price of 5 decimal places or more, at the start of the piece after its colon, and the rest of the
# piece. Its float is written by Arrow in the shortest form that reads back as it, as Python's repr
# writes it: the same digits wherever Arrow writes no exponent (below 1e10) and Python none (from
# 0.0001); elsewhere the row is left to the parser.
_LONG_DECIMAL = r"^:(?P<number>-?[0-9]+\.[0-9]{5,})(?P<rest>[^0-9](?s:.*))$"
_SLICE_ROWS = 25_000  # rows rewritten at once
_SPACE_BYTES = {0x20: " ", 0x09: "\t", 0x0A: "\n", 0x0D: "\r"}


def in_canonical_form(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Each bidders cell in canonical form where that is done in C (the column's own text elsewhere),
    and which cells are: those that need no parsing."""
    ready = canonical_bidders(series)
    written, ready = respaced_bidders(series, ready)
    written, ready = reformatted_bidders(written, ready)
    return unescaped_bidders(written, ready)


def canonical_bidders(series: pd.Series) -> np.ndarray:
    """Bidders JSON already written the way procdata writes it (so parsing and writing it again changes nothing)."""
    return matches(series, CANONICAL_BIDDERS)


def unescaped_bidders(series: pd.Series, ready: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Bidders JSON written with ``\\uXXXX`` escapes (json.dumps' default) turned into the canonical
    text that parsing and writing it again gives, by decoding the escapes in C; and which rows are
    canonical now. ``ready``: the rows already canonical. Rows neither form are left as they are."""
    found = _candidates(series, ready, _ESCAPED_BIDDERS)
    if found is None:
        return series, ready
    rows, texts = found
    json_texts = arrow(texts)
    # In slices, as reformatted_bidders: a 200,000-row chunk's texts as Python strings at once raised the
    # peak of a 1M-row table written with escapes and "price" first to 1.9 GB.
    decoded = pa.chunked_array([
        pa.array([text.encode("ascii").decode("unicode_escape") for text in json_texts.slice(start, _SLICE_ROWS).to_pylist()], pa.string())
        for start in range(0, len(json_texts), _SLICE_ROWS)
    ], pa.string())
    return _replaced(series, ready, rows, decoded, rows)


def respaced_bidders(series: pd.Series, ready: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Bidders JSON written compactly (no space after "," and ":") given procdata's spacing, which is
    all that parsing and writing it again changes when the result is canonical; and which rows are
    canonical now. Rows whose spaced text is json.dumps' escaped form are given it too (for
    :func:`unescaped_bidders` next); any other row is left as it is. ``ready``: rows already canonical."""
    found = _candidates(series, ready, _COMPACT_BIDDERS)
    if found is None:
        return series, ready
    rows, texts = found
    spaced = arrow(texts)
    for tight, wide in _SPACED:
        spaced = pc.replace_substring(spaced, tight, wide)
    spaced_texts = pd.Series(pd.arrays.ArrowStringArray(spaced))
    canonical = matches(spaced_texts, CANONICAL_BIDDERS)
    taken = canonical | matches(spaced_texts, _ESCAPED_BIDDERS)
    if not taken.any():
        return series, ready
    return _replaced(series, ready, rows[taken], pc.filter(spaced, pa.array(taken)).to_pylist(), rows[canonical])


def reformatted_bidders(series: pd.Series, ready: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Bidders JSON in any other layout of the same values (other spacing, line breaks, "price" first,
    28000.00 or "28000.00" for 28000.0) given the text that parsing and writing it again gives, by rewriting it in C;
    and which rows are canonical now: those without an escape (those with \\uXXXX escapes get the
    new layout for :func:`unescaped_bidders` next). Any other row is left as it is."""
    found = _candidates(series, ready, _ANY_BIDDERS)
    if found is None:
        return series, ready
    rows, texts = found
    json_texts = arrow(texts)
    if isinstance(json_texts, pa.ChunkedArray):
        json_texts = json_texts.combine_chunks()
    # In slices: the pieces of a 200,000-row chunk's bidders at once raised the peak of a 1M-row table
    # so laid out from 1.7 to 1.9 GB.
    slices = [_respaced_between_texts(json_texts.slice(start, _SLICE_ROWS)) for start in range(0, len(json_texts), _SLICE_ROWS)]
    written = pa.chunked_array([texts for texts, _ in slices])
    unsure = np.concatenate([unsure for _, unsure in slices])
    plain = pc.invert(pc.match_substring(written, "\\")).to_numpy(zero_copy_only=False) & ~unsure
    return _replaced(series, ready, rows, written, rows[plain])


def _respaced_between_texts(json_texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """JSON texts whose own texts hold no escaped quote mark, with what lies between those texts laid
    out as json.dumps lays it out (``, `` and ``: ``, no other whitespace, decimals as Python writes
    them); and which rows are left as they are, with a long decimal whose form is not sure."""
    pieces = pc.split_pattern(json_texts, '"')
    offsets = pieces.offsets.to_numpy()
    flat = pieces.flatten()
    # A piece is between texts when its place in its list is even: its place's parity and its list's
    # first place's are the same (each list's first place, from its offset, repeated over its pieces).
    between = (np.arange(len(flat)) % 2) == np.repeat((offsets[:-1] - offsets[0]) % 2, np.diff(offsets))
    flat, offsets, between = _price_texts_as_numbers(flat, offsets, between)
    outside = flat.filter(pa.array(between))
    for space in _spaces_in(json_texts):  # literal replacements: a pattern's search costs more per piece
        outside = pc.replace_substring(outside, space, "")
    outside = pc.replace_substring_regex(outside, *_TRAILING_ZEROS)
    outside, unsure_pieces = _long_decimals_as_python_writes_them(outside)
    outside = pc.replace_substring(pc.replace_substring(outside, ",", ", "), ":", ": ")
    order = np.empty(len(flat), dtype=np.int64)
    order[between] = np.arange(len(outside))
    order[~between] = len(outside) + np.arange(len(flat) - len(outside))
    rebuilt = pa.concat_arrays([outside, flat.filter(pa.array(~between))]).take(pa.array(order))
    lists = type(pieces).from_arrays(pa.array(offsets - offsets[0], type=pieces.offsets.type), rebuilt)
    written = pc.binary_join(lists, pa.scalar('"', rebuilt.type))
    unsure = np.zeros(len(json_texts), dtype=bool)
    if unsure_pieces.any():
        rows = np.repeat(np.arange(len(json_texts)), np.diff(offsets))[between]  # the row of each piece between texts
        unsure[rows[unsure_pieces]] = True
        written = pc.if_else(pa.array(unsure), json_texts.cast(written.type), written)
    return written, unsure


def _long_decimals_as_python_writes_them(outside: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Pieces between texts (whitespace dropped) whose price is a decimal of 5 places or more with that
    price as Python writes its float (_LONG_DECIMAL), and which pieces hold one whose form is not sure."""
    unsure = np.zeros(len(outside), dtype=bool)
    long = np.flatnonzero(pc.match_substring_regex(outside, r"^:-?[0-9]+\.[0-9]{5}").to_numpy(zero_copy_only=False))
    if not len(long):
        return outside, unsure
    parts = pc.extract_regex(outside.take(pa.array(long)), _LONG_DECIMAL)
    values = pc.cast(parts.field("number"), pa.float64())
    shortest = pc.cast(pc.cast(values, pa.string()), outside.type)
    nothing = pa.scalar("", outside.type)
    shortest = pc.if_else(pc.match_substring(shortest, "."), shortest, pc.binary_join_element_wise(shortest, pa.scalar(".0", outside.type), nothing))
    sure = pc.and_(pc.invert(pc.match_substring(shortest, "e")), pc.or_(pc.greater_equal(pc.abs(values), 1e-4), pc.equal(values, 0)))
    unsure[long] = ~sure.fill_null(False).to_numpy(zero_copy_only=False)
    written = pc.binary_join_element_wise(pa.scalar(":", outside.type), shortest, parts.field("rest"), nothing)
    return _put(outside, long, written), unsure


def _price_texts_as_numbers(flat: pa.Array, offsets: np.ndarray, between: np.ndarray) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """The pieces of JSON texts split at their quote marks with each price written as a text
    (``"price"``, ``: ``, ``27777.90``, ``}``) put, as its number, into one piece with those around it
    (``: 27777.90}``); a whole one with ".0". The lists' offsets and which pieces are between texts, anew.
    A text is a price's when the piece before it is a colon and the text before that is "price": a
    key's text follows a comma, and "price" as a name is followed by a comma or a brace."""
    texts = np.flatnonzero(~between)
    texts = texts[texts >= 2]
    if not len(texts):
        return flat, offsets, between
    keys, colons = flat.take(pa.array(texts - 2)), flat.take(pa.array(texts - 1))
    priced = pc.and_(pc.equal(keys, "price"), pc.equal(pc.utf8_trim(colons, " \t\n\r"), ":"))
    prices = texts[priced.to_numpy(zero_copy_only=False)]
    if not len(prices):
        return flat, offsets, between
    numbers = pc.replace_substring(flat.take(pa.array(prices)), ",", "")  # 27,777.90: the grouping's commas
    point, nothing = pa.scalar(".0", flat.type), pa.scalar("", flat.type)
    numbers = pc.if_else(pc.match_substring(numbers, "."), numbers, pc.binary_join_element_wise(numbers, point, nothing))
    joined = pc.binary_join_element_wise(flat.take(pa.array(prices - 1)), numbers, flat.take(pa.array(prices + 1)), nothing)
    kept = np.ones(len(flat), dtype=bool)
    kept[prices] = kept[prices + 1] = False
    rebuilt = _put(flat, prices - 1, joined, kept)  # each joined piece in place of the one before its price
    dropped = np.concatenate([[0], np.cumsum(~kept)])  # pieces dropped before each place
    return rebuilt, offsets - dropped[offsets - offsets[0]], between[kept]


def _put(pieces: pa.Array, at: np.ndarray, new: pa.Array, kept: np.ndarray | None = None) -> pa.Array:
    """``pieces`` with ``new`` in place of the pieces at places ``at`` (one each, in order), and only
    the places ``kept`` where it is given: one take over both arrays."""
    order = np.arange(len(pieces))
    order[at] = len(pieces) + np.arange(len(at))
    return pa.concat_arrays([pieces, new]).take(pa.array(order if kept is None else order[kept]))


def _spaces_in(texts: pa.Array) -> list[str]:
    """The whitespace characters of JSON that occur in ``texts`` at all (by its bytes)."""
    data = value_bytes(texts)
    present = set(np.unique(data[data <= 0x20]).tolist())
    return [text for byte, text in _SPACE_BYTES.items() if byte in present]


def _candidates(series: pd.Series, ready: np.ndarray, pattern: str) -> tuple[np.ndarray, pd.Series] | None:
    """The rows not ``ready`` whose text the RE2 ``pattern`` matches, and their texts; None if none does."""
    todo = np.flatnonzero(~ready)
    if not len(todo):
        return None
    part = series if len(todo) == len(series) else series.iloc[todo]
    found = matches(part, pattern)
    if not found.any():
        return None
    return todo[found], part if found.all() else part[found]  # a column laid out alike throughout: no copy


def _replaced(
    series: pd.Series, ready: np.ndarray, rows: np.ndarray, values: list[str] | pa.Array | pa.ChunkedArray,
    canonical: np.ndarray,
) -> tuple[pd.Series, np.ndarray]:
    """A copy of ``series`` with ``values`` at ``rows``, and ``ready`` with the ``canonical`` rows too."""
    new = pd.array(values, dtype=STRING) if isinstance(values, list) else pd.arrays.ArrowStringArray(values)
    if len(rows) == len(series):  # every row (rows are in order): the new values alone, no copy of the old
        text = pd.Series(new, index=series.index).astype(STRING)
    else:
        text = series.astype(STRING).copy()
        text.iloc[rows] = new
    done = ready.copy()
    done[canonical] = True
    return text, done


def count_bidders(series: pd.Series) -> np.ndarray:
    """The number of bidders in canonical bidders JSON: its objects, which start with a name or a price.
    Neither opening is found inside a text, where a quote mark is written \\"."""
    text = arrow(series)
    names = pc.count_substring(text, '{"name": ').fill_null(0).to_numpy(zero_copy_only=False)
    return names + pc.count_substring(text, '{"price": ').fill_null(0).to_numpy(zero_copy_only=False)
