"""Columns a table has but no field reads: a warning when they look like data that matters.

A header that names a price, a method, a date or an identifier (``data/headers.toml``
[unused]), or values that mostly read as one, is reported at the header cell as
``unused_column`` with the field it resembles: the officer learns that the agreed
price or the method may be missing from the dataset, instead of a note nobody reads.
A column with no header at all is read for nothing whatever it holds: each of its
cells with a value in a row read as a record is a ``no_header`` warning (a note typed
beside the table, cells past the last of the header in a CSV row).
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from procdata.errors import ParseError
from procdata.model import CellIssue
from procdata.normalize.columns import non_blank, python_values
from procdata.normalize.dates import parse_date
from procdata.normalize.numbers import digits_only, parse_amount
from procdata.normalize.text import CONTROL, fold, shown_controls, thai_digits
from procdata.normalize.wording import read_method
from procdata.resources import data

if TYPE_CHECKING:
    import pandas as pd

    from procdata.normalize.builder import Context
    from procdata.read.files import Sheet
    from procdata.read.layout import Layout

SAMPLE = 50  # values looked at per column
_INVISIBLE = re.compile(f"{CONTROL}|[\u200b-\u200d\u2060\ufeff]")  # nothing an officer sees in a cell
SHARE = 0.8  # of the non-blank ones, that must read as a kind of value


@cache
def _header_words() -> dict[str, tuple[str, ...]]:
    return {field: tuple(fold(word) for word in words) for field, words in data("headers")["unused"].items()}


def _by_header(header: str) -> str | None:
    key = fold(header)
    for field, words in _header_words().items():
        if any(key == word or (len(word) > 2 and word in key) for word in words):
            return field
    return None


def _is_identifier(text: str) -> bool:
    digits = digits_only(text)
    return digits.isdigit() and 10 <= len(digits) <= 13


def _is_amount(text: str) -> bool:
    try:
        return parse_amount(text) is not None
    except (ParseError, ValueError):
        return False


def _is_date(text: str) -> bool:
    try:
        return parse_date(text) is not None
    except (ParseError, ValueError):
        return False


def _by_values(values: list[str]) -> str | None:
    if not values:
        return None
    for field, test in (("project_id", _is_identifier), ("method", lambda t: read_method(t).code is not None),
                        ("contract_date", _is_date), ("agreed_price", _is_amount)):
        if sum(map(test, values)) >= SHARE * len(values):
            return field
    return None


def unused_columns(body: pd.DataFrame, layout: Layout, context: Context, sheet: Sheet) -> list[CellIssue]:
    """An ``unused_column`` issue at the header of each unused column that looks like it matters.

    The header cell is named as the sheet numbers it (``sheet.row_number``, ``sheet.letter``): a
    sheet read by its used cells has frame positions that are not its rows and columns.
    """
    issues = []
    row = sheet.row_number(layout.header_rows[0])
    for col, header in layout.unused.items():
        cells = body.iloc[:, col] if col < body.shape[1] else None
        values = [] if cells is None else [str(v).strip() for v in cells.head(SAMPLE * 4).tolist() if str(v).strip()][:SAMPLE]
        field = _by_header(header) or _by_values(values)
        if field:
            issues.append(CellIssue(context.file, context.sheet, row, sheet.letter(col), header, field, "unused_column", header))
    return issues


def headerless_cells(body: pd.DataFrame, layout: Layout, keep: np.ndarray, context: Context, sheet: Sheet) -> list[CellIssue]:
    """A ``no_header`` issue at each cell with a value in a column with no header, in the rows read as
    records (``keep``, positions in ``body``): what it holds would otherwise leave the dataset unsaid.
    A column whose header is only on the second header row, or under a merged parent, has a header."""
    read = set(layout.columns.values())
    issues = []
    for col in range(body.shape[1]):
        if col in layout.headers or col in read:
            continue
        filled = np.flatnonzero(non_blank(body.iloc[: len(keep), col]) & keep)
        values = python_values(body.iloc[filled, col]) if len(filled) else []
        # Cells of invisible characters alone (a zero-width space, a byte-order mark) show the officer nothing to fix.
        seen = [(at, text) for at, value in zip(filled.tolist(), values, strict=True) if _INVISIBLE.sub("", text := str(value)).strip()]
        if _numbering([text for _, text in seen]):
            continue  # the rows numbered 1, 2, 3 ... in a column nobody headed: nothing lost
        for at, text in seen:
            row = sheet.row_number(layout.data_start + at)
            issues.append(CellIssue(context.file, context.sheet, row, sheet.letter(col), "", "", "no_header", shown_controls(text.strip())))
    return issues


def _numbering(values: list[str]) -> bool:
    """Whether ``values``, two or more, number the rows: whole numbers (``1``, ``1.``, ``1)``, ``๑``)
    that go up, by one or more (a row deleted), and may start again from 1 (a month's own numbers).
    Amounts typed past the header (``00``, ``50``, ``25``) do not go up like that: they are said."""
    numbers = []
    for value in values:
        text = thai_digits(str(value).strip()).removesuffix(".0").rstrip(".)")
        if not (text.isascii() and text.isdigit()) or len(text) > 5:
            return False
        numbers.append(int(text))
    if len(numbers) < 2 or numbers[0] == 0:
        return False
    return all(after > before or after == 1 for before, after in pairwise(numbers))
