"""Monthly files describe the same projects again as they progress: merge them.

Two records are the same project when they share an e-GP project number, or,
where there is none (or a cell holds something else: "ไม่มี", a number short of
a digit; ``check.table.project_keys``), the same contract number and winner, and the same agency
where they name one (agencies number their contracts each on its own: "1/2568"
of two agencies won by one firm are two projects). The record from the
latest report month wins for status and dates; values it lacks are taken from
earlier records; differing amounts or winners are reported as warnings that
name both files (as ``update_conflict`` warnings of the one report:
:mod:`procdata.check.review`). Nothing is dropped silently: every merged
record is listed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from procdata.check.table import project_keys
from procdata.normalize.text import fold
from procdata.output import plain_value

# The fields where a later month is news, not a conflict.
PROGRESS = ("status", "status_text", "contract_date", "contract_end_date", "report_month")
CONFLICTS = ("budget_amount", "agreed_price", "reference_price", "winner_name")
WHERE = ("source_file", "source_sheet", "source_row")


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
    """The merge of ``source``: its plan, and the merged table made from it when first asked for.

    Checking a national table needs only the conflicts and the few merged
    records; the whole merged table (one copy of it) is made only for
    publishing and status.
    """

    source: pd.DataFrame
    merged: list[tuple[Source, list[Source]]] = field(default_factory=list)  # kept, folded in
    conflicts: list[Conflict] = field(default_factory=list)
    kept_at: list[int] = field(default_factory=list)  # positions in ``source`` where a merged record stands
    merged_rows: pd.DataFrame | None = None  # those merged records, in the order of ``kept_at``
    dropped: list[int] = field(default_factory=list)  # positions folded into a merged record
    _records: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def records(self) -> pd.DataFrame:
        """One record per project, in the order projects first appear."""
        if self._records is None:
            self._records = self._merge()
        return self._records

    def _merge(self) -> pd.DataFrame:
        if self.merged_rows is None or not self.kept_at:
            return self.source
        count = len(self.source)
        take = np.arange(count)
        take[self.kept_at] = count + np.arange(len(self.kept_at))
        keep = np.ones(count, dtype=bool)
        keep[self.dropped] = False
        both = pd.concat([self.source, self.merged_rows], ignore_index=True)  # Arrow chunks joined, not copied
        return both.take(take[keep]).reset_index(drop=True).astype(self.source.dtypes.to_dict())


def repeated_projects(records: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The positions of the records whose project appears more than once, and each one's project key.

    A project is its e-GP project number; where there is none, its contract
    number and winner (compared folded). Repeats are found on integer codes
    (a national table has hundreds of thousands of contracts), and keys are
    written out for the repeated records only.
    """
    project, numbers = pd.factorize(project_keys(pa.array(records["project_id"].astype("string").array)).to_numpy(zero_copy_only=False))
    contract, contracts = pd.factorize(records["contract_no"].astype("string").fillna(""))
    has_project = np.asarray(numbers, dtype=object)[project] != ""
    by_contract = ~has_project & (np.asarray(contracts, dtype=object)[contract] != "")
    found = np.zeros(len(records), dtype=bool)
    key = np.empty(len(records), dtype=object)
    if has_project.any():
        twice = has_project & (np.bincount(project[has_project], minlength=len(numbers))[project] > 1)
        found |= twice
        key[twice] = ["project:" + str(numbers[c]) for c in project[twice]]
    if by_contract.any():  # winners folded once per distinct name: a national table repeats its firms
        winner, folded = _folded_codes(records["winner_name"])
        agency, agencies = _folded_codes(records["agency_name"])
        pair = pd.factorize(contract.astype(np.int64) * (len(folded) + 1) + winner)[0].astype(np.int64) * (len(agencies) + 1) + agency
        _, inverse, counts = np.unique(pair[by_contract], return_inverse=True, return_counts=True)
        twice = np.zeros(len(records), dtype=bool)
        twice[by_contract] = counts[inverse] > 1
        twice &= np.asarray(folded, dtype=object)[winner] != ""
        found |= twice
        key[twice] = [
            f"contract:{contracts[c]}|{folded[w]}" + (f"|{agencies[a]}" if agencies[a] else "")
            for c, w, a in zip(contract[twice], winner[twice], agency[twice], strict=True)
        ]
    positions = np.flatnonzero(found)
    return positions, key[positions].tolist()


def _folded_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """A code per value of a text column, equal for values that ``fold`` alike, and the folded texts
    (each distinct value folded once)."""
    codes, names = pd.factorize(column.astype("string").fillna(""))
    folded_codes, folded = pd.factorize(np.array([fold(str(name)) for name in names], dtype=object))
    return folded_codes[codes], list(folded)


def merge_updates(records: pd.DataFrame) -> MergeResult:
    """One record per project, the latest report month winning (see module docstring).

    Only the records of repeated projects are looked at one by one, as plain
    values: a national table with thousands of them merges in a blink.
    """
    positions, keys = repeated_projects(records)
    result = MergeResult(records)
    if not len(positions):
        return result
    subset = records.iloc[positions]
    months = subset["report_month"].astype("string").fillna("").tolist()
    groups: dict[str, list[tuple[str, int, dict[str, object]]]] = {}
    for key, month, position, row in zip(keys, months, positions.tolist(), subset.to_dict("records"), strict=True):
        groups.setdefault(key, []).append((month, position, row))
    columns = list(records.columns)
    replace: dict[int, dict[str, object]] = {}
    for key in sorted(groups):
        group = sorted(groups[key], key=lambda entry: entry[:2])  # by month, then where it stands
        latest_month, _, latest = group[-1]
        merged = dict(latest)
        seen: set[tuple[str, object]] = set()
        for month, _, earlier in reversed(group[:-1]):
            for name in columns:
                if name in WHERE:
                    continue  # the merged record stands where the latest one does (a CSV has no sheet to fill)
                if _missing(merged[name]) and not _missing(earlier[name]):
                    merged[name] = earlier[name]
            for name in CONFLICTS:
                if _differs(latest[name], earlier[name]) and (name, plain_value(earlier[name])) not in seen:
                    seen.add((name, plain_value(earlier[name])))  # each differing value once, from its latest file
                    result.conflicts.append(Conflict(
                        key, name, _source(latest, latest_month), plain_value(latest[name]), _source(earlier, month),
                        plain_value(earlier[name]),
                    ))
        kept_at = min(position for _, position, _ in group)  # where the project first appears
        replace[kept_at] = merged
        result.dropped.extend(position for _, position, _ in group if position != kept_at)
        result.merged.append((_source(latest, latest_month), [_source(row, month) for month, _, row in group[:-1]]))
    result.kept_at = sorted(replace)
    result.merged_rows = pd.DataFrame([replace[p] for p in result.kept_at], columns=columns).astype(
        records.dtypes.to_dict())
    result.dropped.sort()
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


def _source(row: dict[str, object], month: str) -> Source:
    sheet = row["source_sheet"]
    return Source(str(row["source_file"]), "" if _missing(sheet) else str(sheet), int(row["source_row"]), month)  # type: ignore[call-overload]
