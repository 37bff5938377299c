"""Long tables read in chunks: memory that stays bounded however many rows a CSV or Parquet file has.

A national table of millions of rows is read with Arrow's streaming reader a
chunk of rows at a time; each chunk is read under the title and header rows of
the first (``batch.read_together``) and normalized, and its records are
checked or written before the next chunk is read. Only what must be known of
the whole table is kept (``check.validate.Checker``).

Reading in chunks gives what reading the file whole gives only when the file
is a plain table (every row a record of its own or blank), its bidders are
written alike throughout, and no record lacks a fiscal year that the rest of
the table would give it. The first two are checked chunk by chunk, the last
at the end; when one fails, :class:`NotStreamable` says so and the caller
reads the file whole instead (``tests/test_stream.py`` compares the two).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from procdata.ahead import Ahead
from procdata.model import CellIssues, IngestResult, SheetReport
from procdata.read.csvgrids import NotStreamable, csv_grids
from procdata.read.delimited import detect_encoding, sniff_delimiter
from procdata.read.files import SNIFF, Sheet, kind_of

if TYPE_CHECKING:
    import pandas as pd

STREAM_BYTES = 48 << 20  # files at least this big are read in chunks
CHUNK_ROWS = 200_000  # rows of a chunk


def streamable(path: Path, encoding: str | None = None, size: int = STREAM_BYTES) -> bool:
    """Whether ``path`` is a CSV (UTF-8) or Parquet file of at least ``size`` bytes."""
    try:
        if path.stat().st_size < size:
            return False
        with path.open("rb") as handle:
            head = handle.read(SNIFF)
    except OSError:
        return False
    if head.startswith(b"PAR1"):
        return True
    return kind_of(path, head) == "text" and encoding is None and detect_encoding(head) in ("utf-8", "utf-8-sig")


@dataclass
class _Seen:
    """What the chunks read so far say about the whole table."""

    years: set[int] = field(default_factory=set)
    year_missing: bool = False
    bidders: set[bool] = field(default_factory=set)  # for chunks with bidders: whether all start with "["


def stream(
    path: Path, display: str, *, fiscal_year: int | None = None, rows: int = CHUNK_ROWS,
) -> Iterator[IngestResult]:
    """The records of ``path``, chunk by chunk, each with its issues and its sheet report.

    Raises :class:`NotStreamable` (possibly after some chunks) when the file must be read whole.
    """
    import pandas as pd

    from procdata.normalize.columns import STRING
    from procdata.read.batch import Alike, alike, read_together
    from procdata.read.layout import _rows_texts

    first = None
    prefix: pd.DataFrame | None = None
    before = 0  # rows of data in the chunks already read
    seen = _Seen()
    for grid in _grids(path, display, rows):
        frame = grid if prefix is None else pd.concat([prefix, grid], ignore_index=True)
        file = alike(path, display, [Sheet("", frame)], first)
        if file is None or (first is not None and file.key != first.key):
            raise NotStreamable(display)
        together = read_together([file], fiscal_year)
        if together is None:
            raise NotStreamable(display)
        records, account, _ = together
        if before:
            records["source_row"] = records["source_row"] + before
            for run in account.issues.runs:
                run.rows = run.rows + before
            for entry in account.resolutions:
                entry.rows = [row + before for row in entry.rows]
        _note(seen, records, frame.iloc[file.layout.data_start :], file.layout.columns)
        if first is None:
            # Only the title and header rows are kept for the chunks to come (a copy: a slice would hold
            # the whole of the first chunk).
            head = _rows_texts(frame, 0, file.layout.data_start)
            prefix = pd.DataFrame({n: pd.array(column, dtype=STRING) for n, column in enumerate(zip(*head, strict=True))})
            first = Alike(path, display, [Sheet("", prefix)], 0, file.layout, file.key)
        before += file.rows
        yield IngestResult(records=records, files=[display], sheets=account.sheets, issues=account.issues, resolutions=account.resolutions)
    if seen.year_missing and fiscal_year is None and len(seen.years) == 1:
        raise NotStreamable(display)  # the whole table would give its one year to the records lacking one
    if len(seen.bidders) > 1:
        raise NotStreamable(display)  # bidders read as JSON in some chunks, as text in others


def stream_ahead(
    path: Path, display: str, *, fiscal_year: int | None = None, rows: int = CHUNK_ROWS,
) -> Iterator[IngestResult]:
    """:func:`stream`, each chunk normalized on a thread of its own while the one before is checked or
    written: the cores stay busy where one waited for the other (clean 1M rows: 1.66 of the two
    cores busy on average, against 1.62, medians of ten runs in turns). The same chunks in the same
    order, and the same errors where they would be (``procdata.ahead.Ahead``)."""
    # One chunk normalized ahead, not two: where the chunks are used more slowly than they are made
    # (ingest writing CSV, about 1.1 s a chunk), a second held 250 MB more for no gain.
    return iter(Ahead(stream(path, display, fiscal_year=fiscal_year, rows=rows), "procdata-normalize-ahead", ahead=1))


def _note(seen: _Seen, records: pd.DataFrame, body: pd.DataFrame, columns: dict[str, int]) -> None:
    from procdata.normalize.columns import json_cells

    years = records["fiscal_year"]
    seen.year_missing |= bool(years.isna().any())
    seen.years |= {int(y) for y in years.dropna().unique()}
    if "bidders" in columns and "bidder_names" not in columns and "bidder_prices" not in columns:
        said = json_cells(body[columns["bidders"]])
        if said is not None:
            seen.bidders.add(said)


def _grids(path: Path, display: str, rows: int) -> Iterator[pd.DataFrame]:
    """The file as text grids of about ``rows`` rows; the first holds the title and header rows."""
    chunks = _take_early(path, rows) or _read_ahead(path, rows)
    if chunks is not None:
        yield from chunks
        return
    from procdata.read.parquet import batches, frame_of  # a Parquet file

    pieces = batches(path, display, rows)
    header = next(pieces)
    first = True
    for piece in pieces:
        yield frame_of([header, piece] if first else [piece])
        first = False
    if first:
        yield frame_of([header])


def _read_ahead(path: Path, rows: int) -> Ahead | None:
    """The CSV table at ``path`` read in chunks of ``rows`` by Arrow on a thread of its own, starting
    now; None for a Parquet file (read by its own reader)."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF)
    if head.startswith(b"PAR1"):
        return None
    # Two chunks read while the command loads its modules, then one ahead of the one being normalized.
    grids = csv_grids(path, sniff_delimiter(head.decode("utf-8", errors="replace")), rows)
    return Ahead(grids, "procdata-read-ahead", ahead=1, start=1)


