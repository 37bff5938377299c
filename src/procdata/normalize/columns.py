"""Whole-column fast paths for the cell parsers, for million-row tables.

Each function here gives exactly what applying a cell parser to every value
would give. Values already in their final form are recognised by one
vectorized (Arrow, RE2) test and kept as they are; only the others go
through the cell parser, once per distinct value. A canonical CSV written by
procdata is almost entirely such values.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.normalize.numbers import digits_only
from procdata.normalize.text import (
    BRACKETED_NOTE,
    SARA_AA,
    SARA_AM,
    THAI_DIGITS,
    fix_sara_am,
    fold,
    one_line,
)

STRING = pd.StringDtype("pyarrow")  # "string[pyarrow]", as an object: pandas parses the name on every use
# Threads for column-wise work: Arrow and NumPy release the GIL, so each uses a core.
THREADS = max(2, min(8, os.cpu_count() or 2))
THREAD_ROWS = 20_000  # shorter columns are done one after the other: starting threads would cost more

# Text that text.clean may change: anything but printable ASCII, Thai and single spaces
# between words (line breaks, invisible characters, other scripts), ำ twice and า never
# (garbled sara am), or a Thai tone mark before a lower vowel or phinthu, or a lower vowel
# before phinthu (NFC reorders those marks). Everything else it leaves as it is.
_MAY_CHANGE_BESIDES_SARA_AM = "[^ -~\u0e01-\u0e5b]|^ | $|  |[\u0e48-\u0e4b][\u0e38\u0e39\u0e3a]|[\u0e38\u0e39]\u0e3a"
_MAY_BE_GARBLED = "^[^\u0e32]*\u0e33[^\u0e32]*\u0e33[^\u0e32]*$"
_MAY_CHANGE = _MAY_CHANGE_BESIDES_SARA_AM + "|" + _MAY_BE_GARBLED

# Contract numbers that cells.parse_contract returns as they are: no words, spaces or dates.
_PLAIN_CONTRACT = "^[0-9A-Za-z][0-9A-Za-z/.-]*$"
_CONTRACT_WORDS = "(?i)^no|date"


def column_map(func: Callable[[Any], Any], items: Iterable[Any], rows: int) -> list[Any]:
    """``func`` of each item (a column of ``rows`` values), on :data:`THREADS` threads when the
    columns are long enough to be worth it."""
    if rows < THREAD_ROWS:
        return [func(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(func, items))


def arrow(series: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as Arrow strings, without copying when it already is one."""
    return pa.array(series.astype(STRING).array)


def _taken(values: list[Any], codes: np.ndarray) -> pa.Array:
    table = pa.array([v if isinstance(v, str) else None for v in values], type=pa.large_string())
    return table.take(pa.array(codes, mask=codes < 0))


def _text_series(array: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(array), index=index).astype(STRING)


def to_text(values: list[Any], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``values[codes]`` as a text column (code -1: missing), built in Arrow."""
    return _text_series(_taken(values, codes), index)


def strip_series(series: pd.Series) -> pd.Series:
    """``series.astype(STRING).fillna("").str.strip()``, without copying values that need no stripping."""
    text = series.astype(STRING).fillna("")
    return text.str.strip() if _may_need_strip(arrow(text)) else text


def _may_need_strip(array: pa.Array | pa.ChunkedArray) -> bool:
    """Whether some value may start or end with whitespace: a test of the bytes at each value's edges.

    Whitespace is ASCII (bytes up to 0x20) or a character whose UTF-8 form starts with byte
    C2 (U+0085, U+00A0), E1 (U+1680) or E2/E3 (U+2000-U+205F, U+3000), with 9A, 80 or 81 as
    its second byte. So a value may start with whitespace when its first byte is one of
    those, and end with it when its last byte is ASCII whitespace, or the byte before the
    last is C2, or 9A, 80 or 81 before a continuation byte. Thai (E0 B8/B9 ..) never is.
    """
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    return any(_edges_suspect(chunk) for chunk in chunks)


def text_offsets(texts: pa.Array) -> np.ndarray:
    """A string array's value offsets as int64, read from its buffer (no copy for large strings)."""
    wide = 8 if pa.types.is_large_string(texts.type) else 4
    offsets = np.frombuffer(texts.buffers()[1], dtype=f"<i{wide}", count=len(texts) + 1, offset=texts.offset * wide)
    return offsets if wide == 8 else offsets.astype(np.int64)


def value_bytes(texts: pa.Array) -> np.ndarray:
    """The bytes of a string array's own values, in order (a piece cut from a longer array shares its
    neighbours' buffer: only its own part)."""
    offsets = text_offsets(texts)
    data_buffer = texts.buffers()[2]
    if data_buffer is None:
        return np.zeros(0, dtype=np.uint8)
    return np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]


