"""Writing files safely: atomically (temporary file, then rename) and reproducibly."""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
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
        self._header = False  # a CSV header written (a first part may hold no record)
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
                from procdata.csvtext import csv_pieces

                for part in csv_pieces(frame, header=not self._header):  # views of Arrow's text: not copied
                    self._stream.write(part)
                self._header = True
        except OSError as error:
            self.abort()
            raise OutputError("output_unwritable", out=str(self.path), error=error.strerror or str(error)) from None
        self.rows += len(frame)

    def commit(self) -> None:
        """Finish the file and put it in place (a table with no records still has its columns)."""
        if self.rows == 0 and self._parquet is None and not self._header:
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
