"""The rules of Thai procurement, checked column-wise on the canonical records.

Prices against each other, dates against each other and the fiscal year,
taxpayer-ID check digits, duplicate project numbers, legal ceilings of the
methods, winners against bidders, and signed contracts without a winner or a
price. Codes, severities and messages are in ``data/checks.toml``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from procdata.check import catalog
from procdata.check.table import Hits, Table, positions
from procdata.i18n import number
from procdata.normalize import vocab
from procdata.normalize.columns import arrow

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
    text = table.records["winner_tax_id"].astype("string")
    candidates = positions(text.str.fullmatch(r"[0-9]{13}").fillna(False).to_numpy(dtype=bool))
    if not len(candidates):
        return
    digits = _digit_matrix(arrow(text).take(pa.array(candidates)), 13)
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
    """The same project number twice in one file or in one report month; each row names the others."""
    project = table.records["project_id"]
    candidates = positions(project.duplicated(keep=False).to_numpy(dtype=bool) & table.present("project_id"))
    if not len(candidates):
        return
    frame = table.records.iloc[candidates][["project_id", "source_file", "report_month"]].astype(object)
    frame["position"] = candidates
    partners: dict[int, list[int]] = {}
    scopes: dict[int, str] = {}
    for scope, keys in (("same_file", ["source_file", "project_id"]), ("same_month", ["report_month", "project_id"])):
        for (first_key, _), members in frame.dropna(subset=keys).groupby(keys, sort=False)["position"]:
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


def winners(table: Table) -> Iterator[Hits]:
    """Winners not among the listed bidders, names compared without spacing, punctuation and legal forms.

    In slices of the table, so that the bidders' names taken apart never hold much memory at once.
    """
    checked = table.present("winner_name") & table.present("bidders")
    winner, bidders = arrow(table.records["winner_name"]), arrow(table.records["bidders"])
    found = []
    for start in range(0, table.size, WINNER_BATCH):
        mask = checked[start : start + WINNER_BATCH]
        if mask.any():
            keep = pa.array(mask)
            rows = start + positions(mask)
            names = _contiguous(winner.slice(start, len(mask)).filter(keep))
            bids = _contiguous(bidders.slice(start, len(mask)).filter(keep))
            found.append(rows[_not_listed(names, bids)])
    rows = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    yield Hits("winner_not_bidder", "winner_name", rows, [{"bidders": _bidder_list(table, r)} for r in rows])


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
    prices, contract_dates, fiscal_years, tax_ids, duplicates, ceilings, winners, signed_contracts,
)
