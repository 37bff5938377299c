"""The warnings of the merge of monthly updates, column-wise: earlier values that differ, contracts past their end.

:class:`~procdata.check.updates.Updates` keeps what the merge needs of every record
and finds the projects reported more than once (its ``merge``); this module turns
that into the report's ``update_conflict`` warnings (each earlier value that differs
from the latest record's, at the latest record's cell) and ``contract_period_over``
warnings (the contracts a sheet still calls "in contract" whose end has passed by
the date of the data, once per sheet). Both as the plain route in ``check.review``
finds them one record at a time; tests/test_updates.py proves the two equal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from procdata.check.problems import NO_ROW, Batch, Registry, batch
from procdata.check.texts import Joined, number_texts, pieces, text_array
from procdata.check.updates import AMOUNTS, NO_DAY, Merge, Updates, all_codes
from procdata.i18n import be_date, message

CONFLICTS = (*AMOUNTS, "winner_name")  # as check.merge.CONFLICTS, in its order
SHOWN_ROWS = 20  # rows named in a sheet's warning about contracts past their end
CENT = 0.005


def conflicts(updates: Updates, merge: Merge, registry: Registry, columns: Any, lang: str) -> list[Batch]:
    """The ``update_conflict`` warnings: each earlier value that differs from the latest record's,
    once per value, at the latest record's cell; not for one project twice in one month's report
    (that is a ``duplicate_project`` error already). ``columns(places, rows, field)`` locates cells."""
    if not len(merge.members):
        return []
    latest_of = merge.latest[merge.group]
    earlier = merge.members != latest_of
    # The earlier records of each group from the latest one back, as the plain merge goes through them.
    rank_in_group = np.arange(len(merge.members)) - np.searchsorted(merge.group, merge.group)
    pick = np.flatnonzero(earlier)
    pick = pick[np.lexsort((-rank_in_group[pick], merge.group[pick]))]
    kept, other, group = latest_of[pick], merge.members[pick], merge.group[pick]
    places, rows = np.concatenate(updates.places), np.concatenate(updates.rows)
    months = all_codes(updates.months, -1)
    same_month = merge.project[group] & (months[kept] == months[other])
    amounts = np.concatenate(updates.amounts) if updates.amounts else np.zeros((0, 3))
    winners = np.concatenate(updates.winners)
    folded_code = pd.factorize(np.array([*updates.folded(), ""], dtype=object))[0]
    out = []
    for number_, name in enumerate(CONFLICTS):
        if name == "winner_name":
            a, b = winners[kept], winners[other]
            differs = (a >= 0) & (b >= 0) & (folded_code[a] != folded_code[b])
            value_key = b.astype(np.float64)
        else:
            a, b = amounts[kept, number_], amounts[other, number_]
            with np.errstate(invalid="ignore"):
                differs = ~np.isnan(a) & ~np.isnan(b) & (np.abs(a - b) > CENT)
            value_key = b + 0.0  # -0.0 and 0.0 are one value, as the plain merge's set of them says
        chosen = np.flatnonzero(differs)
        # Each differing value once per project: from the latest record that has it.
        _, first = np.unique(np.column_stack([group[chosen], value_key[chosen].view(np.int64)]), axis=0, return_index=True)
        chosen = chosen[np.sort(first)]
        chosen = chosen[~same_month[chosen]]
        if not len(chosen):
            continue
        kept_at, other_at = kept[chosen], other[chosen]
        shown_kept = _shown(updates, name, number_, kept_at, amounts, winners)
        out.append(batch(
            "update_conflict", name, places[kept_at], rows[kept_at], columns(places[kept_at], rows[kept_at], name),
            shown_kept, {
                "other": _at_rows(registry, places[other_at], rows[other_at], lang, places[kept_at]),
                "other_value": _shown(updates, name, number_, other_at, amounts, winners),
            },
        ))
    return out


def _shown(updates: Updates, name: str, slot: int, at: np.ndarray, amounts: np.ndarray, winners: np.ndarray) -> pa.Array:
    """Values as ``review`` shows them: amounts with separators, names as written."""
    if name == "winner_name":
        return text_array([*updates.names, ""]).take(pa.array(np.where(winners[at] < 0, len(updates.names), winners[at])))
    return number_texts(amounts[at, slot])

def ended(updates: Updates, merge: Merge, as_of: dt.date, columns: Any, lang: str) -> list[Batch]:
    """The ``contract_period_over`` warnings: per sheet, the records stated as in contract whose end
    (not before their signature) is before ``as_of``; a project reported more than once is judged on
    its merged record (the latest one's values, each missing one from the latest earlier that has it)."""
    if not len(updates) or "in_contract" not in updates.status_names:
        return []
    status = np.concatenate(updates.statuses)
    signed, ends = np.concatenate(updates.signed), np.concatenate(updates.ends)
    places, rows = np.concatenate(updates.places), np.concatenate(updates.rows)
    judged = np.ones(len(status), dtype=bool)
    judged[merge.members] = False
    if len(merge.members):  # the merged records, at their latest record
        for values in (status, signed, ends):
            missing = -1 if values is status else NO_DAY
            merged = _filled(values[merge.members], merge.group, missing)
            values[merge.latest] = merged[np.r_[np.flatnonzero(np.r_[merge.group[1:] != merge.group[:-1], True])]]
        judged[merge.latest] = True
    day = (np.datetime64(as_of) - np.datetime64("1970-01-01")).astype(np.int64)
    over = judged & (status == updates.status_names.index("in_contract")) & (ends != NO_DAY) & (ends < day)
    over &= (signed == NO_DAY) | (ends >= signed)
    at = np.flatnonzero(over)
    if not len(at):
        return []
    shown = be_date(as_of) if lang == "th" else as_of.isoformat()
    out = []
    for place in dict.fromkeys(places[at].tolist()):
        found = np.sort(rows[at][places[at] == place])
        listed = ", ".join(str(r) for r in found[:SHOWN_ROWS].tolist()) + (" …" if len(found) > SHOWN_ROWS else "")
        column = columns(np.array([place]), found[:1], "status")
        out.append(batch(
            "contract_period_over", "status", [place], [NO_ROW], column, [listed],
            {"count": f"{len(found):,}", "as_of": shown},
        ))
    return out


def _at_rows(registry: Registry, places: np.ndarray, rows: np.ndarray, lang: str, beside: np.ndarray) -> Joined:
    """Where each record stands as ``review`` names it (``file [sheet] row N``; ``row N`` alone for a
    record in the same sheet as the one it is told beside, whose place is at ``beside``), kept as its
    parts until written: the place's text (a dictionary code) and the row (a number, written as
    str.format writes an int), no Python string or text per record (millions in a national table)."""
    used, codes = np.unique(places, return_inverse=True)
    named = [registry.places[p] for p in used.tolist()]
    (lead, name), *tail = pieces(message("review_at_row", lang, row="{row}"))  # " row {row}": the words before the row
    assert name == "row", "review_at_row names the row first"
    prefix = pa.DictionaryArray.from_arrays(
        pa.array(np.where(places == beside, len(named), codes.ravel()), pa.int32()),
        text_array([file + (f" [{sheet}]" if sheet else "") + lead for file, sheet in named] + [lead.lstrip()]),
    )
    parts: list[pa.Array | str] = [prefix, pa.array(rows, pa.int64())]
    for literal, rest in tail:
        assert rest is None, "review_at_row names the row only"
        parts += [literal] if literal else []
    return Joined(parts)


def _filled(values: np.ndarray, group: np.ndarray, missing: int) -> np.ndarray:
    """Each value, or where it is ``missing`` the last one before it in its group that is not."""
    position = np.where(values != missing, np.arange(len(values)), -1)
    position = np.maximum.accumulate(position)
    starts = np.searchsorted(group, group)
    usable = position >= starts
    return np.where(usable, values[np.maximum(position, 0)], missing)
