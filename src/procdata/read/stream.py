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

import contextlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from procdata.model import CellIssues, IngestResult, SheetReport
from procdata.read.delimited import detect_encoding, every_column_text, sniff_delimiter
from procdata.read.files import SNIFF, Sheet, kind_of

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

STREAM_BYTES = 48 << 20  # files at least this big are read in chunks
CHUNK_ROWS = 200_000  # rows of a chunk
FIRST_ROWS = 25_000  # rows of the first chunk, smaller: its checks start while the next rows are read
# CSV blocks: Arrow's streaming reader parses some 36 blocks ahead of the one read, so blocks are
# small (with 32 MB blocks, as for a whole file, that is more than a gigabyte held in advance).
STREAM_BLOCK = 4 << 20


class NotStreamable(Exception):
    """A file that must be read whole: not a plain table, or one whose chunks would read differently."""


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
    with path.open("rb") as handle:
        head = handle.read(SNIFF)
    if head.startswith(b"PAR1"):
        from procdata.read.parquet import batches, frame_of

        pieces = batches(path, display, rows)
        header = next(pieces)
        first = True
        for piece in pieces:
            yield frame_of([header, piece] if first else [piece])
            first = False
        if first:
            yield frame_of([header])
        return
    yield from _ahead(_csv_grids(path, sniff_delimiter(head.decode("utf-8", errors="replace")), rows))


def _ahead(items: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """``items``, the next one made on another thread while this one is used: reading the CSV goes on
    while the chunk before it is normalized and checked, and never more than one chunk ahead."""
    import queue
    import threading

    waiting: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def make() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        waiting.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            waiting.put(("end", None))
        except BaseException as error:  # handed to the reader of the chunks, who raises it
            waiting.put(("error", error))

    maker = threading.Thread(target=make, name="procdata-read-ahead", daemon=True)
    maker.start()
    try:
        while True:
            kind, value = waiting.get()
            if kind == "end":
                return
            if kind == "error":
                raise value  # type: ignore[misc]
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        while maker.is_alive():  # let it finish the item in hand, so that it does not outlive the file
            with contextlib.suppress(queue.Empty):
                waiting.get(timeout=0.1)
        maker.join()


def _csv_grids(path: Path, delimiter: str, rows: int) -> Iterator[pd.DataFrame]:
    import pyarrow as pa

    held: list[pa.RecordBatch] = []
    count = 0
    size = min(rows, FIRST_ROWS)
    try:
        for batch in _csv_batches(path, delimiter):
            held.append(batch)
            count += batch.num_rows
            while count >= size:  # a chunk of exactly ``size`` rows; the rest waits for the next
                table = pa.Table.from_batches(held)
                yield _frame(table.slice(0, size))
                held = table.slice(size).to_batches()
                count -= size
                size = rows
        if count:
            yield _frame(pa.Table.from_batches(held))
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError):
        # Rows longer than the first (title lines above the header), a line break inside a quoted cell
        # cut by a block boundary, or bytes that are not UTF-8: the whole-file reader copes with each.
        raise NotStreamable(str(path)) from None


def _csv_batches(path: Path, delimiter: str) -> Iterator[pa.RecordBatch]:
    """The rows of a CSV file as Arrow reads them a block at a time: every line a row (an empty one a
    row of empty cells), and a row with fewer cells than the first line (an e-GP row that lost its
    trailing empty cells) put back in place, padded, as the whole-file reader reads it."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from procdata.read.limits import current

    fields = current().fields
    short: deque[tuple[int, str]] = deque()  # rows shorter than the first line, not yet put back: (position, text)

    def short_row(row: Any) -> str:
        # Put back in place below, whatever their number: 100,000 rows of which half are short, 4.2-4.3 s
        # in chunks against 5.7 s read whole (and a whole read's memory grows with the table).
        if row.number is None or row.actual_columns > row.expected_columns:
            return "error"  # a longer row (a title line above the header): read whole
        short.append((row.number - 1, row.text))
        return "skip"

    with _quiet(short_row):
        reader = pacsv.open_csv(
            path,
            # One thread: this reader already runs on a thread of its own beside the checks, and Arrow's
            # threads cost more CPU than they save (1M rows: 2.1 s of CPU instead of 2.8-3.4 s).
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=STREAM_BLOCK, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=False, ignore_empty_lines=False, invalid_row_handler=short_row,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=every_column_text(fields + 1),
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
        read = 0  # rows read so far, short ones put back included
        for batch in reader:
            if batch.num_columns > fields:
                raise NotStreamable(str(path))  # the whole-file reader says which limit
            batch = _with_short_rows(batch, short, read, delimiter)
            read += batch.num_rows
            yield batch
        if short:  # short rows past the last row read: not where they should be, so read whole
            raise pa.ArrowInvalid("a short row out of place")


@contextlib.contextmanager
def _quiet(handler: Any) -> Iterator[None]:
    """pyarrow decodes a row's text before it calls ``handler``: a row that is not UTF-8 fails there, is
    taken as an error (the file is read whole, which names the line), and Python would print the
    failure to stderr as "Exception ignored in ..." with a traceback. That print is left out; any other
    goes to the hook as before."""
    import sys

    before = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if unraisable.object is handler and isinstance(unraisable.exc_value, UnicodeDecodeError):
            return
        before(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = before


def _with_short_rows(batch: pa.RecordBatch, short: deque[tuple[int, str]], start: int, delimiter: str) -> pa.RecordBatch:
    """``batch`` (the file's rows from position ``start`` on, short rows left out) with the short rows
    that stand among its rows or right after them put back in place, padded with empty cells: the
    rows the whole-file reader gives, in one batch (not a piece per row, which every column-wise step
    after this would pay for). Those put back leave ``short``."""
    import csv

    import pyarrow as pa

    if not short or short[0][0] > start + batch.num_rows:
        return batch
    width = batch.num_columns
    order: list[int] = []  # the rows out, as places in the batch followed by the short rows
    cells: list[list[str]] = []
    taken, at = 0, start
    while True:
        if short and short[0][0] == at:
            _, text = short.popleft()
            row = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])
            order.append(batch.num_rows + len(cells))
            cells.append((row + [""] * width)[:width])
            at += 1
        elif taken < batch.num_rows:
            run = batch.num_rows - taken if not short else min(batch.num_rows - taken, short[0][0] - at)
            if run <= 0:
                raise pa.ArrowInvalid("a short row out of place")  # read whole
            order.extend(range(taken, taken + run))
            taken += run
            at += run
        else:
            break
    where = pa.array(order, pa.int64())
    columns = [
        pa.concat_arrays([batch.column(n), pa.array([row[n] for row in cells], pa.large_string())]).take(where)
        for n in range(width)
    ]
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _frame(table: pa.Table) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({n: pd.arrays.ArrowStringArray(column) for n, column in enumerate(table.columns)}, copy=False)


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
