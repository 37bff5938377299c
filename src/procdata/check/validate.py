"""validate: ingest, then check the schema and the rules, then say where each problem is.

Problems point at the cell an officer must fix: the sheet, the row as Excel
shows it, and the column letter and header text as written in the file (from
the ingest's :class:`~procdata.model.SheetReport`, through :class:`~procdata.check.locate.Locator`).

A :class:`Checker` checks records part by part (a whole ingest, a chunk of a
national table, the files one worker read) and keeps of each part only its
problems, column-wise, and what the whole run needs: the project numbers for
duplicates and the counts. :meth:`Checker.report` then adds the problems of
the whole run and puts them in order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from procdata.check import agencies
from procdata.check.agencies import Tally
from procdata.check.duplicates import Projects, duplicates
from procdata.check.ingested import UNKNOWN, issue_batches, short_tax_ids, suggestion
from procdata.check.locate import Locator, cell_key, cell_keys
from procdata.check.model import Report
from procdata.check.problems import NO_COLUMN, NO_ROW, Batch, Problems, Registry, batch
from procdata.check.problems import title as title
from procdata.check.rules import RULES, winners
from procdata.check.schema import schema_checks
from procdata.check.table import Hits, Table, map_distinct, positions, project_keys
from procdata.check.update_problems import conflicts, ended
from procdata.check.updates import Updates
from procdata.config import Config
from procdata.i18n import message as ui_message
from procdata.model import FileFailure, IngestResult, Resolution, SheetReport
from procdata.normalize.columns import THREADS
from procdata.process import give_back_memory
from procdata.read.overrides import Overrides

# Checks that report an empty value: not repeated where ingest already said the cell was unreadable.
EMPTY_VALUE = {"required", "signed_no_winner", "signed_no_price"}


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
    workers: int | None = None,
    by_agency: bool = False,
    on_rows: Callable[[str, int], None] | None = None,
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
    ``on_file`` is called with each file's name as it is read (a progress bar), ``on_rows``
    with the records read so far of a long table; ``overrides`` are the officer's budget
    categories (:mod:`procdata.read.overrides`).

    Long CSV and Parquet tables are read in chunks and many files on ``workers``
    processes (one per core by default; see :mod:`procdata.check.run`): the
    report is the one reading everything at once gives. With ``by_agency``,
    ``report.by_agency`` holds one row per agency (:mod:`procdata.check.agencies`).
    """
    from procdata.check.run import check_inputs
    from procdata.config import workspace_inputs
    from procdata.normalize.dates import read_day, read_fiscal_year

    year = read_fiscal_year(fiscal_year) if fiscal_year is not None else None
    day = read_day(as_of) if as_of is not None else None
    files = workspace_inputs(inputs, config)
    checker = check_inputs(
        files, encoding=encoding, fiscal_year=year, lang=lang, on_file=on_file, workers=workers, agencies=by_agency,
        on_rows=on_rows, overrides=overrides,
    )
    return checker.report(fiscal_year=year, as_of=day)


def validate_ingested(result: IngestResult, lang: str = "th") -> Report:
    """The report of records already read: :func:`~procdata.check.review.review` of ``result``."""
    from procdata.check.review import review

    return review(result, lang=lang).report


