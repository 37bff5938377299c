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

import numpy as np
import pandas as pd

from procdata.model import Column, Resolution
from procdata.normalize.builder import Builder, as_written
from procdata.normalize.columns import STRING, to_text
from procdata.normalize.text import fold
from procdata.normalize.wording import read_method, read_status

_DATE_FIELDS = ("contract_date",)


def _readings(text: pd.Series, read) -> tuple[np.ndarray, list, list[str]]:  # type: ignore[no-untyped-def]
    """Each distinct value of ``text`` read once: the codes of the rows, the readings, the values."""
    codes, uniques = pd.factorize(text)
    values = [str(value) for value in uniques]
    return codes, [read(value) for value in values], values


class _Cells:
    """What one method column says, row by row."""

    def __init__(self, text: pd.Series) -> None:
        codes, readings, values = _readings(text, read_method)

        def each(values: list[object], missing: object) -> np.ndarray:
            return np.array([*values, missing], dtype=object)[codes]

        self.code = each([r.code for r in readings], None)
        self.generic = each([r.generic for r in readings], False).astype(bool)
        self.blank = each([not fold(value, brackets=True) for value in values], True).astype(bool)  # "", "-"
        self.known = np.array([c is not None for c in self.code], dtype=bool)
        self.unread = ~self.blank & ~self.known & ~self.generic  # no method, or several that disagree


def method_columns(b: Builder) -> tuple[pd.Series | None, pd.Series | None]:
    """The method code and the method as written, of every record (``None`` without a method column)."""
    main_text, group_text = b.text("method"), b.text("method_group")
    if main_text is None and group_text is None:
        return None, None
    index = b.raw.index
    blank = pd.Series("", index=index, dtype=STRING)
    main = _Cells(blank if main_text is None else main_text)
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
    return to_text(list(chosen), np.arange(len(chosen)), index), text


def status_columns(
    b: Builder, *, contract_no: pd.Series, contract_date: pd.Series, winner: pd.Series,
) -> tuple[pd.Series | None, pd.Series | None]:
    """The status code and the status as written, of every record (``None`` without a status column)."""
    main, contract = b.text("status"), b.text("contract_status")
    if main is None and contract is None:
        return None, None
    index = b.raw.index
    size = len(index)
    blank = pd.Series("", index=index, dtype=STRING)
    has_main = main is not None
    main = blank if main is None else main
    contract = blank if contract is None else contract
    codes, readings, values = _readings(main, read_status)
    contract_codes, contract_readings, _ = _readings(contract, read_status)
    # A contract status is evidence of a contract; its ambiguous phrase then means one is running.
    by_contract = np.array(
        [r.code or (r.ambiguous.with_contract if r.ambiguous else None) for r in contract_readings] + [None], dtype=object,
    )[contract_codes]
    evidence = (
        contract_date.notna().to_numpy(dtype=bool) | _filled(contract_no) | _filled(winner) | _filled(contract)
    )
    chosen = np.array([r.code for r in readings] + [None], dtype=object)[codes]
    is_blank = np.array([not fold(value) for value in values] + [True])[codes]  # "", "-"
    ambiguous = np.array([r.ambiguous is not None for r in readings] + [False])[codes]
    unknown = ~is_blank & ~ambiguous & np.array([r.code is None for r in readings] + [False])[codes]
    # Blank: the contract status, when there is one.
    take_contract = (is_blank | ambiguous) & np.array([c is not None for c in by_contract], dtype=bool)
    chosen[take_contract] = by_contract[take_contract]
    # Ambiguous: the record's own evidence decides, and the choice is reported.
    for number, reading in enumerate(readings):
        if reading.ambiguous is None:
            continue
        rows = codes == number
        for evidence_kind, where in (
            ("contract_status", rows & take_contract),
            ("contract", rows & ~take_contract & evidence),
            ("none", rows & ~take_contract & ~evidence),
        ):
            if not where.any():
                continue
            if evidence_kind == "contract":
                chosen[where] = reading.ambiguous.with_contract
            elif evidence_kind == "none":
                chosen[where] = reading.ambiguous.without_contract
            for code in dict.fromkeys(chosen[where]):
                picked = where & (chosen == code)
                _resolved(b, "status", values[number], str(code), evidence_kind, np.flatnonzero(picked))
    # Unknown or blank: derived from the dates when publishing; an error only when the dates cannot be read.
    undated = _unreadable_dates(b, size)
    if has_main:
        blank_left = is_blank & np.array([c is None for c in chosen], dtype=bool)
        for mask, code in ((unknown & ~undated, "unknown_status"), (blank_left & ~undated, "status_blank"),
                           ((unknown | blank_left) & undated, "status_not_derivable")):
            where = np.flatnonzero(mask)
            b.issues_at("status", "status", where, [code] * len(where), main)
    text = as_written(b, "status")
    text = blank if text is None else text
    contract_text = as_written(b, "contract_status")
    if contract_text is not None:
        text = text.where(text.ne(""), contract_text)
    return to_text(list(chosen), np.arange(size), index), text


def _filled(text: pd.Series) -> np.ndarray:
    """Cells with something more than a dash or spaces in them."""
    codes, uniques = pd.factorize(text)
    return np.array([bool(fold(str(value))) for value in uniques] + [False])[codes]


def _unreadable_dates(b: Builder, size: int) -> np.ndarray:
    """Records whose contract date was written but could not be read."""
    rows = {issue.row for issue in b.issues if issue.field in _DATE_FIELDS}
    return np.isin(b.rows, list(rows)) if rows else np.zeros(size, dtype=bool)


def _resolved(b: Builder, key: str, text: str, code: str, evidence: str, where: np.ndarray) -> None:
    column = b.columns.get(key, Column("", key))
    entry = b.resolutions.setdefault(
        (key, text, code, evidence),
        Resolution(b.context.file, b.context.sheet, column.letter, column.header, key, text, code, evidence),
    )
    entry.add([int(row) for row in b.rows[where]])
