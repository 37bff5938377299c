"""The Table Schema checks, driven by ``schemas/procurement.schema.json``.

Each field's type and constraints (required, enum, pattern, minimum, maximum)
are read from the schema and checked column-wise on the canonical records;
the check that reports a rule is looked up in ``checks.toml`` (``covers``).
Frictionless stays the authority: the same cells fail here and there
(tests/test_validate_frictionless.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import numpy as np

from procdata.check import catalog
from procdata.check.table import Hits, Table, map_distinct, positions
from procdata.normalize.shapes import fullmatches
from procdata.resources import schema


def schema_checks() -> list[Callable[[Table], Iterator[Hits]]]:
    """One check per field of the schema: its type and constraints."""
    return [partial(_field_hits, spec=spec) for spec in schema("procurement")["fields"]]


def _field_hits(table: Table, spec: dict[str, Any]) -> Iterator[Hits]:
    name, kind = spec["name"], spec["type"]
    if name not in table.records:
        return
    constraints = spec.get("constraints", {})
    present = table.present(name)
    if constraints.get("required"):
        yield Hits(catalog.code_for("required", name), name, positions(~present))
    wrong = _wrong_type(table, name, kind, present)
    if wrong is not None:
        yield from _type_hits(table, name, kind, wrong)
        present = present & ~wrong
    if "enum" in constraints:
        outside = present & ~table.records[name].isin(constraints["enum"]).fillna(False).to_numpy(dtype=bool)
        yield Hits(catalog.code_for("enum", name), name, positions(outside))
    if "pattern" in constraints:
        rows = positions(present & ~fullmatches(table.records[name], constraints["pattern"]))
        yield Hits(catalog.code_for("pattern", name), name, rows, {
            "digits": map_distinct(table.texts(name, rows), lambda text: str(sum(c.isdigit() for c in text))),
            "pattern": constraints["pattern"],
        })
    if "minimum" in constraints or "maximum" in constraints:
        yield from _range_hits(table, name, constraints, present)


def _wrong_type(table: Table, name: str, kind: str, present: np.ndarray) -> np.ndarray | None:
    """Values present but not of the field's type (ingest never makes them; other tables may)."""
    column = table.records[name]
    if kind in ("number", "integer"):
        return present & np.isnan(table.numbers[name])
    if kind == "date":
        return present & np.isnat(table.dates[name])
    if kind == "boolean" and str(column.dtype) != "boolean":
        return present & ~column.isin([True, False, "true", "false"]).fillna(False).to_numpy(dtype=bool)
    if kind == "array":
        text = column.astype("string")
        shaped = (text.str.startswith("[") & text.str.endswith("]")).fillna(False).to_numpy(dtype=bool)
        unsure = present & ~shaped  # perhaps only surrounded by spaces: look again at those few
        if unsure.any():
            stripped = text[unsure].str.strip()
            shaped[unsure] = (stripped.str.startswith("[") & stripped.str.endswith("]")).fillna(False).to_numpy(dtype=bool)
        return present & ~shaped
    return None


def _type_hits(table: Table, name: str, kind: str, wrong: np.ndarray) -> Iterator[Hits]:
    rows = positions(wrong)
    if kind == "date" and len(rows):
        # An ISO-shaped date that does not exist (2025-02-30) is impossible rather than unreadable.
        text = table.records[name].astype("string").iloc[rows]
        iso = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fillna(False).to_numpy(dtype=bool)
        yield Hits("impossible_date", name, rows[iso])
        rows = rows[~iso]
    yield Hits(catalog.code_for(f"type:{kind}", name), name, rows)


def _range_hits(table: Table, name: str, constraints: dict[str, Any], present: np.ndarray) -> Iterator[Hits]:
    values = table.numbers.get(name)
    if values is None:
        return
    low, high = constraints.get("minimum"), constraints.get("maximum")
    with np.errstate(invalid="ignore"):
        below = present & (values < low) if low is not None else np.zeros(table.size, dtype=bool)
        above = present & (values > high) if high is not None else np.zeros(table.size, dtype=bool)
    for rule, mask in (("minimum", below), ("maximum", above)):
        rows = positions(mask)
        if len(rows):
            yield Hits(catalog.code_for(rule, name), name, rows, {"bounds": bounds(low, high, table.lang)})


def bounds(low: Any, high: Any, lang: str) -> str:
    """The range a value must be in, in words."""
    if low is not None and high is not None:
        return catalog.word("between", lang, low=low, high=high)
    if low is not None:
        return catalog.word("at_least", lang, low=low)
    return catalog.word("at_most", lang, high=high)
