"""The rules of Thai procurement, checked column-wise on the canonical records.

Prices against each other, dates against each other and the fiscal year,
taxpayer-ID check digits, duplicate project numbers, legal ceilings of the
methods, winners against bidders, and signed contracts without a winner or a
price. Codes, severities and messages are in ``data/checks.toml``.
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
from procdata.check.table import Hits, Table, positions
from procdata.i18n import number
from procdata.normalize import vocab, wording
from procdata.normalize.columns import arrow
from procdata.normalize.dates import fiscal_year

CENT = 0.005  # amounts are compared to the satang
SHOWN_PARTNERS = 3  # rows named in a duplicate message before "and N more"
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
    yield Hits("agreed_above_budget", "agreed_price", rows, [
        {"agreed": table.money("agreed_price", r), "budget": table.money("budget_amount", r)} for r in rows
    ])
    rows = positions(over_reference)
    yield Hits("agreed_above_reference", "agreed_price", rows, [
        {"agreed": table.money("agreed_price", r), "reference": table.money("reference_price", r)} for r in rows
    ])
    rows = positions(reference_over)
    yield Hits("reference_above_budget", "reference_price", rows, [
        {"reference": table.money("reference_price", r), "budget": table.money("budget_amount", r)} for r in rows
    ])


def contract_dates(table: Table) -> Iterator[Hits]:
    start, end = table.dates["contract_date"], table.dates["contract_end_date"]
    rows = positions(end < start)  # NaT compares False
    yield Hits("end_before_contract", "contract_end_date", rows, [
        {"end": table.date(table.text("contract_end_date", r)), "start": table.date(table.text("contract_date", r))}
        for r in rows
    ])


def fiscal_years(table: Table) -> Iterator[Hits]:
    """Contract dates and report months outside the record's fiscal year (1 Oct N-544 .. 30 Sep N-543)."""
    year = table.amount("fiscal_year")
    known = (year >= 2400) & (year <= 2800)
    year_ce = np.where(known, year, 2543).astype("int64") - 543
    first = ((year_ce - 1 - 1970) * 12 + 9).astype("datetime64[M]").astype("datetime64[D]")
    after = ((year_ce - 1970) * 12 + 9).astype("datetime64[M]").astype("datetime64[D]")
    for name, dates in (("contract_date", table.dates["contract_date"]), ("report_month", table.months)):
        outside = known & ~np.isnat(dates) & ((dates < first) | (dates >= after))
        rows = positions(outside)
        yield Hits("outside_fiscal_year", name, rows, [
            {
                "what": catalog.word(name, table.lang),
                "date": _month(table, table.text(name, r)) if name == "report_month" else table.date(table.text(name, r)),
                "year": int(year[r]),
                "first": table.date(str(first[r])),
                "last": table.date(str(after[r] - np.timedelta64(1, "D"))),
            }
            for r in rows
        ])


def _month(table: Table, month: str) -> str:
    """``2025-01`` as people read it: ``ม.ค. 2568`` in Thai."""
    if table.lang != "th" or len(month) != 7:
        return month
    return " ".join(table.date(f"{month}-01").split()[1:])


