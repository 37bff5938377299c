"""The rules of Thai procurement, checked column-wise on the canonical records.

Prices against each other, dates against each other and the fiscal year,
taxpayer-ID check digits, legal ceilings of the methods, winners against
bidders, and signed contracts without a winner or a price (duplicate project
numbers, which need the whole run, are in ``duplicates``). Codes, severities and messages are in ``data/checks.toml``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.check import catalog
from procdata.check.table import Hits, Table, map_distinct, positions, taken, whole
from procdata.check.texts import fill, number_texts
from procdata.i18n import number
from procdata.normalize import vocab, wording
from procdata.normalize.bidders import canonical_bidders
from procdata.normalize.columns import arrow, text_offsets, value_bytes
from procdata.normalize.dates import BE_FIRST, BE_LAST, fiscal_year
from procdata.normalize.shapes import digits_of_width

CENT = 0.005  # amounts are compared to the satang
WINNER_BATCH = 100_000  # records whose bidders are taken apart at once


def prices(table: Table) -> Iterator[Hits]:
    # A negative amount is already an error of its own; comparing with it says nothing more.
    budget, reference, agreed = (
        np.where(table.amount(n) < 0, np.nan, table.amount(n)) for n in ("budget_amount", "reference_price", "agreed_price")
    )
    with np.errstate(invalid="ignore"):
        over_budget = agreed > budget + CENT
        over_reference = (agreed > reference + CENT) & ~over_budget
        reference_over = reference > budget + CENT
    rows = positions(over_budget)
    yield Hits("agreed_above_budget", "agreed_price", rows, {
        "agreed": table.money_texts("agreed_price", rows), "budget": table.money_texts("budget_amount", rows),
    })
    rows = positions(over_reference)
    yield Hits("agreed_above_reference", "agreed_price", rows, {
        "agreed": table.money_texts("agreed_price", rows), "reference": table.money_texts("reference_price", rows),
    })
    rows = positions(reference_over)
    yield Hits("reference_above_budget", "reference_price", rows, {
        "reference": table.money_texts("reference_price", rows), "budget": table.money_texts("budget_amount", rows),
    })


def contract_dates(table: Table) -> Iterator[Hits]:
    start, end = table.dates["contract_date"], table.dates["contract_end_date"]
    rows = positions(end < start)  # NaT compares False
    yield Hits("end_before_contract", "contract_end_date", rows, {
        "end": table.date_texts(table.texts("contract_end_date", rows)),
        "start": table.date_texts(table.texts("contract_date", rows)),
    })


def fiscal_years(table: Table) -> Iterator[Hits]:
    """Contract dates and report months outside the record's fiscal year (1 Oct N-544 .. 30 Sep N-543)."""
    year = table.amount("fiscal_year")
    known = (year >= BE_FIRST) & (year <= BE_LAST)
    year_ce = np.where(known, year, 2543).astype("int64") - 543
    first = ((year_ce - 1 - 1970) * 12 + 9).astype("datetime64[M]").astype("datetime64[D]")
    after = ((year_ce - 1970) * 12 + 9).astype("datetime64[M]").astype("datetime64[D]")
    for name, dates in (("contract_date", table.dates["contract_date"]), ("report_month", table.months)):
        outside = known & ~np.isnat(dates) & ((dates < first) | (dates >= after))
        rows = positions(outside)
        found = table.texts(name, rows)
        yield Hits("outside_fiscal_year", name, rows, {
            "what": catalog.word(name, table.lang),
            "date": table.month_texts(found) if name == "report_month" else table.date_texts(found),
            "year": pa.array([str(int(y)) for y in year[rows].tolist()], pa.large_string()),
            "first": table.date_texts(pa.array(np.datetime_as_string(first[rows], unit="D"), pa.large_string())),
            "last": table.date_texts(pa.array(np.datetime_as_string(after[rows] - np.timedelta64(1, "D"), unit="D"), pa.large_string())),
        })


def tax_ids(table: Table) -> Iterator[Hits]:
    """Taxpayer IDs of 13 digits whose 13th digit does not match the first twelve."""
    text = arrow(table.records["winner_tax_id"])
    shaped = digits_of_width(pd.Series(pd.arrays.ArrowStringArray(text)), 13)
    candidates = positions(shaped)
    if not len(candidates):
        return
    digits = _digit_matrix(text if len(candidates) == len(text) else text.take(pa.array(candidates)), 13)
    total = np.zeros(len(candidates), dtype=np.int32)
    for i, weight in enumerate(range(13, 1, -1)):  # 12 columns, each over all IDs at once
        total += digits[:, i].astype(np.int32) * weight
    expected = (11 - total % 11) % 10
    yield Hits("tax_id_check_digit", "winner_tax_id", candidates[expected != digits[:, 12]])


