"""Totals for people: headline figures, and the annual report's totals by method and category."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from procdata.normalize import vocab

UNKNOWN = "ไม่ระบุ"


@dataclass(frozen=True)
class Group:
    """The items of one method, category or status."""

    code: str
    label: str
    items: int
    budget: float
    agreed: float
    savings: float
    share: float  # of the total agreed value, 0..1


@dataclass(frozen=True)
class Summary:
    items: int
    budget: float
    agreed: float
    savings: float  # budget minus agreed price, over items with both and not cancelled
    compared: int  # items counted in savings
    compared_budget: float  # their budget
    investment_items: int
    investment_budget: float
    by_method: list[Group]
    by_category: list[Group]
    by_status: list[Group]
    # Where each item's budget category came from (investment_basis): the sheet, the officer's
    # categories file, the item name (inferred), or nowhere.
    declared_items: int = 0
    override_items: int = 0
    inferred_items: int = 0
    unknown_items: int = 0

    @property
    def savings_rate(self) -> float:
        """Savings as a share of the budget of the items compared."""
        return self.savings / self.compared_budget if self.compared_budget else 0.0


def _comparable(records: pd.DataFrame) -> pd.Series:
    return records["budget_amount"].notna() & records["agreed_price"].notna() & records["status"].ne("cancelled").fillna(True)


def _groups(records: pd.DataFrame, field: str, kind: str, total_agreed: float) -> list[Group]:
    comparable = _comparable(records)
    savings = (records["budget_amount"] - records["agreed_price"]).where(comparable, 0.0)
    codes = records[field].astype("object").where(records[field].notna(), None)
    out = []
    for code in [*vocab.codes(kind), None]:
        member = codes.eq(code) if code is not None else codes.isna()
        member = member.fillna(False).to_numpy(dtype=bool)
        if not member.any():
            continue
        term = vocab.term(kind, code) if code else None
        agreed = float(records["agreed_price"][member].sum())
        out.append(Group(
            code=code or "", label=term.label("th") if term else UNKNOWN, items=int(member.sum()),
            budget=float(records["budget_amount"][member].sum()), agreed=agreed,
            savings=float(savings[member].sum()), share=agreed / total_agreed if total_agreed else 0.0,
        ))
    return out


def summarise(records: pd.DataFrame) -> Summary:
    """Totals over ``records`` (canonical, with status derived)."""
    comparable = _comparable(records)
    agreed = float(records["agreed_price"].sum())
    investment = records["is_investment"].eq(True).fillna(False).to_numpy(dtype=bool)
    savings = float((records["budget_amount"] - records["agreed_price"])[comparable].sum())
    return Summary(
        items=len(records),
        budget=float(records["budget_amount"].sum()),
        agreed=agreed,
        savings=savings,
        compared=int(comparable.sum()),
        compared_budget=float(records["budget_amount"][comparable].sum()),
        investment_items=int(investment.sum()),
        investment_budget=float(records["budget_amount"][investment].sum()),
        by_method=_groups(records, "method", "method", agreed),
        by_category=_groups(records, "budget_category", "category", agreed),
        by_status=_groups(records, "status", "status", agreed),
        **_bases(records),
    )


def _bases(records: pd.DataFrame) -> dict[str, int]:
    basis = records["investment_basis"].astype("string").fillna("unknown")
    inferred = basis.str.startswith("inferred:").fillna(False)
    return {
        "declared_items": int(basis.eq("declared").sum()), "override_items": int(basis.eq("override").sum()),
        "inferred_items": int(inferred.sum()), "unknown_items": int(basis.eq("unknown").sum()),
    }
