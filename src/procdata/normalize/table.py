"""Raw text columns of one table -> typed canonical columns, column-wise.

Each parser runs once per distinct value (``map_unique``), and plain values
take a vectorized fast path, so a million-row canonical CSV normalizes in
seconds. A cell that cannot be understood becomes an empty value plus a
:class:`~procdata.read.model.CellIssue`: nothing is guessed silently.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.errors import ParseError
from procdata.normalize import cells, vocab
from procdata.normalize.columns import (
    THREADS,
    arrow,
    canonical_bidders,
    count_bidders,
    digits_only_series,
    empty,
    matches,
    one_line_series,
    plain_contract_numbers,
    to_text,
)
from procdata.normalize.dates import find_month, fiscal_year, parse_date
from procdata.normalize.numbers import parse_amount, parse_int
from procdata.normalize.text import CONTROL_RE2, clean, one_line, shown_controls, strip_controls
from procdata.read.model import FIELDS, CellIssue, Column

STRING = "string[pyarrow]"
PARALLEL_ROWS = 200_000  # tables this long are normalized in parts, one per thread
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TRUE = {"true", "1", "yes", "y", "ใช่", "เป็น", "✓", "✔", "x", "งบลงทุน"}
_FALSE = {"false", "0", "no", "n", "ไม่ใช่", "ไม่เป็น", "ไม่", "-"}
# The field a composite column's problems are reported at.
_FIELD_OF_KEY = {"winner": "winner_name", "contract": "contract_no", "bidder_names": "bidders", "bidder_prices": "bidders"}


@dataclass
class Context:
    file: str
    sheet: str
    report_month: str | None = None
    fiscal_year: int | None = None


class Failures(NamedTuple):
    """The values a parser could not read: their positions, and the code of each error."""

    rows: np.ndarray
    codes: list[str]


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
    for number, item in enumerate(uniques):
        try:
            values[number] = func(item)
        except ParseError as error:
            errors[number] = error.code
    if text and series.dtype == STRING and list(values[:-1]) == list(uniques):
        result = series  # every value maps to itself (codes already canonical): no copy
    elif text:
        result = to_text(list(values[:-1]), codes, series.index)
    elif dtype:
        result = pd.Series(pd.array(list(values), dtype=dtype)[codes], index=series.index)
    else:
        result = pd.Series(values[codes], index=series.index, dtype=object)
    failed = np.array([error is not None for error in errors])
    rows = np.flatnonzero(failed[codes]) if failed.any() else np.zeros(0, dtype=np.int64)
    return result, Failures(rows, [errors[code] for code in codes[rows]])


class _Builder:
    def __init__(self, raw: pd.DataFrame, columns: dict[str, Column], context: Context) -> None:
        self.raw = raw
        self.columns = columns
        self.context = context
        self.rows = raw["source_row"].to_numpy()
        self.issues: list[CellIssue] = []
        self.sites: list[tuple[str, str]] = []  # (key, field) of each place that raises issues, in call order
        self.issue_sites: list[tuple[str, str]] = []  # where each issue was raised
        self._texts: dict[str, pd.Series] = {}

    def text(self, key: str) -> pd.Series | None:
        """The raw text of column ``key``: the edge where cells enter, so control characters leave here."""
        if key not in self.raw:
            return None
        if key not in self._texts:
            self._texts[key] = self._without_controls(key, self.raw[key].astype(STRING).fillna(""))
        return self._texts[key]

    def _without_controls(self, key: str, series: pd.Series) -> pd.Series:
        """``series`` with control characters removed (see normalize.text.CONTROL), each cell reported."""
        found = matches(series, CONTROL_RE2)
        where = np.flatnonzero(found)
        self.site(key, _FIELD_OF_KEY.get(key, key))
        if not len(where):
            return series
        values = series.iloc[where].tolist()
        shown = series.copy()
        shown.iloc[where] = [shown_controls(v) for v in values]
        self.issues_at(key, _FIELD_OF_KEY.get(key, key), where, ["control_characters"] * len(where), shown)
        cleaned = series.copy()
        cleaned.iloc[where] = [strip_controls(v) for v in values]
        return cleaned

    def issue(self, key: str, field: str, mask: pd.Series, code: str, raw: pd.Series) -> None:
        """The issue ``code`` at every row ``mask`` selects."""
        where = np.flatnonzero(mask.to_numpy(dtype=bool))
        self.issues_at(key, field, where, [code] * len(where), raw)

    def site(self, key: str, field: str) -> None:
        """Note a place that raises issues (the order of places orders the issues of a table in parts)."""
        if (key, field) not in self.sites:
            self.sites.append((key, field))

    def issues_at(self, key: str, field: str, where: np.ndarray, code_values: list[str], raw: pd.Series) -> None:
        """Issues ``code_values`` at the row positions ``where`` (in order)."""
        self.site(key, field)
        site = (key, field)
        if not len(where):
            return
        column = self.columns.get(key, Column("", key))
        raw_values = raw.iloc[where].tolist()
        for i, code, value in zip(where, code_values, raw_values, strict=True):
            self.issues.append(CellIssue(
                self.context.file, self.context.sheet, int(self.rows[i]), column.letter,
                column.header, field, str(code), str(value),
            ))
            self.issue_sites.append(site)

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


def _amount_series(builder: _Builder, key: str, field: str) -> pd.Series | None:
    raw = builder.text(key)
    if raw is None:
        return None
    plain = matches(raw, r"^-?[0-9]+(\.[0-9]+)?$")
    values = np.full(len(raw), np.nan)
    values[plain] = _cast(raw, plain, pa.float64())
    where, parsed = _parse_rest(builder, key, field, raw, ~plain, parse_amount)
    values[where] = parsed.astype("float64").to_numpy()
    return pd.Series(values, index=raw.index)


def _int_series(builder: _Builder, key: str, field: str) -> pd.Series:
    """Whole numbers: plain digits cast in Arrow, the rest parsed once per distinct value."""
    raw = builder.text(key)
    if raw is None:
        return pd.Series(None, index=builder.raw.index, dtype="Int64")
    plain = matches(raw, "^[0-9]{1,18}$")
    values = np.zeros(len(raw), dtype=np.int64)
    values[plain] = _cast(raw, plain, pa.int64())
    known = plain.copy()
    where, parsed = _parse_rest(builder, key, field, raw, ~plain, parse_int)
    understood = parsed.notna().to_numpy(dtype=bool)
    values[where[understood]] = parsed[understood].astype(np.int64).to_numpy()
    known[where[understood]] = True
    return pd.Series(pd.arrays.IntegerArray(values, ~known), index=raw.index)


def _parse_rest(
    builder: _Builder, key: str, field: str, raw: pd.Series, rest: np.ndarray, parse: Callable[[str], Any],
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


def _date_series(builder: _Builder, key: str, field: str) -> pd.Series | None:
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


def _vocab_series(builder: _Builder, key: str, kind: str, field: str) -> pd.Series | None:
    raw = builder.text(key)
    if raw is None:
        return None
    values, _ = map_unique(raw, lambda text: vocab.classify(kind, text), text=True)
    unknown = values.isna() & raw.ne("")
    builder.issue(key, field, unknown, f"unknown_{kind}", raw)
    return values


def _as_written(builder: _Builder, key: str) -> pd.Series | None:
    """The text of ``<key>_text`` when the table has it, else of ``key`` on one line."""
    given = builder.text(f"{key}_text")
    if given is not None:
        return given
    raw = builder.text(key)
    return None if raw is None else one_line_series(raw)


def _bool(text: str) -> bool | None:
    key = one_line(text).lower()
    if key == "":
        return None
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ParseError("not_a_boolean", text)


def _fiscal_year_value(text: str) -> int | None:
    value = parse_int(text)
    if value is None:
        return None
    if value < 100:
        return 2500 + value
    if 1900 <= value <= 2300:
        return value + 543
    return value


def _month_value(text: str) -> str | None:
    text = one_line(text)
    if text == "":
        return None
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
        year, month = int(text[:4]), int(text[5:])
        if 1 <= month <= 12:
            return f"{year - 543 if year > 2400 else year:04d}-{month:02d}"
    found = find_month(text)
    if found is None:
        raise ParseError("not_a_month", text)
    return found


def _json_bidders(text: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise ParseError("not_json_bidders", text) from None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ParseError("not_json_bidders", text)
    return value


def _bids_from_cells(names: str, prices: str) -> list[dict[str, Any]]:
    name_list = cells.parse_names(names)
    price_list: list[float | None] = []
    for line in clean(prices).split("\n") if prices else []:
        try:
            price_list.append(parse_amount(line))
        except ParseError:
            price_list.append(None)
    width = max(len(name_list), len(price_list))
    return [
        {"name": name_list[i] if i < len(name_list) else "", "price": price_list[i] if i < len(price_list) else None}
        for i in range(width)
    ]


def _contract_number(text: str) -> str:
    """The number part of a contract-number cell, without "สัญญาเลขที่" and the like."""
    try:
        return cells.parse_contract(text).number or text
    except ParseError:
        return text


def _dump(bids: list[dict[str, Any]] | None) -> str | None:
    if bids is None:
        return None
    return json.dumps(bids, ensure_ascii=False, separators=(", ", ": "))


def to_canonical(raw: pd.DataFrame, columns: dict[str, Column], context: Context) -> tuple[pd.DataFrame, list[CellIssue]]:
    """Typed canonical records from the raw text of one table.

    ``raw`` has one text column (stripped of surrounding whitespace, as ingest
    leaves it) per header key found (canonical fields and the
    composites ``bidders``, ``bidder_names``, ``bidder_prices``, ``winner``,
    ``contract``), plus ``source_row`` and optionally ``section_category`` and
    ``section_month`` (from heading rows inside the table).

    A big table is normalized in parts, one per thread (the work is in Arrow
    and NumPy, which release the GIL): the records and the issues, in their
    order, are those of one pass over the whole table.
    """
    json_bidders = _bidders_are_json(raw)  # decided for the whole column, not per part
    if len(raw) < PARALLEL_ROWS:
        typed, builder = _canonical(raw, columns, context, json_bidders)
        return _frame({name: column.reset_index(drop=True) for name, column in typed.items()}), builder.issues
    bounds = np.linspace(0, len(raw), THREADS + 1).astype(int)
    parts = [raw.iloc[start:stop] for start, stop in itertools.pairwise(bounds)]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        done = list(pool.map(lambda part: _canonical(part, columns, context, json_bidders), parts))
    # Column by column: text stays in its Arrow chunks, and no block of columns is copied.
    frame = _frame({name: _joined([part[name] for part, _ in done]) for name in FIELDS})
    # The issues as one pass raises them: place by place (every part calls the places in the
    # same order), and within a place part by part, which keeps the rows in order.
    order: dict[tuple[str, str], int] = {}
    for _, builder in done:
        for site in builder.sites:
            order.setdefault(site, len(order))
    raised = [
        (order[site], number, issue)
        for number, (_, builder) in enumerate(done)
        for site, issue in zip(builder.issue_sites, builder.issues, strict=True)
    ]
    raised.sort(key=lambda entry: entry[:2])
    return frame, [issue for *_, issue in raised]


def _bidders_are_json(raw: pd.DataFrame) -> bool:
    """Whether a bidders column holds canonical JSON: every filled cell starts with "["."""
    if "bidders" not in raw or "bidder_names" in raw or "bidder_prices" in raw:
        return False
    text = raw["bidders"].astype(STRING).fillna("")
    empty = text.eq("")
    return bool((~empty).any() and (text.str.startswith("[") | empty).all())


def _canonical(
    raw: pd.DataFrame, columns: dict[str, Column], context: Context, json_bidders: bool,
) -> tuple[dict[str, pd.Series], _Builder]:
    b = _Builder(raw, columns, context)
    index = raw.index
    out: dict[str, Any] = {}
    empty_text = pd.Series("", index=index, dtype=STRING)

    def text_or_empty(key: str) -> pd.Series:
        series = b.text(key)
        return empty_text if series is None else one_line_series(series)

    # Report month and fiscal year.
    month = b.parsed("report_month", "report_month", _month_value, text=True)
    if month is None:
        month = pd.Series(context.report_month, index=index, dtype=STRING)
    if "section_month" in raw:
        month = raw["section_month"].where(raw["section_month"].notna(), month)
    out["report_month"] = month.astype(STRING)

    out["seq"] = _int_series(b, "seq", "seq")
    project = b.text("project_id")
    out["project_id"] = digits_only_series(project) if project is not None else empty_text
    out["item_name"] = text_or_empty("item_name")

    for field in ("budget_amount", "reference_price"):
        out[field] = _amount_series(b, field, field)
        if out[field] is None:
            out[field] = pd.Series(np.nan, index=index, dtype="float64")

    out["budget_source"] = _vocab_series(b, "budget_source", "source", "budget_source")
    category = _vocab_series(b, "budget_category", "category", "budget_category")
    method = _vocab_series(b, "method", "method", "method")
    status = _vocab_series(b, "status", "status", "status")

    # Bidders: one composite cell, parallel name/price columns, or canonical JSON
    # (kept as it is when already written as _dump writes it).
    bids: pd.Series | None = None
    ready = np.zeros(len(index), dtype=bool)
    if "bidder_names" in raw or "bidder_prices" in raw:
        # Names and prices in parallel columns, one bidder per line in each.
        names = b.col("bidder_names") if "bidder_names" in raw else b.col("bidders")
        prices = b.col("bidder_prices")
        bids = pd.Series([_bids_from_cells(x, y) if x or y else None for x, y in zip(names, prices, strict=True)], index=index)
    elif "bidders" in raw:
        text = b.col("bidders")
        if json_bidders:
            ready = canonical_bidders(text)
            bids = b.parse("bidders", "bidders", lambda t: _json_bidders(t) if t else None, only=~ready)
        else:
            bids = b.parse("bidders", "bidders", lambda t: [
                {"name": bid.name, "price": bid.price} for bid in cells.parse_bidders(t)
            ] if t else None)

    # Winner, agreed price, taxpayer ID.
    winner_name = text_or_empty("winner_name")
    agreed = _amount_series(b, "agreed_price", "agreed_price")
    if agreed is None:
        agreed = pd.Series(np.nan, index=index, dtype="float64")
    tax_raw = b.text("winner_tax_id")
    tax = digits_only_series(tax_raw) if tax_raw is not None else pd.Series("", index=index, dtype=STRING)
    if "winner" in raw:
        winners = b.col("winner").map(cells.parse_winner)
        from_cell_name = winners.map(lambda w: w.name).astype(STRING)
        from_cell_price = winners.map(lambda w: w.price).astype("float64")
        from_cell_tax = winners.map(lambda w: w.tax_id or "").astype(STRING)
        winner_name = winner_name.where(winner_name.ne(""), from_cell_name)
        agreed = agreed.where(agreed.notna(), from_cell_price)
        tax = tax.where(tax.ne(""), from_cell_tax)
    if tax_raw is not None:
        restored = tax.str.fullmatch(r"[1-9][0-9]{11}").fillna(False)
        b.issue("winner_tax_id", "winner_tax_id", restored, "tax_id_leading_zero", tax_raw)
        tax = tax.where(~restored, "0" + tax)

    # Contract number and date: one composite cell or two columns.
    contract_no = text_or_empty("contract_no")
    contract_date = _date_series(b, "contract_date", "contract_date")
    wordy = contract_no.ne("").to_numpy(dtype=bool) & ~plain_contract_numbers(contract_no)
    if wordy.any():
        contract_no = contract_no.copy()
        contract_no[wordy] = map_unique(contract_no[wordy], _contract_number, text=True)[0]
    if "contract" in raw:
        parsed = b.parse("contract", "contract_date", cells.parse_contract)
        cell_no = parsed.map(lambda c: c.number if c else "").astype(STRING)
        cell_date = parsed.map(lambda c: c.date.isoformat() if c and c.date else None).astype(STRING)
        contract_no = contract_no.where(contract_no.ne(""), cell_no)
        contract_date = cell_date if contract_date is None else contract_date.fillna(cell_date)
    out["contract_no"] = contract_no
    out["contract_date"] = contract_date if contract_date is not None else pd.Series(None, index=index, dtype=STRING)
    end = _date_series(b, "contract_end_date", "contract_end_date")
    out["contract_end_date"] = end if end is not None else pd.Series(None, index=index, dtype=STRING)

    # Fiscal year: declared, else from the report month, else from the contract date.
    declared_year = b.parsed("fiscal_year", "fiscal_year", _fiscal_year_value, dtype="Int64") if "fiscal_year" in raw else None
    year = _fiscal_years(out["report_month"])
    year = year.fillna(_fiscal_years(out["contract_date"]))
    if declared_year is not None:
        year = declared_year.fillna(year)
    if context.fiscal_year is not None:
        year = year.fillna(context.fiscal_year)
    out["fiscal_year"] = year

    # Investment: declared category, declared flag, or inferred from the item text.
    if category is None:
        category = pd.Series(None, index=index, dtype=STRING)
    if "section_category" in raw:
        category = category.where(category.notna(), raw["section_category"].astype(STRING))
    invest = _investment(category)
    declared = category.notna().to_numpy(dtype=bool, copy=True)
    flag = b.parsed("is_investment", "is_investment", _bool, dtype="boolean")
    if flag is not None:
        has_flag = (flag.notna() & invest.isna()).to_numpy(dtype=bool)
        invest = invest.where(~has_flag, flag)
        declared |= has_flag
    labels, basis = ["unknown", "declared"], declared.astype(np.int64)
    if not declared.all():
        category, invest = category.copy(), invest.copy()
        _infer_investment(out["item_name"], ~declared, category, invest, labels, basis)
    given = b.text("investment_basis")
    if given is not None and not given.eq("").any():
        written = given  # every record says its basis
    else:
        written = to_text(labels, basis, index)
        if given is not None:
            written = given.where(given.ne(""), written)
    out["budget_category"] = category
    out["is_investment"] = invest
    out["investment_basis"] = written

    out["method"] = method
    out["method_text"] = _as_written(b, "method")
    # The number of bidders: as given, else counted in the bidders.
    counted = _int_series(b, "bidder_count", "bidder_count")
    if bids is None:
        out["bidders"] = pd.Series(None, index=index, dtype=STRING)
    else:
        text = b.col("bidders") if ready.all() else b.col("bidders").where(ready)
        uncounted = ready & counted.isna().to_numpy()
        if uncounted.any():
            counted[uncounted] = count_bidders(text[uncounted])
        if not ready.all():
            todo = bids[~ready]
            text[~ready] = todo.map(_dump).astype(STRING)
            counted[~ready] = counted[~ready].fillna(todo.map(lambda v: len(v) if isinstance(v, list) else None).astype("Int64"))
        out["bidders"] = text
    out["bidder_count"] = counted
    out["winner_name"] = winner_name
    out["winner_tax_id"] = tax
    out["agreed_price"] = agreed
    out["selection_reason"] = text_or_empty("selection_reason")
    out["status"] = status
    out["status_text"] = _as_written(b, "status")
    out["source_file"] = _same_text(context.file, index)
    out["source_sheet"] = _same_text(context.sheet, index)
    out["source_row"] = raw["source_row"].astype("Int64")

    return {name: _typed(name, out.get(name), index) for name in FIELDS}, b


def _joined(parts: list[pd.Series]) -> pd.Series:
    """One column from its parts, end to end: Arrow chunks side by side, NumPy and masked arrays concatenated."""
    arrays = [part.array for part in parts]
    return pd.Series(type(arrays[0])._concat_same_type(arrays))


def _frame(columns: dict[str, pd.Series]) -> pd.DataFrame:
    """The records table from its columns, as they are (no copy into blocks of like columns)."""
    return pd.DataFrame(columns, copy=False)


def _infer_investment(
    items: pd.Series, undecided: np.ndarray, category: pd.Series, invest: pd.Series, labels: list[str], basis: np.ndarray,
) -> None:
    """Fill the category, the flag and the basis (an index into ``labels``) of the ``undecided``
    records from keywords of their item text, once per distinct item."""
    rows = np.flatnonzero(undecided)
    codes, distinct = pd.factorize(items.iloc[rows])
    guesses = [vocab.infer_category(item) for item in distinct]
    found = np.array([guess is not None for guess in guesses] + [False])[codes]
    if not found.any():
        return
    label_of: dict[str, int] = {}
    for guess in guesses:
        if guess is not None:
            label_of.setdefault(f"inferred:{guess.keyword}", len(labels) + len(label_of))
    labels.extend(label_of)
    hits = rows[found]
    chosen = [guess for guess in (guesses[code] for code in codes[found]) if guess is not None]
    category.iloc[hits] = [guess.category for guess in chosen]
    invest.iloc[hits] = [vocab.is_investment_category(guess.category) for guess in chosen]
    basis[hits] = [label_of[f"inferred:{guess.keyword}"] for guess in chosen]


def _investment(category: pd.Series) -> pd.Series:
    """Whether each budget category is an investment one (missing where the category is)."""
    codes, uniques = pd.factorize(category)
    flags = pd.array([vocab.is_investment_category(code) for code in uniques] + [None], dtype="boolean")
    return pd.Series(flags[codes], index=category.index)


def _same_text(value: str, index: pd.Index) -> pd.Series:
    """One text in every row, built in Arrow."""
    return pd.Series(pd.arrays.ArrowStringArray(pa.repeat(pa.scalar(value, pa.large_string()), len(index))), index=index).astype(STRING)


def _fiscal_years(iso: pd.Series) -> pd.Series:
    """The fiscal year of each ISO date or ``YYYY-MM`` month (computed once per distinct value)."""
    codes, uniques = pd.factorize(iso)
    years = pd.array([fiscal_year(_first_day(v)) if isinstance(v, str) and v else None for v in uniques] + [None], dtype="Int64")
    return pd.Series(years[codes], index=iso.index)


def _first_day(iso: str) -> Any:
    import datetime as dt

    return dt.date(int(iso[:4]), int(iso[5:7]), int(iso[8:10]) if len(iso) >= 10 else 1)


_DTYPES = {
    "fiscal_year": "Int64", "seq": "Int64", "bidder_count": "Int64", "source_row": "Int64",
    "budget_amount": "float64", "reference_price": "float64", "agreed_price": "float64",
    "is_investment": "boolean",
}


def _typed(name: str, series: pd.Series | None, index: pd.Index) -> pd.Series:
    dtype = _DTYPES.get(name, STRING)
    if series is None:
        return pd.Series(None, index=index, dtype=dtype)
    if dtype == STRING:
        if series.dtype != STRING:
            series = series.astype(object).where(series.notna(), None).astype(STRING)
        blank = empty(series) & series.notna().to_numpy(dtype=bool)
        if not blank.any():
            return series
        text = arrow(series)
        return pd.Series(pd.arrays.ArrowStringArray(pc.if_else(pa.array(blank), pa.scalar(None, text.type), text)), index=index).astype(STRING)
    return series.astype(dtype)


def empty_records() -> pd.DataFrame:
    """A canonical table with no rows."""
    return pd.DataFrame({name: pd.Series(dtype=_DTYPES.get(name, STRING)) for name in FIELDS})
