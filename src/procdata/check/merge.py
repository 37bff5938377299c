"""Monthly files describe the same projects again as they progress: merge them.

Two records are the same project when they share an e-GP project number, or,
where there is none, the same contract number and winner. The record from the
latest report month wins for status and dates; values it lacks are taken from
earlier records; differing amounts or winners are reported as warnings that
name both files (as ``update_conflict`` warnings of the one report:
:mod:`procdata.check.review`). Nothing is dropped silently: every merged
record is listed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from procdata.normalize.text import fold
from procdata.output import plain_value

# The fields where a later month is news, not a conflict.
PROGRESS = ("status", "status_text", "contract_date", "contract_end_date", "report_month")
CONFLICTS = ("budget_amount", "agreed_price", "reference_price", "winner_name")


@dataclass(frozen=True)
class Source:
    file: str
    sheet: str
    row: int
    report_month: str


@dataclass(frozen=True)
class Conflict:
    """One field that two files disagree on for the same project."""

    key: str
    field: str
    kept: Source
    kept_value: object
    other: Source
    other_value: object


@dataclass
class MergeResult:
    records: pd.DataFrame
    merged: list[tuple[Source, list[Source]]] = field(default_factory=list)  # kept, folded in
    conflicts: list[Conflict] = field(default_factory=list)


def project_keys(records: pd.DataFrame) -> pd.Series:
    """The identity of each record's project, or NA where it has none."""
    project = records["project_id"].astype("string").fillna("")
    contract = records["contract_no"].astype("string").fillna("")
    winner = records["winner_name"].astype("string").fillna("").map(fold)
    by_contract = "contract:" + contract + "|" + winner
    key = ("project:" + project).where(project.ne(""), by_contract.where(contract.ne("") & winner.ne("")))
    return key.astype("string")


def merge_updates(records: pd.DataFrame) -> MergeResult:
    """One record per project, the latest report month winning (see module docstring)."""
    keys = project_keys(records)
    repeated = keys.notna() & keys.duplicated(keep=False)
    if not bool(repeated.any()):
        return MergeResult(records)
    result = MergeResult(records)
    order = records.assign(_key=keys, _month=records["report_month"].astype("string").fillna(""), _pos=range(len(records)))
    drop: list[int] = []
    replace: dict[int, pd.Series] = {}
    for key, group in order[repeated.to_numpy()].groupby("_key", sort=True):
        group = group.sort_values(["_month", "_pos"], kind="stable")
        latest = group.iloc[-1]
        merged = latest.copy()
        seen: set[tuple[str, object]] = set()
        for _, earlier in group.iloc[-2::-1].iterrows():
            for name in records.columns:
                if _missing(merged[name]) and not _missing(earlier[name]):
                    merged[name] = earlier[name]
            for name in CONFLICTS:
                if _differs(latest[name], earlier[name]) and (name, plain_value(earlier[name])) not in seen:
                    seen.add((name, plain_value(earlier[name])))  # each differing value once, from its latest file
                    result.conflicts.append(Conflict(
                        str(key), name, _source(latest), plain_value(latest[name]), _source(earlier), plain_value(earlier[name]),
                    ))
        kept_at = int(group["_pos"].min())  # where the project first appears
        replace[kept_at] = merged[records.columns]
        drop.extend(int(p) for p in group["_pos"] if int(p) != kept_at)
        result.merged.append((_source(latest), [_source(r) for _, r in group.iloc[:-1].iterrows()]))
    out = records.copy()
    for position, row in replace.items():
        out.iloc[position] = row.to_numpy()
    out = out.drop(index=out.index[drop]).reset_index(drop=True)
    result.records = out.astype(records.dtypes.to_dict())
    return result


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or value == ""


def _differs(a: object, b: object) -> bool:
    if _missing(a) or _missing(b):
        return False
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) > 0.005
    if isinstance(a, str) and isinstance(b, str):
        return fold(a) != fold(b)
    return a != b


def _source(row: pd.Series) -> Source:
    sheet = row["source_sheet"]
    return Source(str(row["source_file"]), "" if _missing(sheet) else str(sheet), int(row["source_row"]), str(row["_month"]))
