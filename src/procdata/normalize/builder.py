"""The bookkeeping of one table being normalized: its text columns, the typed
columns parsed from them, and every cell that could not be understood.

A cell that cannot be understood becomes an empty value plus a
:class:`~procdata.model.CellIssue` at its row and column: nothing is guessed
silently. Plain values take a vectorized fast path (Arrow casts, RE2 tests);
the rest are parsed once per distinct value (:func:`~procdata.normalize.unique.map_unique`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.errors import ParseError
from procdata.model import CellIssues, Column, IssueRun, Resolution
from procdata.normalize import vocab
from procdata.normalize.columns import (
    STRING,
    arrow,
    empty,
    matches,
    may_have_controls,
    one_line_series,
    to_text,
)
from procdata.normalize.dates import parse_date
from procdata.normalize.numbers import parse_amount, parse_int
from procdata.normalize.shapes import plain_amounts, whole_numbers
from procdata.normalize.text import CONTROL_RE2, shown_controls, strip_controls
from procdata.normalize.unique import map_unique

_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# The field a composite column's problems are reported at.
_FIELD_OF_KEY = {"winner": "winner_name", "contract": "contract_no", "bidder_names": "bidders", "bidder_prices": "bidders"}


@dataclass
class Context:
    """Where a table was read, and what its titles say about the records' month and year.

    Several tables normalized at once carry these per record instead, as columns
    of the raw table: ``_file``, ``_sheet`` and ``_month`` (see :data:`PER_RECORD`).
    """

    file: str
    sheet: str
    report_month: str | None = None
    fiscal_year: int | None = None


# Raw columns that give each record its own file, sheet and title month (tables normalized together).
PER_RECORD = ("_file", "_sheet", "_month")


class Builder:
    """The raw text of one table, and the issues raised while it is parsed."""

    def __init__(self, raw: pd.DataFrame, columns: dict[str, Column], context: Context) -> None:
        self.raw = raw
        self.columns = columns
        self.context = context
        self.rows = raw["source_row"].to_numpy(dtype=np.int64)
        self.issues = CellIssues()
        self.sites: list[tuple[str, str]] = []  # (key, field) of each place that raises issues, in call order
        # Ambiguous cells read by their record's evidence, by (file, sheet, key, text, code, evidence).
        self.resolutions: dict[tuple[str, ...], Resolution] = {}  # ambiguous cells read by their record's evidence
        self._texts: dict[str, pd.Series] = {}
        self._calls: dict[tuple[str, str], int] = {}  # issues_at calls of each place so far

    def text(self, key: str) -> pd.Series | None:
        """The raw text of column ``key``: the edge where cells enter, so control characters leave here."""
        if key not in self.raw:
            return None
        if key not in self._texts:
            self._texts[key] = self._without_controls(key, self.raw[key].astype(STRING).fillna(""))
        return self._texts[key]

    def _without_controls(self, key: str, series: pd.Series) -> pd.Series:
        """``series`` with control characters removed (see normalize.text.CONTROL), each cell reported."""
        field = _FIELD_OF_KEY.get(key, key)
        self.site(key, field)
        if not may_have_controls(series):  # the bytes say none can be there: no test value by value
            return series
        where = np.flatnonzero(matches(series, CONTROL_RE2))
        if not len(where):
            return series
        values = series.iloc[where].tolist()
        shown = series.copy()
        shown.iloc[where] = [shown_controls(v) for v in values]
        self.issues_at(key, field, where, ["control_characters"] * len(where), shown)
        cleaned = series.copy()
        cleaned.iloc[where] = [strip_controls(v) for v in values]
        return cleaned

    def issue(self, key: str, field: str, mask: pd.Series, code: str, raw: pd.Series) -> None:
        """The issue ``code`` at every row ``mask`` selects."""
        where = np.flatnonzero(mask.to_numpy(dtype=bool))
        self.issues_at(key, field, where, code, raw)

    def site(self, key: str, field: str) -> None:
        """Note a place that raises issues (the order of places orders the issues of a table in parts)."""
        if (key, field) not in self.sites:
            self.sites.append((key, field))

    def issues_at(self, key: str, field: str, where: np.ndarray, code_values: Any, raw: pd.Series) -> None:
        """Issues ``code_values`` (one code, or a sequence of one per row) at the row positions ``where`` (in order)."""
        self.site(key, field)
        call = self._calls.get((key, field), 0)
        self._calls[(key, field)] = call + 1
        if not len(where):
            return
        column = self.columns.get(key, Column("", key))
        where = np.asarray(where, dtype=np.int64)
        taken = pa.array(where)
        self.issues.add(IssueRun(
            self._where("_file", self.context.file, taken), self._where("_sheet", self.context.sheet, taken),
            self.rows[where], column.letter, column.header, field, code_values, arrow(raw).take(taken),
            positions=where, site=self.sites.index((key, field)), call=call,
        ))

    def _where(self, name: str, same: str, taken: pa.Array) -> Any:
        """The file (or sheet) of the rows ``taken``: the table's own, or each record's (:data:`PER_RECORD`)."""
        if name not in self.raw:
            return same
        return arrow(self.raw[name]).take(taken)

    def col(self, key: str) -> pd.Series:
        """The text of ``key``, or empty text when the table has no such column."""
        series = self.text(key)
        return series if series is not None else pd.Series("", index=self.raw.index, dtype=STRING)

    def parse(self, key: str, field: str, func: Callable[[str], Any], only: np.ndarray | None = None) -> pd.Series:
        """Like :meth:`parsed`, with all-missing values when the column is absent."""
        values = self.parsed(key, field, func, only=only)
        return values if values is not None else pd.Series(None, index=self.raw.index, dtype=object)

    def parsed(
        self, key: str, field: str, func: Callable[[str], Any], *, only: np.ndarray | None = None, text: bool = False,
        dtype: str | None = None,
    ) -> pd.Series | None:
        """``func`` of each value of ``key`` (of the rows ``only`` selects; missing elsewhere)."""
        raw = self.text(key)
        if raw is None:
            return None
        values, failed = map_unique(raw if only is None else raw[only], func, text=text, dtype=dtype)
        rows = failed.rows
        if only is not None:
            values, rows = values.reindex(raw.index), np.flatnonzero(only)[rows]
        self.issues_at(key, field, rows, failed.codes, raw)
        return values


# Amounts with thousands separators ("29,800.00"), the unit after them or not ("29800.00 บาท"):
# parse_amount reads them as the same without the commas, the space and the unit.
_GROUPED_AMOUNT = r"^-?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?( ?บาท)?$"


def amount_series(builder: Builder, key: str, field: str) -> pd.Series | None:
    """Amounts: plain numbers, and numbers with thousands separators or the unit once those are
    dropped, cast in Arrow; the rest parsed once per distinct value."""
    raw = builder.text(key)
    if raw is None:
        return None
    plain = plain_amounts(raw)
    values = np.full(len(raw), np.nan)
    values[plain] = _cast(raw, plain, pa.float64())
    grouped = np.zeros(len(raw), dtype=bool)
    rest = np.flatnonzero(~plain)
    if len(rest):
        grouped[rest[matches(raw.iloc[rest], _GROUPED_AMOUNT)]] = True
    if grouped.any():
        figures = pc.replace_substring_regex(arrow(raw).filter(pa.array(grouped)), "[, ]|บาท", "")
        values[grouped] = pc.cast(figures, pa.float64()).to_numpy(zero_copy_only=False)
    where, parsed = _parse_rest(builder, key, field, raw, ~plain & ~grouped, parse_amount)
    values[where] = parsed.astype("float64").to_numpy()
    return pd.Series(values, index=raw.index)


def int_series(builder: Builder, key: str, field: str) -> pd.Series:
    """Whole numbers: plain digits cast in Arrow, the rest parsed once per distinct value."""
    raw = builder.text(key)
    if raw is None:
        return pd.Series(None, index=builder.raw.index, dtype="Int64")
    plain = whole_numbers(raw)
    values = np.zeros(len(raw), dtype=np.int64)
    values[plain] = _cast(raw, plain, pa.int64())
    known = plain.copy()
    where, parsed = _parse_rest(builder, key, field, raw, ~plain, parse_int)
    understood = parsed.notna().to_numpy(dtype=bool)
    values[where[understood]] = parsed[understood].astype(np.int64).to_numpy()
    known[where[understood]] = True
    return pd.Series(pd.arrays.IntegerArray(values, ~known), index=raw.index)


def _parse_rest(
    builder: Builder, key: str, field: str, raw: pd.Series, rest: np.ndarray, parse: Callable[[str], Any],
) -> tuple[np.ndarray, pd.Series]:
    """The filled values of ``rest`` parsed once per distinct value: their positions and values.
    Those that cannot be parsed become issues (and missing values)."""
    rest = rest & ~empty(raw)
    where = np.flatnonzero(rest)
    if not len(where):
        builder.site(key, field)
        return where, pd.Series([], dtype=object)
    parsed, failed = map_unique(raw.iloc[where], parse)
    builder.issues_at(key, field, where[failed.rows], failed.codes, raw)
    return where, parsed


def _cast(raw: pd.Series, plain: np.ndarray, to: pa.DataType) -> np.ndarray:
    """The ``plain`` values of a text column, cast by Arrow (all of them at once when all are plain)."""
    text = arrow(raw)
    if not plain.all():
        text = text.filter(pa.array(plain))
    return pc.cast(text, to).to_numpy(zero_copy_only=False)


def _iso(value: str) -> str | None:
    date = parse_date(value)
    return date.isoformat() if date else None


def date_series(builder: Builder, key: str, field: str) -> pd.Series | None:
    """Dates as ISO text (CE), whatever form and era they were written in."""
    raw = builder.text(key)
    if raw is None:
        return None
    # Dates repeat (a year has 365): each distinct value is checked once, and parsed when it
    # is not already an ISO date.
    codes, uniques = pd.factorize(raw)
    distinct = pd.Series(uniques, dtype=STRING)
    checked = pd.to_datetime(distinct.where(matches(distinct, _ISO_DATE)), format="%Y-%m-%d", errors="coerce")
    good = (checked.notna() & (checked.dt.year < 2400)).to_numpy(dtype=bool)
    if good.all():
        builder.site(key, field)
        return raw
    values: list[str | None] = list(uniques)
    errors: list[str | None] = [None] * len(values)
    for number in np.flatnonzero(~good).tolist():
        value = values[number]
        try:
            values[number] = _iso(value) if value else None
        except ParseError as error:
            values[number], errors[number] = None, error.code
    bad = np.array([code is not None for code in errors])[codes]
    where = np.flatnonzero(bad)
    builder.issues_at(key, field, where, [errors[code] for code in codes[where]], raw)
    return to_text(values, codes, raw.index)


def vocab_series(builder: Builder, key: str, kind: str, field: str) -> pd.Series | None:
    """Codes of a vocabulary (``method``, ``status``, ...); an unknown term is an issue."""
    raw = builder.text(key)
    if raw is None:
        return None
    values, _ = map_unique(raw, lambda text: vocab.classify(kind, text), text=True)
    unknown = values.isna() & raw.ne("")
    builder.issue(key, field, unknown, f"unknown_{kind}", raw)
    return values


def as_written(builder: Builder, key: str) -> pd.Series | None:
    """The text of ``<key>_text`` when the table has it, else of ``key`` on one line."""
    given = builder.text(f"{key}_text")
    if given is not None:
        return given
    raw = builder.text(key)
    return None if raw is None else one_line_series(raw)
