"""Parsing a column once per distinct value, keeping where and why it failed.

Officers' columns repeat their values (a method, a reason, a date); a national
table has a million rows but a few thousand distinct values. Every cell parser
runs through :func:`map_unique`, which also collects the failures as positions
and error codes rather than a column of codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from procdata.errors import ParseError
from procdata.normalize.columns import STRING, python_values, to_text


class Failures(NamedTuple):
    """The values a parser could not read: their positions, and the code of each error."""

    rows: np.ndarray
    codes: np.ndarray  # of str


def map_unique(
    series: pd.Series, func: Callable[[str], Any], *, text: bool = False, dtype: str | None = None,
) -> tuple[pd.Series, Failures]:
    """Apply ``func`` once per distinct value: (values, the positions where it failed and why).

    With ``text``, ``func`` gives text (or None) and the values come back as a text column;
    with ``dtype``, as a column of that type (built from the distinct values, not row by row).
    """
    codes, uniques = pd.factorize(series)
    values = np.empty(len(uniques) + 1, dtype=object)  # the last slot is for missing values (code -1)
    errors = np.empty(len(uniques) + 1, dtype=object)
    distinct = python_values(uniques)
    for number, item in enumerate(distinct):
        try:
            values[number] = func(item)
        except ParseError as error:
            errors[number] = error.code
    if text and series.dtype == STRING and list(values[:-1]) == distinct:
        result = series  # every value maps to itself (codes already canonical): no copy
    elif text:
        result = to_text(list(values[:-1]), codes, series.index)
    elif dtype:
        result = pd.Series(pd.array(list(values), dtype=dtype)[codes], index=series.index)
    else:
        result = pd.Series(values[codes], index=series.index, dtype=object)
    failed = np.array([error is not None for error in errors])
    rows = np.flatnonzero(failed[codes]) if failed.any() else np.zeros(0, dtype=np.int64)
    return result, Failures(rows, errors[codes[rows]])