def tax_ids(table: Table) -> Iterator[Hits]:
    """Taxpayer IDs of 13 digits whose 13th digit does not match the first twelve."""
    text = arrow(table.records["winner_tax_id"])
    shaped = pc.match_substring_regex(text, "^[0-9]{13}$").fill_null(False).to_numpy(zero_copy_only=False)
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
    array = _contiguous(text)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    raw = np.frombuffer(array.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return raw.reshape(-1, width) - np.uint8(ord("0"))


def _contiguous(text: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A (small) text array in one piece, as large strings."""
    array = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    return array.cast(pa.large_string())


def duplicates(table: Table) -> Iterator[Hits]:
    """The same project number twice in one file or in one report month; each row names the others.

    Rows of one project with different contract numbers are its contracts (e-GP's national
    data has a row per contract), not duplicates.
    """
    given = positions(table.present("project_id"))
    codes, _ = pd.factorize(table.records["project_id"].iloc[given])
    candidates = given[np.bincount(codes)[codes] > 1]
    if not len(candidates):
        return
    frame = table.records.iloc[candidates][["project_id", "contract_no", "source_file", "report_month"]].astype(object)
    frame["contract_no"] = frame["contract_no"].fillna("")
    frame["position"] = candidates
    partners: dict[int, list[int]] = {}
    scopes: dict[int, str] = {}
    for scope, keys in (("same_file", ["source_file", "project_id", "contract_no"]),
                        ("same_month", ["report_month", "project_id", "contract_no"])):
        for (first_key, *_), members in frame.dropna(subset=keys).groupby(keys, sort=False)["position"]:
            rows = members.tolist()
            if len(rows) < 2:
                continue
            for row in rows:
                others = partners.setdefault(row, [])
                others.extend(r for r in rows if r != row and r not in others)
                scopes.setdefault(row, catalog.word(scope, table.lang, month=_month(table, str(first_key))))
    rows = np.array(sorted(partners), dtype=np.int64)
    yield Hits("duplicate_project", "project_id", rows, [
        {"others": _where(table, row, partners[row]), "scope": scopes[row]} for row in rows
    ])


def _where(table: Table, row: int, others: list[int]) -> str:
    """Where the other copies are, as the officer finds them: row, sheet and file when they differ."""
    file, sheet, _ = table.place(row)
    lang = table.lang
    names = []
    for other in others[:SHOWN_PARTNERS]:
        other_file, other_sheet, other_row = table.place(other)
        if other_file != file:
            key = "file_sheet_row" if other_sheet else "file_row"
        else:
            key = "sheet_row" if other_sheet != sheet else "row"
        names.append(catalog.word(key, lang, file=other_file, sheet=other_sheet, row=other_row))
    if len(others) > SHOWN_PARTNERS:
        names.append(catalog.word("and_more", lang, count=len(others) - SHOWN_PARTNERS))
    return ", ".join(names)


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
        yield Hits("method_above_ceiling", "method", rows, [
            {"method": term.label(table.lang), "amount": number(float(amount[r])), "ceiling": number(float(ceiling))}
            for r in rows
        ])


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
        take = pa.array(batch)
        found_rows.append(batch[_not_listed(_contiguous(winner.take(take)), _contiguous(bidders.take(take)))])
    rows = np.concatenate(found_rows) if found_rows else np.zeros(0, dtype=np.int64)
    yield Hits("winner_not_bidder", "winner_name", rows, [{"bidders": _bidder_list(table, int(r))} for r in rows])


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
    wide = 8 if pa.types.is_large_string(text.type) else 4
    offsets = np.frombuffer(text.buffers()[1], dtype=f"<i{wide}", count=len(text) + 1, offset=text.offset * wide).astype(np.int64)
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


def _bidder_list(table: Table, row: int) -> str:
    try:
        bids = json.loads(table.text("bidders", row))
    except ValueError:
        return table.text("bidders", row)
    return ", ".join(str(bid.get("name", "")) for bid in bids if isinstance(bid, dict))


def signed_contracts(table: Table) -> Iterator[Hits]:
    """A signed contract must name its winner and its agreed price."""
    signed = table.signed
    for code, name in (("signed_no_winner", "winner_name"), ("signed_no_price", "agreed_price")):
        rows = positions(signed & ~table.present(name))
        yield Hits(code, name, rows, [{"signed": _signed_by(table, r)} for r in rows])


def _signed_by(table: Table, row: int) -> str:
    date = table.text("contract_date", row)
    if date:
        return catalog.word("signed_by_date", table.lang, date=table.date(date))
    term = vocab.term("status", table.text("status", row))
    return catalog.word("signed_by_status", table.lang, status=term.label(table.lang) if term else "")


RULES: tuple[Callable[[Table], Iterator[Hits]], ...] = (
    prices, contract_dates, fiscal_years, tax_ids, duplicates, ceilings, old_methods, unjudged_items, winners,
    signed_contracts,
)
