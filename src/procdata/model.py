"""What ingest returns: the canonical table and a full account of how it was read.

Below every stage (read and normalize both build these; check, publish and the
CLI read them), so that no stage imports one above it for its types.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# The canonical fields, in schema order (schemas/procurement.schema.json).
FIELDS = (
    "fiscal_year", "report_month", "seq", "project_id", "item_name", "budget_amount",
    "budget_source", "budget_category", "is_investment", "investment_basis",
    "reference_price", "method", "method_text", "bidders", "bidder_count", "winner_name",
    "winner_tax_id", "agreed_price", "selection_reason", "contract_no", "contract_date",
    "contract_end_date", "status", "status_text", "agency_name", "agency_unit", "province", "district",
    "source_file", "source_sheet", "source_row",
)


@dataclass(frozen=True)
class Column:
    """Where a canonical field was read from in one sheet."""

    letter: str  # "C"; for CSV the 1-based column letter as a spreadsheet would show it
    header: str  # the header text as written (two-row headers joined with " / ")


@dataclass
class SheetReport:
    """One sheet (or one CSV/HTML table): read, or skipped with a reason."""

    file: str
    sheet: str
    read: bool
    reason: str = ""  # message code when skipped
    layout: str = ""  # "sorkorror1", "sorkorror1-split", "o12", "egp", "canonical", ...
    header_rows: list[int] = field(default_factory=list)
    records: int = 0
    columns: dict[str, Column] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    hidden_rows: int = 0  # rows of the table hidden or filtered out in Excel, read all the same


@dataclass(frozen=True)
class RowSkip:
    """A non-blank row that did not become a record, and why."""

    file: str
    sheet: str
    row: int
    reason: str  # message code: "total_row", "after_table", "no_item", ...
    text: str = ""


@dataclass(frozen=True)
class CellIssue:
    """A cell that could not be understood; the record keeps an empty value there."""

    file: str
    sheet: str
    row: int
    column: str  # letter
    header: str
    field: str
    code: str  # "not_a_number", "not_a_date", "impossible_date", "unknown_method", ...
    value: str


@dataclass
class Resolution:
    """Cells whose words mean one thing or another, read one way by each record's own
    evidence (``data/statuses.toml`` [[ambiguous]]): reported, not a problem."""

    file: str
    sheet: str
    column: str  # letter
    header: str
    field: str
    text: str  # as written, e.g. "ระหว่างดำเนินการ"
    code: str  # what the records were read as, e.g. "in_contract"
    evidence: str  # "contract" (a contract number, date or winner), "contract_status", "none"
    count: int = 0
    rows: list[int] = dataclasses.field(default_factory=list)  # the first of them (SHOWN_ROWS)

    SHOWN_ROWS = 20

    def add(self, rows: list[int]) -> None:
        self.count += len(rows)
        self.rows.extend(rows[: max(0, self.SHOWN_ROWS - len(self.rows))])


@dataclass(frozen=True)
class FileFailure:
    """An input that could not be read at all."""

    file: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class IngestResult:
    """The canonical records plus everything said about reading them.

    ``records`` has exactly the columns of :data:`FIELDS`, in that order:
    amounts as float64, ``fiscal_year``/``seq``/``bidder_count``/``source_row``
    as nullable Int64, ``is_investment`` as nullable boolean, dates as ISO text,
    ``bidders`` as JSON text, the rest as Arrow-backed strings.
    """

    records: pd.DataFrame
    files: list[str] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)
    skipped_rows: list[RowSkip] = field(default_factory=list)
    issues: list[CellIssue] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "files_failed": len(self.failures),
            "sheets_read": sum(s.read for s in self.sheets),
            "sheets_skipped": sum(not s.read for s in self.sheets),
            "records": len(self.records),
            "hidden_rows": sum(s.hidden_rows for s in self.sheets),
            "rows_skipped": len(self.skipped_rows),
            "cell_issues": len(self.issues),
            "cells_resolved": sum(r.count for r in self.resolutions),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "sheets": [asdict(s) for s in self.sheets],
            "skipped_rows": [asdict(r) for r in self.skipped_rows],
            "issues": [asdict(i) for i in self.issues],
            "failures": [asdict(f) for f in self.failures],
            "resolutions": [asdict(r) for r in self.resolutions],
        }
