"""Problems column-wise: what a national table with a million of them can afford.

A check finds its problems as arrays (record positions, then places, rows,
columns and values) and keeps them so, in a :class:`Batch` per check and field.
Nothing is built per problem: the message of each is rendered from its
check's template only when the report is written, a slice at a time
(:meth:`Problems.slices`), and the texts a problem points at (file, sheet,
column letter and header) are stored once in a :class:`Registry`.

:meth:`Problems.problems` gives the same problems as :class:`Problem` objects,
one by one, by the plain route (``str.format`` of each message): the route the
column-wise one must equal (tests/test_problems.py).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa

from procdata.check import catalog
from procdata.check.model import Problem
from procdata.check.texts import Escape, Joined, Param, escaped_text, fill, join, text_array
from procdata.model import FIELDS

NO_ROW = -1  # a problem about a whole sheet (a missing column): no row
NO_COLUMN = -1  # the field has no column in the file
SLICE = 65_536  # problems rendered at once when a report is written


class Registry:
    """The texts problems point at, each stored once: places (file and sheet) and columns (letter and header)."""

    def __init__(self) -> None:
        self.places: list[tuple[str, str]] = []
        self.columns: list[tuple[str, str]] = []
        self._places: dict[tuple[str, str], int] = {}
        self._columns: dict[tuple[str, str], int] = {}

    def place(self, file: str, sheet: str) -> int:
        key = (file, sheet)
        if key not in self._places:
            self._places[key] = len(self.places)
            self.places.append(key)
        return self._places[key]

    def column(self, letter: str, header: str) -> int:
        key = (letter, header)
        if key not in self._columns:
            self._columns[key] = len(self.columns)
            self.columns.append(key)
        return self._columns[key]

    def absorb(self, other: Registry) -> tuple[np.ndarray, np.ndarray]:
        """Take in another registry's texts: the maps from its place and column codes to ours."""
        places = np.array([self.place(*p) for p in other.places] + [NO_ROW], dtype=np.int32)
        columns = np.array([self.column(*c) for c in other.columns] + [NO_COLUMN], dtype=np.int32)
        return places, columns


@dataclass
class Batch:
    """The problems of one check on one field, column-wise.

    ``params`` are the message's placeholders: a text for all, or an Arrow
    text array with one value per problem (``value``, ``field`` and
    ``suggestion`` are filled in by :meth:`params_for`).
    """

    code: str
    field: str
    places: np.ndarray  # int32 codes of Registry.places
    rows: np.ndarray  # int64 source rows as Excel shows them; NO_ROW for none
    columns: np.ndarray  # int32 codes of Registry.columns; NO_COLUMN for none
    values: pa.Array  # the value found, as people read it
    params: dict[str, Param] = dataclasses.field(default_factory=dict)
    groups: np.ndarray | None = None  # int32 codes of the records' agency and year (Problems.groups)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def severity(self) -> str:
        return catalog.check(self.code).severity

    def take(self, index: np.ndarray) -> Batch:
        """The problems at positions ``index`` of this batch."""
        chosen = pa.array(index, type=pa.int64())
        return Batch(
            self.code, self.field, self.places[index], self.rows[index], self.columns[index], self.values.take(chosen),
            {name: value if isinstance(value, str) else value.take(chosen) for name, value in self.params.items()},
            None if self.groups is None else self.groups[index],
        )

    def remapped(self, places: np.ndarray, columns: np.ndarray, groups: np.ndarray | None) -> Batch:
        """The same problems with codes of another registry (maps from :meth:`Registry.absorb`)."""
        return Batch(
            self.code, self.field, places[self.places], self.rows, columns[self.columns], self.values, self.params,
            None if self.groups is None or groups is None else groups[self.groups],
        )


def batch(
    code: str, field: str, places: Any, rows: Any, columns: Any, values: Any,
    params: dict[str, Any] | None = None, groups: Any = None,
) -> Batch:
    """A :class:`Batch`, with arrays of the right types (``places``, ``rows`` and ``columns``: sequences of ints)."""
    return Batch(
        code, field, np.asarray(places, dtype=np.int32), np.asarray(rows, dtype=np.int64),
        np.asarray(columns, dtype=np.int32), text_array(values),
        {name: value if isinstance(value, (str, Joined)) else text_array(value) for name, value in (params or {}).items()},
        None if groups is None else np.asarray(groups, dtype=np.int32),
    )


