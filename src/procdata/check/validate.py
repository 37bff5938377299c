"""validate: ingest, then check the schema and the rules, then say where each problem is.

Problems point at the cell an officer must fix: the sheet, the row as Excel
shows it, and the column letter and header text as written in the file (from
the ingest's :class:`~procdata.model.SheetReport`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from procdata.check import catalog
from procdata.check.model import Problem, Report
from procdata.check.rules import RULES, winners
from procdata.check.schema import schema_checks
from procdata.check.table import Hits, Table
from procdata.config import Config
from procdata.model import FIELDS, CellIssue, Column, IngestResult
from procdata.normalize import vocab, wording
from procdata.normalize.columns import THREADS
from procdata.read.overrides import OVERRIDES_FILE, Overrides
from procdata.resources import schema

# Where a field's value may have come from, in order: its own column, or a
# composite column that ingest split (see procdata/model.py SheetReport.columns).
SOURCES = {
    "agreed_price": ("agreed_price", "winner"),
    "winner_name": ("winner_name", "winner"),
    "winner_tax_id": ("winner_tax_id", "winner"),
    "contract_no": ("contract_no", "contract"),
    "contract_date": ("contract_date", "contract"),
    "bidders": ("bidders", "bidder_names", "bidder_prices"),
    "bidder_count": ("bidder_count", "bidders", "bidder_names"),
    "method": ("method", "method_group"),
    "method_text": ("method_text", "method", "method_group"),
    "status": ("status", "contract_status"),
    "status_text": ("status_text", "status", "contract_status"),
    "is_investment": ("is_investment", "budget_category"),
}
# Checks that report an empty value: not repeated where ingest already said the cell was unreadable.
EMPTY_VALUE = {"required", "signed_no_winner", "signed_no_price"}
# The checks of words outside a vocabulary (normalize/vocab.py), and the vocabulary to
# suggest the closest known word from.
UNKNOWN = {f"unknown_{kind}": kind for kind in ("method", "status", "category", "source")}


def validate(
    inputs: Iterable[Path | str] | None = None,
    *,
    config: Config | Path | str | None = None,
    encoding: str | None = None,
    fiscal_year: int | str | None = None,
    as_of: dt.date | str | None = None,
    lang: str = "th",
    on_file: Callable[[str], None] | None = None,
    overrides: Overrides | None = None,
) -> Report:
    """Read ``inputs`` as ``procdata ingest`` does and report every problem publish would.

    The report holds the problems of the Table Schema and of the rules, the
    conflicts between monthly files of the same project, and its summary:
    the one report that status and publish use too (:func:`~procdata.check.review.review`).
    ``inputs`` default to the monthly folder of the workspace whose profile
    ``config`` is (a path or a loaded :class:`~procdata.config.Config`; by
    default ``procdata.toml`` found from the working folder up).
    ``fiscal_year`` and ``as_of`` may be typed as people write them
    (``2568``, ``2568-06-30``, ``30/6/2568``, ``2025-06-30``).
    ``on_file`` is called with each file's name as reading starts (a progress bar);
    ``overrides`` are the officer's budget categories (:mod:`procdata.read.overrides`).
    """
    from procdata.check.review import review
    from procdata.config import workspace_inputs
    from procdata.normalize.dates import read_day, read_fiscal_year
    from procdata.read.ingest import ingest

    year = read_fiscal_year(fiscal_year) if fiscal_year is not None else None
    day = read_day(as_of) if as_of is not None else None
    files = workspace_inputs(inputs, config)
    result = ingest(files, encoding=encoding, fiscal_year=year, on_file=on_file, overrides=overrides)
    return review(result, fiscal_year=year, as_of=day, lang=lang).report


def validate_ingested(result: IngestResult, lang: str = "th") -> Report:
    """The report of records already read: :func:`~procdata.check.review.review` of ``result``."""
    from procdata.check.review import review

    return review(result, lang=lang).report


def check_records(result: IngestResult, lang: str = "th") -> tuple[list[Problem], Locator]:
    """The problems of the Table Schema and the rules in the records of an ingest (unsorted),
    and the locator that finds the cell of any field of any record."""
    table = Table(result.records, lang)
    where = Locator(result)
    problems = [_from_issue(issue, lang) for issue in result.issues]
    flagged = {(p.file, p.sheet, p.row, p.field) for p in problems}
    for hits in _run_checks(table):
        if len(hits.rows):
            problems.extend(_from_hits(hits, table, where, flagged))
    return _short_tax_ids(problems, lang), where


def _run_checks(table: Table) -> list[Hits]:
    """Every check on the whole table, on several threads.

    The checks spend their time in Arrow and NumPy, which release the GIL, so
    each thread uses a core. The longest check (winners) goes first.
    """
    table.prepare()  # the typed views the checks share, computed once before they start
    checks = [winners, *(rule for rule in RULES if rule is not winners), *schema_checks()]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [hits for found in pool.map(lambda check: list(check(table)), checks) for hits in found]


def title(name: str, lang: str) -> str:
    """A field's title in ``lang``, from the schema."""
    spec = next((f for f in schema("procurement")["fields"] if f["name"] == name), None)
    return spec["titles"].get(lang, spec["title"]) if spec else name


