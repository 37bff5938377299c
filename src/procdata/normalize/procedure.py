"""The method and the status of each record, column-wise, read as e-GP and the Act word them.

Method: the method cell (e-GP's national data: วิธีจัดซื้อฯ), and where that is
empty or only e-GP's catch-all text, the method-group cell (กลุ่มวิธีจัดซื้อฯ);
the national files swap the two in some years, so either may hold the method.
Text that is no method is an error at its cell.

Status: the status cell (e-GP: สถานะโครงการ), read as a whole phrase. An
ambiguous phrase (ระหว่างดำเนินการ) is decided by the record's own evidence: an
e-GP contract status, else a contract number, a contract date or a winner; each
choice is reported as a :class:`~procdata.model.Resolution`. Text that is no status,
and an empty status cell, are warnings: the status is then derived from the
contract dates at the date of the data (when publishing). Only when that cannot
be done either (the contract date itself could not be read) is it an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from procdata.model import Column, Resolution
from procdata.normalize import vocab
from procdata.normalize.builder import Builder, as_written
from procdata.normalize.columns import STRING, matches, to_text
from procdata.normalize.text import fold
from procdata.normalize.wording import read_method, read_status

_DATE_FIELDS = ("contract_date",)


def _readings(text: pd.Series, read: Callable[[str], Any]) -> tuple[np.ndarray, list[Any], list[str]]:
    """Each distinct value of ``text`` read once: the codes of the rows, the readings, the values."""
    codes, uniques = pd.factorize(text)
    values = [str(value) for value in uniques]
    return codes, [read(value) for value in values], values


def _ids(kind: str) -> tuple[list[str], dict[str | None, int]]:
    """A vocabulary's codes, and code -> its position (None -> -1: a missing value for :func:`to_text`)."""
    codes = vocab.codes(kind)
    return codes, {None: -1, **{code: number for number, code in enumerate(codes)}}


class _Cells:
    """What one method column says, row by row: the position of its code (-1: none), and why not."""

    def __init__(self, text: pd.Series) -> None:
        codes, readings, values = _readings(text, read_method)
        position = _ids("method")[1]

        def each(values: list[object], missing: object, dtype: str) -> np.ndarray:
            return np.array([*values, missing], dtype=dtype)[codes]

        self.code = each([position[r.code] for r in readings], -1, "int64")
        self.generic = each([r.generic for r in readings], False, "bool")
        self.blank = each([not fold(value, brackets=True) for value in values], True, "bool")  # "", "-"
        self.known = self.code >= 0
        self.unread = ~self.blank & ~self.known & ~self.generic  # no method, or several that disagree
        # Every cell is a code already (procdata's canonical file): the column can be kept as it is.
        self.canonical = all(r.code == value for r, value in zip(readings, values, strict=True))


def method_columns(b: Builder) -> tuple[pd.Series | None, pd.Series | None]:
    """The method code and the method as written, of every record (``None`` without a method column)."""
    main_text, group_text = b.text("method"), b.text("method_group")
    if main_text is None and group_text is None:
        return None, None
    index = b.raw.index
    blank = pd.Series("", index=index, dtype=STRING)
    main = _Cells(blank if main_text is None else main_text)
    if main_text is not None and group_text is None and main.canonical:
        text = as_written(b, "method")
        return main_text, (blank if text is None else text)
    group = _Cells(blank if group_text is None else group_text)
    from_group = ~main.known & (main.blank | main.generic) & group.known
    chosen = np.where(from_group, group.code, main.code)
    # Where no method is read: the cell that says something wrong, else the catch-all text, is the error.
    missing = ~main.known & ~from_group
    at_main = missing & (main.unread | main.generic & ~group.unread)
    at_group = missing & ~at_main & (group.unread | group.generic)
    for key, where, series in (("method", at_main, main_text), ("method_group", at_group, group_text)):
        if series is not None:
            rows = np.flatnonzero(where)
            b.issues_at(key, "method", rows, ["unknown_method"] * len(rows), series)
    text = as_written(b, "method")
    text = blank if text is None else text
    if from_group.any():
        text = text.where(~pd.Series(from_group, index=index), as_written(b, "method_group"))
    return to_text(list(_ids("method")[0]), chosen, index), text


