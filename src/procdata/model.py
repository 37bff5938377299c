"""What ingest returns: the canonical table and a full account of how it was read.

Below every stage (read and normalize both build these; check, publish and the
CLI read them), so that no stage imports one above it for its types.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
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

# Bidders JSON exactly as procdata writes it (normalize.values.dump_bidders: json.dumps with
# ensure_ascii=False and separators ", " and ": "): a list of {"name", "price"} objects, names without
# escapes, prices as Python writes floats (two decimals at most, no trailing zero but ".0") or ints,
# or null. An RE2 pattern: the normalizer keeps a cell that matches it as it is, and the JSON writer
# lays such a cell out column-wise (recordjson).
BIDDER_PRICE = r"(?:null|-?(?:0|[1-9][0-9]{0,11})\.(?:0|[0-9]?[1-9])|0|-?[1-9][0-9]{0,14})"
_BID = r'\{"name": "[^"\\\x00-\x1f]*", "price": ' + BIDDER_PRICE + r"\}"
CANONICAL_BIDDERS = r"^\[(?:" + _BID + r"(?:, " + _BID + r")*)?\]$"


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
class IssueRun:
    """Cell issues of one column raised at once, column-wise: the rows, and the code and value
    at each. ``files`` and ``sheets`` are one text for all or one per issue."""

    files: Any  # str, or a sequence of str
    sheets: Any
    rows: Any  # numpy int64 array: rows as Excel shows them
    column: str
    header: str
    field: str
    codes: Any  # str, or a sequence of str
    values: Any  # Arrow text array (or a list of str)
    positions: Any = None  # where the issues are among the records being built (for putting runs in order)
    site: int = 0  # the order of the place in the normalization that raised them
    call: int = 0  # how many times that place had raised issues before (a place may raise them more than once)

    def __len__(self) -> int:
        return len(self.rows)

    def at(self, index: Any) -> IssueRun:
        """The issues at ``index`` (an array of positions within this run)."""
        import pyarrow as pa

        def pick(value: Any) -> Any:
            if isinstance(value, str):
                return value
            if isinstance(value, (pa.Array, pa.ChunkedArray)):
                return value.take(pa.array(index, pa.int64()))
            return [value[i] for i in index.tolist()]

        return IssueRun(
            pick(self.files), pick(self.sheets), self.rows[index], self.column, self.header, self.field,
            pick(self.codes), pick(self.values), None if self.positions is None else self.positions[index], self.site, self.call,
        )

    def issues(self) -> list[CellIssue]:
        size = len(self.rows)
        files, sheets, codes, values = (_each(v, size) for v in (self.files, self.sheets, self.codes, self.values))
        return [
            CellIssue(file, sheet, int(row), self.column, self.header, self.field, code, "" if value is None else str(value))
            for file, sheet, row, code, value in zip(files, sheets, self.rows.tolist(), codes, values, strict=True)
        ]


def _each(value: Any, size: int) -> list[Any]:
    """A run's field as one value per issue."""
    if isinstance(value, str):
        return [value] * size
    if hasattr(value, "to_pylist"):
        return value.to_pylist()
    return list(value)


class CellIssues:
    """The cell issues of an ingest, kept column-wise in runs (:class:`IssueRun`); a list of
    :class:`CellIssue` to whoever reads them one by one (iteration, indexing, ``==``)."""

    def __init__(self, issues: Any = ()) -> None:
        self.runs: list[IssueRun] = []
        self._cache: list[CellIssue] | None = None
        self.extend(issues)

    def add(self, run: IssueRun) -> None:
        if len(run):
            self.runs.append(run)
            self._cache = None

    def append(self, issue: CellIssue) -> None:
        import numpy as np

        self.add(IssueRun(issue.file, issue.sheet, np.array([issue.row], dtype=np.int64), issue.column, issue.header,
                          issue.field, issue.code, [issue.value]))

    def extend(self, issues: Any) -> None:
        if isinstance(issues, CellIssues):
            for run in issues.runs:
                self.add(run)
        else:
            for issue in issues:
                self.append(issue)

    def _list(self) -> list[CellIssue]:
        if self._cache is None:
            self._cache = [issue for run in self.runs for issue in run.issues()]
        return self._cache

    def __len__(self) -> int:
        return sum(len(run) for run in self.runs)

    def __iter__(self) -> Iterator[CellIssue]:
        return iter(self._list())

    def __getitem__(self, index: Any) -> Any:
        return self._list()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CellIssues):
            return self._list() == other._list()
        if isinstance(other, list):
            return self._list() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CellIssues({self._list()!r})"


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
    issues: CellIssues = field(default_factory=CellIssues)
    failures: list[FileFailure] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    count: int | None = None  # records read, when they were handed on rather than kept (read.run.ingest_into)
    copies: dict[str, str] = field(default_factory=dict)  # a file not read, byte for byte an earlier one -> that one

    def __post_init__(self) -> None:
        if not isinstance(self.issues, CellIssues):
            self.issues = CellIssues(self.issues)

    @property
    def record_count(self) -> int:
        return self.count if self.count is not None else len(self.records)

    def absorb(self, other: IngestResult) -> None:
        """Add what reading other inputs said (their records are counted, not kept)."""
        self.files += other.files
        self.sheets += other.sheets
        self.skipped_rows += other.skipped_rows
        self.issues.extend(other.issues)
        self.failures += other.failures
        self.resolutions += other.resolutions
        self.copies.update(other.copies)
        self.count = self.record_count + other.record_count

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "files_failed": len(self.failures),
            "sheets_read": sum(s.read for s in self.sheets),
            "sheets_skipped": sum(not s.read for s in self.sheets),
            "records": self.record_count,
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
            "copies": dict(self.copies),
        }
