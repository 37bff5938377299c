"""A long CSV table's rows as text grids of a chunk each, read on a thread of their own ahead of their use.

Arrow's streaming reader parses the file a block at a time; the rows are cut
into grids of exactly the chunk's rows (the first smaller, so that its checks
start early), each a frame of Arrow text columns. The grids are made on a
thread (:class:`procdata.ahead.Ahead`), one ahead of the one in use: parsing the CSV, which
runs without Python's lock, goes on while the chunk before it is normalized
and checked. Rows shorter than the first line (an e-GP row that lost its
trailing empty cells) are put back in place, padded, as the whole-file reader
reads them; anything else the whole-file reader copes with and this one does
not is :class:`~procdata.read.stream.NotStreamable`.
"""

from __future__ import annotations

import contextlib
import io
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procdata.read.delimited import UnsplitLineEnds, every_column_text

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

FIRST_ROWS = 25_000  # rows of the first chunk, smaller: its checks start while the next rows are read
# CSV blocks: Arrow's streaming reader parses some 36 blocks ahead of the one read, so blocks are
# small (with 32 MB blocks, as for a whole file, that is more than a gigabyte held in advance), and
# smaller blocks parse faster on this machine (their bytes stay in the cache): 2 MB rather than 4 MB
# took the clean 1M run 15.5 s of CPU against 16.8 s (medians of six pairs in turns, lower in each),
# and 1,281 MB at its peak against 1,322 MB; 1 MB was no faster than 2 MB.
STREAM_BLOCK = 2 << 20
# Blocks put together (their text copied once) before the rows are cut into chunks: a chunk's column
# is then a few Arrow pieces of 16 MB or so instead of some 112, and the column-wise steps after this,
# which pay a little Python for each piece, pay for fewer (clean 1M rows, ten runs of each in turns:
# faster in seven, by 0.49 s at the median; peak memory no higher).
BLOCKS_TOGETHER = 8


class NotStreamable(Exception):
    """A file that must be read whole: not a plain table, or one whose chunks would read differently."""


def csv_grids(path: Path, delimiter: str, rows: int) -> Iterator[pd.DataFrame]:
    import pyarrow as pa

    held: list[pa.RecordBatch] = []
    count = 0
    size = min(rows, FIRST_ROWS)
    try:
        for batch in _together(_csv_batches(path, delimiter), BLOCKS_TOGETHER):
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


def _together(batches: Iterator[pa.RecordBatch], count: int) -> Iterator[pa.RecordBatch]:
    """``batches`` put together ``count`` at a time, each group one batch (the rows in their order)."""
    group: list[pa.RecordBatch] = []
    for batch in batches:
        group.append(batch)
        if len(group) >= count:
            yield _one_batch(group)
            group = []
    if group:
        yield _one_batch(group)


def _one_batch(group: list[pa.RecordBatch]) -> pa.RecordBatch:
    import pyarrow as pa

    if len(group) == 1:
        return group[0]
    together = pa.Table.from_batches(group).combine_chunks().to_batches()
    return together[0] if together else group[0]  # none when every batch is empty: no rows either way


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

    lead, offset = _lead_lines(path, delimiter)
    with _quiet(short_row), UnsplitLineEnds(io.FileIO(path)) as file:
        file.seek(offset)  # the header's line: title lines above it are put back in the first batch
        reader = pacsv.open_csv(
            file,
            # One thread: this reader already runs on a thread of its own beside the checks, and Arrow's
            # threads cost more CPU than they save with 4 MB blocks (1M rows: 2.1 s of CPU instead of
            # 2.8-3.4 s). With 2 MB blocks they cost less and the clean 1M run was faster in 7 pairs of
            # 10, but rows are then handed to short_row out of order and without their numbers: a
            # table with short rows could not be read in chunks.
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=STREAM_BLOCK, use_threads=False),
            # The chunker that follows quotes: a cell of several lines (an item name typed with Alt+Enter)
            # where a block ends would stop the fast one, and the table would then be read whole, its
            # memory growing with it (1M rows, 1% of names on two lines: 2,052 MiB against 1,212 MiB).
            # Reading alone, it costs no more here (1M rows: 2.15-2.58 s against 2.19-3.06 s, in turns).
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=short_row,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=every_column_text(fields + 1),
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
        read = 0  # rows read so far from the header on, short ones put back included
        for batch in reader:
            if batch.num_columns > fields:
                raise NotStreamable(str(path))  # the whole-file reader says which limit
            batch = _with_short_rows(batch, short, read, delimiter)
            read += batch.num_rows
            if lead:
                batch, lead = _with_lead(batch, lead), []
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
            cells.append(row)
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
    columns = [pa.concat_arrays([batch.column(n), put]).take(where) for n, put in enumerate(_padded(cells, width))]
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _padded(rows: list[list[str]], width: int) -> list[pa.Array]:
    """Rows read apart from Arrow (short rows, title lines) as ``width`` text columns, padded with empty cells."""
    import pyarrow as pa

    rows = [(row + [""] * width)[:width] for row in rows]
    return [pa.array([row[n] for row in rows], pa.large_string()) for n in range(width)]


LEAD_LINES = 10  # title lines above a header looked for


def _lead_lines(path: Path, delimiter: str) -> tuple[list[list[str]], int]:
    """Title lines above the header (a report's name, a blank line): their cells, and where the header's
    line starts. Arrow's reader takes its row length from its first line, and a wider row after it
    stopped the stream, so that such a table was read whole (a national table of 1.15 GB took 4.8 GB
    and then the time limit). The header is the first line wider than every line above it and as wide as
    the line below it; a quoted cell of several lines among them leaves the table to the whole-file
    reader, as before. None found: no lines, offset 0."""
    import csv

    with path.open("rb") as file:
        head = file.read(64 << 10)
    lines = head.split(b"\n")[:-1][: LEAD_LINES + 2]  # whole lines only
    widths: list[int] = []
    cells: list[list[str]] = []
    for number, line in enumerate(lines):
        if line.count(b'"') % 2:
            break  # a quoted cell that goes on to the next line
        try:
            text = line.decode("utf-8-sig" if number == 0 else "utf-8").rstrip("\r")
        except UnicodeDecodeError:
            break
        row = next(csv.reader([text], delimiter=delimiter), [])
        cells.append(row)
        widths.append(len(row))
    for at in range(1, len(widths) - 1):
        if widths[at] > max(widths[:at]) and widths[at + 1] == widths[at]:
            offset = sum(len(line) + 1 for line in lines[:at])
            return cells[:at], offset
        if widths[at] <= max(widths[:at]) and widths[at] > 1:
            break  # rows of a table already: no title above it
    return [], 0


def _with_lead(batch: pa.RecordBatch, lead: list[list[str]]) -> pa.RecordBatch:
    """``batch`` (the first, from the header on) with the title lines above it, padded with empty cells."""
    import pyarrow as pa

    columns = [pa.concat_arrays([put, batch.column(n)]) for n, put in enumerate(_padded(lead, batch.num_columns))]
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _frame(table: pa.Table) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({n: pd.arrays.ArrowStringArray(column) for n, column in enumerate(table.columns)}, copy=False)


