"""Texts column-wise: problem messages filled from their templates in Arrow, and escaped.

A message template is ``str.format`` text with plain ``{name}`` placeholders;
:func:`fill` fills it for a whole column of problems at once, each part
escaped for JSON or HTML as it goes (:func:`json_escape`, :func:`html_escape`
equal ``json.dumps`` and ``html.escape``: tests/test_problems.py). A
placeholder's texts may stay as their parts until written (:class:`Joined`).
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


def fill(template: str, params: dict[str, Param], size: int, escape: Escape | None = None) -> pa.Array:
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
