"""Raw text columns of one table -> typed canonical columns, column-wise.

Each parser runs once per distinct value (``map_unique``), and plain values
take a vectorized fast path, so a million-row canonical CSV normalizes in
seconds. A cell that cannot be understood becomes an empty value plus a
:class:`~procdata.read.model.CellIssue`: nothing is guessed silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procdata.errors import ParseError
from procdata.normalize import cells, vocab
from procdata.normalize.dates import find_month, fiscal_year, parse_date
from procdata.normalize.numbers import digits_only, parse_amount, parse_int
from procdata.normalize.text import clean, one_line
from procdata.read.model import FIELDS, CellIssue, Column

STRING = "string[pyarrow]"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TRUE = {"true", "1", "yes", "y", "ใช่", "เป็น", "✓", "✔", "x", "งบลงทุน"}
_FALSE = {"false", "0", "no", "n", "ไม่ใช่", "ไม่เป็น", "ไม่", "-"}


@dataclass
class Context:
    file: str
    sheet: str
    report_month: str | None = None
    fiscal_year: int | None = None


def map_unique(series: pd.Series, func: Callable[[str], Any]) -> tuple[pd.Series, pd.Series]:
    """Apply ``func`` once per distinct value: (values, error codes or None)."""
    values: dict[str, Any] = {}
    errors: dict[str, str | None] = {}
    for item in pd.unique(series):
        try:
            values[item], errors[item] = func(item), None
        except ParseError as error:
            values[item], errors[item] = None, error.code
    keys = series.tolist()
    return (
        pd.Series([values[k] for k in keys], index=series.index, dtype=object),
        pd.Series([errors[k] for k in keys], index=series.index, dtype=object),
    )


class _Builder:
    def __init__(self, raw: pd.DataFrame, columns: dict[str, Column], context: Context) -> None:
        self.raw = raw
        self.columns = columns
        self.context = context
        self.rows = raw["source_row"].to_numpy()
        self.issues: list[CellIssue] = []
        self.out: dict[str, Any] = {}

    def text(self, key: str) -> pd.Series | None:
        if key not in self.raw:
            return None
        return self.raw[key].astype(STRING).fillna("").str.strip()

    def issue(self, key: str, field: str, mask: pd.Series, codes: pd.Series | str, raw: pd.Series) -> None:
        if not bool(mask.any()):
            return
        column = self.columns.get(key, Column("", key))
        where = np.flatnonzero(mask.to_numpy(dtype=bool))
        code_values = codes.to_numpy() if isinstance(codes, pd.Series) else None
        raw_values = raw.to_numpy()
        for i in where:
            code = code_values[i] if code_values is not None else codes
            self.issues.append(CellIssue(
                self.context.file, self.context.sheet, int(self.rows[i]), column.letter,
                column.header, field, str(code), str(raw_values[i]),
            ))

    def col(self, key: str) -> pd.Series:
        """The text of ``key``, or empty text when the table has no such column."""
        series = self.text(key)
        return series if series is not None else pd.Series("", index=self.raw.index, dtype=STRING)

    def parse(self, key: str, field: str, func: Callable[[str], Any]) -> pd.Series:
        """Like :meth:`parsed`, with all-missing values when the column is absent."""
        values = self.parsed(key, field, func)
        return values if values is not None else pd.Series(None, index=self.raw.index, dtype=object)

    def parsed(self, key: str, field: str, func: Callable[[str], Any]) -> pd.Series | None:
        raw = self.text(key)
        if raw is None:
            return None
        values, errors = map_unique(raw, func)
        self.issue(key, field, errors.notna(), errors, raw)
        return values


def _amount_series(builder: _Builder, key: str, field: str) -> pd.Series | None:
    raw = builder.text(key)
    if raw is None:
        return None
    fast = pd.to_numeric(raw.where(raw.str.match(r"^-?[0-9]+(\.[0-9]+)?$"), None), errors="coerce")
    slow = fast.isna() & raw.ne("")
    result = fast.astype("float64")
    if bool(slow.any()):
        values, errors = map_unique(raw[slow], parse_amount)
        result[slow] = values.astype("float64")
        builder.issue(key, field, errors.notna().reindex(raw.index, fill_value=False), errors.reindex(raw.index), raw)
    return result


def _iso(value: str) -> str | None:
    date = parse_date(value)
    return date.isoformat() if date else None


def _date_series(builder: _Builder, key: str, field: str) -> pd.Series | None:
    raw = builder.text(key)
    if raw is None:
        return None
    iso = raw.str.match(_ISO_DATE).fillna(False)
    result = pd.Series(None, index=raw.index, dtype=STRING)
    if bool(iso.any()):
        checked = pd.to_datetime(raw[iso], format="%Y-%m-%d", errors="coerce")
        good = checked.notna() & (checked.dt.year < 2400)
        result[good[good].index] = raw[good[good].index]
    todo = result.isna() & raw.ne("")
    if bool(todo.any()):
        values, errors = map_unique(raw[todo], _iso)
        result[todo] = values
        builder.issue(key, field, errors.notna().reindex(raw.index, fill_value=False), errors.reindex(raw.index), raw)
    return result


def _vocab_series(builder: _Builder, key: str, kind: str, field: str) -> tuple[pd.Series | None, pd.Series | None]:
    raw = builder.text(key)
    if raw is None:
        return None, None
    values, _ = map_unique(raw, lambda text: vocab.classify(kind, text))
    unknown = values.isna() & raw.ne("")
    builder.issue(key, field, unknown, f"unknown_{kind}", raw)
    return values, raw.map(lambda t: one_line(t) if t else "").astype(STRING)


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

    ``raw`` has one text column per header key found (canonical fields and the
    composites ``bidders``, ``bidder_names``, ``bidder_prices``, ``winner``,
    ``contract``), plus ``source_row`` and optionally ``section_category`` and
    ``section_month`` (from heading rows inside the table).
    """
    b = _Builder(raw, columns, context)
    index = raw.index
    out: dict[str, Any] = {}
    empty_text = pd.Series("", index=index, dtype=STRING)

    def text_or_empty(key: str) -> pd.Series:
        series = b.text(key)
        return empty_text if series is None else series.map(one_line).astype(STRING)

    # Report month and fiscal year.
    month = b.parsed("report_month", "report_month", _month_value)
    if month is None:
        month = pd.Series(context.report_month, index=index, dtype=object)
    if "section_month" in raw:
        month = raw["section_month"].where(raw["section_month"].notna(), month)
    out["report_month"] = month.astype(STRING)

    out["seq"] = b.parse("seq", "seq", parse_int).astype("Int64")
    project = b.text("project_id")
    out["project_id"] = project.map(digits_only).astype(STRING) if project is not None else empty_text
    out["item_name"] = text_or_empty("item_name")

    for field in ("budget_amount", "reference_price"):
        out[field] = _amount_series(b, field, field)
        if out[field] is None:
            out[field] = pd.Series(np.nan, index=index, dtype="float64")

    out["budget_source"], _ = _vocab_series(b, "budget_source", "source", "budget_source")
    category, _ = _vocab_series(b, "budget_category", "category", "budget_category")
    method, method_text = _vocab_series(b, "method", "method", "method")
    status, status_text = _vocab_series(b, "status", "status", "status")

    # Bidders: one composite cell, parallel name/price columns, or canonical JSON.
    bids: pd.Series | None = None
    if "bidder_names" in raw or "bidder_prices" in raw:
        # Names and prices in parallel columns, one bidder per line in each.
        names = b.col("bidder_names") if "bidder_names" in raw else b.col("bidders")
        prices = b.col("bidder_prices")
        bids = pd.Series([_bids_from_cells(x, y) if x or y else None for x, y in zip(names, prices, strict=True)], index=index)
    elif "bidders" in raw:
        text = b.col("bidders")
        filled = text[text.ne("")]
        if len(filled) and bool(filled.str.startswith("[").all()):
            bids = b.parse("bidders", "bidders", lambda t: _json_bidders(t) if t else None)
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
    tax = tax_raw.map(digits_only).astype(STRING) if tax_raw is not None else pd.Series("", index=index, dtype=STRING)
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
    if bool(contract_no.ne("").any()):
        contract_no = map_unique(contract_no, _contract_number)[0].astype(STRING)
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
    declared_year = b.parsed("fiscal_year", "fiscal_year", _fiscal_year_value) if "fiscal_year" in raw else None
    year = _fiscal_years(out["report_month"])
    year = year.fillna(_fiscal_years(out["contract_date"]))
    if declared_year is not None:
        year = declared_year.astype("Int64").fillna(year)
    if context.fiscal_year is not None:
        year = year.fillna(context.fiscal_year)
    out["fiscal_year"] = year

    # Investment: declared category, declared flag, or inferred from the item text.
    if category is None:
        category = pd.Series(None, index=index, dtype=object)
    if "section_category" in raw:
        category = category.where(category.notna(), raw["section_category"])
    declared_flag = b.parsed("is_investment", "is_investment", _bool) if "is_investment" in raw else None
    basis = pd.Series("unknown", index=index, dtype=object)
    invest = category.map(vocab.is_investment_category)
    basis = basis.where(category.isna(), "declared")
    if declared_flag is not None:
        has_flag = declared_flag.notna() & invest.isna()
        invest = invest.where(~has_flag, declared_flag)
        basis = basis.where(~has_flag, "declared")
    undecided = basis.eq("unknown")
    if bool(undecided.any()):
        inferred = out["item_name"][undecided].map(vocab.infer_category)
        hit = inferred.notna()
        idx = inferred[hit].index
        category.loc[idx] = inferred[hit].map(lambda i: i.category)
        invest.loc[idx] = inferred[hit].map(lambda i: vocab.is_investment_category(i.category))
        basis.loc[idx] = inferred[hit].map(lambda i: f"inferred:{i.keyword}")
    given_basis = b.text("investment_basis")
    if given_basis is not None:
        basis = given_basis.where(given_basis.ne(""), basis)
    out["budget_category"] = category
    out["is_investment"] = invest.astype("boolean")
    out["investment_basis"] = basis.astype(STRING)

    out["method"] = method
    given_method_text = b.text("method_text")
    out["method_text"] = given_method_text if given_method_text is not None else method_text
    if bids is None:
        out["bidders"] = pd.Series(None, index=index, dtype=STRING)
        counted = pd.Series(None, index=index, dtype="Int64")
    else:
        out["bidders"] = bids.map(_dump).astype(STRING)
        counted = bids.map(lambda v: len(v) if isinstance(v, list) else None).astype("Int64")
    if "bidder_count" in raw:
        given = b.parse("bidder_count", "bidder_count", parse_int).astype("Int64")
        counted = given.where(given.notna(), counted)
    out["bidder_count"] = counted
    out["winner_name"] = winner_name
    out["winner_tax_id"] = tax
    out["agreed_price"] = agreed
    out["selection_reason"] = text_or_empty("selection_reason")
    out["status"] = status
    given_status_text = b.text("status_text")
    out["status_text"] = given_status_text if given_status_text is not None else status_text
    out["source_file"] = pd.Series(context.file, index=index, dtype=STRING)
    out["source_sheet"] = pd.Series(context.sheet, index=index, dtype=STRING)
    out["source_row"] = raw["source_row"].astype("Int64")

    frame = pd.DataFrame({name: _typed(name, out.get(name), index) for name in FIELDS}, index=index)
    return frame.reset_index(drop=True), b.issues


def _fiscal_years(iso: pd.Series) -> pd.Series:
    """The fiscal year of each ISO date or ``YYYY-MM`` month (computed once per distinct value)."""
    values = iso.astype(object).where(iso.notna(), None)
    years = {v: fiscal_year(_first_day(v)) for v in pd.unique(values) if isinstance(v, str) and v}
    return pd.Series([years.get(v) if isinstance(v, str) else None for v in values.tolist()], index=iso.index, dtype="Int64")


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
        if str(series.dtype) != STRING:
            series = series.astype(object).where(series.notna(), None).astype(STRING)
        return series.mask(series.eq("").fillna(False))
    return series.astype(dtype)


def empty_records() -> pd.DataFrame:
    """A canonical table with no rows."""
    return pd.DataFrame({name: pd.Series(dtype=_DTYPES.get(name, STRING)) for name in FIELDS})
