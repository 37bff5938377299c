"""Problems found in the data, and the report that holds them.

Problems are data, not exceptions: a report renders as text for people and as
JSON for machines, and ``report.valid`` decides the exit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One problem at one cell (or one row, when ``column`` is empty)."""

    file: str
    sheet: str
    row: int | None  # as Excel shows it; for CSV the line number (header = line 1)
    column: str  # letter, e.g. "C"; "" when the field has no column in the file
    header: str  # the header text as written in the file
    field: str  # canonical field name
    code: str  # stable check code, explained by `procdata explain CODE`
    severity: str  # "error" blocks publishing; "warning" does not
    message: str  # in the report's language, with how to fix it
    value: str  # the value as found

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
            "field": self.field, "code": self.code, "severity": self.severity,
            "message": self.message, "value": self.value,
        }


@dataclass
class Report:
    """All problems of one validation run, in file, sheet, row, column order."""

    problems: list[Problem] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)  # inputs that could not be read

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors and not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "summary": self.summary,
            "problems": [p.to_dict() for p in self.problems],
        }
