"""Duplicate project numbers: the one check that needs every record of the run at once.

A project number twice in one file, or in one report month (across files), is
an error at each copy, and each copy's message names the others: the first
three, in the order the records were read, then "and N more". Rows of one
project with different contract numbers are its contracts (e-GP's national
data has a row per contract), not duplicates. The check keeps
only what it needs of each record that has a project number (:class:`Projects`:
the number, its place, row, column and month), part by part, so that a table
read in chunks or a thousand files read in parallel are checked as one.

Everything is column-wise: the groups of copies by sorting, the partners named
by positions within the sorted groups. ``plain_duplicates`` in the tests is the
row-by-row version this must equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.check import catalog
from procdata.check.problems import NO_ROW, Batch, Registry, batch
from procdata.check.table import RunCodes, both_codes
from procdata.check.texts import Joined, Lazy, fill, text_array

SHOWN_PARTNERS = 3  # copies named in a message before "and N more"
_CANDIDATE_GROUPS = SHOWN_PARTNERS + 1  # see _extras
_BATCH = 131_072  # copies whose partners are looked for at once


@dataclass
class Projects:
    """The project numbers of the records read so far, with where each record is."""

    numbers: list[pa.Array] = field(default_factory=list)  # project numbers as text
    contracts: list[pa.Array] = field(default_factory=list)  # contract numbers as text ("" for none)
    places: list[np.ndarray] = field(default_factory=list)  # Registry.places codes
    rows: list[np.ndarray] = field(default_factory=list)  # source rows
    columns: list[np.ndarray] = field(default_factory=list)  # Registry.columns code of the project number's cell
    months: list[pa.Array] = field(default_factory=list)  # report months (null where unknown)
    groups: list[np.ndarray | None] = field(default_factory=list)  # agency and year (Problems.groups), when counted

    def add(
        self, numbers: pa.Array, contracts: pa.Array, places: np.ndarray, rows: np.ndarray, columns: np.ndarray,
        months: pa.Array, groups: np.ndarray | None = None,
    ) -> None:
        if len(numbers):
            self.numbers.append(text_array(numbers))
            self.contracts.append(text_array(contracts))
            self.places.append(np.asarray(places, dtype=np.int32))
            self.rows.append(np.asarray(rows, dtype=np.int64))
            self.columns.append(np.asarray(columns, dtype=np.int32))
            self.months.append(months.cast(pa.large_string()))
            self.groups.append(groups)

    def absorb(self, other: Projects, places: np.ndarray, columns: np.ndarray, groups: np.ndarray) -> None:
        """Another part's project numbers, its codes mapped to ours (:meth:`Registry.absorb`)."""
        for numbers, contracts, own_places, rows, own_columns, months, own_groups in zip(
            other.numbers, other.contracts, other.places, other.rows, other.columns, other.months, other.groups, strict=True,
        ):
            self.add(
                numbers, contracts, places[own_places], rows, columns[own_columns], months,
                None if own_groups is None else groups[own_groups],
            )

    def codes_in(self, run: RunCodes | None) -> tuple[np.ndarray, np.ndarray] | None:
        """The codes of these records' project and contract numbers, taken from ``run``: the codes of
        all the run's records in the order they were read (``Updates.codes``), of which these are the
        ones with a project number, in the same order. None when ``run`` does not hold as many."""
        if run is None:
            return None
        (number, named), (contract, _) = run
        if int(np.count_nonzero(named)) != len(self):
            return None
        return number[named], contract[named]

    def __len__(self) -> int:
        return sum(len(n) for n in self.numbers)


