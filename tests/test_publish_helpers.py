"""Builders for publish tests: canonical input files, agency profiles, taxpayer IDs.

The other ``test_publish*`` modules import these; the tests here check the
builders themselves, so that a wrong fixture cannot make a test pass.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from procdata.read.ingest import ingest
from procdata.workspace.profile_text import render_config

COLUMNS = [
    "fiscal_year", "report_month", "seq", "project_id", "item_name", "budget_amount", "budget_source",
    "budget_category", "reference_price", "method", "winner_name", "winner_tax_id", "agreed_price",
    "contract_no", "contract_date", "contract_end_date", "status",
]
AGENCY = {"name": "องค์การบริหารส่วนตำบลทดสอบ", "district": "เมืองทดสอบ", "province": "ทดสอบ"}


def tax_id(first12: str) -> str:
    """A 13-digit taxpayer ID with a correct check digit."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


JURISTIC = tax_id("010555712345")
PERSON = tax_id("310120045678")


def project(n: int, **values: Any) -> dict[str, Any]:
    """A signed, consistent FY2568 project; ``values`` override any field."""
    row: dict[str, Any] = {
        "fiscal_year": 2568, "report_month": "2025-01", "seq": n, "project_id": f"6801{n:07d}",
        "item_name": f"รายการทดสอบที่ {n}", "budget_amount": 100000 + n, "budget_source": "annual_budget",
        "budget_category": "operating", "reference_price": 100000 + n, "method": "e_bidding",
        "winner_name": "บริษัท ทดสอบ จำกัด", "winner_tax_id": JURISTIC, "agreed_price": 90000 + n,
        "contract_no": f"{n}/2568", "contract_date": "2025-01-15", "contract_end_date": "2025-06-30",
        "status": "",
    }
    row.update(values)
    return row


def write_canonical(path: Path, rows: list[dict[str, Any]], extra: tuple[str, ...] = ()) -> Path:
    """A canonical-layout CSV (UTF-8) of ``rows``: :data:`COLUMNS` and the ``extra`` ones."""
    names = [*COLUMNS, *extra]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in names})
    return path


def write_profile(folder: Path, **values: str) -> Path:
    """An agency profile ``procdata.toml`` in ``folder`` for the test agency."""
    path = folder / "procdata.toml"
    path.write_text(render_config({**AGENCY, **values}), encoding="utf-8")
    return path


def read_csv(path: Path) -> list[list[str]]:
    """A published CSV as rows of cells (header first), BOM removed."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_tax_ids_have_valid_check_digits() -> None:
    for value in (JURISTIC, PERSON, tax_id("099300017654")):
        digits = [int(d) for d in value]
        assert len(digits) == 13
        assert digits[12] == (11 - sum(d * (13 - i) for i, d in enumerate(digits[:12])) % 11) % 10
    assert JURISTIC.startswith("0") and not PERSON.startswith("0")


def test_canonical_rows_ingest_as_written(tmp_path: Path) -> None:
    path = write_canonical(tmp_path / "in.csv", [project(1), project(2, budget_category="investment", status="cancelled")])
    records = ingest([path]).records
    assert records["item_name"].tolist() == ["รายการทดสอบที่ 1", "รายการทดสอบที่ 2"]
    assert records["is_investment"].tolist() == [False, True]
    assert records["status"].tolist()[1] == "cancelled" and records["status"].isna().tolist()[0]
    assert records["winner_tax_id"].tolist() == [JURISTIC, JURISTIC]
