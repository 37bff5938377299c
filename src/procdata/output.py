"""Writing files safely: atomically (temporary file, then rename) and reproducibly."""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from procdata.errors import OutputError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


def check_not_inputs(targets: Iterable[Path], inputs: Iterable[Path]) -> None:
    """Refuse to write any of ``targets`` that is one of ``inputs`` (input files, not folders).

    The same file is found however it is named: the same path once resolved
    (symlinks followed), or the same file on disk (a hard link). Raises
    :class:`~procdata.errors.OutputError` (exit 2) naming both.
    """
    paths: dict[Path, Path] = {}
    files: dict[tuple[int, int], Path] = {}
    for path in inputs:
        paths.setdefault(Path(path).resolve(), Path(path))
        with suppress(OSError):
            info = os.stat(path)
            files.setdefault((info.st_dev, info.st_ino), Path(path))
    for target in targets:
        found = paths.get(Path(target).resolve())
        if found is None:
            with suppress(OSError):
                info = os.stat(target)
                found = files.get((info.st_dev, info.st_ino))
        if found is not None:
            raise OutputError("output_is_input", out=str(target), input=str(found))


def write_atomic(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder."""
    with atomic_writer(path) as stream:
        stream.write(content)


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through: a temporary file in the same folder, renamed
    into place only when the block ends without an error (for outputs too big to hold in memory)."""
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as error:
        raise OutputError("output_unwritable", out=str(path), error=error.strerror or str(error)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError("output_unwritable", out=str(path), error=error.strerror or str(error)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def plain_value(value: Any) -> Any:
    """A cell as a plain Python value: numpy scalars unwrapped, NaN and NA as None."""
    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def canonical_csv(frame: pd.DataFrame, *, bom: bool = False, header: bool = True) -> bytes:
    """The canonical table as CSV text: amounts with two decimals, booleans true/false.

    Written column-wise by Arrow (:func:`canonical_csv_pieces`) where every column is of a kind it
    knows, otherwise by pandas (:func:`plain_canonical_csv`, whose bytes the other must equal:
    ``tests/test_output.py``)."""
    pieces = canonical_csv_pieces(frame, header=header)
    if pieces is None:
        return plain_canonical_csv(frame, bom=bom, header=header)
    return (_BOM if bom else b"") + b"".join(pieces)


_BOM = "\ufeff".encode()
CSV_ROWS = 50_000  # rows written at a time: the text of one piece is what is held besides the table


def canonical_csv_pieces(frame: pd.DataFrame, *, header: bool = True) -> Iterator[bytes] | None:
    """:func:`plain_canonical_csv`'s bytes (without a byte-order mark) in pieces of :data:`CSV_ROWS`
    rows, each column turned to text at once by Arrow: 3-4 times faster than pandas' writer, which
    calls Python for every row. None when a column is of a kind other than the canonical table's
    (text, float64 amounts, Int64, boolean): pandas writes such a frame."""
    import pyarrow as pa

    columns = []
    for name in frame.columns:
        column = _csv_column(frame[name])
        if column is None:
            return None
        columns.append(column)
    return _csv_rows(columns, len(frame), _csv_line(map(str, frame.columns)) if header else b"", pa)


def _csv_rows(columns: list[Any], size: int, head: bytes, pa: Any) -> Iterator[bytes]:
    import numpy as np
    import pyarrow.compute as pc

    if head:
        yield head
    if not columns:
        return
    comma, end, empty = (pa.scalar(text, pa.large_string()) for text in (",", "\n", ""))
    for start in range(0, size, CSV_ROWS):
        # each line in one join: the fields with a comma between them, and the line's end
        fields = [part for column in columns for part in (comma, column.slice(start, CSV_ROWS))][1:]
        lines = pc.binary_join_element_wise(*fields, end, empty)
        for chunk in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
            if len(chunk):
                offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64, count=len(chunk) + 1, offset=chunk.offset * 8)
                yield chunk.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]


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


def canonical_arrow(frame: pd.DataFrame) -> pa.Table:
    """The canonical table with typed columns (:data:`ARROW_TYPES`): what Parquet keeps."""
    import pyarrow as pa

    columns = {}
    for name, kind in arrow_types().items():
        values = pa.array(frame[name].array, from_pandas=True) if name in frame else pa.nulls(len(frame))  # NaN: missing
        if pa.types.is_date32(kind):
            values = values.cast(pa.string())
        columns[name] = values.cast(kind)
    return pa.table(columns)


def arrow_types() -> dict[str, Any]:
    """Each canonical field's Arrow type, from its Table Schema type."""
    import pyarrow as pa

    from procdata.resources import schema

    kinds = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "date": pa.date32()}
    return {spec["name"]: kinds.get(spec["type"], pa.string()) for spec in schema("procurement")["fields"]}


class TableWriter:
    """The canonical table written a part at a time to a CSV, JSON or Parquet file (typed columns, zstd),
    through a temporary file in the same folder, renamed into place by :meth:`commit`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.kind = self.path.suffix.lower()
        self.rows = 0
        self._parquet: Any = None
        self._json = False  # a JSON array begun
        try:
            handle, self._temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent or ".")
        except OSError as error:
            raise OutputError("output_unwritable", out=str(self.path), error=error.strerror or str(error)) from None
        self._stream = os.fdopen(handle, "wb")

    def write(self, frame: pd.DataFrame) -> None:
        try:
            if self.kind == ".parquet":
                import pyarrow.parquet as pq

                table = canonical_arrow(frame)
                if self._parquet is None:
                    self._parquet = pq.ParquetWriter(self._stream, table.schema, compression="zstd")
                self._parquet.write_table(table)
            elif self.kind == ".json":
                from procdata.recordjson import record_pieces

                for piece in record_pieces(frame):
                    self._stream.write(b",\n" if self._json else b"[\n")
                    self._stream.write(piece)
                    self._json = True
            else:
                pieces = canonical_csv_pieces(frame, header=self.rows == 0)
                for piece in pieces if pieces is not None else [plain_canonical_csv(frame, header=self.rows == 0)]:
                    self._stream.write(piece)
        except OSError as error:
            self.abort()
            raise OutputError("output_unwritable", out=str(self.path), error=error.strerror or str(error)) from None
        self.rows += len(frame)

    def commit(self) -> None:
        """Finish the file and put it in place (a table with no records still has its columns)."""
        if self.rows == 0 and self._parquet is None:
            self._write_empty()
        try:
            if self.kind == ".json" and self._json:
                self._stream.write(b"\n]\n")
            if self._parquet is not None:
                self._parquet.close()
            self._stream.close()
            os.chmod(self._temporary, 0o644)
            os.replace(self._temporary, self.path)
        except OSError as error:
            self.abort()
            raise OutputError("output_unwritable", out=str(self.path), error=error.strerror or str(error)) from None

    def _write_empty(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from procdata.model import FIELDS

        if self.kind == ".parquet":
            schema = pa.schema(list(arrow_types().items()))
            self._parquet = pq.ParquetWriter(self._stream, schema, compression="zstd")
            self._parquet.write_table(schema.empty_table())
        elif self.kind == ".json":
            self._stream.write(b"[]\n")
        else:
            self._stream.write((",".join(FIELDS) + "\n").encode("utf-8"))

    def abort(self) -> None:
        """Leave nothing behind."""
        with contextlib.suppress(Exception):
            if self._parquet is not None:
                self._parquet.close()
        with contextlib.suppress(OSError):
            self._stream.close()
        Path(self._temporary).unlink(missing_ok=True)
