"""Shared test helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

SORKORROR1_HEADER = [
    "ลำดับที่", "งานที่จัดซื้อหรือจัดจ้าง", "วงเงินที่จะซื้อ\nหรือจ้าง (บาท)", "ราคากลาง\n(บาท)",
    "วิธีซื้อหรือจ้าง", "รายชื่อผู้เสนอราคาและราคาที่เสนอ",
    "ผู้ได้รับการคัดเลือกและราคาที่ตกลงซื้อหรือจ้าง", "เหตุผลที่คัดเลือกโดยสรุป",
    "เลขที่และวันที่ของสัญญาหรือข้อตกลงในการซื้อหรือจ้าง",
]


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]], merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook with one sheet per key; rows from A1; ``None`` leaves a cell empty."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(r, c, value)
        for ranged in (merges or {}).get(name, []):
            sheet.merge_cells(ranged)
    book.properties.created = book.properties.modified = dt.datetime(2025, 1, 1)
    book.save(path)
    return path


@pytest.fixture
def repo_cwd(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root so that file names in outputs are relative."""
    monkeypatch.chdir(REPO)
    return REPO


@pytest.fixture
def forbid_whole_reads(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Call it to make the whole-file CSV readers fail the test if reached (a table that must be read in
    chunks, or named without being read whole), from then on."""
    def forbid() -> None:
        from procdata.read import delimited

        def whole(*_: object, **__: object) -> None:
            raise AssertionError("read whole")

        monkeypatch.setattr(delimited, "_read_csv_arrow", whole)
        monkeypatch.setattr(delimited, "_decode", whole)

    return forbid


@pytest.fixture(autouse=True)
def no_reply_left_in_shared_memory() -> Any:
    """No test leaves a reader's reply file in /dev/shm (read/sandbox.py: each holds a workbook's cells).
    A reader whose command was killed may still be finishing its reply when the test ends: it removes
    it itself when it finds the command gone, so a file is waited for a little before it counts."""
    import time

    from procdata.read import messages

    shared = Path("/dev/shm")
    started = time.time()
    yield
    if not shared.is_dir():
        return
    for _ in range(30):
        messages.remove_stale()  # what the next reader started does: files of readers that are gone
        left = [p.name for p in shared.glob("procdata-reader-*.reply") if _made_since(p, started - 1)]
        if not left:
            return
        time.sleep(0.1)
    raise AssertionError(f"reply files left in /dev/shm: {left}")


def _made_since(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except FileNotFoundError:  # removed meanwhile
        return False
