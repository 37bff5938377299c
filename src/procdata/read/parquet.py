"""Parquet tables (``procdata ingest --out FILE.parquet``, or any other) read as text grids.

A Parquet file is a table with a header: its column names are the header row
and every value becomes the text a CSV would hold (numbers as Arrow writes
them, dates as ISO, true/false, nothing for a missing value), so that it goes
through the same reading, normalizing and checks as the CSV of the same
records, and a problem is found at the same row and column. The line numbers
are those of that CSV (header = line 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from procdata.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

MAGIC = b"PAR1"
BATCH_ROWS = 250_000  # rows converted to text at once when a whole file is read


def is_parquet(head: bytes) -> bool:
    return head.startswith(MAGIC)


def open_parquet(path: Path, display: str) -> object:
    """The file, opened (its footer read); an InputError when it is damaged."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError):
        raise InputError("parquet_damaged", display) from None


def batches(path: Path, display: str, rows: int = BATCH_ROWS) -> Iterator[list[pa.Array]]:
    """The file's columns as text, ``rows`` at a time; the first item is the header (the column names)."""
    import pyarrow as pa

    parquet = open_parquet(path, display)
    names = list(parquet.schema_arrow.names)  # type: ignore[attr-defined]
    yield [pa.array([name], pa.large_string()) for name in names]
    try:
        for batch in parquet.iter_batches(batch_size=rows):  # type: ignore[attr-defined]
            yield [as_text(column) for column in batch.columns]
    except (pa.ArrowException, OSError, ValueError):
        raise InputError("parquet_damaged", display) from None


def as_text(column: pa.Array) -> pa.Array:
    """Values as a CSV would hold them: numbers as written by Arrow (floats without an exponent),
    booleans true/false, dates ISO, nested values as JSON, nothing for missing values."""
    import json

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_large_string(kind):
        text = column
    elif pa.types.is_string(kind) or pa.types.is_large_binary(kind) or pa.types.is_binary(kind):
        text = column.cast(pa.large_string())
    elif pa.types.is_nested(kind):
        text = pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in column.to_pylist()], pa.large_string())
    else:
        if pa.types.is_timestamp(kind) and kind.tz:  # the date and time where it was written, as a CSV holds them
            column = pc.local_timestamp(column)
        text = pc.cast(column, pa.large_string())
        if pa.types.is_floating(kind):
            written = pc.match_substring(text, "e").fill_null(False).to_numpy(zero_copy_only=False)
            if written.any():  # 1e+15 -> 1000000000000000.00: a plain number, as an amount is written
                values = text.to_pylist()
                floats = column.to_numpy(zero_copy_only=False)
                for at in np.flatnonzero(written).tolist():
                    values[at] = f"{floats[at]:.2f}"
                text = pa.array(values, pa.large_string())
    return pc.fill_null(text, "")


def frame_of(columns: list[list[pa.Array]]) -> pd.DataFrame:
    """A text grid (columns 0, 1, ...) from pieces of columns put one under another."""
    import pandas as pd
    import pyarrow as pa

    width = len(columns[0])
    return pd.DataFrame({
        n: pd.arrays.ArrowStringArray(pa.chunked_array([piece[n] for piece in columns], pa.large_string()))
        for n in range(width)
    }, copy=False)


def read_parquet(path: Path, display: str) -> pd.DataFrame:
    """The whole file as one text grid: the header row, then every row."""
    return frame_of(list(batches(path, display)))
