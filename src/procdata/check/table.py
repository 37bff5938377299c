"""The canonical records as the checks see them: typed columns computed once, and hits.

A check looks at whole columns and returns :class:`Hits`: the positions of
the records that fail it and, for those few, the values to put in the
message. Nothing here loops over records.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.i18n import be_date, number
from procdata.normalize.columns import empty
from procdata.resources import schema


@dataclass
class Hits:
    """The records failing one check on one field, and what to say about each."""

    code: str
    field: str
    rows: np.ndarray  # positions in the records table
    params: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # message parameters, one per row


class Table:
    """Typed views of the canonical records, shared by every check."""

    def __init__(self, records: pd.DataFrame, lang: str = "th") -> None:
        self.records = records
        self.lang = lang
        self.size = len(records)
        self._present: dict[str, np.ndarray] = {}

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
        value = self.records[name].iat[row]
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, (bool, np.bool_)):
            return "true" if value else "false"
        if isinstance(value, (int, np.integer)):
            return str(int(value))
        if isinstance(value, (float, np.floating)):
            return number(float(value))
        return str(value)

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