def _digit_matrix(text: pa.Array | pa.ChunkedArray, width: int) -> np.ndarray:
    """Strings of exactly ``width`` ASCII digits as an (n, width) array of 0-9, read from the Arrow buffer."""
    return value_bytes(_contiguous(text)).reshape(-1, width) - np.uint8(ord("0"))


def _contiguous(text: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A (small) text array in one piece, as large strings."""
    array = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    return array.cast(pa.large_string())


def ceilings(table: Table) -> Iterator[Hits]:
    """Methods used above their legal ceiling (``ceiling`` in data/methods.toml)."""
    budget, agreed = table.amount("budget_amount"), table.amount("agreed_price")
    amount = np.where(np.isnan(budget), agreed, budget)
    method = table.records["method"]
    for term in vocab.terms("method"):
        ceiling = term.get("ceiling")
        if ceiling is None:
            continue
        with np.errstate(invalid="ignore"):
            over = method.eq(term.code).fillna(False).to_numpy(dtype=bool) & (amount > ceiling)
        rows = positions(over)
        yield Hits("method_above_ceiling", "method", rows, {
            "method": term.label(table.lang), "amount": number_texts(amount[rows]), "ceiling": number(float(ceiling)),
        })


def old_methods(table: Table) -> Iterator[Hits]:
    """Methods of the 2535 regulation in procurement under the 2560 Act: a contract signed on or
    after the day the Act applies, or, with no contract date, a fiscal year wholly after it."""
    old = [term.code for term in vocab.terms("method") if term.get("law") == "2535"]
    is_old = table.records["method"].isin(old).fillna(False).to_numpy(dtype=bool)
    if not is_old.any():
        return
    act_from = np.datetime64(wording.act_from())
    signed = table.dates["contract_date"]
    first_year = fiscal_year(dt.date.fromisoformat(wording.act_from())) + 1  # the first fiscal year wholly under the Act
    under_act = np.where(np.isnat(signed), table.amount("fiscal_year") >= first_year, signed >= act_from)
    yield Hits("method_old_regulation", "method", positions(is_old & under_act))


def unjudged_items(table: Table) -> Iterator[Hits]:
    """Items whose budget category is neither declared nor told by their name."""
    basis = table.records["investment_basis"]
    unknown = basis.eq("unknown").fillna(False).to_numpy(dtype=bool) | ~table.present("investment_basis")
    yield Hits("investment_unknown", "item_name", positions(unknown & table.present("item_name")))


def winners(table: Table) -> Iterator[Hits]:
    """Winners not among the listed bidders, names compared without spacing, punctuation and legal forms.

    First every winner is compared, as written, with the names in its record's bidders JSON,
    found by the positions of its quote marks (:func:`_verbatim`); only the records where
    that finds no match go on to names taken apart and normalized (:func:`_not_listed`).
    """
    checked = table.present("winner_name") & table.present("bidders")
    winner, bidders = arrow(table.records["winner_name"]), arrow(table.records["bidders"])
    unsure = []
    start = 0
    for chunk in bidders.chunks if isinstance(bidders, pa.ChunkedArray) else [bidders]:
        size = len(chunk)
        found = _verbatim(_contiguous(winner.slice(start, size)), chunk)
        unsure.append(start + positions(checked[start : start + size] & ~found))
        start += size
    rows = np.concatenate(unsure) if unsure else np.zeros(0, dtype=np.int64)
    found_rows = []
    for first in range(0, len(rows), WINNER_BATCH):  # in slices: names taken apart never hold much memory
        batch = rows[first : first + WINNER_BATCH]
        found_rows.append(batch[_not_listed(_contiguous(taken(winner, batch)), _contiguous(taken(bidders, batch)))])
    rows = np.concatenate(found_rows) if found_rows else np.zeros(0, dtype=np.int64)
    yield Hits("winner_not_bidder", "winner_name", rows, {"bidders": bidder_lists(table.texts("bidders", rows))})


def _verbatim(winner: pa.Array, bidders: pa.Array) -> np.ndarray:
    """Records whose winner is, byte for byte, one of the names in their bidders JSON.

    The JSON is as procdata writes it: ``[{"name": "…", "price": …}, …]``, six quote marks
    per bidder, the name between the third and the fourth, after the bytes '"name": "'.
    A record with a backslash (an escaped character), another count of quote marks or
    other bytes before a name is left to the slower path. Names are compared in place,
    bidder by bidder: arrays over the JSON's and the winners' own bytes whose values are,
    in turn, a name (or a winner) and the bytes up to the next one.
    """
    size = len(bidders)
    found = np.zeros(size, dtype=bool)
    if size == 0 or bidders.buffers()[2] is None or winner.buffers()[2] is None:
        return found
    offsets, data = _text_bytes(bidders)
    quotes, backslashes = _find_bytes(data, int(offsets[0]))
    first_quote = np.searchsorted(quotes, offsets)
    count = np.diff(first_quote)
    plain = (count % 6 == 0) & _valid(bidders) & _valid(winner)
    plain[np.searchsorted(offsets, backslashes, side="right") - 1] = False
    names = np.where(plain, count // 6, 0)
    words = np.ndarray(shape=(max(len(data) - 3, 0),), dtype="<u4", buffer=data, strides=(1,))  # 4 bytes from each position
    winner_offsets, winner_data = _text_bytes(winner)
    todo = np.flatnonzero(names)
    for nth in itertools.count():
        todo = todo[names[todo] > nth]
        if not len(todo):
            break
        opening = first_quote[todo] + 6 * nth + 2
        start, end = quotes[opening] + 1, quotes[opening + 1]
        same = (
            (quotes[opening - 2] == start - 9) & (quotes[opening - 1] == start - 4)
            & (words[start - 8] == _NAME) & (words[start - 4] == _AFTER_KEY)
            & (end - start == np.diff(winner_offsets)[todo])
        )
        pairs = todo[same]
        if len(pairs):
            equal = pc.equal(
                _views(data, start[same], end[same]), _views(winner_data, winner_offsets[pairs], winner_offsets[pairs + 1]),
            ).to_numpy(zero_copy_only=False)[0::2]
            found[pairs[equal]] = True
            todo = todo[~found[todo]]
    return found


_NAME = int.from_bytes(b"name", "little")
_AFTER_KEY = int.from_bytes(b'": "', "little")
_SCAN_BLOCK = 1 << 20  # bytes compared at once: the comparison stays in the cache


def _text_bytes(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's value offsets (as int64) and its data bytes, without copying the bytes."""
    offsets = text_offsets(text)
    return offsets, np.frombuffer(text.buffers()[2], dtype=np.uint8)[: offsets[-1]]


def _find_bytes(data: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of every quote mark and every backslash in ``data[first:]``."""
    quotes, backslashes = [], []
    for at in range(first, len(data), _SCAN_BLOCK):
        block = data[at : at + _SCAN_BLOCK]
        quotes.append(np.flatnonzero(block == 0x22) + at)
        backslashes.append(np.flatnonzero(block == 0x5C) + at)
    empty = [np.zeros(0, dtype=np.int64)]
    return np.concatenate(quotes or empty), np.concatenate(backslashes or empty)


def _valid(text: pa.Array) -> np.ndarray:
    return text.is_valid().to_numpy(zero_copy_only=False)


def _views(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """The byte ranges ``starts[i]:ends[i]`` (in order, not overlapping) of ``data`` as strings, at
    even positions, without copying: the bytes between them are the values at odd positions."""
    bounds = np.empty(2 * len(starts) + 1, dtype=np.int64)
    bounds[0:-1:2], bounds[1:-1:2], bounds[-1] = starts, ends, ends[-1]
    return pa.LargeStringArray.from_buffers(2 * len(starts), pa.py_buffer(bounds), pa.py_buffer(data))


def _not_listed(winner: pa.Array, bidders: pa.Array) -> np.ndarray:
    """Which winners are not among their record's bidders (that names at least one bidder)."""
    names, parent = _bidder_names(bidders)
    found = _found(winner, names, parent)
    unsure = positions(~found)
    if len(unsure):  # the few not found verbatim: compare normalized names
        keep = np.isin(parent, unsure)
        again = _found(
            normalize_names(winner.take(pa.array(unsure))),
            normalize_names(names.filter(pa.array(keep))),
            np.searchsorted(unsure, parent[keep]),
        )
        found[unsure[again]] = True
    named = pc.not_equal(pc.utf8_length(names), 0).to_numpy(zero_copy_only=False)
    listed = np.bincount(parent[named], minlength=len(winner)) > 0
    return ~found & listed


def _bidder_names(bidders: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Every bidder's name (as written in the JSON text), and the position of its record."""
    pieces = pc.split_pattern(bidders, '"name": "')
    parent = pc.list_parent_indices(pieces).to_numpy()
    flat = pc.list_flatten(pieces)
    first = np.zeros(len(flat), dtype=bool)
    first[pieces.offsets.to_numpy()[:-1]] = True  # the text before the first name
    names = pc.list_element(pc.split_pattern(flat.filter(pa.array(~first)), '"', max_splits=1), 0)
    return names, parent[~first]


def _found(winner: pa.Array, names: pa.Array, parent: np.ndarray) -> np.ndarray:
    """Records whose winner equals one of their bidders' names."""
    same = pc.equal(names, winner.take(pa.array(parent))).to_numpy(zero_copy_only=False)
    out = np.zeros(len(winner), dtype=bool)
    out[parent[same]] = True
    return out


def normalize_names(names: pa.Array) -> pa.Array:
    """Firm names without case, spacing, punctuation, legal-form words, and with garbled sara am undone."""
    prefixes, suffixes = catalog.name_affixes()
    text = pc.replace_substring(pc.utf8_lower(names), "\u0e33", "\u0e32")
    text = pc.replace_substring_regex(text, r"[^\p{L}\p{M}\p{N}]+", "")
    fold = lambda word: word.replace("\u0e33", "\u0e32")  # noqa: E731
    text = pc.replace_substring_regex(text, "^(?:" + "|".join(map(fold, prefixes)) + ")", "")
    return pc.replace_substring_regex(text, "(?:" + "|".join(map(fold, suffixes)) + ")+$", "")


def bidder_list(bidders: str) -> str:
    """The bidders' names of one bidders cell, for a message: ``ร้านก, ร้านข``."""
    try:
        bids = json.loads(bidders)
        return ", ".join(str(bid.get("name", "")) for bid in bids if isinstance(bid, dict))
    except (ValueError, TypeError, RecursionError):  # not JSON, or a JSON number: shown as written
        return bidders


def bidder_lists(bidders: pa.Array) -> pa.Array:
    """:func:`bidder_list` of each cell, column-wise: names taken from the JSON text in Arrow where
    it is written as procdata writes it, by :func:`bidder_list` for the others."""
    bidders = whole(bidders)
    plain = canonical_bidders(pd.Series(pd.arrays.ArrowStringArray(bidders)))
    names, parent = _bidder_names(bidders)
    lists = pa.LargeListArray.from_arrays(
        pa.array(np.searchsorted(parent, np.arange(len(bidders) + 1)), pa.int64()), whole(names),
    )
    joined = pc.fill_null(pc.binary_join(lists, pa.scalar(", ", pa.large_string())), "")
    if plain.all():
        return joined
    rest = np.flatnonzero(~plain)
    slow = pa.array([bidder_list(text) for text in bidders.take(pa.array(rest)).to_pylist()], pa.large_string())
    out = np.array(joined.to_pylist(), dtype=object)
    out[rest] = slow.to_pylist()
    return pa.array(out.tolist(), pa.large_string())


def signed_contracts(table: Table) -> Iterator[Hits]:
    """A signed contract must name its winner and its agreed price."""
    signed = table.signed
    for code, name in (("signed_no_winner", "winner_name"), ("signed_no_price", "agreed_price")):
        rows = positions(signed & ~table.present(name))
        yield Hits(code, name, rows, {"signed": _signed_by(table, rows)})


def _signed_by(table: Table, rows: np.ndarray) -> pa.Array:
    """How each record shows it is signed: its contract date, else its status."""
    dates = table.texts("contract_date", rows)
    by_date = fill(catalog.word_template("signed_by_date", table.lang), {"date": table.date_texts(dates)}, len(rows))
    statuses = map_distinct(table.texts("status", rows), lambda code: _status_word(table.lang, code))
    return pc.if_else(pc.equal(pc.binary_length(dates), 0), statuses, by_date)


def _status_word(lang: str, code: str) -> str:
    term = vocab.term("status", code)
    return catalog.word("signed_by_status", lang, status=term.label(lang) if term else "")


# Checks of each record on its own (duplicates look at the whole run: check/duplicates.py).
RULES: tuple[Callable[[Table], Iterator[Hits]], ...] = (
    prices, contract_dates, fiscal_years, tax_ids, ceilings, old_methods, unjudged_items, winners, signed_contracts,
)