class Locator:
    """From a record's file, sheet and row to the column of a field, as written in that sheet."""

    def __init__(self, result: IngestResult) -> None:
        self.tables: dict[tuple[str, str], list[tuple[int, dict[str, Column]]]] = {}
        files = {name: number for number, name in enumerate(result.files)}
        sheets: dict[tuple[str, str], int] = {}
        for sheet in result.sheets:
            sheets.setdefault((sheet.file, sheet.sheet), len(sheets))
            if sheet.read:
                first = sheet.header_rows[0] if sheet.header_rows else 0
                self.tables.setdefault((sheet.file, sheet.sheet), []).append((first, sheet.columns))
        self.files, self.sheets = files, sheets

    def columns(self, file: str, sheet: str, row: int | None) -> dict[str, Column]:
        """The columns of the table holding ``row`` (a sheet may hold several tables)."""
        tables = self.tables.get((file, sheet), [])
        chosen: dict[str, Column] = tables[0][1] if tables else {}
        for first, columns in tables:
            if row is not None and first <= row:
                chosen = columns
        return chosen

    def column(self, file: str, sheet: str, row: int | None, field: str) -> Column | None:
        columns = self.columns(file, sheet, row)
        return next((columns[key] for key in SOURCES.get(field, (field,)) if key in columns), None)

    def order(self, problem: Problem) -> tuple[Any, ...]:
        letters = problem.column
        return (
            self.files.get(problem.file, len(self.files)), problem.file,
            self.sheets.get((problem.file, problem.sheet), len(self.sheets)), problem.sheet,
            problem.row or 0, len(letters), letters, _FIELD_ORDER.get(problem.field, len(FIELDS)), problem.code,
        )


_FIELD_ORDER = {name: number for number, name in enumerate(FIELDS)}


def _from_issue(issue: CellIssue, lang: str) -> Problem:
    params: dict[str, Any] = {"value": issue.value, "field": title(issue.field, lang)}
    if issue.code in UNKNOWN:
        params["suggestion"] = _suggestion(UNKNOWN[issue.code], issue.value, lang)
    return problem(issue.code, issue.file, issue.sheet, issue.row, Column(issue.column, issue.header), issue.field, issue.value, params, lang)


def _suggestion(kind: str, value: str, lang: str) -> str:
    closest = vocab.closest(kind, value) if value else None
    term = vocab.term(kind, closest) if closest else None
    return catalog.word("suggestion", lang, closest=term.label(lang)) if term else ""


