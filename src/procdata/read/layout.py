"""Finding the table in a sheet: the header rows, what each column holds, where it ends.

Header text is matched to canonical fields through ``data/headers.toml``. A
sheet may hold several tables one under another (a quarter in one sheet); each
is found in turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from procdata.normalize.text import fold, one_line
from procdata.resources import data

if TYPE_CHECKING:
    import pandas as pd

HEADER_SCAN_ROWS = 40
MIN_HEADER_FIELDS = 3
COMPOSITES = ("bidders", "winner", "contract")
IGNORE = "_ignore"
# Who bought and where: read from tables of many agencies (national e-GP data, a province's
# list) and from procdata's canonical files; an agency's own sheets leave them to its profile.
AGENCY_KEYS = ("agency_name", "agency_unit", "province", "district")
_MANY_AGENCIES = ("agency_unit", "method_group")  # columns only the national e-GP data have
_COLUMN_NUMBER = re.compile(r"^\(?[0-9๐-๙]{1,2}\)?$")


@dataclass
class Layout:
    """One table found in a sheet. Row and column numbers are 0-based frame positions."""

    header_rows: list[int]
    data_start: int
    columns: dict[str, int]  # field or composite key -> column
    headers: dict[int, str]  # column -> header text as written
    ignored: list[str] = field(default_factory=list)
    unused: dict[int, str] = field(default_factory=dict)  # columns read for no field: column -> header
    score: int = 0  # how much the header row looked like one (see :func:`score`)

    @property
    def many_agencies(self) -> bool:
        """Whether the header alone says the table is of many agencies (or procdata's own)."""
        keys = set(self.columns)
        return bool(set(_MANY_AGENCIES) & keys or {"source_file", "investment_basis"} & keys)

    @property
    def name(self) -> str:
        keys = set(self.columns)
        if {"source_file", "investment_basis"} & keys or {"method_text", "status_text"} & keys:
            return "canonical"
        if set(_MANY_AGENCIES) & keys:
            return "egp-national"
        if "bidder_names" in keys or ("winner_name" in keys and "bidders" in keys):
            return "sorkorror1-split"
        if "bidders" in keys or "winner" in keys:
            return "sorkorror1-egp" if "project_id" in keys else "sorkorror1"
        if "fiscal_year" in keys and "budget_source" in keys:
            return "o12"
        if "project_id" in keys:
            return "egp"
        return "table"


@cache
def _synonyms() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Exact folded synonyms -> key, and (folded synonym, key) pairs for containment, longest first."""
    headers = data("headers")
    exact: dict[str, str] = {}
    contained: list[tuple[str, str]] = []
    entries = [(key, words) for key, words in headers["fields"].items()]
    entries.append((IGNORE, headers["ignore"]))
    for key, words in entries:
        for word in words:
            folded = fold(word)
            exact.setdefault(folded, key)
            if len(folded) >= 4:
                contained.append((folded, key))
    contained.sort(key=lambda pair: -len(pair[0]))
    return exact, contained


@lru_cache(maxsize=1 << 16)
def match_header(text: str) -> tuple[str, int] | None:
    """The key a header cell names and how sure the match is (higher is surer).

    The longest synonym found in the folded text wins; the synonyms that may be
    there are looked up by each 4-character piece of the text (:func:`_by_prefix`)
    rather than each tried in turn. Every synonym has a letter, so a cell with
    none (an amount, a date, an ID) names nothing.
    """
    if not _LETTER.search(text):
        return None
    folded = fold(text)
    if not folded:
        return None
    exact, contained = _synonyms()
    if folded in exact:
        return exact[folded], 1000 + len(folded)
    best = len(contained)
    starts = _by_prefix()
    for at in range(len(folded) - 3):
        for rank, synonym in starts.get(folded[at : at + 4], ()):
            if rank < best and folded.startswith(synonym, at):
                best = rank
    if best < len(contained):
        synonym, key = contained[best]
        return key, len(synonym)
    return None


_LETTER = re.compile(r"[^\W\d_]")


@cache
def _by_prefix() -> dict[str, list[tuple[int, str]]]:
    """The contained synonyms by their first four characters, each with its rank (longest first)."""
    _, contained = _synonyms()
    index: dict[str, list[tuple[int, str]]] = {}
    for rank, (synonym, _) in enumerate(contained):
        if not _LETTER.search(synonym):
            raise ValueError(f"header synonym without a letter: {synonym!r}")
        index.setdefault(synonym[:4], []).append((rank, synonym))
    return index


@cache
def _subheaders() -> dict[str, str]:
    words = data("headers")["subheaders"]
    return {fold(w): part for part in ("name", "price") for w in words[part]}


def _split_target(parent_key: str, child_text: str) -> str | None:
    part = _subheaders().get(fold(child_text))
    split = data("headers")["split"].get(parent_key)
    return split[part] if split and part else None


def _rows_texts(frame: pd.DataFrame, start: int, end: int, arrow: list[Any] | None = None) -> list[list[str]]:
    """The texts of rows ``start`` to ``end``, taken column by column from Arrow when the frame holds
    Arrow text (``arrow``: its columns, when the reader kept them), as pandas is slow at taking rows
    one by one and at taking columns one by one."""
    import pandas as pd

    if arrow is None and all(isinstance(kind, pd.StringDtype) and kind.storage == "pyarrow" for kind in frame.dtypes):
        import pyarrow as pa

        arrow = [pa.array(frame[column].array) for column in frame.columns]
    if arrow is not None:
        columns = [column.slice(start, max(end - start, 0)).to_pylist() for column in arrow]
        return [["None" if v is None else v for v in row] for row in zip(*columns, strict=True)] if columns else []
    return [[str(v) for v in row] for row in frame.iloc[start:end].to_numpy(dtype=object).tolist()]


def score(texts: list[str]) -> int:
    """How much a row looks like a header: the keys its cells name (ignored columns count once)."""
    keys = {m[0] for text in texts if (m := match_header(text))}
    return len(keys - {IGNORE}) + (1 if IGNORE in keys else 0)


def find_layout(frame: pd.DataFrame, merged: list, start: int = 0) -> Layout | None:
    """The first table at or below row ``start``, or ``None`` when there is none."""
    end = min(len(frame), start + HEADER_SCAN_ROWS)
    best: tuple[int, int] | None = None
    block = _rows_texts(frame, start, min(len(frame), end + 2))  # two more: the rows under a header
    for row, texts in enumerate(block[: end - start], start):
        if best is not None and sum(1 for text in texts if _LETTER.search(text)) <= best[1]:
            continue  # each key needs a cell with a letter: this row cannot score higher
        found = score(texts)
        if found >= MIN_HEADER_FIELDS and (best is None or found > best[1]):
            best = (row, found)
    if best is None:
        return None
    layout = build_layout(frame, merged, best[0], lambda at: block[at - start])
    layout.score = best[1]
    return layout


def find_layout_like(
    frame: pd.DataFrame, merged: list, like: Layout, head: list[list[str]], arrow: list[Any] | None = None,
) -> Layout | None:
    """:func:`find_layout` from the top of ``frame``, for a frame whose rows above its data may be
    those of another (``head``, with layout ``like``): that layout when ``find_layout`` would find it
    (the same rows above, no row below able to outscore the header, the same reading of the rows
    under it), else None. Saves looking at every cell of the first rows of each of a thousand files
    (``arrow``: the frame's columns as Arrow text, when the reader kept them)."""
    start = like.data_start
    if len(frame) <= start:
        return None
    block = _rows_texts(frame, 0, min(len(frame), max(HEADER_SCAN_ROWS, start + 1)), arrow)
    if block[:start] != head:
        return None
    for texts in block[start:HEADER_SCAN_ROWS]:
        # A key needs a filled cell with a letter: few filled cells settle it without looking for letters.
        if sum(1 for text in texts if text) > like.score and sum(1 for text in texts if _LETTER.search(text)) > like.score:
            return None
    layout = build_layout(frame, merged, like.header_rows[0], lambda at: block[at])
    layout.score = like.score
    return layout if layout == like else None


def build_layout(frame: pd.DataFrame, merged: list, row: int, row_texts: Callable[[int], list[str]] | None = None) -> Layout:
    """The table whose header starts at frame row ``row`` (``row_texts``: the texts of a row, when known)."""
    if row_texts is None:
        row_texts = lambda at: _rows_texts(frame, at, at + 1)[0]  # noqa: E731
    top = row_texts(row)
    below = row_texts(row + 1) if row + 1 < len(frame) else [""] * len(top)
    parents = _spread_parents(top, below, merged, row)
    chosen: dict[str, tuple[int, int]] = {}
    headers: dict[int, str] = {}
    ignored: list[str] = []
    unused: dict[int, str] = {}
    two_rows = False
    for col, parent in enumerate(parents):
        match = match_header(parent) if parent else None
        child = below[col].strip() if col < len(below) else ""
        key, score = match if match else (None, 0)
        if key in COMPOSITES and child and (target := _split_target(key, child)):
            key, two_rows = target, True
            headers[col] = f"{one_line(parent)} / {one_line(child)}"
        elif parent:
            headers[col] = one_line(parent)
        if key is None or key == IGNORE:
            if parent and key is None:
                ignored.append(one_line(parent))
                unused[col] = headers[col]
            continue
        if key not in chosen or score > chosen[key][1]:
            if key in chosen:  # a surer column for the same field: the other is read for nothing
                unused[chosen[key][0]] = headers[chosen[key][0]]
            chosen[key] = (col, score)
        else:
            unused[col] = headers[col]
    header_rows = [row, row + 1] if two_rows else [row]
    data_start = header_rows[-1] + 1
    if data_start < len(frame) and is_column_numbers(row_texts(data_start)):
        data_start += 1
    columns = {key: col for key, (col, _) in chosen.items()}
    return Layout(header_rows, data_start, columns, headers, ignored, dict(sorted(unused.items())))


def _spread_parents(top: list[str], below: list[str], merged: list, row: int) -> list[str]:
    """Header texts with a horizontally merged parent spread over the columns it covers."""
    parents = [t.strip() for t in top]
    for (r1, c1), (r2, c2) in merged:
        if r1 <= row <= r2 and c2 > c1:
            for col in range(c1 + 1, min(c2 + 1, len(parents))):
                if not parents[col]:
                    parents[col] = parents[c1]
    # Without merge information (CSV, HTML): an empty top cell over a sub-header
    # belongs to the split parent on its left.
    for col in range(1, len(parents)):
        if not parents[col] and col < len(below) and below[col].strip() and parents[col - 1]:
            match = match_header(parents[col - 1])
            if match and match[0] in COMPOSITES:
                parents[col] = parents[col - 1]
    return parents


def is_column_numbers(texts: list[str]) -> bool:
    """A row of column numbers under a header: ``(1) (2) … (9)``, in either digit set."""
    filled = [t.strip() for t in texts if t.strip()]
    return len(filled) >= 3 and all(_COLUMN_NUMBER.match(t) for t in filled)
