"""CSV and tab-separated text as people save it: any line ending, UTF-8 with or
without a BOM, UTF-16 (Excel's "Unicode text"), cp874 from Thai Windows; commas,
tabs or semicolons.

UTF-8 files are read by Arrow's multithreaded reader; the rest, and files whose
rows have different lengths (title lines above the header), by the csv module.
Every row is checked against the field limit before its cells are kept.
"""

from __future__ import annotations

import codecs
import csv
import io
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from procdata.errors import InputError, LimitError
from procdata.read.limits import Deadline, Limits

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

CSV_BLOCK = 32 << 20
# A CSV read whole takes about 1.7 times its size in memory at its peak (1.15 GB of national
# e-GP data: 2.0 GB); one whose peak would pass the memory limit is refused before it is read
# whole. A long UTF-8 table is read in chunks instead (read/stream.py), a chunk at a time, and
# not refused for its size.
MEMORY_PER_BYTE = 1.7
# Read by the csv module instead (rows of different lengths, such as a title line above the header;
# another encoding), a CSV takes about 7 times its size: a list of Python strings per row (115 MB of
# national data with a title line: 786 MB at its peak). 1.15 GB so read ran into the time limit at
# 4.8 GB; one that would pass the memory limit is refused before it is decoded.
TEXT_MEMORY_PER_BYTE = 7