class Checker:
    """Checks records part by part; keeps their problems and what the whole run needs.

    With ``agencies``, also counts records, problems and investment items per
    agency and fiscal year (:mod:`procdata.check.agencies`).
    """

    def __init__(self, lang: str = "th", *, agencies: bool = False) -> None:
        self.lang = lang
        self.found = Problems(lang)
        self.projects = Projects()
        self.updates = Updates()
        self.without_column: Counter[tuple[int, str]] = Counter()  # (place, field) -> records lacking it
        self.records = 0
        self.tally = Tally() if agencies else None
        self.copies: dict[str, str] = {}  # files not read, byte for byte an earlier one -> that one
        self.fiscal_year: int | None = None  # the year readiness is judged for (the latest in the data by default)
        self.place_groups: dict[int, int] = {}  # the agency and year of a place's first record (sheet-wide problems)
        self.files: list[str] = []
        self.sheets: list[SheetReport] = []
        self.failures: list[FileFailure] = []
        self.resolutions: list[Resolution] = []

    @property
    def registry(self) -> Registry:
        return self.found.registry

    def account(self, result: IngestResult) -> None:
        """What was read: the files, their sheets and the files that could not be read."""
        self.files.extend(result.files)
        self.sheets.extend(result.sheets)
        self.failures.extend(result.failures)
        self.resolutions.extend(result.resolutions)
        self.copies.update(result.copies)
        for copy, original in result.copies.items():  # not read: its items are the other file's
            found = batch("duplicate_file", "", [self.registry.place(copy, "")], [NO_ROW], [NO_COLUMN], [original], {})
            if self.tally is not None:  # counted for the agency of the file it repeats
                found.groups = np.array([self._group_of_file(original)], dtype=np.int32)
            self.found.add(found)

    def _group_of_file(self, file: str) -> int:
        """The agency group of the first of ``file``'s records (-1 when it has none)."""
        for place, group in self.place_groups.items():
            if self.registry.places[place][0] == file:
                return group
        return -1

    def check(self, part: IngestResult) -> None:
        """Check the records of ``part`` (and say the cells its ingest could not read)."""
        table = Table(part.records, self.lang)
        where = Locator(part.sheets, self.registry)
        found = list(issue_batches(part.issues, self.registry, self.lang))
        flagged = cell_keys(found)
        for hits in _run_checks(table):
            if len(hits.rows):
                found.extend(self._from_hits(hits, table, where, flagged))
        found = short_tax_ids(found, self.lang)
        groups = self._groups(part, table, found) if self.tally is not None else None
        for each in found:
            self.found.add(each)
        # Only numbers that name a project can repeat one (check.table.project_keys); others have their own error.
        named = project_keys(pa.array(part.records["project_id"].astype("string").array))
        rows = positions(pc.binary_length(named).to_numpy(zero_copy_only=False) > 0)
        if len(rows):
            places, source_rows = table.places(rows, self.registry), table.source_rows(rows)
            months = pa.array(part.records["report_month"].iloc[rows].array).cast(pa.large_string())
            self.projects.add(
                table.texts("project_id", rows), table.texts("contract_no", rows), places, source_rows,
                where.columns(places, source_rows, "project_id"),
                months.combine_chunks() if isinstance(months, pa.ChunkedArray) else months,
                None if groups is None else groups[rows],
            )
        everyone = np.arange(len(part.records))
        self.updates.add(part.records, table.places(everyone, self.registry), table.source_rows(everyone), named)
        self.records += len(part.records)

    def _groups(self, part: IngestResult, table: Table, found: list[Batch]) -> np.ndarray:
        """Count the part's records by agency and year; give each problem its record's group."""
        assert self.tally is not None
        groups = self.tally.add(part.records, self.found)
        everyone = np.arange(len(part.records))
        keys = cell_key(table.places(everyone, self.registry), table.source_rows(everyone), "")
        order = np.argsort(keys, kind="stable")
        for place, group in zip((keys[order] >> 40).tolist(), groups[order].tolist(), strict=True):
            self.place_groups.setdefault(int(place), int(group))
        for each in found:
            at = np.searchsorted(keys[order], cell_key(each.places, each.rows, ""))
            known = at < len(keys)
            known[known] &= keys[order][at[known]] == cell_key(each.places, each.rows, "")[known]
            each.groups = np.where(known, groups[order][np.minimum(at, len(keys) - 1)], -1).astype(np.int32) if len(keys) else None
        return groups

    def absorb(self, other: Checker) -> None:
        """Take in what another checker found (a worker's part of the same run, read after ours)."""
        places, columns = self.registry.absorb(other.registry)
        groups = np.array([self.found.group(*g) for g in other.found.groups] + [-1], dtype=np.int32)
        self.found.absorb(other.found)
        self.projects.absorb(other.projects, places, columns, groups)
        self.updates.absorb(other.updates, places)
        if self.tally is not None and other.tally is not None:
            self.tally.absorb(other.tally, groups)
        for place, group in other.place_groups.items():
            self.place_groups.setdefault(int(places[place]), int(groups[group]))
        for (place, field), count in other.without_column.items():
            self.without_column[(int(places[place]), field)] += count
        self.records += other.records
        self.files.extend(other.files)
        self.copies.update(other.copies)
        self.sheets.extend(other.sheets)
        self.failures.extend(other.failures)
        self.resolutions.extend(other.resolutions)

    def report(self, *, fiscal_year: int | None = None, as_of: dt.date | None = None) -> Report:
        """The problems of the whole run, in order, with the summary: those of the records and those
        of monthly updates of one project (``check.updates``) at the date of the data, ``as_of``, by
        default as ``review.default_as_of`` of ``fiscal_year``, itself the latest in the data by default.
        ``report.fiscal_year`` and ``report.as_of`` say which were used."""
        give_back_memory()  # what reading the records freed: the report's allocations come on top of what is kept
        # The run's project and contract numbers coded once, for the duplicates and the merge. The duplicates
        # hold the records with a project number (project_keys), those the merge has a key for, in the same order.
        run_codes = self.updates.codes()
        found = duplicates(self.projects, self.registry, self.lang, self.projects.codes_in(run_codes))
        if found is not None:
            self.found.add(found)
        for (place, field), count in self.without_column.items():
            code = "fiscal_year_unknown" if field == "fiscal_year" else "missing_column"
            group = [self.place_groups.get(place, -1)] if self.tally is not None else None
            self.found.add(batch(code, field, [place], [NO_ROW], [NO_COLUMN], [""], {"count": f"{count:,}"}, group))
        self.without_column.clear()
        where = Locator(self.sheets, self.registry)
        # After the duplicates, not beside them on a thread: both at once raised the peak of a 2M-row
        # table of projects reported twice from 1.7 to 2.0 GiB for 0.1-0.2 s of wall clock.
        give_back_memory()  # and what the duplicates freed, before the merge's own
        merge = self.updates.merge(run_codes)
        for each in conflicts(self.updates, merge, self.registry, where.columns, self.lang):
            self.found.add(self._grouped(each))
        year = self.updates.fiscal_year(fiscal_year)
        day = as_of or (self.updates.default_as_of(year) if year is not None else None)
        if day is not None:
            for each in ended(self.updates, merge, day, where.columns, self.lang):
                self.found.add(self._grouped(each))
        self.found.sort(self.files, [(s.file, s.sheet) for s in self.sheets])
        report = Report(found=self.found, lang=self.lang)
        report.fiscal_year, report.as_of = year, day
        report.failures = [
            {"file": f.file, "code": f.code, "message": ui_message(f.code, self.lang, file=f.file, **f.params)}
            for f in self.failures
        ]
        if self.tally is not None:
            unreadable = Counter(failure.file for failure in self.failures)
            # A file read but holding no record (a header, no row) is a row of its own too, with no error:
            # else the table's files fall short of the report's.
            with_records = {sheet.file for sheet in self.sheets if sheet.records}
            empty = {file: 0 for file in self.files if file not in with_records and file not in unreadable and file not in self.copies}
            report.by_agency = agencies.table(self.tally, self.found, self.fiscal_year, {**empty, **unreadable})
        report.summary = {
            "files": len(self.files),
            "files_unreadable": len(self.failures),
            "records": self.records,
            "projects": self.records - merge.dropped,
            "errors": report.error_count,
            "warnings": report.warning_count,
            "codes": dict(sorted(self.found.codes().items())),
            "unreadable": report.failures,
            "resolved": [asdict(entry) for entry in self.resolutions],
        }
        return report

    def _grouped(self, found: Batch) -> Batch:
        """A problem of the whole run, counted for its place's agency (``--by-agency``)."""
        if self.tally is not None:
            found.groups = np.array([self.place_groups.get(int(p), -1) for p in found.places.tolist()], dtype=np.int32)
        return found

    def _from_hits(self, hits: Hits, table: Table, where: Locator, flagged: np.ndarray) -> list[Batch]:
        rows = hits.rows
        places, source_rows = table.places(rows, self.registry), table.source_rows(rows)
        columns = where.columns(places, source_rows, hits.field)
        if hits.code == "required":
            return self._required(hits, places, source_rows, columns, flagged)
        keep = np.ones(len(rows), dtype=bool)
        if hits.code in EMPTY_VALUE:
            keep = ~np.isin(cell_key(places, source_rows, hits.field), flagged)
        params = dict(hits.params)
        if hits.code in UNKNOWN:
            kind = UNKNOWN[hits.code]
            params["suggestion"] = map_distinct(table.texts(hits.field, rows), lambda value: suggestion(kind, value, self.lang))
        found = batch(hits.code, hits.field, places, source_rows, columns, table.shown_values(hits.field, rows), params)
        return [found if keep.all() else found.take(np.flatnonzero(keep))]

    def _required(
        self, hits: Hits, places: np.ndarray, rows: np.ndarray, columns: np.ndarray, flagged: np.ndarray,
    ) -> list[Batch]:
        """Empty required cells; a sheet without the field's column at all is told once (in :meth:`report`)."""
        lacking = columns == NO_COLUMN
        for place, count in zip(*np.unique(places[lacking], return_counts=True), strict=True):
            self.without_column[(int(place), hits.field)] += int(count)
        keep = np.flatnonzero(~lacking & ~np.isin(cell_key(places, rows, hits.field), flagged))
        empty = pa.array([""] * len(keep), pa.large_string())
        return [batch("required", hits.field, places[keep], rows[keep], columns[keep], empty, {"value": ""})]


def _run_checks(table: Table) -> list[Hits]:
    """Every check on the whole table, on several threads.

    The checks spend their time in Arrow and NumPy, which release the GIL, so
    each thread uses a core. The longest check (winners) goes first.
    """
    table.prepare()  # the typed views the checks share, computed once before they start
    checks = [winners, *(rule for rule in RULES if rule is not winners), *schema_checks()]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [hits for found in pool.map(lambda check: list(check(table)), checks) for hits in found]