def _from_hits(hits: Hits, table: Table, where: Locator, flagged: set[tuple[str, str, int | None, str]]) -> list[Problem]:
    lang = table.lang
    if hits.code == "required":
        return _required(hits, table, where, flagged)
    out = []
    for number, row in enumerate(hits.rows):
        file, sheet, source_row = table.place(int(row))
        if hits.code in EMPTY_VALUE and (file, sheet, source_row, hits.field) in flagged:
            continue
        value = table.shown(hits.field, int(row))
        params = {"value": value, "field": title(hits.field, lang), **(hits.params[number] if hits.params else {})}
        if hits.code in UNKNOWN:
            params["suggestion"] = _suggestion(UNKNOWN[hits.code], table.text(hits.field, int(row)), lang)
        if "low" in params:
            params["bounds"] = _bounds(params["low"], params["high"], lang)
        column = where.column(file, sheet, source_row, hits.field)
        out.append(problem(hits.code, file, sheet, source_row, column, hits.field, value, params, lang))
    return out


def _required(hits: Hits, table: Table, where: Locator, flagged: set[tuple[str, str, int | None, str]]) -> list[Problem]:
    """Empty required cells; a sheet without the field's column at all is told once, not per record."""
    lang = table.lang
    out: list[Problem] = []
    without_column: Counter[tuple[str, str]] = Counter()
    for row in hits.rows:
        file, sheet, source_row = table.place(int(row))
        column = where.column(file, sheet, source_row, hits.field)
        if column is None:
            without_column[(file, sheet)] += 1
        elif (file, sheet, source_row, hits.field) not in flagged:
            params = {"value": "", "field": title(hits.field, lang)}
            out.append(problem("required", file, sheet, source_row, column, hits.field, "", params, lang))
    code = "fiscal_year_unknown" if hits.field == "fiscal_year" else "missing_column"
    for (file, sheet), count in without_column.items():
        params = {"value": "", "field": title(hits.field, lang), "count": f"{count:,}"}
        out.append(problem(code, file, sheet, None, None, hits.field, "", params, lang))
    return out


def _short_tax_ids(problems: list[Problem], lang: str) -> list[Problem]:
    """A 12-digit taxpayer ID that a leading 0 does not make valid lost a digit, not its 0 to Excel.

    Ingest restores the 0 of every 12-digit ID (a warning); where the restored ID
    fails the check digit, both warnings become one error: not 13 digits.
    """
    restored = {(p.file, p.sheet, p.row): p for p in problems if p.code == "tax_id_leading_zero"}
    failing = {(p.file, p.sheet, p.row) for p in problems if p.code == "tax_id_check_digit"}
    short = restored.keys() & failing
    if not short:
        return problems
    kept = [p for p in problems if (p.file, p.sheet, p.row) not in short or p.code not in ("tax_id_leading_zero", "tax_id_check_digit")]
    for key in sorted(short, key=str):
        cell = restored[key]
        params = {"value": cell.value, "field": title(cell.field, lang), "digits": len(cell.value)}
        kept.append(problem("tax_id_digits", cell.file, cell.sheet, cell.row, Column(cell.column, cell.header), cell.field, cell.value, params, lang))
    return kept


def _bounds(low: Any, high: Any, lang: str) -> str:
    if low is not None and high is not None:
        return catalog.word("between", lang, low=low, high=high)
    if low is not None:
        return catalog.word("at_least", lang, low=low)
    return catalog.word("at_most", lang, high=high)


def problem(
    code: str, file: str, sheet: str, row: int | None, column: Column | None, field: str, value: str,
    params: dict[str, Any], lang: str,
) -> Problem:
    params.setdefault("suggestion", "")
    params.setdefault("methods", wording.known_methods(lang))
    params.setdefault("overrides", OVERRIDES_FILE)
    return Problem(
        file=file, sheet=sheet, row=row, column=column.letter if column else "", header=column.header if column else "",
        field=field, code=code, severity=catalog.check(code).severity, message=catalog.message(code, lang, **params),
        value=value,
    )
