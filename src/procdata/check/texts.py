"""Texts column-wise: problem messages filled from their templates in Arrow, and escaped.

A message template is ``str.format`` text with plain ``{name}`` placeholders;
:func:`fill` fills it for a whole column of problems at once, each part
escaped for JSON or HTML as it goes (:func:`json_escape`, :func:`html_escape`
equal ``json.dumps`` and ``html.escape``: tests/test_problems.py). A
placeholder's texts may stay as their parts until written (:class:`Joined`).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from procdata.i18n import number

Param: TypeAlias = "pa.Array | str | Joined"


def text_array(values: Any) -> pa.Array:
    """Texts as an Arrow array of large strings (no missing values)."""
    array = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    return array.fill_null("") if array.null_count else array


@dataclass
class Joined:
    """A placeholder's texts kept as their parts until they are written: texts, text arrays (dictionary
    arrays too) and whole numbers, joined end to end for each problem only for the slice being
    rendered (:meth:`render`). Millions of ``file row N`` texts held this way cost 12 bytes a
    problem (a dictionary code and a number) instead of some 60."""

    parts: list[pa.Array | str]

    def __len__(self) -> int:
        return next(len(p) for p in self.parts if not isinstance(p, str))

    def take(self, indices: pa.Array) -> Joined:
        return Joined([p if isinstance(p, str) else p.take(indices) for p in self.parts])

    def render(self) -> pa.Array:
        """The texts, one per problem, as a large-string array."""
        return join([p if isinstance(p, str) else text_array(p) for p in self.parts], len(self))

    def to_pylist(self) -> list[str]:
        return self.render().to_pylist()  # type: ignore[no-any-return]


Escape = Callable[[pa.Array], pa.Array]


@cache
def pieces(template: str) -> tuple[tuple[str, str | None], ...]:
    """A ``str.format`` template as (literal, placeholder) pairs; only plain ``{name}`` placeholders."""
    pieces = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if spec or conversion:
            raise ValueError(f"placeholder {{{name}}} with a format: render it with str.format")
        pieces.append((literal, name))
    return tuple(pieces)


def fill(template: str, params: Mapping[str, Param], size: int, escape: Escape | None = None) -> pa.Array:
    """``template.format(**params)`` for each of ``size`` problems, built in Arrow; each part escaped with ``escape``."""
    parts: list[Param] = []
    for literal, name in pieces(template):
        if literal:
            parts.append(escaped_text(literal, escape))
        if name is not None:
            value = params[name]
            if isinstance(value, Joined):
                value = value.render()
            parts.append(escaped_text(value, escape) if isinstance(value, str) else (escape(value) if escape else value))
    return join(parts, size)


class Lazy(Mapping[str, Param]):
    """Parameters of :func:`fill` made when a template first names them, not before: a national
    table's two million ``file`` texts (a 57-byte path each) are not made for a template that
    names the row alone."""

    def __init__(self, **makers: Callable[[], Param]) -> None:
        self._makers = makers
        self._made: dict[str, Param] = {}

    def __getitem__(self, name: str) -> Param:
        if name not in self._made:
            self._made[name] = self._makers[name]()
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def join(parts: list[Param], size: int) -> pa.Array:
    """The parts (texts or arrays of ``size``) joined end to end for each of ``size`` items."""
    arrays = [p for p in parts if not isinstance(p, str)]
    if not arrays:
        return pa.array(["".join(parts)] * size, type=pa.large_string())  # type: ignore[arg-type]
    merged: list[Param] = []
    for part in parts:  # neighbouring texts as one
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif not (isinstance(part, str) and part == ""):
            merged.append(part)
    if len(merged) == 1:
        return text_array(merged[0])
    scalars = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else text_array(p) for p in merged]
    return pc.binary_join_element_wise(*scalars, pa.scalar("", pa.large_string()))


def escaped_text(text: str, escape: Escape | None) -> str:
    return escape(pa.array([text], pa.large_string()))[0].as_py() if escape else text


def json_escape(array: pa.Array) -> pa.Array:
    """Texts as they are written inside JSON quotes by ``json.dumps(..., ensure_ascii=False)``."""
    array = text_array(array)
    if not len(array) or not pc.any(pc.match_substring_regex(array, r'[\x00-\x1f"\\]')).as_py():
        return array
    for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        array = pc.replace_substring(array, old, new)
    rare = pc.match_substring_regex(array, r"[\x00-\x1f]")
    if pc.any(rare).as_py():  # other control characters: \b, \f and \u00XX, as json.dumps writes them
        import json

        values = array.to_pylist()
        for at in np.flatnonzero(rare.to_numpy(zero_copy_only=False)).tolist():
            values[at] = "".join(json.dumps(ch)[1:-1] if ch < " " else ch for ch in values[at])
        array = pa.array(values, pa.large_string())
    return array


def html_escape(array: pa.Array) -> pa.Array:
    """``html.escape`` of each text (quotes too)."""
    array = text_array(array)
    if not len(array) or not pc.any(pc.match_substring_regex(array, "[&<>\"']")).as_py():
        return array
    for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        array = pc.replace_substring(array, old, new)
    return array


def number_texts(values: np.ndarray, decimals: int = 2) -> pa.Array:
    """:func:`procdata.i18n.number` of each value (``1,234,567.50``; empty for NaN), built column-wise.

    A value is rounded to ``decimals`` places as a whole number of hundredths (for two) in floating
    point. That is Python's own rounding, of the exact binary value, unless the product lies within a
    unit in the last place of a half: such a value (0.125, a tie), one too large for exact whole
    numbers, or one not finite, is written by ``i18n.number`` itself. The whole part is cut into
    groups of three digits, each spelled by a table of a thousand texts (tests/test_problems.py
    proves it equal to ``i18n.number``). A national table's update conflicts show two million
    amounts: 1.1-1.6 s in Python, with Python's lock held, while nothing else runs.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    if not len(values):
        return pa.array([], pa.large_string())
    scale = 10**decimals
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.abs(values) * scale
        plain = np.isfinite(scaled) & (scaled < 2.0**52) & (np.abs(scaled - np.floor(scaled) - 0.5) > np.spacing(scaled))
    integer, fraction = np.divmod(np.rint(np.where(plain, scaled, 0.0)).astype(np.int64), scale)
    groups = sum((integer >= 1000**k).astype(np.int64) for k in range(1, 6))  # below 2**52 < 10**16: six at most
    tables = _number_tables(decimals)
    # The first group with its sign, then each later group with its comma ("" past a value's own groups).
    parts = [tables.first.take(pa.array(np.signbit(values) * 1000 + integer // 1000**groups))]
    for level in range(int(groups.max()), 0, -1):
        group = (integer // 1000 ** (level - 1)) % 1000
        parts.append(tables.later.take(pa.array(np.where(level <= groups, group, 1000))))
    if decimals:
        parts.append(tables.fraction.take(pa.array(fraction)))
    texts = text_array(parts[0]) if len(parts) == 1 else pc.binary_join_element_wise(*parts, pa.scalar("", pa.large_string()))
    missing = np.isnan(values)
    others = np.flatnonzero(~plain & ~missing)
    if len(others):
        shown = texts.to_pylist()
        for at in others.tolist():
            shown[at] = number(float(values[at]), decimals)
        texts = pa.array(shown, pa.large_string())
    if missing.any():
        texts = pc.if_else(pa.array(missing), pa.scalar("", pa.large_string()), texts)
    return text_array(texts)


@dataclass(frozen=True)
class _Tables:
    first: pa.Array  # "0" .. "999", then "-0" .. "-999"
    later: pa.Array  # ",000" .. ",999", then ""
    fraction: pa.Array  # ".00" .. ".99" (for two decimals)


@cache
def _number_tables(decimals: int) -> _Tables:
    text = pa.large_string()
    return _Tables(
        pa.array([str(n) for n in range(1000)] + [f"-{n}" for n in range(1000)], text),
        pa.array([f",{n:03d}" for n in range(1000)] + [""], text),
        pa.array([f".{n:0{decimals}d}" for n in range(10**decimals)] if decimals else [""], text),
    )
