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
import pyarrow as pa

from procdata.model import FIELDS, CellIssues, Column, Resolution
from procdata.normalize.builder import Context
from procdata.normalize.canonical import bidders_are_json, canonical, empty_records
from procdata.normalize.columns import STRING, THREADS
from procdata.normalize.procedure import merged_resolutions, resolution_order
from procdata.normalize.values import dump_bidders as _dump  # noqa: F401  (tests compare the JSON fast path with it)

__all__ = ["GROUP_ROWS", "PARALLEL_ROWS", "Context", "empty_records", "to_canonical", "to_canonical_joined", "to_canonical_many"]

PARALLEL_ROWS = 50_000  # tables this long are normalized in parts, one per thread (100,000 rows: 0.35-0.39 s -> 0.29-0.33 s)
GROUP_ROWS = 20_000  # tables shorter than this are normalized together with others like them


def to_canonical(
    raw: pd.DataFrame, columns: dict[str, Column], context: Context,
) -> tuple[pd.DataFrame, CellIssues, list[Resolution]]:
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
        return frame, builder.issues, resolution_order(list(builder.resolutions.values()))
    bounds = np.linspace(0, len(raw), THREADS + 1).astype(int)
    parts = [raw.iloc[start:stop] for start, stop in itertools.pairwise(bounds)]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        done = list(pool.map(lambda part: canonical(part, columns, context, json_bidders), parts))
    # Column by column: text stays in its Arrow chunks, and no block of columns is copied.
    frame = _frame({name: _joined([part[name] for part, _ in done]) for name in FIELDS})
    # The issues as one pass raises them: place by place (every part calls the places in the
    # same order), each call of a place in turn, and within a call part by part, which keeps
    # the rows in order.
    order: dict[tuple[str, str], int] = {}
    for _, builder in done:
        for site in builder.sites:
            order.setdefault(site, len(order))
    offsets = np.cumsum([0] + [len(part) for part in parts])
    raised = []
    for number, (_, builder) in enumerate(done):
        for run in builder.issues.runs:
            run.positions = run.positions + offsets[number]
            raised.append((order[builder.sites[run.site]], run.call, number, run))
    raised.sort(key=lambda entry: entry[:3])
    issues = CellIssues()
    for rank, _, _, run in raised:
        run.site = rank
        issues.add(run)
    # The reported readings of ambiguous cells, the parts' rows together, in order.
    return frame, issues, merged_resolutions([list(builder.resolutions.values()) for _, builder in done])


def to_canonical_many(
    tables: list[tuple[pd.DataFrame, dict[str, Column], Context]],
) -> list[tuple[pd.DataFrame, CellIssues, list[Resolution], list[int]]]:
    """:func:`to_canonical` of each table, the small ones normalized together.

    A thousand agency files of a few hundred records each would each pay the
    fixed cost of some hundred column operations; tables with the same columns
    (the same header in the same places, bidders written the same way) are
    instead put end to end, each record carrying its own file, sheet and title
    month (``PER_RECORD``), and normalized in one pass. The result comes in
    pieces, in table order: the records of one or more neighbouring tables, their
    issues and resolved cells table by table, and how many records each table
    has; all of them are those of one pass over each table.
    """
    pieces: list[tuple[pd.DataFrame, CellIssues, list[Resolution], list[int]] | None] = [None] * len(tables)
    groups: dict[tuple[object, ...], list[int]] = {}
    for number, (raw, columns, context) in enumerate(tables):
        if len(raw) >= GROUP_ROWS or not len(raw):
            pieces[number] = (*to_canonical(raw, columns, context), [len(raw)])
            continue
        key = (tuple(raw.columns), tuple(sorted(columns.items())), context.fiscal_year)
        groups.setdefault(key, []).append(number)
    for members in groups.values():
        for run in _runs(members):
            chosen = [tables[n] for n in run]
            sizes = [len(raw) for raw, _, _ in chosen]
            raw = pd.concat([raw for raw, _, _ in chosen], ignore_index=True) if len(chosen) > 1 else chosen[0][0]
            contexts = [context for _, _, context in chosen]
            piece = to_canonical_joined(
                raw, sizes, chosen[0][1], [c.file for c in contexts], [c.sheet for c in contexts],
                [c.report_month for c in contexts], contexts[0].fiscal_year,
            )
            if piece is None:  # bidders written differently from table to table: each alone
                for number in run:
                    pieces[number] = (*to_canonical(*tables[number]), [len(tables[number][0])])
            else:
                pieces[run[0]] = (*piece, sizes)
    return [piece for piece in pieces if piece is not None]


