"""Reading what a provincial office reads: national tables in chunks, thousands of files in parallel.

The inputs are taken in order and cut into units of work (:func:`plan`): a
long CSV or Parquet table alone, read a chunk at a time in this process
(``read.stream``), so memory stays bounded; runs of other files in groups,
each group read by a worker process of a pool with one per core (``Pool``),
alike files as one table (``read.batch``). ``check.run`` checks the same
units; :func:`ingest_into` hands the records, in input order, to a writer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from procdata.errors import ProcdataError
from procdata.model import IngestResult
from procdata.read.limits import Limits, current
from procdata.read.overrides import Overrides

if TYPE_CHECKING:
    import pandas as pd

POOL_FILES = 8  # fewer files than this are read here: starting processes would cost more
GROUP_BYTES = 16 << 20  # at most about this much of the inputs per task sent to a worker
GROUP_FILES = 256  # and at most this many files (each task has a fixed cost: two tasks per worker at least)


@dataclass
class Unit:
    """Inputs read as one piece of work: one long table (``stream``), or a group of files; or a file
    not read at all, byte for byte the earlier file ``copy_of``."""

    files: list[tuple[Path, str]]
    stream: bool = False
    copy_of: str | None = None

    @property
    def grouped(self) -> bool:
        return not self.stream and self.copy_of is None

    def copy_account(self) -> IngestResult:
        """What reading this copy says: its name, and the file whose items it repeats."""
        from procdata.normalize.table import empty_records

        display = self.files[0][1]
        return IngestResult(records=empty_records(), files=[display], copies={display: self.copy_of or ""})


def plan(inputs: Iterable[Path | str], encoding: str | None, workers: int) -> list[Unit]:
    """The inputs in order, as units of work: each long table alone, the others in groups."""
    from procdata.read import stream
    from procdata.read.files import expand_inputs, identical_copies

    units: list[Unit] = []
    group: list[tuple[Path, str]] = []
    size = 0
    named = [Path(p) for p in inputs]
    files = list(expand_inputs(named))
    if not files:  # a folder without a spreadsheet: not "0 files, no problems"
        raise ProcdataError("no_inputs", inputs=", ".join(str(p) for p in named) or "-")
    copies = identical_copies(files)
    per_group = max(1, min(GROUP_FILES, -(-len(files) // max(1, 2 * workers))))
    for path, display in files:
        if display in copies:
            if group:
                units.append(Unit(group))
                group, size = [], 0
            units.append(Unit([(path, display)], copy_of=copies[display]))
            continue
        if stream.streamable(path, encoding, stream.STREAM_BYTES):
            if group:
                units.append(Unit(group))
                group, size = [], 0
            units.append(Unit([(path, display)], stream=True))
            continue
        group.append((path, display))
        size += _size(path)
        if len(group) >= per_group or size >= GROUP_BYTES:
            units.append(Unit(group))
            group, size = [], 0
    if group:
        units.append(Unit(group))
    return units


def in_parallel(units: list[Unit], workers: int) -> bool:
    """Whether the groups are worth sending to worker processes."""
    grouped = [unit for unit in units if unit.grouped]
    return workers > 1 and len(grouped) > 1 and sum(len(unit.files) for unit in grouped) >= POOL_FILES


def cores() -> int:
    return os.cpu_count() or 1


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class Pool:
    """A pool of worker processes (none for ``workers`` 0), forked where the system can: the workers
    start with the modules already imported, while this process has not yet started any thread."""

    def __init__(self, workers: int) -> None:
        self.executor: Executor | None = None
        if workers:
            import multiprocessing

            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    def __enter__(self) -> Executor | None:
        return self.executor

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


def ingest_files(
    paths: list[str], encoding: str | None, fiscal_year: int | None, overrides: Overrides | None = None,
    limits: Limits | None = None,
) -> IngestResult:
    """What a worker does with a group: :func:`procdata.read.ingest.ingest` of ``paths``."""
    from procdata.read.ingest import ingest

    return ingest(paths, encoding=encoding, fiscal_year=fiscal_year, overrides=overrides, limits=limits)


def read_into(
    inputs: Iterable[Path | str], out: Path | None, *, encoding: str | None = None, fiscal_year: int | None = None,
    on_file: Callable[[str], None] | None = None, workers: int | None = None, on_rows: Callable[[str, int], None] | None = None,
    overrides: Overrides | None = None,
) -> IngestResult:
    """Read every input into the canonical table ``out`` (CSV or Parquet; nothing is written when
    ``out`` is None, or when no input could be read and no record was found), a part at a time:
    the account of what was read (``count`` records)."""
    from procdata.output import TableWriter

    whole: frozenset[str] = frozenset()
    while True:
        writer = TableWriter(out) if out is not None else None
        try:
            account = ingest_into(
                inputs, writer.write if writer else (lambda _: None), encoding=encoding, fiscal_year=fiscal_year,
                on_file=on_file, workers=workers, whole=whole, on_rows=on_rows, overrides=overrides,
            )
        except Restart as restart:  # a long table to read whole: everything again, that table whole
            if writer:
                writer.abort()
            whole |= {restart.display}
            continue
        except BaseException:
            if writer:
                writer.abort()
            raise
        if writer:
            if account.failures and not account.record_count:
                writer.abort()
            else:
                writer.commit()
        return account


class Restart(Exception):
    """A long table turned out to need reading whole after some of its records were written."""

    def __init__(self, display: str) -> None:
        super().__init__(display)
        self.display = display


def ingest_into(
    inputs: Iterable[Path | str], write: Callable[[pd.DataFrame], None], *, encoding: str | None = None,
    fiscal_year: int | None = None, on_file: Callable[[str], None] | None = None, workers: int | None = None,
    whole: frozenset[str] = frozenset(), on_rows: Callable[[str, int], None] | None = None,
    overrides: Overrides | None = None,
) -> IngestResult:
    """Read every input and hand its records, in input order, to ``write``; return the account of
    what was read (its ``records`` empty, ``count`` the number written).

    Raises :class:`Restart` when a long table read in chunks must be read whole after all (the
    caller starts its output again and passes that table's name in ``whole``).
    """
    from procdata.normalize.table import empty_records

    limits = current()  # this run's (--limit), sent to the workers
    workers = workers or cores()
    units = plan(inputs, encoding, workers)
    account = IngestResult(records=empty_records())
    account.count = 0
    with Pool(workers if in_parallel(units, workers) else 0) as pool:
        futures = {}
        if pool is not None:
            for number, unit in enumerate(units):
                if unit.grouped:
                    futures[number] = pool.submit(
                        ingest_files, [str(p) for p, _ in unit.files], encoding, fiscal_year, overrides, limits,
                    )
        for number, unit in enumerate(units):
            if unit.stream and unit.files[0][1] not in whole:
                path, display = unit.files[0]
                if on_file:
                    on_file(display)
                _stream_into(path, display, encoding, fiscal_year, write, account, on_rows, overrides, limits)
                continue
            if unit.copy_of is not None:
                if on_file:
                    on_file(unit.files[0][1])
                account.absorb(unit.copy_account())
                continue
            if number in futures:
                part = futures[number].result()
                for _, display in unit.files:
                    if on_file:
                        on_file(display)
            else:
                from procdata.read.ingest import ingest

                part = ingest([str(p) for p, _ in unit.files], encoding=encoding, fiscal_year=fiscal_year, on_file=on_file,
                              overrides=overrides, limits=limits)
            if len(part.records):
                write(part.records)
            account.absorb(part)
    return account


def _stream_into(
    path: Path, display: str, encoding: str | None, fiscal_year: int | None, write: Callable[[pd.DataFrame], None],
    account: IngestResult, on_rows: Callable[[str, int], None] | None = None, overrides: Overrides | None = None,
    limits: Limits | None = None,
) -> None:
    """A long table read and written chunk by chunk (read whole when it cannot be, if nothing of it
    is written yet; else :class:`Restart`)."""
    from procdata.errors import is_file_error
    from procdata.normalize.investment import apply_overrides
    from procdata.normalize.procedure import merged_resolutions
    from procdata.read import stream
    from procdata.read.ingest import ingest

    parts = IngestResult(records=None)
    issues = []
    resolutions = []
    written = 0
    try:
        for part in stream.stream_ahead(path, display, fiscal_year=fiscal_year, rows=stream.CHUNK_ROWS):
            if overrides:
                apply_overrides(part.records, overrides.by_project, overrides.by_item)
            write(part.records)
            resolutions.append(part.resolutions)
            written += len(part.records)
            parts.sheets += part.sheets
            issues.append(part.issues)
            if on_rows:
                on_rows(display, written)
    except BaseException as error:  # anything the chunks raise: reading the file whole says what is wrong with it
        if not is_file_error(error):
            raise
        if written:
            raise Restart(display) from None
        whole = ingest([path], encoding=encoding, fiscal_year=fiscal_year, overrides=overrides, limits=limits)
        if len(whole.records):
            write(whole.records)
        account.absorb(whole)
        return
    parts.files.append(display)
    parts.sheets = stream.merged_sheets(parts.sheets)
    parts.issues = stream.merged_issues(issues)
    parts.resolutions = merged_resolutions(resolutions)
    parts.count = written
    account.absorb(parts)
