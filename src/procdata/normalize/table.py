"""Raw text columns of one table -> typed canonical records, column-wise.

The columns are built by :func:`procdata.normalize.canonical.canonical`; this
module runs it over the whole table, or over a long table in parts, one per
thread, and puts the parts back together as if it had been one pass.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from procdata.model import FIELDS, CellIssue, Column, Resolution
from procdata.normalize.builder import Context
from procdata.normalize.canonical import bidders_are_json, canonical, empty_records
from procdata.normalize.columns import THREADS
from procdata.normalize.values import dump_bidders as _dump  # noqa: F401  (tests compare the JSON fast path with it)

__all__ = ["PARALLEL_ROWS", "Context", "empty_records", "to_canonical"]

PARALLEL_ROWS = 200_000  # tables this long are normalized in parts, one per thread


def to_canonical(
    raw: pd.DataFrame, columns: dict[str, Column], context: Context,
) -> tuple[pd.DataFrame, list[CellIssue], list[Resolution]]:
    """Typed canonical records from the raw text of one table.

    ``raw`` has one text column (stripped of surrounding whitespace, as ingest
    leaves it) per header key found (canonical fields and the
    composites ``bidders``, ``bidder_names``, ``bidder_prices``, ``winner``,
    ``contract``), plus ``source_row`` and optionally ``section_category`` and
    ``section_month`` (from heading rows inside the table).

    A big table is normalized in parts, one per thread (the work is in Arrow
    and NumPy, which release the GIL): the records and the issues, in their
    order, are those of one pass over the whole table.
    """
    json_bidders = bidders_are_json(raw)  # decided for the whole column, not per part
    if len(raw) < PARALLEL_ROWS:
        typed, builder = canonical(raw, columns, context, json_bidders)
        frame = _frame({name: column.reset_index(drop=True) for name, column in typed.items()})
        return frame, builder.issues, list(builder.resolutions.values())
    bounds = np.linspace(0, len(raw), THREADS + 1).astype(int)
    parts = [raw.iloc[start:stop] for start, stop in itertools.pairwise(bounds)]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        done = list(pool.map(lambda part: canonical(part, columns, context, json_bidders), parts))
    # Column by column: text stays in its Arrow chunks, and no block of columns is copied.
    frame = _frame({name: _joined([part[name] for part, _ in done]) for name in FIELDS})
    # The issues as one pass raises them: place by place (every part calls the places in the
    # same order), and within a place part by part, which keeps the rows in order.
    order: dict[tuple[str, str], int] = {}
    for _, builder in done:
        for site in builder.sites:
            order.setdefault(site, len(order))
    raised = [
        (order[site], number, issue)
        for number, (_, builder) in enumerate(done)
        for site, issue in zip(builder.issue_sites, builder.issues, strict=True)
    ]
    raised.sort(key=lambda entry: entry[:2])
    # The reported readings of ambiguous cells, the parts' rows together, in order.
    resolutions: dict[tuple[str, str, str, str], Resolution] = {}
    for _, builder in done:
        for key, part in builder.resolutions.items():
            whole = resolutions.setdefault(key, Resolution(**{**part.__dict__, "count": 0, "rows": []}))
            whole.count += part.count
            whole.rows.extend(part.rows[: max(0, Resolution.SHOWN_ROWS - len(whole.rows))])
    return frame, [issue for *_, issue in raised], list(resolutions.values())


def _joined(parts: list[pd.Series]) -> pd.Series:
    """One column from its parts, end to end: Arrow chunks side by side, NumPy and masked arrays concatenated."""
    arrays = [part.array for part in parts]
    return pd.Series(type(arrays[0])._concat_same_type(arrays))


def _frame(columns: dict[str, pd.Series]) -> pd.DataFrame:
    """The records table from its columns, as they are (no copy into blocks of like columns)."""
    return pd.DataFrame(columns, copy=False)
