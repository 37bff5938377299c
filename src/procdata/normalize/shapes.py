"""Plain values told by their bytes: what a simple anchored pattern says of each value of a column.

Arrow's regular expressions (RE2) cost about 100 ns a value however short the
value is, so testing a million short numbers against ``^[0-9]*$`` costs more
than reading them. The patterns below only ask which bytes a value holds, its
length and its first and last byte; those are read from the column's buffers
with a few NumPy operations. Each function equals ``columns.matches`` with the
pattern it names (tests/test_scale_fastpaths.py proves it), and where a value
falls outside what the bytes can settle, the pattern itself decides it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.normalize.columns import STRING, arrow, matches, repeats, text_offsets, value_bytes


def _bytes(characters: str) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(characters.encode("ascii"))] = True
    return table


DIGITS = _bytes("0123456789")
LETTERS = _bytes("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
LETTERS_DIGITS = DIGITS | LETTERS
CONTRACT = LETTERS_DIGITS | _bytes("/.-")
DECIMAL = DIGITS | _bytes(".")
NUMBERED = r"^[0-9๐-๙]+\.?$"  # a row's number, as numbered() tells it
# A Table Schema pattern of digits alone: [0-9]{N}, or [0-9]* (any number of them).
_DIGITS_PATTERN = re.compile(r"\[0-9\](?:\{([0-9]+)\}|\*)")
# Every byte allowed: for a test of the first byte only, so that no byte is looked up one by one
# (with LETTERS, each digit of a column of taxpayer IDs was, 2.6M of them in 200,000 rows).
ANY_BYTE = np.ones(256, dtype=bool)


class Facts(NamedTuple):
    """What the bytes say of each value: filled (not missing), length in bytes, first and last byte
    (0 for an empty value), whether it holds a byte outside the allowed ones, its count of dots."""

    valid: np.ndarray
    length: np.ndarray
    first: np.ndarray
    last: np.ndarray
    outside: np.ndarray
    dots: np.ndarray


def facts(series: pd.Series, allowed: np.ndarray) -> Facts:
    """The :class:`Facts` of every value of a text column, ``allowed`` a table of 256 bytes."""
    array = arrow(series)
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    parts = [_chunk_facts(chunk, allowed) for chunk in chunks]
    if not parts:
        return Facts(*(np.zeros(0, dtype=t) for t in (bool, np.int64, np.uint8, np.uint8, bool, np.int64)))
    return Facts(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def _chunk_facts(chunk: pa.Array, allowed: np.ndarray) -> Facts:
    size = len(chunk)
    valid = chunk.is_valid().to_numpy(zero_copy_only=False) if chunk.null_count else np.ones(size, dtype=bool)
    data_buffer = chunk.buffers()[2]
    offsets = text_offsets(chunk)
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, dtype=np.uint8)
    length = np.diff(offsets)
    filled = length > 0
    first = np.zeros(size, dtype=np.uint8)
    last = np.zeros(size, dtype=np.uint8)
    first[filled] = data[offsets[:-1][filled]]
    last[filled] = data[offsets[1:][filled] - 1]
    body = data[offsets[0] : offsets[-1]]

    def rows_of(where: np.ndarray) -> np.ndarray:
        return np.searchsorted(offsets, where + offsets[0], side="right") - 1

    outside = np.zeros(size, dtype=bool)
    dots = np.zeros(size, dtype=np.int64)
    if len(body):
        # The lowest and highest byte first (two passes the CPU does in wide steps): when every byte
        # between them is allowed, no value holds another, and none is looked up (a column of 200,000
        # taxpayer IDs: 0.3 ms against 12 ms). Dots are counted only when a dot may be there.
        low, high = int(body.min()), int(body.max())
        if not allowed[low : high + 1].all():
            outside[rows_of(np.flatnonzero(~allowed[body]))] = True
        if low <= 0x2E <= high:
            dots = np.bincount(rows_of(np.flatnonzero(body == 0x2E)), minlength=size)
    return Facts(valid, length, first, last, outside, dots)


def only_digits(series: pd.Series) -> np.ndarray:
    """``matches(series, "^[0-9]*$")``."""
    f = facts(series, DIGITS)
    return f.valid & ~f.outside


def all_digits(series: pd.Series) -> bool:
    """``only_digits(series).all()``, told by each piece's lowest and highest byte alone (a column of
    contract numbers, whose every value holds a "/", is not sorted out value by value)."""
    array = arrow(series)
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        if chunk.null_count:
            return False
        body = value_bytes(chunk)
        if len(body) and (body.min() < 0x30 or body.max() > 0x39):
            return False
    return True


def digits_of_width(series: pd.Series, width: int) -> np.ndarray:
    """``matches(series, f"^[0-9]{{{width}}}$")``."""
    f = facts(series, DIGITS)
    return f.valid & ~f.outside & (f.length == width)


def lost_leading_zero(series: pd.Series) -> np.ndarray:
    """``matches(series, "^[1-9][0-9]{11}$")``: twelve digits not starting with 0, a taxpayer ID whose
    leading zero a spreadsheet dropped."""
    f = facts(series, DIGITS)
    return f.valid & ~f.outside & (f.length == 12) & (f.first != 0x30)


def numbered(series: pd.Series) -> np.ndarray:
    """``matches(series, NUMBERED)``, a row's number (``12``, ``12.``, ``๑๒``): a value of ASCII digits
    and dots matches when it starts with a digit and has no dot but a last one; any other (Thai
    digits, a space) is left to the pattern."""
    f = facts(series, DECIMAL)
    found = f.valid & ~f.outside & DIGITS[f.first] & ((f.dots == 0) | ((f.dots == 1) & (f.last == 0x2E)))
    others = np.flatnonzero(f.valid & f.outside)
    if len(others):
        found[others] = matches(series.iloc[others], NUMBERED)
    return found


def fullmatches(series: pd.Series, pattern: str) -> np.ndarray:
    """``matches(series, f"^(?:{pattern})$")``: where each value is wholly ``pattern``, as a Table
    Schema pattern means. Digits alone (``[0-9]{11}``, a project number) are told by the bytes; any
    other pattern is tried on each distinct value when the column repeats its values (report months,
    a vocabulary: 5 ms per 200,000 rows against 15 ms), else on each value."""
    digits = _DIGITS_PATTERN.fullmatch(pattern)
    if digits:
        return digits_of_width(series, int(digits.group(1))) if digits.group(1) else only_digits(series)
    anchored = f"^(?:{pattern})$"
    if not repeats(series):
        return matches(series, anchored)
    codes, uniques = pd.factorize(series.astype(STRING))
    found = np.append(matches(pd.Series(pd.array(uniques, dtype=STRING)), anchored), False)
    return found[codes]  # a missing value's code is -1: the False appended


def whole_numbers(series: pd.Series) -> np.ndarray:
    """``matches(series, "^[0-9]{1,18}$")``."""
    f = facts(series, DIGITS)
    return f.valid & ~f.outside & (f.length >= 1) & (f.length <= 18)


def starts_with_letter(series: pd.Series) -> np.ndarray:
    """``matches(series, "^[A-Za-z]")``."""
    f = facts(series, ANY_BYTE)
    return f.valid & (f.length >= 1) & LETTERS[f.first]


def plain_amounts(series: pd.Series) -> np.ndarray:
    """``matches(series, r"^-?[0-9]+(\\.[0-9]+)?$")``: a value of digits and dots matches when it
    starts and ends with a digit and has one dot at most; any other (a sign, a space, a comma) is
    left to the pattern."""
    f = facts(series, DECIMAL)
    found = f.valid & ~f.outside & DIGITS[f.first] & DIGITS[f.last] & (f.dots <= 1)
    others = np.flatnonzero(f.valid & f.outside)
    if len(others):
        found[others] = matches(series.iloc[others], r"^-?[0-9]+(\.[0-9]+)?$")
    return found


def plain_contracts(series: pd.Series) -> np.ndarray:
    """``matches(series, "^[0-9A-Za-z][0-9A-Za-z/.-]*$") & ~matches(series, "(?i)^no|date")``: those
    values are ASCII, so the words are told in ASCII lower case, by plain substring tests."""
    f = facts(series, CONTRACT)
    found = f.valid & ~f.outside & (f.length >= 1) & LETTERS_DIGITS[f.first]
    if found.any():
        # utf8_lower, not ascii_lower: pyarrow's ascii_lower keeps the offsets of an array whose first
        # offset is not 0 (a slice cast to large_string, as every chunk after the first is) but not its
        # bytes, and the words were looked for in the wrong bytes (tests/test_scale_fastpaths.py).
        lower = pc.utf8_lower(arrow(series))
        words = pc.or_(pc.starts_with(lower, "no"), pc.match_substring(lower, "date"))
        found &= ~words.fill_null(False).to_numpy(zero_copy_only=False)
    return found
