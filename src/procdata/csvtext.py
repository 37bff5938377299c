"""The canonical table as CSV text (``procdata ingest --out FILE.csv``).

:func:`plain_canonical_csv` is the definition: pandas' ``to_csv`` with two
decimals for amounts and ``true``/``false`` for flags. It calls Python for every
row (1.1 s for 100,000 records). :func:`canonical_csv_pieces` writes the same
bytes column-wise with Arrow, a slice of rows at a time, so a national table
streams to a CSV file (``output.TableWriter``); ``tests/test_csvtext.py`` proves
the two equal byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def canonical_csv(frame: pd.DataFrame, *, bom: bool = False, header: bool = True) -> bytes:
    """The canonical table as CSV text: amounts with two decimals, booleans true/false.

    Written column-wise by Arrow (:func:`canonical_csv_pieces`) where every column is of a kind it
    knows, otherwise by pandas (:func:`plain_canonical_csv`, whose bytes the other must equal:
    ``tests/test_output.py``)."""
    return (_BOM if bom else b"") + b"".join(csv_pieces(frame, header=header))


def csv_pieces(frame: pd.DataFrame, *, header: bool = True) -> Iterator[bytes | memoryview]:
    """:func:`canonical_csv`'s bytes (without a byte-order mark) a piece at a time."""
    pieces = canonical_csv_pieces(frame, header=header)
    return pieces if pieces is not None else iter([plain_canonical_csv(frame, header=header)])


_BOM = "\ufeff".encode()
CSV_ROWS = 50_000  # rows written at a time: the text of one piece is what is held besides the table


def canonical_csv_pieces(frame: pd.DataFrame, *, header: bool = True) -> Iterator[bytes | memoryview] | None:
    """:func:`plain_canonical_csv`'s bytes (without a byte-order mark) in pieces of :data:`CSV_ROWS`
    rows, each column turned to text at once by Arrow: 3-4 times faster than pandas' writer, which
    calls Python for every row. None when a column is of a kind other than the canonical table's
    (text, float64 amounts, Int64, boolean): pandas writes such a frame."""
    columns = []
    for name in frame.columns:
        column = _csv_column(frame[name])
        if column is None:
            return None
        columns.append(column)
    return _csv_rows(columns, len(frame), _csv_line(map(str, frame.columns)) if header else b"")


def _csv_rows(columns: list[Any], size: int, head: bytes) -> Iterator[bytes | memoryview]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from procdata.ahead import in_order

    if head:
        yield head
    if not columns:
        return
    comma, end, empty = (pa.scalar(text, pa.large_string()) for text in (",", "\n", ""))

    def lines(start: int) -> Any:
        # each line in one join: the fields with a comma between them, and the line's end
        fields = [part for column in columns for part in (comma, column.slice(start, CSV_ROWS))][1:]
        return pc.binary_join_element_wise(*fields, end, empty)

    for lines_of_slice in in_order(lines, range(0, size, CSV_ROWS)):  # two slices joined at once, on threads
        yield from text_views(lines_of_slice)


def text_bytes(texts: Any) -> bytes:
    """The bytes of an Arrow ``large_string`` array's values, one after the other."""
    return b"".join(text_views(texts))


def text_views(texts: Any) -> list[memoryview]:
    """:func:`text_bytes` as views of the array's buffers, a view a chunk: nothing copied (a national
    table's CSV text is written from where Arrow made it, not copied twice on the way)."""
    import numpy as np
    import pyarrow as pa

    views = []
    for chunk in texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]:
        if len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64, count=len(chunk) + 1, offset=chunk.offset * 8)
            views.append(memoryview(chunk.buffers()[2])[offsets[0] : offsets[-1]])
    return views


