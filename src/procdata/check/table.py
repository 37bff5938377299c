"""The canonical records as the checks see them: typed columns computed once, and hits.

A check looks at whole columns and returns :class:`Hits`: the positions of
the records that fail it and, as columns, the values to put in their
messages. Nothing here loops over records; the few loops left run over
distinct values (dates, months), never over problems one by one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.check.problems import NO_ROW, Registry
from procdata.check.texts import number_texts
from procdata.i18n import be_date, number
from procdata.normalize.columns import empty
from procdata.normalize.shapes import all_digits, fullmatches
from procdata.resources import schema


@dataclass
class Hits:
    """The records failing one check on one field, and what to say about each."""

    code: str
    field: str
    rows: np.ndarray  # positions in the records table
    # Message parameters: a text for every row, or a column of texts (one per row).
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class Table:
    """Typed views of the canonical records, shared by every check."""

    def __init__(self, records: pd.DataFrame, lang: str = "th") -> None:
        self.records = records
        self.lang = lang
        self.size = len(records)
        self._present: dict[str, np.ndarray] = {}
        self._places: tuple[Registry, np.ndarray] | None = None

    def prepare(self) -> None:
        """Compute the shared typed views now (before checks read them from several threads)."""
        _ = self.numbers, self.dates, self.months, self.signed

    # --- columns

    def present(self, name: str) -> np.ndarray:
        """True where the field has a value (an empty text counts as missing); computed once per field."""
        if name not in self._present:
            column = self.records[name]
            if column.dtype.kind in "fiub" or str(column.dtype) in ("Int64", "boolean"):
                filled = column.notna().to_numpy(dtype=bool)
            else:  # text: an empty text is missing too
                filled = ~empty(column)
            filled.flags.writeable = False  # shared by every check
            self._present[name] = filled
        return self._present[name]

    def amount(self, name: str) -> np.ndarray:
        """A numeric field as float64, NaN where missing or not a number."""
        return self.numbers[name]

    @cached_property
    def numbers(self) -> dict[str, np.ndarray]:
        out = {}
        for spec in schema("procurement")["fields"]:
            if spec["type"] in ("number", "integer") and spec["name"] in self.records:
                column = self.records[spec["name"]]
                out[spec["name"]] = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        return out

    @cached_property
    def dates(self) -> dict[str, np.ndarray]:
        """Date fields as ``datetime64[D]``; NaT where missing or not a real date."""
        return {
            spec["name"]: iso_dates(self.records[spec["name"]])
            for spec in schema("procurement")["fields"]
            if spec["type"] == "date" and spec["name"] in self.records
        }

    @cached_property
    def months(self) -> np.ndarray:
        """The first day of each record's report month (``YYYY-MM``) as ``datetime64[D]``."""
        codes, uniques = pd.factorize(self.records["report_month"])
        firsts = pd.to_datetime(pd.Series(uniques, dtype=object), format="%Y-%m", errors="coerce").to_numpy(dtype="datetime64[D]")
        return np.append(firsts, np.datetime64("NaT"))[codes]

    @cached_property
    def signed(self) -> np.ndarray:
        """Records whose contract is signed: a contract date, or a status under contract or completed."""
        status = self.records["status"].isin(["in_contract", "completed"]).fillna(False).to_numpy(dtype=bool)
        return ~np.isnat(self.dates["contract_date"]) | status

    # --- values of a few records, for messages

    def text(self, name: str, row: int) -> str:
        """The value of one record's field as people read it: amounts with separators."""
        return self._plain_text(self.records[name].iat[row])

    def shown(self, name: str, row: int) -> str:
        """The value as the officer wrote it where the table keeps that (``method_text``), else :meth:`text`;
        a date as people read it (Buddhist Era in Thai)."""
        written = f"{name}_text"
        value = (self.text(written, row) if written in self.records else "") or self.text(name, row)
        if name in _DATE_FIELDS and len(value) == 10 and not np.isnat(self.dates[name][row]):
            return self.date(value)
        return value

    def money(self, name: str, row: int) -> str:
        return number(float(self.amount(name)[row]))

    def date(self, iso: str) -> str:
        """A date in the report's language: Buddhist Era in Thai, ISO in English."""
        return be_date(iso) if self.lang == "th" else iso

    def place(self, row: int) -> tuple[str, str, int | None]:
        """File, sheet and source row of one record."""
        sheet = self.records["source_sheet"].iat[row]
        source_row = self.records["source_row"].iat[row]
        return (
            str(self.records["source_file"].iat[row]),
            "" if sheet is None or sheet is pd.NA else str(sheet),
            None if source_row is pd.NA else int(source_row),
        )


    # --- where records are, column-wise

    def places(self, rows: np.ndarray, registry: Registry) -> np.ndarray:
        """The registry's place code (file and sheet) of the records at ``rows``."""
        if self._places is None or self._places[0] is not registry:
            self._places = (registry, self._all_places(registry))
        return self._places[1][rows]

    def _all_places(self, registry: Registry) -> np.ndarray:
        """The place code of every record: file and sheet each encoded once, their pairs registered once."""
        files = pc.dictionary_encode(whole(pc.fill_null(pa.array(self.records["source_file"].array), "")))
        sheets = pc.dictionary_encode(whole(pc.fill_null(pa.array(self.records["source_sheet"].array), "")))
        file_codes = files.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        sheet_codes = sheets.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        width = len(sheets.dictionary) + 1
        pairs = file_codes * width + sheet_codes
        distinct, inverse = np.unique(pairs, return_inverse=True)
        file_names, sheet_names = files.dictionary.to_pylist(), sheets.dictionary.to_pylist()
        codes = np.array([registry.place(file_names[p // width], sheet_names[p % width]) for p in distinct.tolist()], dtype=np.int32)
        return codes[inverse.reshape(-1)] if len(codes) else np.zeros(0, dtype=np.int32)

    def source_rows(self, rows: np.ndarray) -> np.ndarray:
        """The source row of the records at ``rows`` (NO_ROW where there is none)."""
        values = self.records["source_row"].iloc[rows]
        return values.astype("Int64").to_numpy(dtype=np.int64, na_value=NO_ROW)

    # --- values of many records, column-wise (what the messages of a check's hits say)

    def texts(self, name: str, rows: np.ndarray) -> pa.Array:
        """:meth:`text` of the records at ``rows``, as a column."""
        column = self.records[name]
        if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
            return whole(pc.fill_null(taken(pa.array(column.array), rows), ""))
        chosen = column.iloc[rows]
        kind = str(column.dtype)
        if kind == "boolean":
            values = chosen.to_numpy(dtype=object, na_value=None)
            return pa.array(["" if v is None else ("true" if v else "false") for v in values], pa.large_string())
        if kind == "Int64" or column.dtype.kind in "iu":
            values = chosen.to_numpy(dtype=object, na_value=None)
            return pa.array(["" if v is None else str(int(v)) for v in values], pa.large_string())
        if column.dtype.kind == "f":
            return number_texts(chosen.to_numpy(dtype="float64"))
        if column.dtype.kind == "b":
            return pa.array(["true" if v else "false" for v in chosen.tolist()], pa.large_string())
        return pa.array([self._plain_text(v) for v in chosen.tolist()], pa.large_string())

    @staticmethod
    def _plain_text(value: Any) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, (bool, np.bool_)):
            return "true" if value else "false"
        if isinstance(value, (int, np.integer)):
            return str(int(value))
        if isinstance(value, (float, np.floating)):
            return number(float(value))
        return str(value)

    def shown_values(self, name: str, rows: np.ndarray) -> pa.Array:
        """:meth:`shown` of the records at ``rows``, as a column."""
        values = self.texts(name, rows)
        written = f"{name}_text"
        if written in self.records:
            own = self.texts(written, rows)
            values = pc.if_else(pc.equal(pc.binary_length(own), 0), values, own)
        if name in _DATE_FIELDS and len(rows):
            real = ~np.isnat(self.dates[name][rows])
            shaped = pc.equal(pc.utf8_length(values), 10).to_numpy(zero_copy_only=False) & real
            if shaped.any():
                values = pc.if_else(pa.array(shaped), self.date_texts(values), values)
        return values

    def money_texts(self, name: str, rows: np.ndarray) -> pa.Array:
        """:meth:`money` of the records at ``rows``."""
        return number_texts(self.amount(name)[rows])

    def date_texts(self, iso: pa.Array) -> pa.Array:
        """:meth:`date` of each ISO text (once per distinct date)."""
        return map_distinct(iso, self.date)

    def month_texts(self, months: pa.Array) -> pa.Array:
        """A report month ``2025-01`` as people read it: ``ม.ค. 2568`` in Thai (once per distinct month)."""
        if self.lang != "th":
            return months
        return map_distinct(months, lambda m: " ".join(self.date(f"{m}-01").split()[1:]) if len(m) == 7 else m)


def whole(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Texts in one array of large strings."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks != 1 else texts.chunk(0)
    return texts if texts.type == pa.large_string() else texts.cast(pa.large_string())


def taken(texts: pa.Array | pa.ChunkedArray, rows: np.ndarray) -> pa.Array:
    """``texts.take(rows)`` taken chunk by chunk: Arrow's take on a chunked text column first joins
    its chunks into one copy of the whole column (a streamed CSV chunk's bidders: 57 chunks, 42 MB,
    copied to take a few values)."""
    if not isinstance(texts, pa.ChunkedArray):
        return texts.take(pa.array(rows, type=pa.int64()))
    if texts.num_chunks == 1:
        return texts.chunk(0).take(pa.array(rows, type=pa.int64()))
    rows = np.asarray(rows, dtype=np.int64)
    order = np.argsort(rows, kind="stable")
    ordered = rows[order]
    bounds = np.cumsum([0, *(len(chunk) for chunk in texts.chunks)])
    cuts = np.searchsorted(ordered, bounds)
    pieces = [
        texts.chunk(k).take(pa.array(ordered[cuts[k] : cuts[k + 1]] - bounds[k]))
        for k in range(texts.num_chunks) if cuts[k + 1] > cuts[k]
    ]
    joined = pa.concat_arrays(pieces) if pieces else pa.array([], type=texts.type)
    return joined.take(pa.array(np.argsort(order, kind="stable")))


def project_keys(numbers: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The project numbers that name a project, as text: those the schema's pattern accepts (an e-GP
    number of 11 digits); any other ("ไม่มี", "N/A", "0", a number missing a digit) is empty here, as
    if the cell were. Such a cell has its own error (``project_id_digits``); taken as a project's
    key, it made one project of every record holding the same placeholder: records of other
    contracts and agencies merged as monthly updates (and dropped from O12) and called duplicates."""
    texts = numbers.combine_chunks() if isinstance(numbers, pa.ChunkedArray) else numbers
    texts = texts.cast(pa.large_string()).fill_null("")
    named = fullmatches(pd.Series(pd.arrays.ArrowStringArray(texts)), _project_pattern())
    return pc.if_else(pa.array(named), texts, pa.scalar("", pa.large_string()))


@cache
def _project_pattern() -> str:
    """The schema's pattern of a project number (which the whole number must match, as Table Schema means it)."""
    field = next(spec for spec in schema("procurement")["fields"] if spec["name"] == "project_id")
    return str(field["constraints"]["pattern"])


def text_codes(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A code per text (equal texts, equal codes; codes from 0, fewer than the texts) and which texts
    are not empty. e-GP project numbers are digits: a column of digit strings of at most 17
    characters is coded by its numbers and their lengths (leading zeros count), about a tenth of the
    cost of hashing the texts (1M project numbers: 0.05 s against 0.46 s); any other column is
    dictionary-encoded."""
    lengths = pc.binary_length(texts).to_numpy(zero_copy_only=False)  # with a missing text, floats and a NaN: no maximum
    filled = lengths > 0
    if len(texts) and lengths.max() <= 17 and all_digits(pd.Series(pd.arrays.ArrowStringArray(texts))):
        numbers = pc.cast(pc.if_else(pa.array(filled), texts, pa.scalar("0", texts.type)), pa.int64()).to_numpy(zero_copy_only=False)
        return pd.factorize(numbers * 32 + lengths)[0].astype(np.int64), filled
    return pc.dictionary_encode(texts).indices.to_numpy(zero_copy_only=False).astype(np.int64), filled


# Codes of the run's project and contract numbers (each: codes, and which texts are not empty).
RunCodes = list[tuple[np.ndarray, np.ndarray]]


def both_codes(first: pa.Array, second: pa.Array) -> RunCodes:
    """:func:`text_codes` of two columns, each on a thread (the merge's project and contract numbers):
    Arrow's and pandas' hashing run without Python's lock, and these are the whole run's columns,
    coded once the last chunk is checked, while nothing else runs."""
    from procdata.ahead import in_order

    return list(in_order(text_codes, [first, second]))


def map_distinct(texts: pa.Array, func: Callable[[str], str]) -> pa.Array:
    """``func`` of each text, computed once per distinct text."""
    encoded = pc.dictionary_encode(whole(texts))
    mapped = pa.array([func(v) for v in encoded.dictionary.to_pylist()], pa.large_string())
    return mapped.take(encoded.indices)


_DATE_FIELDS = {spec["name"] for spec in schema("procurement")["fields"] if spec["type"] == "date"}


def iso_dates(column: pd.Series) -> np.ndarray:
    """ISO dates (``YYYY-MM-DD``) as ``datetime64[D]``; NaT where missing or not a real date.

    Arrow's strict cast reads a column of good dates at once; a column holding
    any bad one is read by pandas, which gives NaT for each bad date.
    """
    try:
        days = pc.cast(pa.array(column.astype("string").array), pa.date32())
        return days.to_numpy(zero_copy_only=False).astype("datetime64[D]")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_datetime(column, format="%Y-%m-%d", errors="coerce").to_numpy(dtype="datetime64[D]")


def positions(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)
