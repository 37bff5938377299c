"""Writing files safely: atomically (temporary file, then rename) and reproducibly."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procdata.errors import OutputError

if TYPE_CHECKING:
    import pandas as pd


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
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as error:
        raise OutputError("output_unwritable", out=str(path), error=error.strerror or str(error)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError("output_unwritable", out=str(path), error=error.strerror or str(error)) from None


def plain_value(value: Any) -> Any:
    """A cell as a plain Python value: numpy scalars unwrapped, NaN and NA as None."""
    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def records_as_dicts(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts: missing values None, ``bidders`` as a list."""
    rows = []
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        row = {}
        for name, value in zip(columns, values, strict=True):
            value = plain_value(value)
            if name == "bidders" and isinstance(value, str):
                value = json.loads(value)
            row[name] = value
        rows.append(row)
    return rows


def canonical_csv(frame: pd.DataFrame, *, bom: bool = False) -> bytes:
    """The canonical table as CSV text: amounts with two decimals, booleans true/false."""
    out = frame.copy()
    for name in out.columns:
        if str(out[name].dtype) == "boolean":
            out[name] = out[name].map({True: "true", False: "false"}).astype("string")
    text = out.to_csv(index=False, float_format="%.2f", lineterminator="\n")
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def canonical_json(frame: pd.DataFrame) -> bytes:
    """The canonical table as a JSON array of records."""
    text = json.dumps(records_as_dicts(frame), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")
