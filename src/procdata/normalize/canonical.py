"""The builder of canonical columns: the raw text columns of one table (or one
part of it) -> every field of :data:`~procdata.model.FIELDS`, typed.

Each field comes from its own column, from a composite cell (bidders, winner,
contract), from a heading above the record (month, budget category) or from
the table's context, in that order of preference.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.errors import ParseError
from procdata.model import FIELDS, Column
from procdata.normalize import cells
from procdata.normalize.bidders import count_bidders, in_canonical_form
from procdata.normalize.builder import (
    Builder,
    Context,
    amount_series,
    date_series,
    int_series,
    vocab_series,
)
from procdata.normalize.columns import (
    STRING,
    arrow,
    digits_only_series,
    empty,
    json_cells,
    one_line_series,
    plain_contract_numbers,
    to_text,
)
from procdata.normalize.dates import fiscal_year
from procdata.normalize.investment import infer_investment, investment
from procdata.normalize.procedure import method_columns, status_columns
from procdata.normalize.shapes import lost_leading_zero, starts_with_letter
from procdata.normalize.unique import map_unique
from procdata.normalize.values import (
    BadBid,
    bids_from_cells,
    boolean,
    contract_number,
    dump_bidders,
    fiscal_year_value,
    json_bidders,
    json_bidders_written,
    month_value,
)

AGENCY_FIELDS = ("agency_name", "agency_unit", "province", "district")
_DTYPES = {
    "fiscal_year": "Int64", "seq": "Int64", "bidder_count": "Int64", "source_row": "Int64",
    "budget_amount": "float64", "reference_price": "float64", "agreed_price": "float64",
    "is_investment": "boolean",
}


def bidders_are_json(raw: pd.DataFrame) -> bool:
    """Whether a bidders column holds canonical JSON: every filled cell starts with "["."""
    if "bidders" not in raw or "bidder_names" in raw or "bidder_prices" in raw:
        return False
    return json_cells(raw["bidders"]) is True


def canonical(
    raw: pd.DataFrame, columns: dict[str, Column], context: Context, json_bidders_given: bool,
) -> tuple[dict[str, pd.Series], Builder]:
    """Every canonical field of the rows of ``raw``, typed, and the builder holding their issues.

    The order of the steps is the order of the issues they raise.
    """
    b = Builder(raw, columns, context)
    index = raw.index
    out: dict[str, Any] = {}
    empty_text = pd.Series("", index=index, dtype=STRING)

    def text_or_empty(key: str) -> pd.Series:
        series = b.text(key)
        return empty_text if series is None else one_line_series(series)

    # Report month and fiscal year.
    month = b.parsed("report_month", "report_month", month_value, text=True)
    if month is None:
        month = raw["_month"].astype(STRING) if "_month" in raw else pd.Series(context.report_month, index=index, dtype=STRING)
    if "section_month" in raw:
        month = raw["section_month"].where(raw["section_month"].notna(), month)
    out["report_month"] = month.astype(STRING)

    out["seq"] = int_series(b, "seq", "seq")
    for field in AGENCY_FIELDS:  # who bought: national e-GP data name every agency; an agency's own files do not
        out[field] = text_or_empty(field)
    project = b.text("project_id")
    out["project_id"] = digits_only_series(project) if project is not None else empty_text
    out["item_name"] = text_or_empty("item_name")

    for field in ("budget_amount", "reference_price"):
        out[field] = amount_series(b, field, field)
        if out[field] is None:
            out[field] = pd.Series(np.nan, index=index, dtype="float64")

    out["budget_source"] = vocab_series(b, "budget_source", "source", "budget_source")
    category = vocab_series(b, "budget_category", "category", "budget_category")
    method, method_text = method_columns(b)

    bids, ready, written = _bids(b, json_bidders_given)
    winner_name, agreed, tax = _winner(b, text_or_empty("winner_name"))
    out["contract_no"], out["contract_date"] = _contract(b, text_or_empty("contract_no"))
    end = date_series(b, "contract_end_date", "contract_end_date")
    out["contract_end_date"] = end if end is not None else pd.Series(None, index=index, dtype=STRING)

    # Fiscal year: declared, else from the report month, else from the contract date.
    declared_year = b.parsed("fiscal_year", "fiscal_year", fiscal_year_value, dtype="Int64") if "fiscal_year" in raw else None
    year = _fiscal_years(out["report_month"])
    year = year.fillna(_fiscal_years(out["contract_date"]))
    if declared_year is not None:
        year = declared_year.fillna(year)
    if context.fiscal_year is not None:
        year = year.fillna(context.fiscal_year)
    out["fiscal_year"] = year

    out["budget_category"], out["is_investment"], out["investment_basis"] = _investment(
        b, category, out["item_name"], out["budget_amount"],
    )

    out["method"] = method
    out["method_text"] = method_text
    out["bidders"], out["bidder_count"] = _bidder_columns(b, bids, ready, written)
    out["winner_name"] = winner_name
    out["winner_tax_id"] = tax
    out["agreed_price"] = agreed
    out["selection_reason"] = text_or_empty("selection_reason")
    out["status"], out["status_text"] = status_columns(
        b, contract_no=out["contract_no"], contract_date=out["contract_date"], winner=winner_name,
    )
    out["source_file"] = raw["_file"].astype(STRING) if "_file" in raw else _same_text(context.file, index)
    out["source_sheet"] = raw["_sheet"].astype(STRING) if "_sheet" in raw else _same_text(context.sheet, index)
    out["source_row"] = raw["source_row"].astype("Int64")

    return {name: _typed(name, out.get(name), index) for name in FIELDS}, b


def _bids(b: Builder, json_given: bool) -> tuple[pd.Series | None, np.ndarray, pd.Series | None]:
    """Bidders from one composite cell, parallel name/price columns, or canonical JSON (each row's
    canonical text and number, :func:`_text_and_count`), which rows hold JSON already written as
    :func:`dump_bidders` writes it (or given that form in C), and those rows' text."""
    raw, index = b.raw, b.raw.index
    bids: pd.Series | None = None
    ready = np.zeros(len(index), dtype=bool)
    written: pd.Series | None = None
    if "bidder_names" in raw or "bidder_prices" in raw:
        # Names and prices in parallel columns, one bidder per line in each.
        names = b.col("bidder_names") if "bidder_names" in raw else b.col("bidders")
        prices = b.col("bidder_prices")
        bids = pd.Series([_text_and_count(bids_from_cells(x, y)) if x or y else None for x, y in zip(names, prices, strict=True)], index=index)
    elif "bidders" in raw:
        text = b.col("bidders")
        if json_given:
            written, ready = in_canonical_form(text)
            bids = b.parse("bidders", "bidders", lambda t: json_bidders_written(t) if t else None, only=~ready)
        else:
            bids = b.parse("bidders", "bidders", lambda t: _text_and_count(_bidders_in_text(t)))
    return bids, ready, written


