"""A sheet's cells as columns of Arrow text, the form every later step reads.

Used where the cells are: in the reader process for a workbook (so that its
columns, not millions of Python values, cross the process boundary: a pickle of
Arrow buffers), and in the command's process for HTML and JSON tables. Imports
numpy and pyarrow only when called.
"""

from __future__ import annotations

from typing import Any

from procdata.read.workbook import cell_text


def text_columns(rows: list[list[Any]]) -> list[Any] | None:
    """Every cell as its text (:func:`~procdata.read.workbook.cell_text`), one Arrow ``large_string``
    array per column; None when there are no rows or no columns. Column by column: a column of text
    cells is its own text as it is; in the others a whole number is its digits without a call for each
    cell, and only fractions, dates and booleans go through ``cell_text``."""
    import numpy as np
    import pyarrow as pa

    width = max((len(row) for row in rows), default=0)
    if not rows or not width:
        return None
    if any(len(row) != width for row in rows):
        rows = [list(row) + [""] * (width - len(row)) for row in rows]
    grid = np.empty((len(rows), width), dtype=object)  # filled row by row, read column by column
    grid[:] = rows
    columns = []
    for number in range(width):
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