def _edges_suspect(chunk: pa.Array) -> bool:
    # Bytes picked by indexing and told by comparisons, the last but one only where a last byte is
    # not ASCII: 89 ms against 141 ms for a 200,000-row chunk's 31 columns (table lookups, and
    # take(mode="clip"), cost a pass each). An empty value reads a neighbour's bytes, and one at the
    # start reads the buffer's last (index -1): a harmless false alarm at worst.
    data_buffer = chunk.buffers()[2]
    if data_buffer is None or len(chunk) == 0:
        return False
    offsets = text_offsets(chunk)
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    if not len(data):
        return False
    first = data[np.minimum(offsets[:-1], len(data) - 1)]  # empty values at the end start at the data's end
    if ((first <= 0x20) | (first == 0x7F) | (first == 0xC2) | ((first >= 0xE1) & (first <= 0xE3))).any():
        return True
    last = data[offsets[1:] - 1]
    if ((last <= 0x20) | (last == 0x7F)).any():
        return True
    wide = last >= 0x80
    if not wide.any():
        return False
    before = data[np.maximum(offsets[1:] - 2, 0)]
    return bool(((before == 0xC2) | (wide & ((before == 0x80) | (before == 0x81) | (before == 0x9A)))).any())


def may_have_controls(series: pd.Series) -> bool:
    """Whether some value may hold a control character of ``text.CONTROL``: a test of the bytes.

    In UTF-8 those characters are a byte below 0x20 (tab, line feed and
    carriage return aside) or 0x7F, or start with byte C2 (C1 controls
    U+0080-U+009F), E2 (U+2028/U+2029) or EF (U+FFFE/U+FFFF). Thai (E0 B8/B9 ..)
    and ASCII text have none of them, so a column of either is cleared by a
    few comparisons over its bytes instead of a regular expression per value;
    any such byte (a no-break space starts with C2 too) sends the column to
    the exact test.
    """
    array = arrow(series)
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        data = value_bytes(chunk)
        for start in range(0, len(data), _BLOCK):  # in blocks: the comparisons' temporary arrays stay in the cache
            block = data[start : start + _BLOCK]
            if block.min() < 0x20:  # most columns are one line: no byte below a space, one cheap pass
                low = block < 0x20
                if not _LINE_BYTES[block[low]].all():
                    return True
            # Then the highest byte, another cheap pass: below 0x7F, the block is ASCII and done; up to
            # E0 (Thai's lead byte), only C2 can start a control; above, lead bytes are sorted out
            # (a 200,000-row chunk's 31 columns: 68 ms against 93 ms with the sorting for every block).
            high = block.max()
            if high < 0x7F:
                continue
            if (block == 0x7F).any():
                return True
            if high <= 0xE0:
                if (block == 0xC2).any():
                    return True
                continue
            lead = (block > 0xC1) & (block != 0xE0)  # lead bytes other than Thai's, which are few
            if np.isin(block[lead], (0xC2, 0xE2, 0xEF)).any():
                return True
    return False


# 256 KB: a 200,000-row chunk's item names (16 MB) scanned in 16 MB blocks took 3-4 times as long,
# the temporary arrays going out to memory and back (benchmarks/README.md, stop 28).
_BLOCK = 1 << 18
_LINE_BYTES = np.zeros(256, dtype=bool)
_LINE_BYTES[[0x09, 0x0A, 0x0D]] = True


def matches(series: pd.Series, pattern: str) -> np.ndarray:
    """Where the RE2 ``pattern`` is found in each value (False for missing values)."""
    found = pc.match_substring_regex(arrow(series), pattern)
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def python_values(values: Any) -> list[Any]:
    """The values of an array as a Python list: Arrow text converted at once (iterating an Arrow-backed
    array makes a scalar per value, which costs more than the function applied to it)."""
    if getattr(values, "dtype", None) == STRING:
        return pa.array(pd.array(values)).to_pylist()
    return list(values)


