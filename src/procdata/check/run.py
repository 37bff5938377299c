"""Checking what a provincial office checks: national tables in chunks, thousands of files in parallel.

The inputs are cut into units of work as ``read.run`` reads them: a long CSV
or Parquet table is read and checked a chunk at a time in this process
(``read.stream``), so memory stays bounded; groups of other files go to a pool
of worker processes (one per core), each of which reads its files (alike ones
as one table, ``read.batch``), checks them and sends back only its problems
and what the whole run needs (a :class:`~procdata.check.validate.Checker`).
The parts are put together in input order, and the checks that need the whole
run (duplicate project numbers) run once at the end: the report is the one a
single pass over all the inputs gives (``tests/test_stream.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path

from procdata.check.validate import Checker
from procdata.read.limits import Limits
from procdata.read.overrides import Overrides


def check_inputs(
    inputs: Iterable[Path | str], *, encoding: str | None = None, fiscal_year: int | None = None, lang: str = "th",
    on_file: Callable[[str], None] | None = None, workers: int | None = None, agencies: bool = False,
    on_rows: Callable[[str, int], None] | None = None, overrides: Overrides | None = None,
) -> Checker:
    """Every input read and checked: the checker holding what the report needs (with ``agencies``,
    the counts per agency too). ``on_rows`` is told the records read so far of a long table;
    ``overrides`` are the officer's budget categories."""
    from procdata.read.limits import current
    from procdata.read.run import Pool, cores, in_parallel, plan

    limits = current()  # this run's (--limit), sent to the workers
    workers = workers or cores()
    units = plan(inputs, encoding, workers)
    checker = Checker(lang, agencies=agencies)
    checker.fiscal_year = fiscal_year
    with Pool(workers if in_parallel(units, workers) else 0) as pool:
        # Every group is sent at once, so that the workers read while this process streams long tables.
        futures: dict[int, Future[Checker]] = {}
        if pool is not None:
            for number, unit in enumerate(units):
                if unit.grouped:
                    futures[number] = pool.submit(
                        check_files, [str(p) for p, _ in unit.files], encoding, fiscal_year, lang, None, agencies, overrides,
                        limits,
                    )
        for number, unit in enumerate(units):
            if unit.stream:
                path, display = unit.files[0]
                if on_file:
                    on_file(display)
                checker.absorb(_check_table(path, display, encoding, fiscal_year, lang, agencies, on_rows, overrides, limits))
            elif unit.copy_of is not None:
                if on_file:
                    on_file(unit.files[0][1])
                checker.account(unit.copy_account())
            elif number in futures:
                checker.absorb(futures[number].result())
                for _, display in unit.files:
                    if on_file:
                        on_file(display)
            else:
                checker.absorb(check_files(
                    [str(p) for p, _ in unit.files], encoding, fiscal_year, lang, on_file, agencies, overrides, limits,
                ))
    return checker


def check_files(
    paths: list[str], encoding: str | None, fiscal_year: int | None, lang: str, on_file: Callable[[str], None] | None = None,
    agencies: bool = False, overrides: Overrides | None = None, limits: Limits | None = None,
) -> Checker:
    """Read ``paths`` (files, not folders) and check them: what a worker does with a group."""
    from procdata.read.ingest import ingest

    result = ingest(paths, encoding=encoding, fiscal_year=fiscal_year, on_file=on_file, overrides=overrides, limits=limits)
    checker = Checker(lang, agencies=agencies)
    checker.check(result)
    checker.account(result)
    return checker


def _check_table(
    path: Path, display: str, encoding: str | None, fiscal_year: int | None, lang: str, agencies: bool,
    on_rows: Callable[[str, int], None] | None = None, overrides: Overrides | None = None, limits: Limits | None = None,
) -> Checker:
    """A long table checked chunk by chunk; read whole when it cannot be (``read.stream.NotStreamable``,
    or anything the chunks raise: reading it whole says what is wrong with the file)."""
    from procdata.errors import is_file_error
    from procdata.model import IngestResult
    from procdata.normalize.investment import apply_overrides
    from procdata.normalize.procedure import merged_resolutions
    from procdata.read import stream

    checker = Checker(lang, agencies=agencies)
    sheets = []
    resolutions = []
    try:
        for part in stream.stream_ahead(path, display, fiscal_year=fiscal_year, rows=stream.CHUNK_ROWS):
            if overrides:
                apply_overrides(part.records, overrides.by_project, overrides.by_item)
            checker.check(part)
            sheets += part.sheets
            resolutions.append(part.resolutions)
            if on_rows:
                on_rows(display, checker.records)
    except BaseException as error:  # calamine's PanicException is a BaseException
        if not is_file_error(error):
            raise
        return check_files([str(path)], encoding, fiscal_year, lang, None, agencies, overrides, limits)
    checker.account(IngestResult(
        records=None, files=[display], sheets=stream.merged_sheets(sheets), resolutions=merged_resolutions(resolutions),
    ))
    return checker
