"""Problems found in the data, and the report that holds them.

Problems are data, not exceptions: a report renders as text for people and as
JSON for machines, and ``report.valid`` decides the exit code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procdata.check.problems import Problems

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


class Report:
    """All problems of one validation run, in file, sheet, row, column order.

    The problems are kept column-wise (:class:`~procdata.check.problems.Problems`):
    counting them, deciding ``valid`` and writing the JSON or HTML report never
    builds one object per problem. :attr:`problems` gives them as
    :class:`Problem` objects, built on first use.
    """

    def __init__(
        self, problems: list[Problem] | None = None, summary: dict[str, Any] | None = None,
        failures: list[dict[str, Any]] | None = None, *, found: Problems | None = None, lang: str = "th",
    ) -> None:
        from procdata.check.problems import Problems

        self.found = found if found is not None else Problems(lang)
        if problems:
            self.found.add_problems(problems)
        self.summary: dict[str, Any] = summary if summary is not None else {}
        self.failures: list[dict[str, Any]] = failures if failures is not None else []  # inputs that could not be read
        self.by_agency: list[dict[str, Any]] | None = None  # with --by-agency: one row per agency (check/agencies.py)
        self.fiscal_year: int | None = None  # the year date-dependent checks judged (review.review)
        self.as_of: dt.date | None = None  # the date of the data they used; None when nothing dates it
        self._problems: list[Problem] | None = None
        self._worded: dict[str, list[Problem]] = {}

    @property
    def problems(self) -> list[Problem]:
        """Every problem, in order, as :class:`Problem` objects (built once, on first use)."""
        if self._problems is None:
            self._problems = self.found.problems()
        return self._problems

    def worded(self, surface: str) -> list[Problem]:
        """Every problem, with the messages worded for ``surface`` ("web": no option or command to type)."""
        if surface == "cli":
            return self.problems
        if surface not in self._worded:
            self._worded[surface] = self.found.problems(surface=surface)
        return self._worded[surface]

    def add(self, problems: list[Problem]) -> None:
        """Problems found one by one after the checks (merge conflicts), after those already here."""
        self.found.add_problems(problems)
        self._problems = None
        self._worded.clear()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def error_count(self) -> int:
        return self.found.count(ERROR)

    @property
    def warning_count(self) -> int:
        return self.found.count(WARNING)

    @property
    def valid(self) -> bool:
        return not self.error_count and not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "summary": self.summary,
            "problems": [p.to_dict() for p in self.problems],
        }