def _csv_column(series: pd.Series) -> Any:
    """A column as Arrow ``large_string`` CSV fields, or None for a kind this path does not write."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = str(series.dtype)
    if kind == "float64":
        return _amounts(series.to_numpy())
    if kind in ("string", "str") and series.dtype.storage == "pyarrow":  # type: ignore[union-attr]
        values = pa.array(series.array, from_pandas=True)
        return _quoted(values.cast(pa.large_string()).fill_null(""))
    if kind == "Int64":
        return pc.cast(pa.array(series.array, from_pandas=True), pa.large_string()).fill_null("")
    if kind == "boolean":
        values = pa.array(series.array, from_pandas=True)
        return pc.if_else(values, pa.scalar("true", pa.large_string()), pa.scalar("false", pa.large_string())).fill_null("")
    return None


def _csv_line(fields: Iterable[str]) -> bytes:
    """One line of CSV as Python's writer (pandas' too) writes it."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(list(fields))
    return buffer.getvalue().encode("utf-8")


@cache
def _quoting() -> str:
    """An RE2 class of the characters for which Python's CSV writer quotes a field (a carriage
    return only in some versions of Python)."""
    found = [c for c in '",\n\r' if _csv_line(["a" + c, "b"]).startswith(b'"')]
    return "[" + "".join({"\n": "\\n", "\r": "\\r"}.get(c, c) for c in found) + "]"


def _quoted(values: Any) -> Any:
    """Text fields quoted as Python's CSV writer quotes them: in double quotes, quotes doubled, where a
    field holds a comma, a quote or a line end (looked for in the column's bytes first: most hold none)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    texts = [data.to_pybytes() for data in (chunk.buffers()[2] for chunk in chunks) if data is not None]
    if not any(char in text for text in texts for char in (b'"', b",", b"\n", b"\r")):
        return values
    quote = pa.scalar('"', pa.large_string())
    wrapped = pc.binary_join_element_wise(quote, pc.replace_substring(values, '"', '""'), quote, pa.scalar("", pa.large_string()))
    return pc.if_else(pc.match_substring_regex(values, _quoting()), wrapped, values)


def _amounts(values: Any) -> Any:
    """Numbers as ``"%.2f" % value`` writes them (nothing for NaN), as Arrow ``large_string``.

    The cents are ``rint(value * 100)``. Rounding is monotone and each half-way point k + 0.5 is a
    double (below 2^52), so the rounded product lies on the same side of every half-way point as
    the exact product, or on it: then rounding it rounds the exact value the same way. Products
    that land on a half (0.125 * 100), values of 10^13 or more and those not finite go through
    Python's formatting."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = values * 100
        cents = np.rint(scaled)
        plain = (np.abs(values) < 1e13) & (scaled - np.floor(scaled) != 0.5)
    cents = np.abs(np.where(plain, cents, 0)).astype(np.int64)
    text = pa.large_string()
    whole = pc.cast(pa.array(cents // 100), text)
    fraction = pc.utf8_lpad(pc.cast(pa.array(cents % 100), text), 2, "0")
    negative = np.signbit(values) & plain
    sign = pc.if_else(pa.array(negative), pa.scalar("-", text), pa.scalar("", text))
    out = pc.binary_join_element_wise(sign, whole, pa.scalar(".", text), fraction, pa.scalar("", text))
    if plain.all():
        return out
    odd = np.flatnonzero(~plain)
    fields = np.array(out.to_pylist(), dtype=object)
    fields[odd] = ["" if value != value else f"{value:.2f}" for value in values[odd].tolist()]
    return pa.array(fields.tolist(), text)


def plain_canonical_csv(frame: pd.DataFrame, *, bom: bool = False, header: bool = True) -> bytes:
    """The canonical table as CSV by pandas' writer: the form :func:`canonical_csv_pieces` must equal."""
    out = frame.copy()
    for name in out.columns:
        if str(out[name].dtype) == "boolean":
            out[name] = out[name].map({True: "true", False: "false"}).astype("string")
    text = out.to_csv(index=False, float_format="%.2f", lineterminator="\n", header=header)
    return (("\ufeff" if bom else "") + text).encode("utf-8")