def repeats(series: pd.Series, sample: int = 20_000, pieces: int = 20) -> bool:
    """Whether a long column repeats its values, judged from ``pieces`` runs of rows spread over
    it: then taking its distinct values apart costs less than scanning all its text (names of
    firms, reasons). The runs are slices, so nothing of the column is copied to judge."""
    size = len(series)
    if size <= 4 * sample:
        return False
    text = arrow(series)
    run = sample // pieces
    runs = [text.slice(start, run) for start in np.linspace(0, size - run, pieces).astype(np.int64)]
    chunks = [chunk for part in runs for chunk in (part.chunks if isinstance(part, pa.ChunkedArray) else [part])]
    return pc.count_distinct(pa.chunked_array(chunks, type=text.type)).as_py() < sample // 2


def _keep_or_map(series: pd.Series, keep: np.ndarray, func: Callable[[list[str]], list[str]]) -> pd.Series:
    """``func`` of the values not kept (given as one list of the distinct ones); the kept ones as they are."""
    text = series.astype(STRING)
    if keep.all():
        return text
    codes = np.full(len(text), -1)
    codes[~keep], uniques = pd.factorize(text[~keep])
    values = python_values(uniques)
    results = func(values)
    if results == values:  # nothing changed after all: no copy
        return text
    return _text_series(pc.if_else(pa.array(keep), arrow(text), _taken(results, codes)), text.index)


def one_line_series(series: pd.Series) -> pd.Series:
    """:func:`procdata.normalize.text.one_line` of every value of a text column (no missing values)."""
    if repeats(series):
        # Each distinct value once; only those the pattern says may change go to Python.
        codes, uniques = pd.factorize(series)
        distinct = pd.Series(pd.array(uniques, dtype=STRING))
        keep = ~matches(distinct, _MAY_CHANGE)
        if keep.all():
            return series.astype(STRING)
        done = arrow(_keep_or_map(distinct, keep, _one_lines))
        return _text_series(done.take(pa.array(codes, mask=codes < 0)), series.index)
    keep = ~matches(series, _MAY_CHANGE)
    return _keep_or_map(series, keep, _one_lines)


# text.fold of a text that text.clean leaves as it is and that holds ASCII and Thai alone (what
# _MAY_CHANGE does not find): lower case is ASCII's, the only whitespace its \s finds is the space.
_THAI_DIGITS = tuple((chr(thai), chr(digit)) for thai, digit in THAI_DIGITS.items())
_FOLD_DROP_PLAIN = r"[ .\-_/:,*\"'()\[\]]+"
FOLD_ROWS = 2_000  # fewer values are folded one by one: the column-wise steps cost more


def fold_values(values: list[str]) -> list[str]:
    """:func:`procdata.normalize.text.fold` of each value (bracketed notes dropped): in Arrow for the
    values clean leaves as they are, by ``fold`` for the others (a national table's winners are
    hundreds of thousands of distinct names, each folded once for the merge)."""
    if len(values) < FOLD_ROWS:
        return [fold(value) for value in values]
    text = pa.array(values, pa.large_string())
    plain = ~matches(pd.Series(pd.arrays.ArrowStringArray(text)), _MAY_CHANGE)
    folded = pc.ascii_lower(text)
    if pc.any(pc.match_substring_regex(folded, "[๐-๙]")).as_py():  # ten passes only where there are Thai digits
        for thai, digit in _THAI_DIGITS:
            folded = pc.replace_substring(folded, thai, digit)
    folded = pc.replace_substring(folded, SARA_AM, SARA_AA)
    folded = pc.replace_substring_regex(pc.replace_substring_regex(folded, BRACKETED_NOTE, ""), _FOLD_DROP_PLAIN, "")
    out = folded.to_pylist()
    for at in np.flatnonzero(~plain).tolist():
        out[at] = fold(values[at])
    return out


