"""Where a problem is: from a record's place (file and sheet) and row to the column an officer sees.

A record knows its file, sheet and row; the column of a field is the one the
sheet's header gave it (:class:`~procdata.model.SheetReport`), or the composite
column ingest split it from (:data:`SOURCES`). :func:`cell_key` gives each cell
one number, so that problems of the same cell are found among others at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from procdata.check.problems import NO_COLUMN, NO_ROW, Batch, Registry
from procdata.model import FIELDS, SheetReport

# Where a field's value may have come from, in order: its own column, or a
# composite column that ingest split (see procdata/model.py SheetReport.columns).
SOURCES = {
    "agreed_price": ("agreed_price", "winner"),
    "winner_name": ("winner_name", "winner"),
    "winner_tax_id": ("winner_tax_id", "winner"),
    "contract_no": ("contract_no", "contract"),
    "contract_date": ("contract_date", "contract"),
    "bidders": ("bidders", "bidder_names", "bidder_prices"),
    "bidder_count": ("bidder_count", "bidders", "bidder_names"),
    "method": ("method", "method_group"),
    "method_text": ("method_text", "method", "method_group"),
    "status": ("status", "contract_status"),
    "status_text": ("status_text", "status", "contract_status"),
    "is_investment": ("is_investment", "budget_category"),
}

class Locator:
    """From a record's file, sheet and row to the column of a field, as written in that sheet."""

    def __init__(self, sheets: list[SheetReport], registry: Registry) -> None:
        self.registry = registry
        self.tables: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
        for sheet in sheets:
            if sheet.read:
                first = sheet.header_rows[0] if sheet.header_rows else 0
                self.tables.setdefault((sheet.file, sheet.sheet), []).append((first, sheet.columns))

    def columns(self, places: np.ndarray, rows: np.ndarray, field: str) -> np.ndarray:
        """The registry's column code of ``field`` for records at ``places`` and ``rows`` (NO_COLUMN where
        the sheet has none). A sheet may hold several tables: a row belongs to the last one starting above it."""
        out = np.full(len(places), NO_COLUMN, dtype=np.int32)
        for place in np.unique(places).tolist():
            tables = self.tables.get(self.registry.places[place], [])
            if not tables:
                continue
            at = places == place
            codes = np.array([self._code(columns, field) for _, columns in tables], dtype=np.int32)
            if len(tables) == 1:
                out[at] = codes[0]
                continue
            chosen = np.searchsorted(np.array([first for first, _ in tables]), rows[at], side="right") - 1
            out[at] = codes[np.where((rows[at] == NO_ROW) | (chosen < 0), 0, chosen)]
        return out

    def _code(self, columns: dict[str, Any], field: str) -> int:
        for key in SOURCES.get(field, (field,)):
            if key in columns:
                return self.registry.column(columns[key].letter, columns[key].header)
        return NO_COLUMN


def cell_key(places: np.ndarray, rows: np.ndarray, field: str) -> np.ndarray:
    """One number per (place, row, field): to find a cell among others."""
    return (places.astype(np.int64) << 40) | ((rows.astype(np.int64) + 1) << 7) | _FIELD_NUMBER.get(field, 127)


_FIELD_NUMBER = {name: number for number, name in enumerate(FIELDS)}


def cell_keys(found: list[Batch]) -> np.ndarray:
    """:func:`cell_key` of every problem of ``found``."""
    parts = [cell_key(b.places, b.rows, b.field) for b in found]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
