"""A sheet's cells as columns of Arrow text, the form every later step reads.

Used where the cells are: in the reader process for a workbook (so that its
columns, not millions of Python values, cross the process boundary: a pickle of
Arrow buffers), and in the command's process for HTML and JSON tables. Imports
numpy and pyarrow only when called. A column of text is laid out as Arrow buffers
from its UTF-8 bytes; in a column of text and numbers the numbers are written by
numpy and Arrow's cast, without a Python call for each cell. Neither goes through
pyarrow's converter from Python objects (``pa.array``), whose first call imports
pandas: 0.4-0.7 s of CPU in the reader process, which never needs pandas, on every
run (0.35 s for the 14 text columns of the 100,000-row benchmark workbook built
here, against 0.7-1.1 s through the converter in a fresh process).
:func:`plain_text_columns` is the cell-by-cell form it must equal
(``tests/test_columns.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, repeat
from typing import Any

from procdata.read.workbook import cell_text


def text_columns(rows: list[list[Any]]) -> list[Any] | None:
    """Every cell as its text (:func:`~procdata.read.workbook.cell_text`), one Arrow ``large_string``
    array per column; None when there are no rows or no columns. A column of text cells is its own
    text as it is; a column of text and numbers has its numbers written by numpy and Arrow (whole
    numbers as digits, others as Python writes them); only other values (dates, booleans, empty
    cells given as None) go through ``cell_text`` one by one."""
    padded = _padded(rows)
    if padded is None:
        return None
    columns = []
    for column in zip(*padded, strict=True):  # the columns, transposed in C
        try:
            columns.append(texts(column))  # text cells only, the common case: no look at their types first
            continue
        except TypeError:  # a cell that is not text
            pass
        kinds = set(map(type, column))
        if kinds <= {str, float}:
            columns.append(_numbers(column))
        else:
            columns.append(texts([cell_text(value) for value in column]))
    return columns


def texts(values: Sequence[str]) -> Any:
    """Python texts as an Arrow ``large_string`` array, laid out from their UTF-8 bytes and offsets
    (TypeError when a value is not a text)."""
    import numpy as np
    import pyarrow as pa

    try:
        encoded = list(map(str.encode, values))
    except UnicodeEncodeError:  # a lone surrogate: Arrow's converter says what it makes of it
        return pa.array(values, pa.large_string())
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.large_string(), len(encoded), [None, pa.py_buffer(offsets), data])


def _grid(rows: list[list[Any]]) -> Any:
    """The cells as a 2-D array of objects (filled row by row, read column by column), short rows
    ended with empty cells; None when there are no rows or no columns."""
    import numpy as np

    padded = _padded(rows)
    if padded is None:
        return None
    grid = np.empty((len(padded), len(padded[0])), dtype=object)
    grid[:] = padded
    return grid


def _padded(rows: list[list[Any]]) -> list[list[Any]] | None:
    """The rows, short ones ended with empty cells; None when there are no rows or no columns."""
    widths = set(map(len, rows))
    width = max(widths, default=0)
    if not width:
        return None
    return [list(row) + [""] * (width - len(row)) for row in rows] if len(widths) > 1 else rows


def _numbers(column: Sequence[Any]) -> Any:
    """A column of texts and floats as text: whole numbers below 10^15 as their digits (Arrow's cast
    of int64), other numbers as Python's ``repr`` (nothing for NaN), texts as they are."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    size = len(column)
    flags = list(map(isinstance, column, repeat(float)))
    is_float = np.array(flags, dtype=bool)
    values = np.fromiter(compress(column, flags), dtype=np.float64, count=int(is_float.sum()))
    with np.errstate(invalid="ignore"):
        whole = (np.abs(values) < 1e15) & (values == np.trunc(values))
    ints = np.ascontiguousarray(values[whole].astype(np.int64))
    digits = pc.cast(pa.Array.from_buffers(pa.int64(), len(ints), [None, pa.py_buffer(ints)]), pa.large_string())
    others = texts([repr(v) if v == v else "" for v in values[~whole].tolist()])
    words = texts(list(compress(column, (not flag for flag in flags))))
    at = np.flatnonzero(is_float)
    order = np.concatenate([np.flatnonzero(~is_float), at[whole], at[~whole]])
    place = np.empty(size, dtype=np.int64)
    place[order] = np.arange(size, dtype=np.int64)
    joined = pa.concat_arrays([words, digits, others])
    return joined.take(pa.Array.from_buffers(pa.int64(), size, [None, pa.py_buffer(place)]))


def plain_text_columns(rows: list[list[Any]]) -> list[Any] | None:
    """:func:`text_columns` cell by cell, through pyarrow's converter: the form it must equal."""
    import pyarrow as pa

    grid = _grid(rows)
    if grid is None:
        return None
    columns = []
    for number in range(grid.shape[1]):
        column = grid[:, number]
        kinds = set(map(type, column))
        if kinds <= {str, type(None)}:  # text and empty cells: Arrow takes them as they are
            text = pa.array(column, pa.large_string()).fill_null("")
        else:
            text = pa.array([
                v if type(v) is str else (str(int(v)) if type(v) is float and v.is_integer() and -1e15 < v < 1e15 else cell_text(v))
                for v in column
            ], pa.large_string())
        columns.append(text)
    return columns
