"""Monthly updates at national scale: what the merge needs of each record, and the projects reported more than once.

The one report (``check.review``) says what the merge of monthly updates finds
(``check.merge``): two records are the same project when they share an e-GP
project number or, where there is none, a contract number and winner (and agency,
where records name one); the
latest report month wins; earlier values that differ in an amount or the winner
are warnings at the kept record's cell; and the contracts a sheet still calls
"in contract" whose end has passed by the date of the data are warned once per
sheet. :class:`Updates` keeps, part by part and column-wise, what that needs of
each record (about 70 bytes: its project number, contract, winner, month, place,
three amounts, status and two dates), so that a national table read in chunks
or a thousand files read in parallel give the report one pass over them gives.
:meth:`Updates.merge` finds the projects reported more than once (and so the
count of projects); ``check.update_problems`` finds their warnings.

The plain route is ``check.merge.merge_updates`` with the conflicts and ended
contracts ``check.review`` finds from it; tests/test_updates.py proves the two equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from procdata.check.table import RunCodes, both_codes
from procdata.check.texts import text_array
from procdata.normalize.columns import fold_values
from procdata.normalize.dates import latest_fiscal_year

AMOUNTS = ("budget_amount", "agreed_price", "reference_price")
NO_DAY = np.iinfo(np.int32).min


@dataclass
class Merge:
    """The records of projects reported more than once: ``members`` (positions among all records read),
    ordered by project key, then month and place; each one's ``group``; each group's ``latest`` record."""

    members: np.ndarray
    group: np.ndarray
    latest: np.ndarray
    project: np.ndarray  # per group: keyed by a project number (not by contract and winner)

    @property
    def dropped(self) -> int:
        """Records folded into another: all but one of each group."""
        return len(self.members) - len(self.latest)


@dataclass
class Updates:
    """What the merge of monthly updates needs of every record read so far, column-wise."""

    projects: list[pa.Array] = field(default_factory=list)  # project numbers ("" for none)
    contracts: list[pa.Array] = field(default_factory=list)  # contract numbers ("" for none)
    winners: list[np.ndarray] = field(default_factory=list)  # codes into names (-1 none)
    months: list[np.ndarray] = field(default_factory=list)  # codes into month_names (-1 none)
    statuses: list[np.ndarray] = field(default_factory=list)  # codes into status_names (-1 none)
    agencies: list[np.ndarray] = field(default_factory=list)  # codes into agency_names (-1 none)
    places: list[np.ndarray] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    amounts: list[np.ndarray] = field(default_factory=list)  # (n, 3): AMOUNTS, NaN where missing
    signed: list[np.ndarray] = field(default_factory=list)  # contract dates, days since 1970 (NO_DAY none)
    ends: list[np.ndarray] = field(default_factory=list)  # contract end dates, the same
    names: list[str] = field(default_factory=list)  # winner names as written
    month_names: list[str] = field(default_factory=list)
    status_names: list[str] = field(default_factory=list)
    agency_names: list[str] = field(default_factory=list)
    years: set[int] = field(default_factory=set)  # fiscal years of the records
    dated: dict[int, tuple[set[str], set[str]]] = field(default_factory=dict)  # year -> (report months, contract dates)
    _known: dict[str, dict[str, int]] = field(
        default_factory=lambda: {"names": {}, "month_names": {}, "status_names": {}, "agency_names": {}},
    )
    _folds: list[str] = field(default_factory=list)  # fold(name) of names, as far as computed

    def __len__(self) -> int:
        return sum(len(r) for r in self.rows)

    def add(self, records: pd.DataFrame, places: np.ndarray, rows: np.ndarray, keys: pa.Array) -> None:
        """The records of one part (``places`` and ``rows`` as the checker locates them, ``keys`` their
        project numbers' ``check.table.project_keys``, which the checker has found already)."""
        if not len(records):
            return
        self.projects.append(keys)
        self.contracts.append(text_array(pa.array(records["contract_no"].array)))
        self.winners.append(self._coded(records["winner_name"], "names"))
        self.months.append(self._coded(records["report_month"], "month_names"))
        self.statuses.append(self._coded(records["status"], "status_names"))
        self.agencies.append(self._coded(records["agency_name"], "agency_names"))
        self.places.append(np.asarray(places, dtype=np.int32))
        self.rows.append(np.asarray(rows, dtype=np.int64))
        self.amounts.append(np.column_stack([_numbers(records[name]) for name in AMOUNTS]))
        self.signed.append(_days(records["contract_date"]))
        self.ends.append(_days(records["contract_end_date"]))
        years = records["fiscal_year"].astype("Int64")
        self.years |= {int(y) for y in years.dropna().unique()}
        year_codes, year_values = pd.factorize(years)
        for slot, name in enumerate(("report_month", "contract_date")):
            # The distinct (year, value) pairs, from the codes of each.
            value_codes, values = pd.factorize(records[name].astype("string"))
            if not len(values):
                continue
            both = (year_codes >= 0) & (value_codes >= 0)
            pairs = np.unique(year_codes[both].astype(np.int64) * len(values) + value_codes[both])
            for year, value in zip(year_values[pairs // len(values)].tolist(), values[pairs % len(values)].tolist(), strict=True):
                self.dated.setdefault(int(year), (set(), set()))[slot].add(value)

    def _coded(self, column: pd.Series, table: str) -> np.ndarray:
        """Codes of a text column's values in one of the lists above (-1 for missing or empty)."""
        codes, distinct = pd.factorize(column.astype("string").fillna(""))
        mapping = [self._code(table, value) if value != "" else -1 for value in distinct.tolist()]
        return np.array([*mapping, -1], dtype=np.int32)[codes]

    def _code(self, table: str, value: str) -> int:
        known, names = self._known[table], getattr(self, table)
        if value not in known:
            known[value] = len(names)
            names.append(value)
        return known[value]

    def absorb(self, other: Updates, places: np.ndarray) -> None:
        """Another part's records (its place codes mapped to ours), after ours."""
        maps = {table: np.array([self._code(table, name) for name in getattr(other, table)] + [-1], dtype=np.int32)
                for table in ("names", "month_names", "status_names", "agency_names")}
        for at in range(len(other.rows)):
            self.projects.append(other.projects[at])
            self.contracts.append(other.contracts[at])
            self.winners.append(maps["names"][other.winners[at]])
            self.months.append(maps["month_names"][other.months[at]])
            self.statuses.append(maps["status_names"][other.statuses[at]])
            self.agencies.append(maps["agency_names"][other.agencies[at]])
            self.places.append(places[other.places[at]])
            self.rows.append(other.rows[at])
            self.amounts.append(other.amounts[at])
            self.signed.append(other.signed[at])
            self.ends.append(other.ends[at])
        self.years |= other.years
        for year, (months, dates) in other.dated.items():
            mine = self.dated.setdefault(year, (set(), set()))
            mine[0].update(months)
            mine[1].update(dates)

    # --- the whole run

    def fiscal_year(self, asked: int | None) -> int | None:
        """The year asked for, else the latest in the records (as ``review.review`` chooses it)."""
        return asked if asked is not None else latest_fiscal_year(self.years)

    def default_as_of(self, fiscal_year: int) -> dt.date | None:
        """``review.default_as_of`` of the records read: the last day of the latest report month or the
        latest contract signature of ``fiscal_year``, whichever is later, never after its end."""
        months, dates = self.dated.get(fiscal_year, (set(), set()))
        candidates = []
        first = _latest(value + "-01" for value in months)
        if first is not None:
            candidates.append((first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
        signed = _latest(dates)
        if signed is not None:
            candidates.append(signed)
        if not candidates:
            return None
        return min(max(candidates), dt.date(fiscal_year - 543, 9, 30))

    def codes(self) -> RunCodes | None:
        """The codes of every record's project and contract numbers (:func:`~procdata.check.table.both_codes`),
        for the merge and the duplicates both; None when no record was read."""
        if not len(self):
            return None
        # Each joined once, kept joined for the merge.
        self.projects, self.contracts = [_joined(self.projects)], [_joined(self.contracts)]
        return both_codes(self.projects[0], self.contracts[0])

    def merge(self, run_codes: RunCodes | None = None) -> Merge:
        """The projects reported more than once (as ``check.merge.repeated_projects`` finds them);
        ``run_codes``: :meth:`codes`, when already found."""
        empty = np.zeros(0, dtype=np.int64)
        if not len(self):
            return Merge(empty, empty, empty, np.zeros(0, dtype=bool))
        projects, contracts = _joined(self.projects), _joined(self.contracts)
        coded = run_codes if run_codes is not None else both_codes(projects, contracts)
        (project, has_project), (contract, has_contract) = coded
        # Keys as integers: a project number's code, or a (contract, folded winner) pair's; texts are
        # spelled below only for the keys of repeated records.
        fold_codes, fold_index = pd.factorize(pd.Series([*self.folded(), ""], dtype=object))
        fold_texts = fold_index.tolist()
        folded = fold_codes[all_codes(self.winners, len(self.names))]
        by_contract = ~has_project & has_contract & (np.array([t != "" for t in fold_texts])[folded])
        keyed = has_project | by_contract
        # The agency too, where records name one (merge.repeated_projects): codes of the folded names.
        agency_codes, agency_index = pd.factorize(pd.Series([*fold_values(self.agency_names), ""], dtype=object))
        agency_texts = agency_index.tolist()
        agency = agency_codes[all_codes(self.agencies, len(self.agency_names))]
        # A key's code: its project number's, or past those one per (contract, winner, agency) of the few
        # records keyed by contract; not all hashed again. Groups are ordered by their keys' texts below.
        codes = np.full(len(project), -1, dtype=np.int64)
        codes[has_project] = project[has_project]
        if by_contract.any():
            deals = pd.factorize(contract[by_contract] * len(fold_texts) + folded[by_contract])[0].astype(np.int64)
            deals = pd.factorize(deals * len(agency_texts) + agency[by_contract])[0]
            codes[by_contract] = int(project.max(initial=-1)) + 1 + deals
        counts = np.bincount(codes[keyed], minlength=1)
        repeated = np.flatnonzero(keyed & (counts[np.maximum(codes, 0)] > 1))
        if not len(repeated):
            return Merge(empty, empty, empty, np.zeros(0, dtype=bool))
        # Groups in the order of their keys, as the plain merge goes through them: "contract:..." before
        # "project:..."; members by month, then where they stand.
        # Only the keys of repeated records are spelled and ranked (in a national table most keys are
        # not repeated: Python strings for all of them cost more memory than the rest of the run).
        needed, first = np.unique(codes[repeated], return_index=True)
        at = repeated[first]  # a record of each key
        project_texts = projects.take(pa.array(at)).to_pylist()
        contract_texts = contracts.take(pa.array(at)).to_pylist()
        spelled = [
            ("project:" + number if project else "contract:" + deal + "|" + fold_texts[winner] + (
                "|" + agency_texts[body] if agency_texts[body] else "")).replace("\x00", "|")
            for project, number, deal, winner, body in zip(
                has_project[at].tolist(), project_texts, contract_texts, folded[at].tolist(), agency[at].tolist(), strict=True,
            )
        ]
        key_rank = np.zeros(len(counts), dtype=np.int64)
        key_rank[needed[sorted(range(len(spelled)), key=spelled.__getitem__)]] = np.arange(len(spelled))
        months = _ranks(self.month_names)[all_codes(self.months, len(self.month_names))]
        order = np.lexsort((repeated, months[repeated], key_rank[codes[repeated]]))
        members = repeated[order]
        starts = np.r_[True, codes[members][1:] != codes[members][:-1]]
        group = np.cumsum(starts) - 1
        last = np.r_[np.flatnonzero(starts)[1:], len(members)] - 1
        return Merge(members, group, members[last], has_project[members[last]])

    def folded(self) -> list[str]:
        """``fold`` of each winner name, each folded once for the merge and its conflicts."""
        if len(self._folds) < len(self.names):
            self._folds.extend(fold_values(self.names[len(self._folds) :]))
        return self._folds



def _joined(parts: list[pa.Array]) -> pa.Array:
    """The parts as one array (the one part itself when there is one: no copy)."""
    return parts[0] if len(parts) == 1 else pa.concat_arrays(parts)


def _latest(values: Iterable[str]) -> dt.date | None:
    """The latest ISO date among ``values`` (as ``review._latest``)."""
    for value in sorted(set(values), reverse=True):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            continue
    return None


def _ranks(values: list[str]) -> np.ndarray:
    """The rank of each value in sorted order; none (code -1, "") first."""
    ranks = np.empty(len(values) + 1, dtype=np.int64)
    ranks[sorted(range(len(values)), key=values.__getitem__)] = np.arange(1, len(values) + 1)
    ranks[-1] = 0
    return ranks


def _numbers(column: pd.Series) -> np.ndarray:
    """Amounts as floats, NaN where missing; a value that is not a number (records not made by ingest)
    is a type error already, not compared."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _days(column: pd.Series) -> np.ndarray:
    """ISO dates as days since 1970 (NO_DAY where there is none or it is not one): each distinct
    date read once (a year has 365 of them; a national table millions of records)."""
    codes, distinct = pd.factorize(column.astype("string"))
    return np.append(_plain_days(pd.Series(distinct, dtype="string")), np.int32(NO_DAY))[codes]


def _plain_days(column: pd.Series) -> np.ndarray:
    """:func:`_days` value by value: what it must equal (tests/test_updates.py)."""
    days = pd.to_datetime(column.astype("string"), format="%Y-%m-%d", errors="coerce").to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(days), NO_DAY, days.astype(np.int64)).astype(np.int32)


def all_codes(parts: list[np.ndarray], missing: int) -> np.ndarray:
    """Codes of every record, -1 (none) turned into ``missing``."""
    codes = np.concatenate(parts)
    return np.where(codes < 0, missing, codes)
