"""Problems that are not a check's hits: the cells ingest could not read, and taxpayer IDs that lost a digit.

:func:`issue_batches` turns ingest's :class:`~procdata.model.CellIssues` into
problems like the checks' own; :func:`short_tax_ids` makes one error of the two
warnings a 12-digit taxpayer ID draws when its restored leading 0 does not make
it valid; :func:`suggestion` is the closest known word to one outside a vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from procdata.check import catalog
from procdata.check.locate import cell_key
from procdata.check.problems import Batch, Registry, batch
from procdata.check.table import map_distinct
from procdata.check.texts import text_array
from procdata.model import CellIssues
from procdata.normalize import vocab

# The checks of words outside a vocabulary (normalize/vocab.py), and the vocabulary to
# suggest the closest known word from.
UNKNOWN = {f"unknown_{kind}": kind for kind in ("method", "status", "category", "source")}


def issue_batches(issues: CellIssues, registry: Registry, lang: str) -> Iterable[Batch]:
    """The cells ingest could not read, as problems: a batch per run of issues and code."""
    for run in issues.runs:
        size = len(run)
        places = _places(run.files, run.sheets, size, registry)
        columns = np.full(size, registry.column(run.column, run.header), dtype=np.int32)
        values = text_array(run.values)
        codes = np.asarray(run.codes, dtype=object) if not isinstance(run.codes, str) else None
        for code in [run.codes] if codes is None else sorted(set(codes.tolist())):
            chosen = np.arange(size) if codes is None else np.flatnonzero(codes == code)
            params: dict[str, Any] = {}
            picked = values.take(pa.array(chosen, pa.int64()))
            if code in UNKNOWN:
                kind = UNKNOWN[code]
                params["suggestion"] = map_distinct(picked, lambda value: suggestion(kind, value, lang))  # noqa: B023
            yield batch(code, run.field, places[chosen], run.rows[chosen], columns[chosen], picked, params)


def _places(files: Any, sheets: Any, size: int, registry: Registry) -> np.ndarray:
    """Registry place codes of issues whose file and sheet are one text for all, or one per issue."""
    if isinstance(files, str) and isinstance(sheets, str):
        return np.full(size, registry.place(files, sheets), dtype=np.int32)
    file_texts = text_array([files] * size if isinstance(files, str) else files)
    sheet_texts = text_array([sheets] * size if isinstance(sheets, str) else sheets)
    pairs = pc.binary_join_element_wise(file_texts, sheet_texts, pa.scalar("\x00", pa.large_string()))
    encoded = pc.dictionary_encode(pairs)
    codes = np.array([registry.place(*pair.split("\x00", 1)) for pair in encoded.dictionary.to_pylist()], dtype=np.int32)
    return codes[encoded.indices.to_numpy(zero_copy_only=False)]


def suggestion(kind: str, value: str, lang: str) -> str:
    closest = vocab.closest(kind, value) if value else None
    term = vocab.term(kind, closest) if closest else None
    return catalog.word("suggestion", lang, closest=term.label(lang)) if term else ""


def short_tax_ids(found: list[Batch], lang: str) -> list[Batch]:
    """A 12-digit taxpayer ID that a leading 0 does not make valid lost a digit, not its 0 to Excel.

    Ingest restores the 0 of every 12-digit ID (a warning); where the restored ID
    fails the check digit, both warnings become one error: not 13 digits.
    """
    restored = [b for b in found if b.code == "tax_id_leading_zero"]
    failing = [b for b in found if b.code == "tax_id_check_digit"]
    if not restored or not failing:
        return found
    cells = lambda group: np.concatenate([cell_key(b.places, b.rows, "winner_tax_id") for b in group])  # noqa: E731
    short = np.intersect1d(cells(restored), cells(failing))
    if not len(short):
        return found
    kept: list[Batch] = []
    digits: list[Batch] = []
    for each in found:
        if each.code not in ("tax_id_leading_zero", "tax_id_check_digit"):
            kept.append(each)
            continue
        lost = np.isin(cell_key(each.places, each.rows, "winner_tax_id"), short)
        if not lost.any():
            kept.append(each)
            continue
        kept.append(each.take(np.flatnonzero(~lost)))
        if each.code == "tax_id_leading_zero":
            cell = each.take(np.flatnonzero(lost))
            counted = pc.utf8_length(cell.values).cast(pa.string()).cast(pa.large_string())
            digits.append(Batch("tax_id_digits", cell.field, cell.places, cell.rows, cell.columns, cell.values, {"digits": counted}))
    return [b for b in kept if len(b)] + digits