def to_canonical_joined(
    raw: pd.DataFrame, sizes: list[int], columns: dict[str, Column], files: list[str], sheets: list[str],
    months: list[str | None], fiscal_year: int | None,
) -> tuple[pd.DataFrame, CellIssues, list[Resolution]] | None:
    """:func:`to_canonical` of tables put end to end in ``raw`` (``sizes`` records each, with the same
    columns), each record with its table's file, sheet and title month: the records, and the issues and
    resolved cells table by table. None when the tables' bidders must be read differently (JSON in
    some, text in others)."""
    if len(sizes) == 1:  # one table (a chunk of a long one): its context, no column of it
        return to_canonical(raw.reset_index(drop=True), columns, Context(files[0], sheets[0], months[0], fiscal_year))
    if len({bidders_are_json(part) for part in _json_parts(raw, sizes)}) > 1:
        return None
    owner = pa.array(np.repeat(np.arange(len(sizes)), sizes))
    joined = raw.reset_index(drop=True)
    for name, values in (("_file", files), ("_sheet", sheets), ("_month", months)):
        joined[name] = pd.Series(pd.arrays.ArrowStringArray(pa.array(values, pa.large_string()).take(owner)), dtype=STRING)
    records, issues, resolutions = to_canonical(joined, columns, Context("", "", None, fiscal_year))
    order = {place: number for number, place in reversed(list(enumerate(zip(files, sheets, strict=True))))}
    resolutions.sort(key=lambda r: order.get((r.file, r.sheet), len(order)))
    return records, _table_by_table(issues, sizes), resolutions


def _runs(members: list[int]) -> list[list[int]]:
    """Table numbers split where they stop following each other."""
    runs: list[list[int]] = []
    for number in members:
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


def _json_parts(joined: pd.DataFrame, sizes: list[int]) -> list[pd.DataFrame]:
    """What ``bidders_are_json`` needs of each table: the tables themselves, unless every bidders cell is
    filled with JSON or none is filled (then all tables decide alike, and one look at all does)."""
    if "bidders" not in joined or "bidder_names" in joined or "bidder_prices" in joined:
        return [joined]
    text = joined["bidders"].astype(STRING).fillna("")
    blank = text.eq("").to_numpy(dtype=bool)
    starts = text.str.startswith("[").to_numpy(dtype=bool)
    if blank.all() or (~blank & starts).all():
        return [joined]
    bounds = np.cumsum([0, *sizes])
    return [joined.iloc[bounds[i] : bounds[i + 1]] for i in range(len(sizes))]


def _table_by_table(issues: CellIssues, sizes: list[int]) -> CellIssues:
    """The issues of tables normalized together, table by table (each table's in the order one pass raises them)."""
    if len(sizes) == 1 or not issues.runs:
        return issues
    bounds = np.cumsum([0, *sizes])
    owners = [np.searchsorted(bounds, run.positions, side="right") - 1 for run in issues.runs]
    ordered = CellIssues()
    for table in np.unique(np.concatenate(owners)).tolist():
        for run, owner in zip(issues.runs, owners, strict=True):
            mine = np.flatnonzero(owner == table)
            if len(mine):
                ordered.add(run if len(mine) == len(run) else run.at(mine))
    return ordered


def _joined(parts: list[pd.Series]) -> pd.Series:
    """One column from its parts, end to end: Arrow chunks side by side, NumPy and masked arrays concatenated."""
    arrays = [part.array for part in parts]
    return pd.Series(type(arrays[0])._concat_same_type(arrays))


def _frame(columns: dict[str, pd.Series]) -> pd.DataFrame:
    """The records table from its columns, as they are (no copy into blocks of like columns)."""
    return pd.DataFrame(columns, copy=False)
