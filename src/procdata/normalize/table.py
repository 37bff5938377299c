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

from procdata.model import FIELDS, CellIssues, Column
from procdata.normalize.builder import Context
from procdata.normalize.canonical import bidders_are_json, canonical, empty_records
from procdata.normalize.columns import THREADS
from procdata.normalize.values import dump_bidders as _dump  # noqa: F401  (tests compare the JSON fast path with it)

__all__ = ["GROUP_ROWS", "PARALLEL_ROWS", "Context", "empty_records", "to_canonical", "to_canonical_many"]

PARALLEL_ROWS = 200_000  # tables this long are normalized in parts, one per thread
GROUP_ROWS = 20_000  # tables shorter than this are normalized together with others like them


def to_canonical(raw: pd.DataFrame, columns: dict[str, Column], context: Context) -> tuple[pd.DataFrame, CellIssues]:
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
        return _frame({name: column.reset_index(drop=True) for name, column in typed.items()}), builder.issues
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
    offsets = np.cumsum([0] + [len(part) for part in parts])
    raised = []
    for number, (_, builder) in enumerate(done):
        for run in builder.issues.runs:
            run.positions = run.positions + offsets[number]
            raised.append((order[builder.sites[run.site]], number, run))
    raised.sort(key=lambda entry: entry[:2])
    issues = CellIssues()
    for rank, _, run in raised:
        run.site = rank
        issues.add(run)
    return frame, issues


def to_canonical_many(tables: list[tuple[pd.DataFrame, dict[str, Column], Context]]) -> list[tuple[pd.DataFrame, CellIssues]]:
    """:func:`to_canonical` of each table, the small ones normalized together.

    A thousand agency files of a few hundred records each would each pay the
    fixed cost of some hundred column operations; tables with the same columns
    (the same header in the same places, bidders written the same way) are
    instead put end to end, each record carrying its own file, sheet and title
    month (``PER_RECORD``), normalized in one pass and cut apart again: records
    and issues, in their order, are those of one pass over each table.
    """
    out: list[tuple[pd.DataFrame, CellIssues] | None] = [None] * len(tables)
    groups: dict[tuple[object, ...], list[int]] = {}
    for number, (raw, columns, context) in enumerate(tables):
        if len(raw) >= GROUP_ROWS:
            out[number] = to_canonical(raw, columns, context)
            continue
        key = (tuple(raw.columns), tuple(sorted(columns.items())), bidders_are_json(raw), context.fiscal_year)
        groups.setdefault(key, []).append(number)
    for members in groups.values():
        if len(members) == 1:
            out[members[0]] = to_canonical(*tables[members[0]])
            continue
        raws = []
        for number in members:
            raw, _, context = tables[number]
            raws.append(raw.assign(_file=context.file, _sheet=context.sheet, _month=context.report_month))
        joined = pd.concat(raws, ignore_index=True)
        _, columns, context = tables[members[0]]
        records, issues = to_canonical(joined, columns, Context("", "", None, context.fiscal_year))
        bounds = np.cumsum([0] + [len(raw) for raw in raws])
        owner = [np.searchsorted(bounds, run.positions, side="right") - 1 for run in issues.runs]
        for place, number in enumerate(members):
            start, stop = bounds[place], bounds[place + 1]
            own = CellIssues()
            for run, tables_of_run in zip(issues.runs, owner, strict=True):
                mine = np.flatnonzero(tables_of_run == place)
                if len(mine):
                    part = run.at(mine)
                    part.positions = part.positions - start
                    own.add(part)
            out[number] = (_frame({name: records[name].iloc[start:stop].reset_index(drop=True) for name in FIELDS}), own)
    return [result for result in out if result is not None]


def _joined(parts: list[pd.Series]) -> pd.Series:
    """One column from its parts, end to end: Arrow chunks side by side, NumPy and masked arrays concatenated."""
    arrays = [part.array for part in parts]
    return pd.Series(type(arrays[0])._concat_same_type(arrays))


def _frame(columns: dict[str, pd.Series]) -> pd.DataFrame:
    """The records table from its columns, as they are (no copy into blocks of like columns)."""
    return pd.DataFrame(columns, copy=False)