def _text_and_count(bids: list[dict[str, Any]] | None) -> tuple[str, int] | None:
    """Bidders as their canonical JSON text and their number, the parsed objects let go at once: a
    chunk of a table whose 200,000 cells are parsed holds a text each, not a list of dicts each."""
    return None if bids is None else (dump_bidders(bids) or "", len(bids))


def _bidders_in_text(text: str) -> list[dict[str, Any]] | None:
    """The bidders of a cell of a column that is not all JSON: names (and prices) in text, or, in a
    cell holding a JSON list of objects (a canonical table with some cells edited by hand), that list,
    as a column of JSON reads it."""
    if not text:
        return None
    if text.lstrip().startswith("["):
        try:
            return json_bidders(text)
        except BadBid:
            raise  # bidders in JSON, one with a price or name of no use: that cell's problem
        except ParseError:
            pass  # text in brackets: names
    return [{"name": bid.name, "price": bid.price} for bid in cells.parse_bidders(text)]


def _winner(b: Builder, winner_name: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Winner, agreed price and taxpayer ID: their own columns, filled from a composite winner cell."""
    raw, index = b.raw, b.raw.index
    agreed = amount_series(b, "agreed_price", "agreed_price")
    if agreed is None:
        agreed = pd.Series(np.nan, index=index, dtype="float64")
    contract_price = amount_series(b, "contract_price", "agreed_price")  # one contract's price (national e-GP data)
    if contract_price is not None:
        agreed = agreed.where(agreed.notna(), contract_price)
    tax_raw = b.text("winner_tax_id")
    tax = digits_only_series(tax_raw) if tax_raw is not None else pd.Series("", index=index, dtype=STRING)
    if tax_raw is not None:
        # e-GP writes a stand-in (D8888..., DUMMY...) for winners without a Thai taxpayer ID.
        stand_in = pd.Series(starts_with_letter(tax_raw), index=index)
        b.issue("winner_tax_id", "winner_tax_id", stand_in, "tax_id_stand_in", tax_raw)
        tax = tax.where(~stand_in, "")
    if "winner" in raw:
        winners = b.col("winner").map(cells.parse_winner)
        from_cell_name = winners.map(lambda w: w.name).astype(STRING)
        from_cell_price = winners.map(lambda w: w.price).astype("float64")
        from_cell_tax = winners.map(lambda w: w.tax_id or "").astype(STRING)
        winner_name = winner_name.where(winner_name.ne(""), from_cell_name)
        agreed = agreed.where(agreed.notna(), from_cell_price)
        tax = tax.where(tax.ne(""), from_cell_tax)
    if tax_raw is not None:
        restored = pd.Series(lost_leading_zero(tax), index=tax.index)
        b.issue("winner_tax_id", "winner_tax_id", restored, "tax_id_leading_zero", tax_raw)
        tax = tax.where(~restored, "0" + tax)
    return winner_name, agreed, tax


def _contract(b: Builder, contract_no: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Contract number and date: one composite cell or two columns."""
    contract_date = date_series(b, "contract_date", "contract_date")
    wordy = contract_no.ne("").to_numpy(dtype=bool) & ~plain_contract_numbers(contract_no)
    if wordy.any():
        contract_no = contract_no.copy()
        contract_no[wordy] = map_unique(contract_no[wordy], contract_number, text=True)[0]
    if "contract" in b.raw:
        parsed = b.parse("contract", "contract_date", cells.parse_contract)
        cell_no = parsed.map(lambda c: c.number if c else "").astype(STRING)
        cell_date = parsed.map(lambda c: c.date.isoformat() if c and c.date else None).astype(STRING)
        contract_no = contract_no.where(contract_no.ne(""), cell_no)
        contract_date = cell_date if contract_date is None else contract_date.fillna(cell_date)
    if contract_date is None:
        contract_date = pd.Series(None, index=b.raw.index, dtype=STRING)
    return contract_no, contract_date


def _investment(
    b: Builder, category: pd.Series | None, items: pd.Series, budget: pd.Series,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Category, investment flag and its basis: declared category, declared flag, or inferred from the item text."""
    raw, index = b.raw, b.raw.index
    if category is None:
        category = pd.Series(None, index=index, dtype=STRING)
    if "section_category" in raw:
        category = category.where(category.notna(), raw["section_category"].astype(STRING))
    invest = investment(category)
    declared = category.notna().to_numpy(dtype=bool, copy=True)
    flag = b.parsed("is_investment", "is_investment", boolean, dtype="boolean")
    if flag is not None:
        has_flag = (flag.notna() & invest.isna()).to_numpy(dtype=bool)
        invest = invest.where(~has_flag, flag)
        declared |= has_flag
    labels, basis = ["unknown", "declared"], declared.astype(np.int64)
    if not declared.all():
        category, invest = category.copy(), invest.copy()
        infer_investment(items, ~declared, category, invest, labels, basis, budget=budget,
                         project_type=b.text("project_type"))
    given = b.text("investment_basis")
    if given is not None and not given.eq("").any():
        written = given  # every record says its basis
    else:
        written = to_text(labels, basis, index)
        if given is not None:
            written = given.where(given.ne(""), written)
    return category, invest, written


def _bidder_columns(
    b: Builder, bids: pd.Series | None, ready: np.ndarray, written: pd.Series | None,
) -> tuple[pd.Series, pd.Series]:
    """The bidders as JSON text, and their number: as given, else counted in the bidders.
    ``written``: the canonical text of the ``ready`` rows (else the column's own)."""
    counted = int_series(b, "bidder_count", "bidder_count")
    if bids is None:
        return pd.Series(None, index=b.raw.index, dtype=STRING), counted
    given = written if written is not None else b.col("bidders")
    text = given if ready.all() else given.where(ready)
    uncounted = ready & counted.isna().to_numpy()
    if uncounted.any():
        counted[uncounted] = count_bidders(text[uncounted])
    if not ready.all():
        todo = bids[~ready]
        text[~ready] = todo.map(lambda v: v[0] if isinstance(v, tuple) else None).astype(STRING)
        counted[~ready] = counted[~ready].fillna(todo.map(lambda v: v[1] if isinstance(v, tuple) else None).astype("Int64"))
    return text, counted


def _same_text(value: str, index: pd.Index) -> pd.Series:
    """One text in every row, built in Arrow."""
    return pd.Series(pd.arrays.ArrowStringArray(pa.repeat(pa.scalar(value, pa.large_string()), len(index))), index=index).astype(STRING)


def _fiscal_years(iso: pd.Series) -> pd.Series:
    """The fiscal year of each ISO date or ``YYYY-MM`` month (computed once per distinct value)."""
    codes, uniques = pd.factorize(iso)
    years = pd.array([fiscal_year(_first_day(v)) if isinstance(v, str) and v else None for v in uniques] + [None], dtype="Int64")
    return pd.Series(years[codes], index=iso.index)


def _first_day(iso: str) -> dt.date:
    return dt.date(int(iso[:4]), int(iso[5:7]), int(iso[8:10]) if len(iso) >= 10 else 1)


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