def detect_encoding(head: bytes) -> str:
    """``utf-8-sig``, ``utf-16``, ``utf-8`` or ``cp874``, judged from the first bytes (``unknown`` if none fits)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if looks_utf16le(head):
        return "utf-16-le"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp874")
        return "cp874"
    except UnicodeDecodeError:
        pass
    return "utf-8" if _damaged_utf8(head) else "unknown"


def _damaged_utf8(head: bytes) -> bool:
    """UTF-8 text with a few damaged characters: reading it as UTF-8 names the line of the first."""
    text = head.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    wide = len(text) - len(text.encode("ascii", errors="ignore")) - bad  # characters beyond ASCII, read well
    return bad <= _DAMAGED and wide >= 10 * bad


_DAMAGED = 8  # bad bytes in the first 64 KB of a UTF-8 file before its encoding is in doubt


def undecodable(display: str, encoding: str, data: bytes, error: UnicodeDecodeError) -> InputError:
    """The error for text that ``encoding`` cannot decode, naming the line of the first bad byte."""
    start = error.start
    if encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        start += len(codecs.BOM_UTF8)  # that codec counts from after its byte-order mark
    if _line_ends_are_bytes(encoding):
        line = data.count(b"\n", 0, start) + 1  # (no copy of the text before it)
    else:
        line = data[:start].decode(encoding, errors="replace").count("\n") + 1
    return _failed_line(display, encoding, line)


def _failed_line(display: str, encoding: str, line: int) -> InputError:
    other = "utf-8" if encoding == "cp874" else "cp874"
    return InputError("file_encoding_failed_line", display, encoding=encoding, line=f"{line:,}", other=other)


def _line_ends_are_bytes(encoding: str) -> bool:
    """Whether a line end is the byte 0x0A wherever it stands, never part of another character."""
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig", "cp874")
    except LookupError:
        return False


SCAN_BLOCK = 16 << 20
SCAN_FROM = 64 << 20  # files this large are scanned a block at a time before they are read whole


def first_undecodable(path: Path, display: str, encoding: str, deadline: Deadline | None = None) -> InputError | None:
    """The error naming the line of the first bytes ``encoding`` cannot decode in ``path``, found a
    block at a time (at most a block's text held); None when every byte decodes. A long UTF-8 table
    with one bad byte near its end is read in chunks until that byte; read whole after that, only to
    name its line, it took 7 GB and 25 s (1,000,000 rows, 1.15 GB)."""
    if not _line_ends_are_bytes(encoding):
        return None
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1  # of the block's first byte
    with path.open("rb") as file:
        while True:
            block = file.read(SCAN_BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                # The error's bytes are this block after what the decoder held back from the one before
                # (the start of a character the block cut, no line end among it; or a byte-order mark taken off).
                return _failed_line(display, encoding, line + error.object.count(b"\n", 0, error.start))
            if not block:
                return None
            line += block.count(b"\n")
            if deadline is not None:
                deadline.check()


def looks_utf16le(head: bytes) -> bool:
    """UTF-16 without a BOM: every second byte is the high byte of ASCII (00) or Thai (0E)."""
    sample = head[: len(head) & ~1][:4096]
    if len(sample) < 8:
        return False
    high = sample[1::2]
    return 0 in high and all(byte in (0, 0x0E) for byte in high)


def sniff_delimiter(sample: str) -> str:
    """The separator used most in the first lines: comma, tab or semicolon."""
    lines = sample.splitlines()[:20]
    counts = {d: sum(line.count(d) for line in lines) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_text(path: Path, display: str, head: bytes, encoding: str | None, limits: Limits, deadline: Deadline) -> list[list[str]] | pd.DataFrame:
    """The cells of a delimited text file: a frame of text (Arrow) or rows (the csv module)."""
    import pandas as pd

    size = path.stat().st_size
    if size * MEMORY_PER_BYTE > limits.memory << 20:
        raise LimitError(display, "memory", limits.memory)
    chosen = encoding or detect_encoding(head)
    if size >= SCAN_FROM:  # a bad byte far down is named without the whole file in memory
        failed = first_undecodable(path, display, chosen, deadline)
        if failed is not None:
            raise failed
    delimiter = sniff_delimiter(_sample(head, chosen))
    if chosen in ("utf-8", "utf-8-sig") and encoding is None:
        try:
            frame = _read_csv_arrow(path, delimiter, limits)
            if len(frame) > limits.rows:
                raise LimitError(display, "rows", limits.rows, len(frame))
            frame.columns = range(frame.shape[1])
            return frame
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError):
            pass  # ragged rows (title lines above the header): the csv module copes
        except Exception as error:  # pyarrow.lib.ArrowInvalid and kin
            if not type(error).__module__.startswith("pyarrow"):
                raise
    if size * TEXT_MEMORY_PER_BYTE > limits.memory << 20:
        raise LimitError(display, "memory", limits.memory)
    text = _decode(path, display, head, encoding)
    return _rows(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter, display, limits, deadline)


def _sample(head: bytes, chosen: str) -> str:
    encoding = chosen if chosen != "unknown" else "latin-1"
    try:
        return head.decode(encoding, errors="replace")
    except LookupError:
        return head.decode("latin-1")


def _rows(stream: io.StringIO, delimiter: str, display: str, limits: Limits, deadline: Deadline) -> list[list[str]]:
    """Rows from the csv module, each checked against the field limit (and the time) as it comes."""
    rows: list[list[str]] = []
    try:
        for number, row in enumerate(csv.reader(stream, delimiter=delimiter), start=1):
            if len(row) > limits.fields:
                raise LimitError(display, "fields", limits.fields, len(row))
            if number > limits.rows:
                raise LimitError(display, "rows", limits.rows, f"> {limits.rows:,}")
            if number % 8192 == 0:
                deadline.check()
            rows.append(row)
    except csv.Error as error:
        raise InputError("file_unreadable_reason", display, reason=f"CSV: {error}") from None
    return rows


def _decode(path: Path, display: str, head: bytes, encoding: str | None) -> str:
    chosen = encoding or detect_encoding(head)
    if chosen == "unknown":
        raise InputError("file_encoding", display)
    data = path.read_bytes()
    try:
        return data.decode(chosen)
    except LookupError:
        raise InputError("bad_encoding_option", display, encoding=chosen) from None
    except UnicodeDecodeError as error:
        raise undecodable(display, chosen, data, error) from None


def _read_csv_arrow(path: Path, delimiter: str, limits: Limits) -> pd.DataFrame:
    """Every cell as text, read by Arrow's multithreaded CSV reader.

    32 MB blocks keep each column of a national table (877 MB) in 28 chunks
    rather than 880 with the default 1 MB: every column-wise step after this
    pays a little for each chunk, while both cores still parse.

    A quoted cell may hold several lines (one bidder per line). Arrow's parser
    reads such a cell right within a block; only a block boundary inside it
    goes wrong, and Arrow says so ("got out of sync with chunker", or a count
    of columns) rather than misreading. So the file is first read with the fast
    chunker that splits blocks at any line break (``newlines_in_values=False``,
    0.8 s less on a national table) and, only if that fails, again with the one
    that follows quotes.
    """
    import pandas as pd
    import pyarrow as pa

    try:
        table = _arrow_csv(path, delimiter, limits.fields, newlines_in_values=False)
    except pa.ArrowInvalid:
        table = _arrow_csv(path, delimiter, limits.fields, newlines_in_values=True)
    if table.num_columns > limits.fields:
        raise ValueError("too many columns")  # the csv module says which limit, row by row
    # As table.to_pandas() with Arrow strings gives it, without its cost per call (a thousand small files).
    return pd.DataFrame({n: pd.arrays.ArrowStringArray(column) for n, column in enumerate(table.columns)}, copy=False)


class UnsplitLineEnds(io.BufferedReader):
    r"""A file for Arrow's CSV readers whose reads never end between the CR and the LF of one line
    break. Arrow drops the LF when its buffers split the pair inside a quoted cell (apache/arrow#51368,
    pyarrow 26): ``"x\r\ny"`` became ``"x\ry"``, silently, wherever a buffer happened to end."""

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if len(data) > 1 and data.endswith(b"\r") and self.peek(1)[:1] == b"\n":
            self.seek(-1, io.SEEK_CUR)  # the CR is read again with its LF
            return data[:-1]
        return data


def _arrow_csv(path: Path, delimiter: str, fields: int, *, newlines_in_values: bool) -> pa.Table:
    import pyarrow.csv as pacsv

    with UnsplitLineEnds(io.FileIO(path)) as file:
        return pacsv.read_csv(
            file,
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=CSV_BLOCK),
            # An empty line is a row (of empty cells), as Excel and the csv module count it: the rows below it
            # keep the numbers the officer sees.
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=newlines_in_values, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=every_column_text(fields + 1), strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )


@cache
def every_column_text(count: int) -> dict[str, pa.DataType]:
    """Large strings: what pandas keeps text in, so that no column is converted afterwards (made once,
    not for each of a thousand small files)."""
    import pyarrow as pa

    return {f"f{i}": pa.large_string() for i in range(count)}
