"""JSON as the government-spending API and CKAN give it: a list of records, read as one table.

The Comptroller General's Department's government-spending API answers
``{"code": ..., "result": [project, ...]}``; each project has the field names
``project_id``, ``project_name``, ``dept_name``, ``purchase_method_name``, ...,
``project_status`` and a list of ``contract`` objects (``winner_tin``,
``winner``, ``contract_no``, ``contract_date``, ``contract_finish_date``,
``price_agree``, ``status``). data.go.th's CKAN API answers
``{"result": {"records": [...]}}`` with the CSV's own column names. A bare list of
records is read too. Each record becomes a row; the keys (flattened) become the
header row, which :mod:`procdata.read.layout` matches like any other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from procdata.errors import InputError
from procdata.read.delimited import undecodable

MAX_JSON = 512 << 20  # bytes: parsed JSON takes several times its size in memory
# A project's contracts, flattened: contract key -> column name.
CONTRACT_KEYS = {
    "winner_tin": "winner_tin", "winner": "winner", "contract_no": "contract_no", "contract_date": "contract_date",
    "contract_finish_date": "contract_finish_date", "price_agree": "contract_price_agree", "status": "contract_status",
}
_LISTS = ("result", "records", "data", "items", "results")


def read_json(path: Path, display: str) -> list[list[str]]:
    """The rows of a JSON file of records: the header (keys) first, then one row per record."""
    if path.stat().st_size > MAX_JSON:
        raise InputError("file_too_big", display, limit=f"{MAX_JSON >> 20:,} MB")
    data = path.read_bytes()
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise undecodable(display, "utf-8-sig", data, error) from None
    except (ValueError, RecursionError):
        raise InputError("file_damaged", display) from None
    records = _records(document)
    if records is None:
        raise InputError("file_no_table", display)
    rows = [_flatten(record) for record in records if isinstance(record, dict)]
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    keys = list(header)
    return [keys, *[[row.get(key, "") for key in keys] for row in rows]]


def _records(document: Any) -> list[Any] | None:
    """The list of records in an API answer: the document itself, or under result/records/data."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _LISTS:
            found = _records(document[key]) if key in document else None
            if found is not None:
                return found
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _flatten(record: dict[str, Any]) -> dict[str, str]:
    """One row: plain fields as text, the contracts folded into contract columns."""
    row: dict[str, str] = {}
    contracts = record.get("contract")
    for key, value in record.items():
        if key == "contract" and isinstance(value, list):
            continue
        row[key] = _text(value)  # nested objects (project_location) as JSON text: no canonical field reads them
    if isinstance(contracts, list):
        for key, text in _contracts([c for c in contracts if isinstance(c, dict)]).items():
            if not row.get(key):
                row[key] = text
    return row


def _contracts(contracts: list[dict[str, Any]]) -> dict[str, str]:
    """The contracts of one project as one row's contract columns.

    One contract: its fields. Several (a project split between winners): the winners and
    contract numbers listed, the earliest signature, the latest end, the prices summed;
    a taxpayer ID and a status only when every contract has the same one.
    """
    if not contracts:
        return {}
    values = {name: [_text(c.get(key)) for c in contracts] for key, name in CONTRACT_KEYS.items()}
    if len(contracts) == 1:
        return {name: texts[0] for name, texts in values.items()}
    out = {name: " / ".join(dict.fromkeys(t for t in texts if t)) for name, texts in values.items()}
    for name in ("winner_tin", "contract_status"):
        distinct = set(values[name])
        out[name] = values[name][0] if len(distinct) == 1 else ""
    out["contract_date"] = _first_date(values["contract_date"], earliest=True)
    out["contract_finish_date"] = _first_date(values["contract_finish_date"], earliest=False)
    out["contract_price_agree"] = _sum(values["contract_price_agree"])
    return out


def _first_date(texts: list[str], *, earliest: bool) -> str:
    from procdata.errors import ParseError
    from procdata.normalize.dates import parse_date

    dated = []
    for text in texts:
        try:
            day = parse_date(text) if text else None
        except ParseError:
            day = None
        if day:
            dated.append((day, text))
    if not dated:
        return next((t for t in texts if t), "")
    return (min(dated) if earliest else max(dated))[1]


def _sum(texts: list[str]) -> str:
    from procdata.errors import ParseError
    from procdata.normalize.numbers import parse_amount

    total = 0.0
    for text in texts:
        try:
            value = parse_amount(text) if text else None
        except ParseError:
            return ""
        if value is None:
            return ""
        total += value
    return f"{total:.2f}"
