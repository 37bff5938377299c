"""The value of each published column, computed from canonical records.

One function per key of ``data/profiles/_columns.toml``; a criteria profile
chooses which of them appear, under which headers and in which order. Every
function takes the records (with ``status`` and ``status_basis`` already
derived) and returns one cell per record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from procdata.config import Config
from procdata.i18n import be_date, message, number
from procdata.normalize import taxonomy, vocab, wording
from procdata.publish.model import Cell


@dataclass(frozen=True)
class Context:
    config: Config
    as_of: dt.date


def _values(records: pd.DataFrame, name: str) -> list[Any]:
    return [None if v is pd.NA or (isinstance(v, float) and v != v) else v for v in records[name].tolist()]


def _field(name: str) -> Callable[[pd.DataFrame, Context], list[Cell]]:
    return lambda records, _: _values(records, name)


def _constant(attribute: str) -> Callable[[pd.DataFrame, Context], list[Cell]]:
    return lambda records, ctx: [getattr(ctx.config.agency, attribute) or None] * len(records)


def _agency(field: str, attribute: str) -> Callable[[pd.DataFrame, Context], list[Cell]]:
    """The record's own agency column (national e-GP data) where it has one, else the agency profile's."""
    def compute(records: pd.DataFrame, ctx: Context) -> list[Cell]:
        own = _values(records, field) if field in records else [None] * len(records)
        profile = getattr(ctx.config.agency, attribute) or None
        return [value or profile for value in own]

    return compute


def _label(kind: str, name: str) -> Callable[[pd.DataFrame, Context], list[Cell]]:
    def compute(records: pd.DataFrame, _: Context) -> list[Cell]:
        out: list[Cell] = []
        for code in _values(records, name):
            found = vocab.term(kind, code) if code else None
            out.append(found.label("th") if found else None)
        return out

    return compute


def _method(records: pd.DataFrame, ctx: Context) -> list[Cell]:
    labels = _label("method", "method")(records, ctx)
    # "Other" (an old method procdata did not name) says less than the sheet's own words.
    return [
        text if code == "other" and text else label
        for label, code, text in zip(labels, _values(records, "method"), _values(records, "method_text"), strict=True)
    ]


def _date(name: str) -> Callable[[pd.DataFrame, Context], list[Cell]]:
    return lambda records, _: [dt.date.fromisoformat(v) if v else None for v in _values(records, name)]


def _integer(name: str) -> Callable[[pd.DataFrame, Context], list[Cell]]:
    return lambda records, _: [int(v) if v is not None else None for v in _values(records, name)]


def _investment_basis(records: pd.DataFrame, _: Context) -> list[Cell]:
    out: list[Cell] = []
    for basis in _values(records, "investment_basis"):
        if basis and basis.startswith("inferred:"):
            word = basis.split(":")[-1]
            kind = taxonomy.label(basis)
            key = {taxonomy.LOW_VALUE: "basis_low_value", taxonomy.PROJECT_TYPE: "basis_project_type"}.get(basis.split(":")[1], "basis_inferred")
            out.append(message(key, "th", keyword=word, kind=kind or "-", ceiling=number(taxonomy.unit_ceiling(), 0)))
        else:
            out.append(message({"declared": "basis_declared", "override": "basis_override"}.get(basis or "", "basis_unknown"), "th"))
    return out


def _status_basis(records: pd.DataFrame, ctx: Context) -> list[Cell]:
    out: list[Cell] = []
    for derived, written in zip(records["status_derived"].tolist(), _values(records, "status_text"), strict=True):
        if derived:
            out.append(message("status_derived", "th", date=be_date(ctx.as_of)))
        elif written and wording.read_status(written).ambiguous:  # e-GP's ระหว่างดำเนินการ, read by the record's evidence
            out.append(message("status_resolved", "th", text=written))
        else:
            out.append(message("status_stated", "th"))
    return out


def _savings(records: pd.DataFrame, _: Context) -> list[Cell]:
    out: list[Cell] = []
    for budget, agreed, status in zip(
        _values(records, "budget_amount"), _values(records, "agreed_price"), _values(records, "status"), strict=True
    ):
        out.append(round(budget - agreed, 2) if budget is not None and agreed is not None and status != "cancelled" else None)
    return out


def _ocid(records: pd.DataFrame, _: Context) -> list[Cell]:
    # The ocid of the record's OCDS release, given by publish.ocds.in_published_order.
    return _values(records, "ocid") if "ocid" in records else [None] * len(records)


def _report_month(records: pd.DataFrame, _: Context) -> list[Cell]:
    return [
        month or (signed[:7] if signed else None)
        for month, signed in zip(_values(records, "report_month"), _values(records, "contract_date"), strict=True)
    ]


def _bidders(records: pd.DataFrame, _: Context) -> list[Cell]:
    out: list[Cell] = []
    for text in _values(records, "bidders"):
        bids = json.loads(text) if text else []
        lines = [
            f"{i}. {bid.get('name') or ''} {number(bid['price']) + ' บาท' if bid.get('price') is not None else ''}".strip()
            for i, bid in enumerate(bids, 1)
        ]
        out.append("\n".join(lines) or None)
    return out


def _winner(records: pd.DataFrame, _: Context) -> list[Cell]:
    out: list[Cell] = []
    for name, price in zip(_values(records, "winner_name"), _values(records, "agreed_price"), strict=True):
        parts = [name or "", f"ราคา {number(price)} บาท" if price is not None else ""]
        out.append(" ".join(p for p in parts if p) or None)
    return out


def _contract(records: pd.DataFrame, _: Context) -> list[Cell]:
    out: list[Cell] = []
    for no, signed in zip(_values(records, "contract_no"), _values(records, "contract_date"), strict=True):
        parts = [f"เลขที่ {no}" if no else "", f"ลว. {be_date(signed)}" if signed else ""]
        out.append(" ".join(p for p in parts if p) or None)
    return out


VALUES: dict[str, Callable[[pd.DataFrame, Context], list[Cell]]] = {
    "fiscal_year": _integer("fiscal_year"),
    "agency_type": _constant("type"),
    "agency_ministry": _constant("ministry"),
    "agency_name": _agency("agency_name", "name"),
    "agency_district": _agency("district", "district"),
    "agency_province": _agency("province", "province"),
    "item_name": _field("item_name"),
    "budget_amount": _field("budget_amount"),
    "budget_source": _label("source", "budget_source"),
    "status": _label("status", "status"),
    "status_basis": _status_basis,
    "method": _method,
    "reference_price": _field("reference_price"),
    "agreed_price": _field("agreed_price"),
    "savings": _savings,
    "winner_tax_id": _field("winner_tax_id"),
    "winner_name": _field("winner_name"),
    "project_id": _field("project_id"),
    "contract_no": _field("contract_no"),
    "contract_date": _date("contract_date"),
    "contract_end_date": _date("contract_end_date"),
    "is_investment": _field("is_investment"),
    "budget_category": _label("category", "budget_category"),
    "investment_basis": _investment_basis,
    "ocid": _ocid,
    "report_month": _report_month,
    "seq": _integer("seq"),
    "bidders": _bidders,
    "winner": _winner,
    "selection_reason": _field("selection_reason"),
    "contract": _contract,
}