def duplicates(
    projects: Projects, registry: Registry, lang: str, codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> Batch | None:
    """The ``duplicate_project`` problems of every record whose project number another record of
    the same file or the same report month has. ``codes``: the codes of the records' project and
    contract numbers (equal texts, equal codes) when known (:meth:`Projects.codes_in`); else found here."""
    if not len(projects):
        return None
    # A project and its contract: the copies of one project with different contracts are its contracts.
    if codes is None:
        (number_code, _), (contract_code, _) = both_codes(pa.concat_arrays(projects.numbers), pa.concat_arrays(projects.contracts))
    else:
        number_code, contract_code = codes
    # Copies share a project number (codes below the number of records: counted, not hashed); only
    # theirs are paired with their contracts and coded again (in a national table, few records).
    shared = np.flatnonzero(np.bincount(number_code)[number_code] > 1)
    pair = pd.factorize(number_code[shared] * (int(contract_code.max(initial=0)) + 1) + contract_code[shared])[0]
    again = np.bincount(pair)[pair] > 1
    repeated, number = shared[again], pair[again].astype(np.int64)
    if not len(repeated):
        return None  # (the records' texts are put together only below, for the copies found)
    numbers = pa.concat_arrays(projects.numbers)
    places = np.concatenate(projects.places)
    rows = np.concatenate(projects.rows)
    months = pa.concat_arrays(projects.months)
    file_names = sorted({file for file, _ in registry.places})
    file_code = {name: code for code, name in enumerate(file_names)}
    file_of = np.array([file_code[file] for file, _ in registry.places], dtype=np.int64)
    sheet_names = sorted({sheet for _, sheet in registry.places})
    sheet_code = {name: code for code, name in enumerate(sheet_names)}
    sheet_of = np.array([sheet_code[sheet] for _, sheet in registry.places], dtype=np.int64)

    copies = _Copies(
        number=number, file=file_of[places[repeated]], month=_codes(months.take(pa.array(repeated)), missing=-1),
    )
    partners, count, in_file = copies.partners()
    reported = np.flatnonzero(count > 0)
    if not len(reported):
        return None
    at = repeated[reported]  # the reported copies, as positions of the records kept
    partners = partners[reported]
    shown = np.where(partners >= 0, repeated[np.maximum(partners, 0)], -1)

    month_texts = months.take(pa.array(at))
    place_of = places
    others = _others(
        lang, at, shown, count[reported], file_of[place_of], sheet_of[place_of], rows, registry, place_of,
    )
    same_file = in_file[reported]
    # Each wording made only when some copy needs it (a table of one file needs "in the same file" alone).
    scope = pa.nulls(len(at), pa.large_string())
    for wording, mask, month in (
        ("same_file", same_file, lambda: _file_texts(registry, place_of[at])),
        ("same_month", ~same_file, lambda: _month_texts(pc.fill_null(month_texts, ""), lang)),
    ):
        if mask.any():
            scope = pc.if_else(pa.array(mask), fill(catalog.word_template(wording, lang), Lazy(month=month), len(at)), scope)
    counted = [g for g in projects.groups if g is not None]
    groups = np.concatenate(counted)[at] if len(counted) == len(projects.groups) else None
    return batch(
        "duplicate_project", "project_id", places[at], rows[at], np.concatenate(projects.columns)[at],
        numbers.take(pa.array(at)), {"others": others, "scope": Joined([pc.dictionary_encode(scope)])}, groups,
    )


def _codes(texts: pa.Array, missing: int | None = None) -> np.ndarray:
    """A code per text (equal texts, equal codes); ``missing`` for null texts when given."""
    encoded = pc.dictionary_encode(texts)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    if missing is not None:
        codes = np.where(encoded.indices.is_valid().to_numpy(zero_copy_only=False), codes, missing)
    return codes.astype(np.int64)


@dataclass
class _Copies:
    """Records sharing a project number with another, in the order they were read."""

    number: np.ndarray  # code of the project number
    file: np.ndarray  # code of the file
    month: np.ndarray  # code of the report month; -1 when unknown

    def partners(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each copy: the first copies it is named with (n x SHOWN_PARTNERS positions, -1 for none),
        how many copies it is named with, and whether it has one in its own file."""
        size = len(self.number)
        kind = _index_type(size)
        # The same number in the same file: every other copy of the group, in order.
        file_rank, file_size, file_sorted, file_start = _groups(_codes_of(self.number, self.file))
        shown = np.full((size, SHOWN_PARTNERS), -1, dtype=kind)
        for slot in range(SHOWN_PARTNERS):
            nth = slot + (slot >= file_rank)  # skipping the copy itself
            has = nth < file_size
            shown[has, slot] = file_sorted[file_start[has] + nth[has]]
        del file_rank, file_sorted, file_start
        from_file = file_size - 1
        # The same number in the same report month: the copies not already named (other files).
        members = np.flatnonzero(self.month >= 0).astype(kind)
        every = len(members) == size  # (no copy of each key then)
        from_month = np.zeros(size, dtype=kind)
        in_month = in_part = np.zeros(0, dtype=kind)
        if len(members):
            in_month = _codes_of(*(key if every else key[members] for key in (self.number, self.month)))
            in_part = _codes_of(in_month, self.file if every else self.file[members])  # its copies in one file
            from_month[members] = np.bincount(in_month)[in_month] - np.bincount(in_part)[in_part]
        count = from_file + from_month
        need = np.flatnonzero((from_month > 0) & (from_file < SHOWN_PARTNERS))
        if len(need):
            self._extras(shown, need, from_file, members, in_month, in_part)
        return shown, count, from_file > 0

    def _extras(
        self, shown: np.ndarray, need: np.ndarray, from_file: np.ndarray,
        members: np.ndarray, group: np.ndarray, part: np.ndarray,
    ) -> None:
        """Fill the free slots of the copies ``need`` with copies of the same month from other files.

        Those copies, in order, are the month group's copies outside the copy's own file. The first
        three of them come from at most three files besides its own, each among the first three copies
        of its file, and those files are among the first four of the group to hold a copy: so looking
        at the first three copies of each of the group's first four files is enough.
        """
        rank_in_part, _, part_order, _ = _groups(part)
        # Each file's part of a month group, ranked by the position of its first copy.
        first_of_part = members[part_order[np.flatnonzero(_changes(part[part_order]))]]
        group_of_part = np.empty(len(first_of_part), dtype=np.int64)
        group_of_part[part] = group
        by_first = np.lexsort((first_of_part, group_of_part))
        starts = _changes(group_of_part[by_first])
        part_rank = np.empty(len(first_of_part), dtype=np.int64)
        part_rank[by_first] = np.arange(len(by_first)) - np.flatnonzero(starts)[_starts_to_ids(starts)]
        candidate = (rank_in_part < SHOWN_PARTNERS) & (part_rank[part] < _CANDIDATE_GROUPS)
        chosen, chosen_group = members[candidate], group[candidate]
        keep = np.lexsort((chosen, chosen_group))
        chosen, chosen_group = chosen[keep], chosen_group[keep]
        table = np.full((int(group.max()) + 1, SHOWN_PARTNERS * _CANDIDATE_GROUPS), -1, dtype=shown.dtype)
        table[chosen_group, np.arange(len(chosen)) - np.searchsorted(chosen_group, chosen_group)] = chosen
        group_of = np.full(len(self.number), -1, dtype=group.dtype)
        group_of[members] = group
        for first in range(0, len(need), _BATCH):
            copies = need[first : first + _BATCH]
            options = table[group_of[copies]]
            usable = (options >= 0) & (self.file[np.maximum(options, 0)] != self.file[copies][:, None])
            taken = np.cumsum(usable, axis=1)
            named = np.minimum(from_file[copies], SHOWN_PARTNERS)
            for slot in range(SHOWN_PARTNERS):
                wanted = slot - named + 1  # this slot takes the wanted-th usable copy
                pick = usable & (taken == wanted[:, None]) & (wanted >= 1)[:, None]
                found = pick.any(axis=1)
                shown[copies[found], slot] = options[found, np.argmax(pick[found], axis=1)]


def _changes(*keys: np.ndarray) -> np.ndarray:
    """True where any key differs from the one before (and at the start)."""
    size = len(keys[0])
    out = np.zeros(size, dtype=bool)
    if size:
        out[0] = True
        for key in keys:
            out[1:] |= key[1:] != key[:-1]
    return out


def _starts_to_ids(starts: np.ndarray) -> np.ndarray:
    return np.cumsum(starts) - 1


def _index_type(size: int) -> type[np.signedinteger]:
    """Positions and codes among ``size`` items: 32 bits where they fit (half the memory of 64 for a
    national table's millions of copies)."""
    return np.int32 if size < 2**31 else np.int64


def _codes_of(*keys: np.ndarray) -> np.ndarray:
    """A code per element for its keys (non-negative integers, each below 2**31) taken together:
    equal keys, equal codes, and the codes 0 to the number of groups less one. The keys are combined
    one at a time into a number below 2**62, which is hashed (``pandas.factorize``)."""
    code = keys[0]
    for key in keys[1:]:
        combined = np.multiply(code, int(key.max(initial=0)) + 1, dtype=np.int64)  # a new array, added to in place
        combined += key
        code = pd.factorize(combined)[0]
        del combined
    if len(keys) == 1:
        code = pd.factorize(code)[0]
    return code.astype(_index_type(len(code)))


def _groups(code: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Groups of equal codes (:func:`_codes_of`), members in order: for each element its rank within
    its group and the group's size, all members sorted by group (in order within it), and where each
    element's group starts among them."""
    kind = _index_type(len(code))
    sizes = np.bincount(code).astype(kind)
    starts = (np.cumsum(sizes) - sizes).astype(kind)
    order = np.argsort(code, kind="stable").astype(kind)
    rank = np.empty(len(code), dtype=kind)
    rank[order] = np.arange(len(code), dtype=kind) - np.repeat(starts, sizes)
    return rank, sizes[code], order, starts[code]


def _others(
    lang: str, at: np.ndarray, shown: np.ndarray, count: np.ndarray, file_of: np.ndarray, sheet_of: np.ndarray,
    rows: np.ndarray, registry: Registry, place_of: np.ndarray,
) -> pa.Array:
    """Where the other copies are, as the officer finds them: row, sheet and file when they differ."""
    size = len(at)
    sheet_named = np.array([bool(sheet) for _, sheet in registry.places] or [False])
    slots: list[pa.Array] = []
    for slot in range(SHOWN_PARTNERS):
        other = shown[:, slot]
        has = other >= 0
        text = pa.nulls(size, pa.large_string())
        if not has.any():
            slots.append(text)
            continue
        safe = np.where(has, other, at)
        other_file, other_sheet = file_of[safe], sheet_of[safe]
        same_file = other_file == file_of[at]
        where = place_of[safe]
        kind = np.where(same_file, np.where(other_sheet != sheet_of[at], 1, 0), np.where(sheet_named[where], 3, 2))
        # Texts made once for the wordings that name them ("row N" alone needs no file's name).
        params = Lazy(
            file=partial(_file_texts, registry, where), sheet=partial(_sheet_texts, registry, where),
            row=partial(_row_texts, rows[safe]),
        )
        for number, key in enumerate(("row", "sheet_row", "file_row", "file_sheet_row")):
            mask = has & (kind == number)
            if mask.any():
                text = pc.if_else(pa.array(mask), fill(catalog.word_template(key, lang), params, size), text)
        slots.append(text)
    more = count > SHOWN_PARTNERS
    extra = pa.nulls(size, pa.large_string())
    if more.any():
        counts = pa.array([str(c - SHOWN_PARTNERS) for c in count.tolist()], pa.large_string())
        extra = pc.if_else(pa.array(more), fill(catalog.word_template("and_more", lang), {"count": counts}, size), extra)
    joined = pc.binary_join_element_wise(*slots, extra, pa.scalar(", ", pa.large_string()), null_handling="skip")
    return text_array(joined)


def _row_texts(rows: np.ndarray) -> pa.Array:
    """Source rows as text ("None" where there is none, as ``str`` writes it)."""
    texts = pa.array(rows, pa.int64(), mask=rows == NO_ROW).cast(pa.large_string())
    return pc.fill_null(texts, "None")


def _file_texts(registry: Registry, places: np.ndarray) -> pa.Array:
    return text_array([p[0] for p in registry.places]).take(pa.array(places, pa.int64()))


def _sheet_texts(registry: Registry, places: np.ndarray) -> pa.Array:
    return text_array([p[1] for p in registry.places]).take(pa.array(places, pa.int64()))


def _month_texts(months: pa.Array, lang: str) -> pa.Array:
    """``2025-01`` as people read it: ``ม.ค. 2568`` in Thai."""
    from procdata.i18n import be_date

    if lang != "th":
        return months
    encoded = pc.dictionary_encode(months)
    shown = [" ".join(be_date(f"{m}-01").split()[1:]) if len(m) == 7 else m for m in encoded.dictionary.to_pylist()]
    return pa.array(shown, pa.large_string()).take(encoded.indices)