# A long CSV table's chunks being read since before the command had loaded its modules (:func:`prestart`):
# what identifies the file and the reading, and the chunks.
_early: tuple[tuple[Any, ...], Ahead] | None = None


def prestart(path: Path) -> None:
    """Start reading the chunks of ``path`` now, when it is a long CSV table (:func:`streamable`):
    ``procdata validate|ingest FILE`` calls this before it loads pandas and the rest, and the
    chunks' reading, which runs without Python's lock, goes on meanwhile. :func:`stream` then takes
    them if it reads the same file, unchanged, with the same limits; otherwise they are let go."""
    global _early
    import atexit

    path = Path(path)
    if _early is not None or not streamable(path, None, STREAM_BYTES):
        return
    key = _key(path, CHUNK_ROWS)
    if key is None:
        return
    try:
        chunks = _read_ahead(path, CHUNK_ROWS)
    except OSError:
        return
    if chunks is not None:
        _early = (key, chunks)
        atexit.register(_let_go)


def _key(path: Path, rows: int) -> tuple[Any, ...] | None:
    from procdata.read.limits import current

    try:
        stat = path.stat()
        return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, rows, current().fields)
    except OSError:
        return None


def _take_early(path: Path, rows: int) -> Ahead | None:
    """The chunks :func:`prestart` began to read when they are those of ``path`` read in ``rows``;
    chunks of anything else are let go (this run reads something else)."""
    global _early
    if _early is None:
        return None
    key, early = _early
    _early = None
    if key == _key(path, rows):
        return early
    early.close()
    return None


def _let_go() -> None:
    """At exit: chunks read early and never taken (the command stopped before, or read the file whole)."""
    global _early
    if _early is not None:
        _early[1].close()
        _early = None


def merged_issues(parts: list[CellIssues]) -> CellIssues:
    """The issues of a file's chunks in the order one pass over the whole file raises them: place by
    place (each chunk raises its places in the same order), each call of a place in turn, and within
    a call chunk by chunk."""
    runs = sorted(((run.site, run.call, number, run) for number, issues in enumerate(parts) for run in issues.runs), key=lambda r: r[:3])
    merged = CellIssues()
    for *_, run in runs:
        merged.add(run)
    return merged


def merged_sheets(reports: list[SheetReport]) -> list[SheetReport]:
    """The sheet reports of a file's chunks as one: the records of all of them."""
    if not reports:
        return []
    first = reports[0]
    return [SheetReport(
        first.file, first.sheet, first.read, first.reason, first.layout, list(first.header_rows),
        int(np.sum([r.records for r in reports])), dict(first.columns), list(first.ignored_columns),
    )]
