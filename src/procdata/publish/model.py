"""What publish builds and returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procdata.profiles import ColumnSpec, DatasetSpec

if TYPE_CHECKING:
    import pandas as pd

    from procdata.check.model import Report
    from procdata.model import FileFailure

# A published cell: text, number, whole number, date, yes/no, or empty.
Cell = str | float | int | bool | dt.date | None


@dataclass
class Table:
    """One dataset ready to write: its columns, its rows, and the records behind them.

    ``records`` are the canonical records of the rows, in the same order, with
    the derived ``status`` filled in (for summaries and the pages).
    """

    spec: DatasetSpec
    fiscal_year: int
    columns: list[ColumnSpec]
    rows: list[list[Cell]]
    records: pd.DataFrame
    available: int  # records of the fiscal year before the row limit
    masked: int  # personal IDs masked in these rows
    derived_status: int  # rows whose status was computed from contract dates

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def title(self) -> str:
        return self.spec.title.format(fiscal_year=self.fiscal_year)

    def column(self, value: str) -> int | None:
        """The position of the column holding ``value``, if the table has one."""
        return next((i for i, c in enumerate(self.columns) if c.value == value), None)


@dataclass(frozen=True)
class DatasetSummary:
    id: str
    indicator: str
    fiscal_year: int
    rows: int
    available: int
    masked: int
    derived_status: int
    files: list[str]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Skipped:
    """A dataset of the profile that was not written, and why (a message code)."""

    id: str
    indicator: str
    fiscal_year: int
    reason: str


@dataclass
class PublishResult:
    """The outcome of :func:`procdata.publish.publish`.

    ``refused`` is true when validation found errors and ``force`` was not
    given: nothing was written and ``report`` says why.
    """

    out: Path
    fiscal_year: int
    as_of: dt.date
    as_of_basis: str  # "option" or "data"
    profile: str
    report: Report
    refused: bool = False
    personal_ids: str = "mask"  # the policy applied: "mask" or "full"
    files: list[str] = field(default_factory=list)
    datasets: list[DatasetSummary] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    other_years: dict[int, int] = field(default_factory=dict)  # records of years not published
    after_as_of: int = 0  # records of the year signed after the date of the data: is --as-of right?
    no_year: int = 0  # records whose fiscal year is unknown (published only with force, and then not used)
    failures: list[FileFailure] = field(default_factory=list)  # inputs that could not be read
    merged: int = 0  # records folded into a later month's record of the same project
    masked_elsewhere: int = 0  # citizen IDs masked outside the tables (agency texts, source file names)
    kept: list[str] = field(default_factory=list)  # the officer's own files and folders in ``out``, left as they were
    edited: list[tuple[str, str]] = field(default_factory=list)  # procdata's files changed by hand, kept as
    atomic: bool = True  # False where files were replaced one by one (no atomic folder exchange on this system)
    config_file: str = ""  # the agency profile used
    config_cleaned: list[str] = field(default_factory=list)  # its keys whose control characters were removed
    releases: int = 0  # releases in ocds.json
    ocid_prefix: str = ""  # the prefix of ocds.json's ocids
    ocid_prefix_registered: bool = False  # false: the placeholder of data/ocds.toml
    ocds_extension: str = ""  # the URL ocds.json declares procdata's extension by; "" when not declared (no site_url)
    ckan_missing: list[str] = field(default_factory=list)  # data.go.th required fields ckan.json leaves empty

    @property
    def masked(self) -> int:
        return sum(d.masked for d in self.datasets) + self.masked_elsewhere

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out), "fiscal_year": self.fiscal_year, "as_of": self.as_of.isoformat(),
            "as_of_basis": self.as_of_basis, "profile": self.profile, "refused": self.refused,
            "personal_ids": self.personal_ids, "merged": self.merged,
            "files": self.files, "datasets": [d.to_dict() for d in self.datasets],
            "skipped": [s.__dict__ for s in self.skipped], "masked": self.masked,
            "other_years": {str(k): v for k, v in self.other_years.items()}, "no_year": self.no_year,
            "after_as_of": self.after_as_of, "kept": self.kept, "edited": [list(e) for e in self.edited],
            "atomic": self.atomic, "config_cleaned": self.config_cleaned,
            "releases": self.releases, "ocid_prefix": self.ocid_prefix,
            "ocid_prefix_registered": self.ocid_prefix_registered, "ocds_extension": self.ocds_extension,
            "ckan_missing": self.ckan_missing,
            "failures": [f.__dict__ for f in self.failures],
            "report": self.report.to_dict(),
        }
