"""The canonical table as a JSON array of records (``procdata ingest --out FILE.json``).

:func:`plain_canonical_json` is the definition: each row a dict of plain Python
values (missing values ``null``, ``bidders`` as its list), written by
``json.dumps(..., ensure_ascii=False, indent=2)``. It holds every record as
Python objects at once: 18 s and 3.4 GB for 200,000 rows. :func:`json_pieces`
writes the same bytes column-wise with Arrow, a slice of rows at a time, so a
national table streams to a JSON file in bounded memory (``output.TableWriter``);
``tests/test_recordjson.py`` proves the two equal byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from procdata.csvtext import text_bytes
from procdata.output import plain_value

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

JSON_ROWS = 20_000  # records written at a time


def records_as_dicts(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts: missing values None, ``bidders`` as a list (as text where it is not JSON)."""
    rows = []
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        row = {}
        for name, value in zip(columns, values, strict=True):
            value = plain_value(value)
            if name == "bidders" and isinstance(value, str):
                value = _parsed(value)
            row[name] = value
        rows.append(row)
    return rows


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def plain_canonical_json(frame: pd.DataFrame) -> bytes:
    """The canonical table as a JSON array of records: the form :func:`json_pieces` must equal."""
    text = json.dumps(records_as_dicts(frame), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def canonical_json(frame: pd.DataFrame) -> bytes:
    """:func:`plain_canonical_json`'s bytes, written column-wise where it can be (:func:`record_pieces`)."""
    if not len(frame):
        return b"[]\n"
    return b"[\n" + b",\n".join(record_pieces(frame)) + b"\n]\n"


def record_pieces(frame: pd.DataFrame) -> Iterator[bytes]:
    """The items of the array for the records of ``frame`` (none for no records), a piece at a time:
    by :func:`json_pieces`, or cut from :func:`plain_canonical_json` for a frame it does not write."""
    if not len(frame):
        return iter(())
    pieces = json_pieces(frame)
    return pieces if pieces is not None else iter([plain_canonical_json(frame)[2:-3]])


def json_pieces(frame: pd.DataFrame) -> Iterator[bytes] | None:
    """The records of ``frame`` as the array's items are written (two-space indent), :data:`JSON_ROWS`
    records a piece, joined by ``,\\n`` within a piece; a piece ends without the comma. None when a
    column is of a kind other than the canonical table's (text, float64, Int64, boolean) or there
    are no columns: :func:`plain_canonical_json` writes such a frame."""
    if not len(frame.columns) or not all(_written_here(frame[name]) for name in frame.columns):
        return None
    return _records(frame)


def _written_here(series: pd.Series) -> bool:
    kind = str(series.dtype)
    if kind in ("float64", "Int64", "boolean"):
        return True
    return kind in ("string", "str") and series.dtype.storage == "pyarrow"  # type: ignore[union-attr]


def _records(frame: pd.DataFrame) -> Iterator[bytes]:
    """The pieces, each made from its own rows: what is held at once is the text of one piece, not
    of the whole frame (a 200,000-row chunk of a national table written as JSON held 1.7 GB)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def text(value: str) -> Any:
        return pa.scalar(value, pa.large_string())

    # Each record in one join: the text before each value (the record's start or a comma, the key) as a
    # constant between the columns' values.
    names = list(frame.columns)
    leads = [text(("  {\n" if number == 0 else ",\n") + f"    {json.dumps(str(name), ensure_ascii=False)}: ")
             for number, name in enumerate(names)]
    end, empty = text("\n  },\n"), text("")
    for start in range(0, len(frame), JSON_ROWS):
        rows = frame.iloc[start : start + JSON_ROWS]
        parts = [part for lead, name in zip(leads, names, strict=True) for part in (lead, _json_values(rows[name], name == "bidders"))]
        yield text_bytes(pc.binary_join_element_wise(*parts, end, empty))[:-2]  # the last record without its comma


def _json_values(series: pd.Series, nested: bool) -> Any:
    """A column's values as JSON texts (Arrow ``large_string``; a kind :func:`_written_here`)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = str(series.dtype)
    null = pa.scalar("null", pa.large_string())
    if kind == "float64":
        return _floats(series.to_numpy())
    if kind == "Int64":
        return pc.cast(pa.array(series.array, from_pandas=True), pa.large_string()).fill_null(null)
    if kind == "boolean":
        values = pa.array(series.array, from_pandas=True)
        return pc.if_else(values, pa.scalar("true", pa.large_string()), pa.scalar("false", pa.large_string())).fill_null(null)
    values = pa.array(series.array, from_pandas=True).cast(pa.large_string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if nested:
        return _bidders(values).fill_null(null)
    quote = pa.scalar('"', pa.large_string())
    plain = pc.binary_join_element_wise(quote, values, quote, pa.scalar("", pa.large_string()))
    special = pc.match_substring_regex(values, r'[\x00-\x1f"\\]')
    if pc.any(special).as_py():  # quotes, backslashes, control characters: escaped as json writes them
        at = np.flatnonzero(special.fill_null(False).to_numpy(zero_copy_only=False))
        escaped = [json.dumps(text, ensure_ascii=False) for text in values.take(pa.array(at)).to_pylist()]
        fields = plain.to_pylist()
        for position, field in zip(at.tolist(), escaped, strict=True):
            fields[position] = field
        plain = pa.array(fields, pa.large_string())
    return plain.fill_null(null)


# Bidders JSON as procdata writes it (``[{"name": "...", "price": ...}, ...]``), laid out as a record's
# field: its start and end replaced, and the structure between, which no name can hold (names hold no
# quote mark).
_BIDDERS_START, _BIDDERS_END = '[{"name": ', "}]"
_BIDDERS_LAID_OUT = (
    ('", "price": ', '",\n        "price": '),
    ('}, {"name": ', '\n      },\n      {\n        "name": '),
)


def _bidders(values: pa.Array) -> pa.Array:
    """Bidders texts as :func:`_nested` writes them: those in procdata's own form
    (``model.CANONICAL_BIDDERS``, which every normalized record has) laid out column-wise, each
    other distinct text by :func:`_nested` (parsed and written again)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from procdata.model import CANONICAL_BIDDERS

    own = pc.match_substring_regex(values, CANONICAL_BIDDERS).fill_null(True)  # (nulls stay null)
    listed = pc.and_(own, pc.greater(pc.binary_length(values), 2)).fill_null(False)  # ("[]" stays)
    text = pa.large_string()
    bytes_ = pc.filter(values, listed).view(pa.large_binary())  # cut at ASCII bytes: still UTF-8
    inner = pc.binary_slice(bytes_, len(_BIDDERS_START), -len(_BIDDERS_END)).view(text)
    for pattern, replacement in _BIDDERS_LAID_OUT:
        inner = pc.replace_substring(inner, pattern, replacement)
    laid = pc.binary_join_element_wise(
        pa.scalar('[\n      {\n        "name": ', text), inner, pa.scalar("\n      }\n    ]", text), pa.scalar("", text),
    )
    values = pc.replace_with_mask(values, listed, laid)
    if pc.all(own).as_py():
        return values
    other = pc.invert(own)
    encoded = pc.dictionary_encode(pc.filter(values, other))
    written = pa.array([_nested(cell) for cell in encoded.dictionary.to_pylist()], text)
    return pc.replace_with_mask(values, other, written.take(encoded.indices))


def _nested(text: str) -> str:
    """A bidders text as ``json.dumps`` writes its value two levels down (a record's field). A list of
    flat objects (what bidders are) is written here, as ``json.dumps`` does it; ``json.dumps`` with an
    indent runs its pure-Python encoder, 25 µs a record."""
    value = _parsed(text)
    items = _flat_items(value) if type(value) is list else None
    if items is None:
        return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n    ")
    return "[\n" + ",\n".join(items) + "\n    ]" if items else "[]"


def _flat_items(value: list[Any]) -> list[str] | None:
    """The items of a list of objects holding no list or object, as a record's field holds them;
    None for any other list."""
    items = []
    for item in value:
        if type(item) is not dict:
            return None
        fields = []
        for key, field in item.items():
            written = _scalar(field)
            if written is None:
                return None
            fields.append(f"        {_string(key)}: {written}")
        items.append("      {\n" + ",\n".join(fields) + "\n      }" if fields else "      {}")
    return items


def _scalar(value: Any) -> str | None:
    """A value that is not a container as ``json.dumps`` writes it; None for a list or an object."""
    kind = type(value)
    if kind is str:
        return _string(value)  # type: ignore[no-any-return]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return float.__repr__(value) if value == value and abs(value) != float("inf") else json.dumps(value)
    return "null" if value is None else None


_string = json.encoder.encode_basestring  # type: ignore[attr-defined]  # C's, when built: "..." with json's escapes


def _floats(values: Any) -> Any:
    """Numbers as ``json.dumps`` writes them (Python's ``repr``; null for NaN, Infinity for inf):
    whole numbers below 10^16 as their digits and ``.0``, the rest one by one."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        whole = (np.abs(values) < 1e16) & (values == np.trunc(values)) & ~((values == 0) & np.signbit(values))
    digits = pc.cast(pa.array(np.where(whole, values, 0).astype(np.int64)), pa.large_string())
    out = pc.binary_join_element_wise(digits, pa.scalar(".0", pa.large_string()), pa.scalar("", pa.large_string()))
    if whole.all():
        return out
    odd = np.flatnonzero(~whole)
    fields = out.to_pylist()
    for position, value in zip(odd.tolist(), values[odd].tolist(), strict=True):
        fields[position] = "null" if value != value else repr(value) if abs(value) != np.inf else json.dumps(value)
    return pa.array(fields, pa.large_string())