def _one_lines(values: list[str]) -> list[str]:
    """:func:`one_line` of each value. A value that only :data:`_MAY_BE_GARBLED` stops (printable ASCII
    and Thai, single spaces between words, marks in order, and two ำ without า, as "ซื้อน้ำมัน ... จำนวน
    200 ลิตร", a common item) is one that every other step of ``one_line`` leaves as it is: it goes to
    ``fix_sara_am`` alone, which costs less than half as much in Python."""
    full = matches(pd.Series(pd.array(values, dtype=STRING)), _MAY_CHANGE_BESIDES_SARA_AM).tolist()
    return [one_line(value) if whole else _fixed_sara_am(value) for value, whole in zip(values, full, strict=True)]


# The same items come back in every chunk of a national table (1,000,000 rows: 5,000 distinct such
# items, fixed 44,687 times without this, once per chunk and thread: 4,990 with it); bounded, a few MB at most.
_fixed_sara_am = functools.lru_cache(maxsize=1 << 14)(fix_sara_am)


def digits_only_series(series: pd.Series) -> pd.Series:
    """:func:`procdata.normalize.numbers.digits_only` of every value of a text column."""
    from procdata.normalize.shapes import only_digits  # (shapes builds on this module)

    keep = only_digits(series)
    if not keep.all():
        # ASCII digits grouped by spaces or hyphens (0-1055-51234-56-7, as a taxpayer ID is often
        # written): digits_only drops those, in Arrow; one per distinct value in Python took a national
        # table so written 1.8 times the clean one's time.
        grouped = ~keep & matches(series, "^[0-9 -]*$")
        if grouped.any():
            text = arrow(series.astype(STRING))
            joined = pc.replace_substring(pc.replace_substring(text, " ", ""), "-", "")
            series = _text_series(pc.if_else(pa.array(grouped), joined, text), series.index)
            keep = keep | grouped
    return _keep_or_map(series, keep, lambda values: [digits_only(value) for value in values])


def plain_contract_numbers(series: pd.Series) -> np.ndarray:
    """Values that ``parse_contract`` would return unchanged as the contract number."""
    from procdata.normalize.shapes import plain_contracts

    return plain_contracts(series)  # told by the bytes: matches(series, _PLAIN_CONTRACT) & ~matches(series, _CONTRACT_WORDS)


def json_cells(series: pd.Series) -> bool | None:
    """Whether every value of a bidders column with text starts with "[" once stripped (JSON), None
    when no value has text. Told from the values as they are when each one with text starts with "["
    (stripped too, then): no stripped copy of a long column, which only a value that does not asks for."""
    raw = arrow(series)
    filled = pc.greater(pc.binary_length(raw), 0).fill_null(False)
    if pc.all(pc.or_(pc.invert(filled), pc.starts_with(raw, "[")).fill_null(True)).as_py():
        return True if pc.any(filled).as_py() else None
    text = strip_series(series)
    with_text = text.ne("").to_numpy(dtype=bool)
    return bool(text[with_text].str.startswith("[").all()) if with_text.any() else None


def empty(series: pd.Series) -> np.ndarray:
    """Values with no text at all (missing values too), told by their length alone: equal offsets,
    read from each chunk's buffer (half the cost of Arrow's lengths, comparison and conversion to
    NumPy; :func:`plain_empty` is the form it must equal)."""
    array = arrow(series)
    parts = []
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        if not len(chunk) or not pa.types.is_large_string(chunk.type):  # (pandas keeps its text as large strings)
            parts.append(plain_empty(chunk))
            continue
        offsets = text_offsets(chunk)
        blank = offsets[1:] == offsets[:-1]
        if chunk.null_count:
            blank |= ~chunk.is_valid().to_numpy(zero_copy_only=False)
        parts.append(blank)
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def plain_empty(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """:func:`empty` by Arrow's lengths."""
    return pc.equal(pc.binary_length(values), 0).fill_null(True).to_numpy(zero_copy_only=False)


def non_blank(series: pd.Series) -> np.ndarray:
    """Values with something besides whitespace (as ``str.strip() != ""`` says; missing values are blank)."""
    text = arrow(series)
    filled = pc.and_(pc.greater(pc.binary_length(text), 0), pc.invert(pc.utf8_is_space(text)))
    return filled.fill_null(False).to_numpy(zero_copy_only=False)
