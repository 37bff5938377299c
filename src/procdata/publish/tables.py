"""From canonical records to the rows of each dataset: status, selection, order, privacy."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from procdata.check.review import ended_by
from procdata.config import Config
from procdata.profiles import DatasetSpec
from procdata.publish.columns import VALUES, Context
from procdata.publish.model import Cell, Table
from procdata.publish.privacy import Masker


def derive_status(records: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Fill ``status`` where the sheet does not state it (or states what procdata cannot read),
    from the contract dates at ``as_of``.

    No contract date, or one after ``as_of``: not yet signed. An end date before
    ``as_of``: completed. Otherwise under contract. A contract the sheet still
    calls under contract although its end date has passed by ``as_of`` is
    completed too (the review warns about it: ``contract_period_over``).
    ``status_derived`` marks the rows computed here.
    """
    out = records.copy()
    day = as_of.isoformat()
    signed = out["contract_date"].fillna("")
    ended = out["contract_end_date"].fillna("")
    computed = np.where(
        signed.eq("") | (signed > day), "not_signed",
        np.where(ended.ne("") & (ended < day), "completed", "in_contract"),
    )
    missing = out["status"].isna().to_numpy()
    over = ended_by(out, as_of).to_numpy()
    computed = np.where(over, "completed", computed)
    derived = missing | over
    out["status"] = out["status"].where(~derived, pd.Series(computed, index=out.index, dtype="string[pyarrow]"))
    out["status_derived"] = derived
    return out


def select(records: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    """The records of a dataset in published order, at most ``spec.limit`` of them.

    With priority groups: each group in turn (``investment`` = investment items,
    otherwise a budget category code), then the rest; within a group by
    ``order_by`` descending, missing values last. Ties are broken by month,
    item, and source position so that the order never depends on input order.
    """
    frame = records.copy()
    rank = pd.Series(len(spec.priority), index=frame.index)
    for position, group in reversed(list(enumerate(spec.priority))):
        member = frame["is_investment"].eq(True) if group == "investment" else frame["budget_category"].eq(group)
        rank = rank.mask(member.fillna(False).to_numpy(dtype=bool), position)
    frame["_rank"] = rank
    month = frame["report_month"].fillna(frame["contract_date"].str.slice(0, 7)).fillna("9999-99")
    frame["_month"] = month
    keys = ["_rank"]
    ascending = [True]
    if spec.order_by:
        frame["_order"] = -frame[spec.order_by].astype("float64")
        keys.append("_order")
        ascending.append(True)
    tail = ["_month", "seq", "item_name", "source_file", "source_sheet", "source_row"]
    frame = frame.sort_values(keys + tail, ascending=ascending + [True] * len(tail), na_position="last", kind="mergesort")
    if spec.limit:
        frame = frame.head(spec.limit)
    return frame.drop(columns=[c for c in ("_rank", "_order", "_month") if c in frame]).reset_index(drop=True)


def build_table(records: pd.DataFrame, spec: DatasetSpec, fiscal_year: int, config: Config,
                as_of: dt.date, masker: Masker) -> Table:
    """The dataset ``spec`` for ``fiscal_year`` from all records (status already derived)."""
    year = records[records["fiscal_year"] == fiscal_year]
    chosen = select(year, spec)
    columns = [c for c in spec.columns if not c.requires or getattr(config, c.requires)]
    context = Context(config, as_of)
    values = [VALUES[c.value](chosen, context) for c in columns]
    masked = 0
    for position, column in enumerate(columns):
        if column.value == "winner_tax_id":
            cells: list[Cell] = []
            for value in values[position]:
                text, hit = masker.tax_id(value)  # type: ignore[arg-type]
                cells.append(text)
                masked += hit
            values[position] = cells
        elif column.type == "string":
            cells = []
            for value in values[position]:
                text, hits = masker.text(value)  # type: ignore[arg-type]
                cells.append(text)
                masked += hits
            values[position] = cells
    rows = [list(row) for row in zip(*values, strict=True)] if columns else []
    return Table(
        spec=spec, fiscal_year=fiscal_year, columns=columns, rows=rows, records=chosen,
        available=len(year), masked=masked, derived_status=int(chosen["status_derived"].sum()),
    )