@cache
def title(name: str, lang: str) -> str:
    """A field's title in ``lang``, from the schema."""
    from procdata.resources import schema

    spec = next((f for f in schema("procurement")["fields"] if f["name"] == name), None)
    return spec["titles"].get(lang, spec["title"]) if spec else name


def params_for(batch: Batch, lang: str) -> dict[str, Param]:
    """Every placeholder of the batch's message: its own, the value, the field's title, no suggestion,
    the methods of the Act and the name of the officer's overrides file."""
    return {**_common_params(lang), "field": title(batch.field, lang), **batch.params, "value": batch.params.get("value", batch.values)}


@cache
def _common_params(lang: str) -> dict[str, str]:
    from procdata.normalize import wording
    from procdata.read.overrides import OVERRIDES_FILE

    return {"suggestion": "", "methods": wording.known_methods(lang), "overrides": OVERRIDES_FILE}


# --- the problems of a report


class Problems:
    """Every problem of a report, column-wise, in batches; sorted once, rendered in slices."""

    def __init__(self, lang: str = "th", registry: Registry | None = None) -> None:
        self.lang = lang
        self.registry = registry or Registry()
        self.batches: list[Batch] = []
        self.groups: list[tuple[str, int | None]] = []  # (agency, fiscal year) of the records problems are in
        self._group_index: dict[tuple[str, int | None], int] = {}
        self._order: np.ndarray | None = None

    def __len__(self) -> int:
        return sum(len(b) for b in self.batches)

    def group(self, agency: str, year: int | None) -> int:
        key = (agency, year)
        if key not in self._group_index:
            self._group_index[key] = len(self.groups)
            self.groups.append(key)
        return self._group_index[key]

    def add(self, found: Batch) -> None:
        if len(found):
            self.batches.append(found)
            if self._order is not None:
                self._order = np.concatenate([self._order, np.arange(len(self) - len(found), len(self))])

    def add_problems(self, problems: list[Problem]) -> None:
        """Problems built one by one (a few: merge conflicts), appended after those already in order."""
        for members in _runs(problems):
            self.add(batch(
                members[0].code, members[0].field, [self.registry.place(p.file, p.sheet) for p in members],
                [NO_ROW if p.row is None else p.row for p in members],
                [self.registry.column(p.column, p.header) if p.column or p.header else NO_COLUMN for p in members],
                [p.value for p in members], {"_message": [p.message for p in members]},
            ))

    def absorb(self, other: Problems) -> None:
        """Take in the problems of another part of the same run (its own registry)."""
        places, columns = self.registry.absorb(other.registry)
        groups = np.array([self.group(*g) for g in other.groups] + [-1], dtype=np.int32)
        for found in other.batches:
            self.add(found.remapped(places, columns, groups))

    # --- counting

    def codes(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for found in self.batches:
            counts[found.code] += len(found)
        return counts

    def count(self, severity: str) -> int:
        return sum(len(b) for b in self.batches if b.severity == severity)

    # --- order

    def sort(self, files: list[str], sheets: list[tuple[str, str]]) -> None:
        """Order the problems by file and sheet (in the order they were read), row, column, field and code."""
        if not self.batches:
            self._order = np.zeros(0, dtype=np.int64)
            return
        file_order = {name: number for number, name in enumerate(files)}
        sheet_order: dict[tuple[str, str], int] = {}
        for key in sheets:
            sheet_order.setdefault(key, len(sheet_order))
        place_keys = [
            (file_order.get(file, len(file_order)), file, sheet_order.get((file, sheet), len(sheet_order)), sheet)
            for file, sheet in self.registry.places
        ]
        place_rank = _ranks(place_keys)
        column_rank = _ranks([(len(letter), letter) for letter, _ in self.registry.columns] + [(0, "")])
        no_column = len(self.registry.columns)
        codes = sorted({b.code for b in self.batches})

        def keys(found: Batch) -> tuple[np.ndarray | int, ...]:
            """The problem's sort keys, most significant first: place, row, column, field, code."""
            return (
                place_rank[found.places], np.where(found.rows == NO_ROW, 0, found.rows),
                column_rank[np.where(found.columns == NO_COLUMN, no_column, found.columns)],
                _FIELD_ORDER.get(found.field, len(FIELDS)), codes.index(found.code),
            )

        bits = _key_bits(self.batches, keys)
        if bits is not None and sum(bits) <= 63:
            self._order = _packed_order(self.batches, keys, bits)
        else:
            self._order = _lexsort_order(self.batches, keys)

    @property
    def order(self) -> np.ndarray:
        if self._order is None:
            self._order = np.arange(len(self))
        return self._order

    def _locate(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Batch number and position within it of problems at global ``positions``."""
        starts = np.cumsum([0] + [len(b) for b in self.batches])
        number = np.searchsorted(starts, positions, side="right") - 1
        return number, positions - starts[number]

    # --- reading them out

    def select(self, positions: np.ndarray) -> Iterator[tuple[np.ndarray, Batch]]:
        """For problems at sorted ``positions`` (indices into :attr:`order`): each batch's share, as
        (where in ``positions`` they go, the batch of them)."""
        number, within = self._locate(self.order[positions])
        for b in np.unique(number).tolist():
            chosen = np.flatnonzero(number == b)
            yield chosen, self.batches[b].take(within[chosen])

    def columns(self, positions: np.ndarray, escape: Escape | None = None) -> dict[str, pa.Array]:
        """The problems at sorted ``positions`` as text arrays (``row`` as int64 with nulls), each
        text through ``escape``: file, sheet, row, column, header, field, code, severity, message, value."""
        names = ("file", "sheet", "column", "header", "field", "code", "severity", "message", "value")
        parts: dict[str, list[pa.Array]] = {name: [] for name in (*names, "row")}
        where: list[np.ndarray] = []
        files, sheets, letters, headers = self._registry_texts(escape)
        for chosen, found in self.select(positions):
            size = len(found)
            where.append(chosen)
            codes_of_place = pa.array(found.places, pa.int32())
            codes_of_column = pa.array(np.where(found.columns == NO_COLUMN, len(self.registry.columns), found.columns), pa.int32())
            parts["file"].append(files.take(codes_of_place))
            parts["sheet"].append(sheets.take(codes_of_place))
            parts["column"].append(letters.take(codes_of_column))
            parts["header"].append(headers.take(codes_of_column))
            parts["row"].append(pa.array(found.rows, pa.int64(), mask=found.rows == NO_ROW))
            for name, text in (("field", found.field), ("code", found.code), ("severity", found.severity)):
                parts[name].append(join([escaped_text(text, escape)], size))
            parts["message"].append(self.messages(found, escape))
            parts["value"].append(escape(found.values) if escape else found.values)
        if not where:
            return {name: pa.array([], pa.int64() if name == "row" else pa.large_string()) for name in parts}
        back = pa.array(np.argsort(np.concatenate(where), kind="stable"))
        return {name: pa.concat_arrays(arrays).take(back) for name, arrays in parts.items()}

    def _registry_texts(self, escape: Escape | None) -> tuple[pa.Array, ...]:
        places, columns = self.registry.places, [*self.registry.columns, ("", "")]
        texts = (
            [p[0] for p in places], [p[1] for p in places], [c[0] for c in columns], [c[1] for c in columns],
        )
        arrays = tuple(text_array(t) for t in texts)
        return tuple(escape(a) for a in arrays) if escape else arrays

    def messages(self, found: Batch, escape: Escape | None = None) -> pa.Array:
        """The message of each problem of ``found`` in the report's language, built column-wise."""
        if "_message" in found.params:  # built one by one elsewhere (Problems.add_problems)
            message = found.params["_message"]
            return escape(message) if escape and not isinstance(message, str) else message  # type: ignore[return-value]
        template = catalog.check(found.code).text("message", self.lang)
        return fill(template, params_for(found, self.lang), len(found), escape)

    def slices(self, size: int | None = None) -> Iterator[np.ndarray]:
        """Sorted positions, a slice at a time (of :data:`SLICE` problems unless ``size`` is given)."""
        size = size or SLICE
        total = len(self)
        for start in range(0, total, size):
            yield np.arange(start, min(start + size, total))

    def problems(self, positions: np.ndarray | None = None, surface: str = "cli") -> list[Problem]:
        """The problems (at sorted ``positions``; all by default) as :class:`Problem` objects, each
        message by ``str.format``: the plain route that :meth:`columns` must equal. With ``surface``
        "web", a check's message as the web app words it where ``checks.toml`` gives one."""
        positions = np.arange(len(self)) if positions is None else positions
        out: list[Problem | None] = [None] * len(positions)
        for chosen, found in self.select(positions):
            params = {name: value if isinstance(value, str) else value.to_pylist() for name, value in params_for(found, self.lang).items()}
            severity = found.severity
            values_found = found.values.to_pylist()
            template = catalog.check(found.code).text("message", self.lang, surface)
            for i, at in enumerate(chosen.tolist()):
                row = int(found.rows[i])
                column = int(found.columns[i])
                file, sheet = self.registry.places[int(found.places[i])]
                letter, header = self.registry.columns[column] if column != NO_COLUMN else ("", "")
                values = {name: value if isinstance(value, str) else value[i] for name, value in params.items()}
                text = values["_message"] if "_message" in values else template.format(**values)
                out[at] = Problem(
                    file=file, sheet=sheet, row=None if row == NO_ROW else row, column=letter, header=header,
                    field=found.field, code=found.code, severity=severity, message=text, value=values_found[i],
                )
        return [p for p in out if p is not None]

    def first_of_each_code(self, count: int) -> np.ndarray:
        """Sorted positions of the first ``count`` problems of each code."""
        if not len(self):
            return np.zeros(0, dtype=np.int64)
        codes = sorted({b.code for b in self.batches})
        code_of = np.concatenate([np.full(len(b), codes.index(b.code)) for b in self.batches])[self.order]
        by_code = np.argsort(code_of, kind="stable")
        starts = np.searchsorted(code_of[by_code], np.arange(len(codes)))
        rank = np.empty(len(code_of), dtype=np.int64)
        rank[by_code] = np.arange(len(code_of)) - np.repeat(starts, np.diff(np.append(starts, len(code_of))))
        return np.flatnonzero(rank < count)


_FIELD_ORDER = {name: number for number, name in enumerate(FIELDS)}

SortKeys: TypeAlias = "Callable[[Batch], tuple[np.ndarray | int, ...]]"


def _lexsort_order(batches: list[Batch], keys: SortKeys) -> np.ndarray:
    """The problems' order by their keys, then as they arrived: a key array each (the plain route)."""
    parts: list[list[np.ndarray]] = [[] for _ in range(5)]
    for found in batches:
        for slot, key in enumerate(keys(found)):
            parts[slot].append(np.broadcast_to(np.asarray(key, dtype=np.int64), len(found)))
    joined = [np.concatenate(p) for p in parts]
    arrival = np.arange(len(joined[0]))
    return np.lexsort((arrival, *reversed(joined)))


def _key_bits(batches: list[Batch], keys: SortKeys) -> list[int] | None:
    """Bits each key needs (the largest value's), or None when one is negative."""
    largest = [0] * 5
    for found in batches:
        if not len(found):
            continue
        for slot, key in enumerate(keys(found)):
            array = np.asarray(key)
            if array.min() < 0:
                return None
            largest[slot] = max(largest[slot], int(array.max()))
    return [value.bit_length() for value in largest]


def _packed_order(batches: list[Batch], keys: SortKeys, bits: list[int]) -> np.ndarray:
    """:func:`_lexsort_order` from one number per problem, the keys side by side in its bits, sorted
    stably (ties keep their arrival): 8 bytes a problem instead of six arrays of them, for the
    millions of problems of a national table. ``bits``: :func:`_key_bits`, at most 63 in all."""
    shifts = [sum(bits[slot + 1 :]) for slot in range(5)]
    packed = np.empty(sum(len(b) for b in batches), dtype=np.int64)
    start = 0
    for found in batches:
        size = len(found)
        value = np.zeros(size, dtype=np.int64)
        for key, shift in zip(keys(found), shifts, strict=True):
            value |= np.asarray(key, dtype=np.int64) << shift
        packed[start : start + size] = value
        start += size
    return np.argsort(packed, kind="stable")


def _ranks(keys: list[tuple[Any, ...]]) -> np.ndarray:
    """The rank of each key among all of them."""
    ranks = np.empty(len(keys), dtype=np.int64)
    for rank, index in enumerate(sorted(range(len(keys)), key=keys.__getitem__)):
        ranks[index] = rank
    return ranks


def _runs(problems: list[Problem]) -> Iterator[list[Problem]]:
    """Runs of neighbouring problems of the same code and field (their order kept)."""
    for _, run in itertools.groupby(problems, key=lambda p: (p.code, p.field)):
        yield list(run)