def status_columns(
    b: Builder, *, contract_no: pd.Series, contract_date: pd.Series, winner: pd.Series,
) -> tuple[pd.Series | None, pd.Series | None]:
    """The status code and the status as written, of every record (``None`` without a status column)."""
    main, contract = b.text("status"), b.text("contract_status")
    if main is None and contract is None:
        return None, None
    index = b.raw.index
    size = len(index)
    names, position = _ids("status")
    blank = pd.Series("", index=index, dtype=STRING)
    has_main = main is not None
    main = blank if main is None else main
    contract = blank if contract is None else contract
    codes, readings, values = _readings(main, read_status)
    if has_main and b.text("contract_status") is None and all(r.code == v for r, v in zip(readings, values, strict=True)):
        text = as_written(b, "status")  # every cell a code already (procdata's canonical file): kept as it is
        return main, (blank if text is None else text)
    contract_codes, contract_readings, _ = _readings(contract, read_status)
    # A contract status is evidence of a contract; its ambiguous phrase then means one is running.
    by_contract = np.array(
        [position[r.code or (r.ambiguous.with_contract if r.ambiguous else None)] for r in contract_readings] + [-1],
    )[contract_codes]
    chosen = np.array([position[r.code] for r in readings] + [-1])[codes]
    is_blank = np.array([not fold(value) for value in values] + [True])[codes]  # "", "-"
    ambiguous = np.array([r.ambiguous is not None for r in readings] + [False])[codes]
    unknown = ~is_blank & ~ambiguous & (chosen < 0)
    # Blank or ambiguous: the contract status, when there is one.
    take_contract = (is_blank | ambiguous) & (by_contract >= 0)
    chosen[take_contract] = by_contract[take_contract]
    # Ambiguous: the record's own evidence decides, and the choice is reported.
    evidence = _evidence(ambiguous & ~take_contract, contract_date, contract_no, winner, contract)
    for number, reading in enumerate(readings):
        if reading.ambiguous is None:
            continue
        rows = codes == number
        for evidence_kind, where in zip(EVIDENCE, (
            rows & take_contract,
            rows & ~take_contract & evidence,
            rows & ~take_contract & ~evidence,
        ), strict=True):
            if not where.any():
                continue
            if evidence_kind == "contract":
                chosen[where] = position[reading.ambiguous.with_contract]
            elif evidence_kind == "none":
                chosen[where] = position[reading.ambiguous.without_contract]
            for code in np.unique(chosen[where]).tolist():
                _resolved(b, "status", values[number], names[code], evidence_kind, np.flatnonzero(where & (chosen == code)))
    # Unknown or blank: derived from the dates when publishing; an error only when the dates cannot be read.
    if has_main:
        blank_left = is_blank & (chosen < 0)
        undated = _unreadable_dates(b, size) if (unknown | blank_left).any() else np.zeros(size, dtype=bool)
        for mask, code in ((unknown & ~undated, "unknown_status"), (blank_left & ~undated, "status_blank"),
                           ((unknown | blank_left) & undated, "status_not_derivable")):
            where = np.flatnonzero(mask)
            b.issues_at("status", "status", where, [code] * len(where), main)
    text = as_written(b, "status")
    text = blank if text is None else text
    contract_text = as_written(b, "contract_status")
    if contract_text is not None:
        text = text.where(text.ne(""), contract_text)
    return to_text(list(names), chosen, index), text


def _evidence(rows: np.ndarray, *columns: pd.Series) -> np.ndarray:
    """Records (among ``rows``: only ambiguous ones need it) with a contract date, contract number,
    winner or contract status: something more than a dash or spaces in any of them."""
    found = np.zeros(len(rows), dtype=bool)
    if not rows.any():
        return found
    for column in columns:
        found |= rows & matches(column.astype(STRING).fillna(""), r"[^\s\-–—.]")
    return found


def _unreadable_dates(b: Builder, size: int) -> np.ndarray:
    """Records whose contract date was written but could not be read."""
    rows = [run.positions for run in b.issues.runs if run.field in _DATE_FIELDS]
    found = np.zeros(size, dtype=bool)
    if rows:
        found[np.concatenate(rows)] = True
    return found


EVIDENCE = ("contract_status", "contract", "none")  # the order the readings of one text are reported in


def merged_resolutions(parts: list[list[Resolution]]) -> list[Resolution]:
    """The resolved cells of parts of one table (chunks of a long one, halves on two threads) as one pass
    over it reports them: each reading once, with the rows of all parts (the first of them) and their
    count, in ``resolution_order``."""
    merged: dict[tuple[str, ...], Resolution] = {}
    for part in parts:
        for entry in part:
            key = (entry.file, entry.sheet, entry.field, entry.text, entry.code, entry.evidence)
            whole = merged.setdefault(key, Resolution(**{**entry.__dict__, "count": 0, "rows": []}))
            whole.add(entry.rows)
            whole.count += entry.count - len(entry.rows)
    return resolution_order(list(merged.values()))


def resolution_order(entries: list[Resolution]) -> list[Resolution]:
    """``entries`` in one order whatever parts of a table they were found in (chunks of a long table,
    a table's halves on two threads): place by place as they come, and in a place by the row where
    each text first stands, then by evidence (``EVIDENCE``), then by the status read."""
    _, position = _ids("status")
    places: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str, str, str], int] = {}
    for entry in entries:
        places.setdefault((entry.file, entry.sheet), len(places))
        key = (entry.file, entry.sheet, entry.field, entry.text)
        if entry.rows:
            first[key] = min(first.get(key, entry.rows[0]), min(entry.rows))
    return sorted(entries, key=lambda e: (
        places[(e.file, e.sheet)], first.get((e.file, e.sheet, e.field, e.text), 0), e.field, e.text,
        EVIDENCE.index(e.evidence) if e.evidence in EVIDENCE else len(EVIDENCE), position.get(e.code, len(position)),
    ))


def _resolved(b: Builder, key: str, text: str, code: str, evidence: str, where: np.ndarray) -> None:
    column = b.columns.get(key, Column("", key))
    if "_file" in b.raw:  # tables normalized together: each record's own file and sheet
        files = b.raw["_file"].to_numpy(dtype=object)[where]
        sheets = b.raw["_sheet"].to_numpy(dtype=object)[where]
        places = list(dict.fromkeys(zip(files.tolist(), sheets.tolist(), strict=True)))
    else:
        places = [(b.context.file, b.context.sheet)]
    for file, sheet in places:
        mine = where if len(places) == 1 else where[(files == file) & (sheets == sheet)]
        entry = b.resolutions.setdefault(
            (file, sheet, key, text, code, evidence),
            Resolution(file, sheet, column.letter, column.header, key, text, code, evidence),
        )
        entry.add([int(row) for row in b.rows[mine]])
