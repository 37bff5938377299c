"""Monthly updates at national scale: the merge's conflicts, contracts past their end, the count of projects.

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

The plain route is ``check.merge.merge_updates`` with the conflicts and ended
contracts ``check.review`` finds from it; tests/test_updates.py proves the two equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from procdata.check.problems import NO_ROW, Batch, Registry, batch
from procdata.check.table import RunCodes, both_codes
from procdata.check.texts import Joined, number_texts, pieces, text_array
from procdata.i18n import be_date, message
from procdata.normalize.dates import latest_fiscal_year
from procdata.normalize.text import fold

AMOUNTS = ("budget_amount", "agreed_price", "reference_price")
CONFLICTS = (*AMOUNTS, "winner_name")  # as check.merge.CONFLICTS, in its order
SHOWN_ROWS = 20  # rows named in a sheet's warning about contracts past their end
NO_DAY = np.iinfo(np.int32).min
CENT = 0.005


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
        fold_codes, fold_index = pd.factorize(pd.Series([*self._folded(), ""], dtype=object))
        fold_texts = fold_index.tolist()
        folded = fold_codes[self._at(self.winners, len(self.names))]
        by_contract = ~has_project & has_contract & (np.array([t != "" for t in fold_texts])[folded])
        keyed = has_project | by_contract
        # The agency too, where records name one (merge.repeated_projects): codes of the folded names.
        agency_codes, agency_index = pd.factorize(pd.Series([*(fold(name) for name in self.agency_names), ""], dtype=object))
        agency_texts = agency_index.tolist()
        agency = agency_codes[self._at(self.agencies, len(self.agency_names))]
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
        months = _ranks(self.month_names)[self._at(self.months, len(self.month_names))]
        order = np.lexsort((repeated, months[repeated], key_rank[codes[repeated]]))
        members = repeated[order]
        starts = np.r_[True, codes[members][1:] != codes[members][:-1]]
        group = np.cumsum(starts) - 1
        last = np.r_[np.flatnonzero(starts)[1:], len(members)] - 1
        return Merge(members, group, members[last], has_project[members[last]])

    def _folded(self) -> list[str]:
        """``fold`` of each winner name, each folded once for the merge and its conflicts."""
        if len(self._folds) < len(self.names):
            self._folds.extend(fold(name) for name in self.names[len(self._folds) :])
        return self._folds

    @staticmethod
    def _at(parts: list[np.ndarray], missing: int) -> np.ndarray:
        """Codes of every record, -1 (none) turned into ``missing``."""
        codes = np.concatenate(parts)
        return np.where(codes < 0, missing, codes)

    def conflicts(self, merge: Merge, registry: Registry, columns: Any, lang: str) -> list[Batch]:
        """The ``update_conflict`` warnings: each earlier value that differs from the latest record's,
        once per value, at the latest record's cell; not for one project twice in one month's report
        (that is a ``duplicate_project`` error already). ``columns(places, rows, field)`` locates cells."""
        if not len(merge.members):
            return []
        latest_of = merge.latest[merge.group]
        earlier = merge.members != latest_of
        # The earlier records of each group from the latest one back, as the plain merge goes through them.
        rank_in_group = np.arange(len(merge.members)) - np.searchsorted(merge.group, merge.group)
        pick = np.flatnonzero(earlier)
        pick = pick[np.lexsort((-rank_in_group[pick], merge.group[pick]))]
        kept, other, group = latest_of[pick], merge.members[pick], merge.group[pick]
        places, rows = np.concatenate(self.places), np.concatenate(self.rows)
        months = self._at(self.months, -1)
        same_month = merge.project[group] & (months[kept] == months[other])
        amounts = np.concatenate(self.amounts) if self.amounts else np.zeros((0, 3))
        winners = np.concatenate(self.winners)
        folded_code = pd.factorize(np.array([*self._folded(), ""], dtype=object))[0]
        out = []
        for number_, name in enumerate(CONFLICTS):
            if name == "winner_name":
                a, b = winners[kept], winners[other]
                differs = (a >= 0) & (b >= 0) & (folded_code[a] != folded_code[b])
                value_key = b.astype(np.float64)
            else:
                a, b = amounts[kept, number_], amounts[other, number_]
                with np.errstate(invalid="ignore"):
                    differs = ~np.isnan(a) & ~np.isnan(b) & (np.abs(a - b) > CENT)
                value_key = b + 0.0  # -0.0 and 0.0 are one value, as the plain merge's set of them says
            chosen = np.flatnonzero(differs)
            # Each differing value once per project: from the latest record that has it.
            _, first = np.unique(np.column_stack([group[chosen], value_key[chosen].view(np.int64)]), axis=0, return_index=True)
            chosen = chosen[np.sort(first)]
            chosen = chosen[~same_month[chosen]]
            if not len(chosen):
                continue
            kept_at, other_at = kept[chosen], other[chosen]
            shown_kept = self._shown(name, number_, kept_at, amounts, winners)
            out.append(batch(
                "update_conflict", name, places[kept_at], rows[kept_at], columns(places[kept_at], rows[kept_at], name),
                shown_kept, {
                    "other": _at_rows(registry, places[other_at], rows[other_at], lang, places[kept_at]),
                    "other_value": self._shown(name, number_, other_at, amounts, winners),
                },
            ))
        return out

    def _shown(self, name: str, slot: int, at: np.ndarray, amounts: np.ndarray, winners: np.ndarray) -> pa.Array:
        """Values as ``review`` shows them: amounts with separators, names as written."""
        if name == "winner_name":
            return text_array([*self.names, ""]).take(pa.array(np.where(winners[at] < 0, len(self.names), winners[at])))
        return number_texts(amounts[at, slot])

    def ended(self, merge: Merge, as_of: dt.date, columns: Any, lang: str) -> list[Batch]:
        """The ``contract_period_over`` warnings: per sheet, the records stated as in contract whose end
        (not before their signature) is before ``as_of``; a project reported more than once is judged on
        its merged record (the latest one's values, each missing one from the latest earlier that has it)."""
        if not len(self) or "in_contract" not in self.status_names:
            return []
        status = np.concatenate(self.statuses)
        signed, ends = np.concatenate(self.signed), np.concatenate(self.ends)
        places, rows = np.concatenate(self.places), np.concatenate(self.rows)
        judged = np.ones(len(status), dtype=bool)
        judged[merge.members] = False
        if len(merge.members):  # the merged records, at their latest record
            for values in (status, signed, ends):
                missing = -1 if values is status else NO_DAY
                merged = _filled(values[merge.members], merge.group, missing)
                values[merge.latest] = merged[np.r_[np.flatnonzero(np.r_[merge.group[1:] != merge.group[:-1], True])]]
            judged[merge.latest] = True
        day = (np.datetime64(as_of) - np.datetime64("1970-01-01")).astype(np.int64)
        over = judged & (status == self.status_names.index("in_contract")) & (ends != NO_DAY) & (ends < day)
        over &= (signed == NO_DAY) | (ends >= signed)
        at = np.flatnonzero(over)
        if not len(at):
            return []
        shown = be_date(as_of) if lang == "th" else as_of.isoformat()
        out = []
        for place in dict.fromkeys(places[at].tolist()):
            found = np.sort(rows[at][places[at] == place])
            listed = ", ".join(str(r) for r in found[:SHOWN_ROWS].tolist()) + (" …" if len(found) > SHOWN_ROWS else "")
            column = columns(np.array([place]), found[:1], "status")
            out.append(batch(
                "contract_period_over", "status", [place], [NO_ROW], column, [listed],
                {"count": f"{len(found):,}", "as_of": shown},
            ))
        return out


def _at_rows(registry: Registry, places: np.ndarray, rows: np.ndarray, lang: str, beside: np.ndarray) -> Joined:
    """Where each record stands as ``review`` names it (``file [sheet] row N``; ``row N`` alone for a
    record in the same sheet as the one it is told beside, whose place is at ``beside``), kept as its
    parts until written: the place's text (a dictionary code) and the row (a number, written as
    str.format writes an int), no Python string or text per record (millions in a national table)."""
    used, codes = np.unique(places, return_inverse=True)
    named = [registry.places[p] for p in used.tolist()]
    (lead, name), *tail = pieces(message("review_at_row", lang, row="{row}"))  # " row {row}": the words before the row
    assert name == "row", "review_at_row names the row first"
    prefix = pa.DictionaryArray.from_arrays(
        pa.array(np.where(places == beside, len(named), codes.ravel()), pa.int32()),
        text_array([file + (f" [{sheet}]" if sheet else "") + lead for file, sheet in named] + [lead.lstrip()]),
    )
    parts: list[pa.Array | str] = [prefix, pa.array(rows, pa.int64())]
    for literal, rest in tail:
        assert rest is None, "review_at_row names the row only"
        parts += [literal] if literal else []
    return Joined(parts)


def _joined(parts: list[pa.Array]) -> pa.Array:
    """The parts as one array (the one part itself when there is one: no copy)."""
    return parts[0] if len(parts) == 1 else pa.concat_arrays(parts)


def _filled(values: np.ndarray, group: np.ndarray, missing: int) -> np.ndarray:
    """Each value, or where it is ``missing`` the last one before it in its group that is not."""
    position = np.where(values != missing, np.arange(len(values)), -1)
    position = np.maximum.accumulate(position)
    starts = np.searchsorted(group, group)
    usable = position >= starts
    return np.where(usable, values[np.maximum(position, 0)], missing)


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
