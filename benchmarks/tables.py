"""Generated canonical procurement tables for the benchmarks (no real data needed).

``columns(rows, seed, mix)`` gives the canonical columns of ``rows`` records of
fiscal year 2568 with realistic values; ``mix`` chooses the problems in them:

- ``clean``: seven injected errors (one of each kind, see ``INJECTED``);
- ``warned``: the same, and 20% of the records a specific-method
  (เฉพาะเจาะจง) item above its 500,000-baht ceiling: a warning each;
- ``twice``: the same seven errors, and every record given an e-GP project
  number that one other record also has (record ``i`` and record
  ``i + rows/2``: two reports of the same project months apart).

``write_csv`` writes them as procdata's canonical CSV, ``write_parquet`` as
Parquet, ``write_files`` as many small agency files. Files are cached by
size, seed, mix and generator version (``cached``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ITEMS = np.array([
    "จ้างก่อสร้างถนนคอนกรีตเสริมเหล็ก บ้าน{v} หมู่ที่ {n} กว้าง 4 เมตร ยาว {m} เมตร",
    "ซื้อวัสดุสำนักงาน กองคลัง จำนวน {m} รายการ",
    "จ้างเหมาบริการรถรับส่งเด็ก ศูนย์พัฒนาเด็กเล็กบ้าน{v} ระยะเวลา {n} เดือน",
    "ซื้อครุภัณฑ์คอมพิวเตอร์ (โน้ตบุ๊ก) จำนวน {n} เครื่อง ตามคุณลักษณะของกระทรวงดิจิทัลฯ ปี {m}",
    "จ้างซ่อมแซมรถบรรทุกขยะ ทะเบียน 82-{m} ขอนแก่น",
    "ซื้ออาหารเสริม (นม) โรงเรียนบ้าน{v} ภาคเรียนที่ 2 จำนวน {m} กล่อง",
    "จ้างวางท่อระบายน้ำ คสล. บ้าน{v} หมู่ที่ {n} ความยาว {m} เมตร",
    "ซื้อน้ำมันเชื้อเพลิงและหล่อลื่น จำนวน {m} ลิตร",
    "จ้างเหมาจัดทำป้ายประชาสัมพันธ์โครงการ บ้าน{v} จำนวน {n} ป้าย",
    "ซื้อวัสดุไฟฟ้าและวิทยุ สำหรับซ่อมไฟฟ้าสาธารณะ หมู่ที่ {n} จำนวน {m} ชุด",
])
ITEM_INVESTMENT = np.array([True, False, False, True, False, False, True, False, False, False])
VILLAGES = np.array([
    "หนองบัว", "โนนสูง", "ดอนยาง", "หนองแวง", "โคกสี", "นาดี", "ท่าพระ", "บึงเนียม", "โนนทัน", "ศิลา",
    "สำราญ", "พระลับ", "บ้านค้อ", "แดงใหญ่", "บ้านเป็ด", "ดอนช้าง", "บ้านหว้า", "โคกม่วง", "หนองตูม", "นาเรียง",
])
FIRM_FORMS = np.array(["หจก.", "บริษัท ", "ร้าน", "ห้างหุ้นส่วนจำกัด ", "นาย"])
FIRM_STEMS = np.array([
    "สมบูรณ์", "ไทยพัฒนา", "รุ่งเรือง", "เจริญทรัพย์", "สยาม", "ศรีสะเกษ", "ขอนแก่น", "อีสาน", "มั่นคง", "ทรัพย์ทวี",
    "ศักดิ์ชัย", "ธนกิจ", "พูนผล", "วัฒนา", "บุญมา", "ชัยเจริญ", "มงคล", "สุขใจ", "เพิ่มพูน", "ก้าวหน้า",
])
FIRM_TRADES = np.array(["ก่อสร้าง", "การค้า", "วิศวกรรม", "คอมพิวเตอร์", "วัสดุภัณฑ์", "โยธา", "ปิโตรเลียม", "การพิมพ์"])
SOURCES = np.array(["annual_budget", "accumulated_funds", "specific_grant", "general_grant"])
REASONS = np.array(["เป็นผู้เสนอราคาต่ำสุด", "เสนอราคาต่ำสุดและมีคุณสมบัติครบถ้วน", "ราคาเหมาะสม"])
STATUSES = np.array(["in_contract", "completed"])
STATUS_TEXT = np.array(["อยู่ระหว่างระยะสัญญา", "สิ้นสุดระยะสัญญา"])
METHOD_TEXT = {"e_bidding": "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)", "e_market": "ตลาดอิเล็กทรอนิกส์ (e-market)", "specific": "เฉพาะเจาะจง"}
PROVINCES = np.array([
    ("ขอนแก่น", "เมืองขอนแก่น"), ("ขอนแก่น", "ชุมแพ"), ("ขอนแก่น", "บ้านไผ่"), ("ชัยภูมิ", "เมืองชัยภูมิ"),
    ("ชัยภูมิ", "ภูเขียว"), ("นครราชสีมา", "ปากช่อง"), ("นครราชสีมา", "พิมาย"), ("อุดรธานี", "กุมภวาปี"),
    ("มหาสารคาม", "บรบือ"), ("ร้อยเอ็ด", "เสลภูมิ"), ("สกลนคร", "สว่างแดนดิน"), ("เชียงใหม่", "สันทราย"),
    ("นครศรีธรรมราช", "ทุ่งสง"), ("สุราษฎร์ธานี", "พุนพิน"), ("ชลบุรี", "พนัสนิคม"), ("พิษณุโลก", "วังทอง"),
])
AGENCY_FORMS = np.array(["องค์การบริหารส่วนตำบล", "เทศบาลตำบล", "เทศบาลเมือง"])

GENERATION = "v3"  # changes when the generated table does: v2 lists the winner second in half of the records,
# v3 adds the agency fields (agency_name, agency_unit, province, district) of a national table
MIXES = ("clean", "warned", "twice")
WARNED_SHARE = 0.2

# Rows that get one injected error each: (row index, field, bad value).
INJECTED = (
    (10, "agreed_price", "9999999.00"),  # above the budget
    (200, "budget_amount", "-500.00"),  # negative amount
    (3_000, "winner_tax_id", "12345"),  # not 13 digits
    (40_000, "project_id", "6701912"),  # not 11 digits
    (77_777, "contract_end_date", "2023-01-01"),  # before the contract date
    (500_000, "method", "เฉพาะเจาะ"),  # unknown method
    (999_000, "contract_date", "2025-02-30"),  # impossible date
)


def _tax_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Juristic-person taxpayer IDs (leading 0) with a correct check digit."""
    digits = rng.integers(0, 10, size=(n, 12))
    digits[:, 0] = 0
    weights = np.arange(13, 1, -1)
    check = (11 - (digits * weights).sum(axis=1) % 11) % 10
    text = np.zeros(n, dtype="<U13")
    for i in range(12):
        text = np.char.add(text, digits[:, i].astype("<U1"))
    return np.char.add(text, check.astype("<U1"))


def _firms(rng: np.random.Generator, count: int) -> np.ndarray:
    """Firm names such as "หจก.สมบูรณ์ก่อสร้าง 12" (distinct, as in a national table)."""
    forms = FIRM_FORMS[rng.integers(0, len(FIRM_FORMS), count)]
    names = np.char.add(np.char.add(forms, FIRM_STEMS[rng.integers(0, len(FIRM_STEMS), count)]), FIRM_TRADES[rng.integers(0, len(FIRM_TRADES), count)])
    names = np.char.add(np.char.add(names, " "), np.arange(count).astype(str))
    return np.where(forms == "บริษัท ", np.char.add(names, " จำกัด"), names)


def _agencies(rng: np.random.Generator, rows: int, count: int = 2_000) -> dict[str, np.ndarray]:
    """2,000 local governments of a national table, each in one district of one province."""
    place = rng.integers(0, len(PROVINCES), count)
    province, district = PROVINCES[place, 0], PROVINCES[place, 1]
    names = np.char.add(AGENCY_FORMS[rng.integers(0, len(AGENCY_FORMS), count)], VILLAGES[rng.integers(0, len(VILLAGES), count)])
    names = np.char.add(names, np.char.mod("%d", np.arange(count)))  # distinct agencies
    units = np.char.add(np.char.add(np.char.add(names, " อำเภอ"), district), np.char.add(" จังหวัด", province))
    which = rng.integers(0, count, rows)
    return {"agency_name": names[which], "agency_unit": units[which], "province": province[which], "district": district[which]}


def columns(rows: int, seed: int = 2568, mix: str = "clean", offset: int = 0, infer: bool = False) -> dict[str, np.ndarray]:
    """The canonical columns of ``rows`` records of fiscal year 2568 (see the module's docstring);
    ``offset`` numbers them from there on (project numbers, source rows): a block of a longer table.
    With ``infer``, no budget category: every item is judged from its name (as national e-GP data is)."""
    if mix not in MIXES:
        raise ValueError(f"mix must be one of {MIXES}")
    rng = np.random.default_rng(seed)
    item_index = rng.integers(0, len(ITEMS), rows)
    items = np.char.replace(ITEMS[item_index], "{n}", rng.integers(1, 20, rows).astype(str))
    items = np.char.replace(items, "{m}", rng.integers(10, 5000, rows).astype(str))
    items = np.char.replace(items, "{v}", VILLAGES[rng.integers(0, len(VILLAGES), rows)])
    budget = np.round(np.exp(rng.uniform(np.log(5_000), np.log(5_000_000), rows)), -2)
    reference = np.round(budget * rng.uniform(0.9, 1.0, rows), 2)
    agreed = np.round(reference * rng.uniform(0.85, 1.0, rows), 2)
    method = np.where(budget > 500_000, np.where(rng.random(rows) < 0.8, "e_bidding", "e_market"), "specific")
    month_index = np.arange(rows) * 12 // rows  # rows in month order, Oct 2024 .. Sep 2025
    year = np.where(month_index < 3, 2024, 2025)
    month = (month_index + 9) % 12 + 1
    report_month = np.char.add(np.char.add(year.astype(str), "-"), np.char.zfill(month.astype(str), 2))
    day = rng.integers(1, 29, rows)
    contract_date = np.char.add(np.char.add(report_month, "-"), np.char.zfill(day.astype(str), 2))
    end = np.datetime64("1970-01-01") + (
        contract_date.astype("datetime64[D]") - np.datetime64("1970-01-01") + rng.integers(15, 180, rows)
    )
    firms = _firms(rng, 4_000)
    winner_index = rng.integers(0, len(firms), rows)
    other_index = (winner_index + 1 + rng.integers(0, len(firms) - 1, rows)) % len(firms)
    winner = firms[winner_index]
    other = firms[other_index]
    other_price = np.round(agreed * rng.uniform(1.01, 1.1, rows), 2)
    # The winner is listed first in half of the records, second in the others.
    winner_first = rng.random(rows) < 0.5
    first, second = np.where(winner_first, winner, other), np.where(winner_first, other, winner)
    first_price = np.where(winner_first, agreed, other_price).astype(str)
    second_price = np.where(winner_first, other_price, agreed).astype(str)
    bidders = np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(
        '[{"name": "', first), '", "price": '), first_price), '}, {"name": "'), second), '", "price": ')
    bidders = np.char.add(np.char.add(bidders, second_price), "}]")
    has_project = budget >= 100_000
    project_id = np.where(has_project, np.char.add("67", np.char.zfill((offset + np.arange(rows)).astype(str), 9)), "")
    seq = np.arange(rows) - np.searchsorted(month_index, month_index) + 1
    category = np.where(ITEM_INVESTMENT[item_index], "investment", "operating")
    status_index = rng.integers(0, 2, rows)
    if mix == "warned":
        # Specific method (direct) above its ceiling: budgets above 500,000 baht, prices below them.
        chosen = np.flatnonzero(budget > 500_000)
        chosen = np.sort(rng.choice(chosen, size=min(len(chosen), int(rows * WARNED_SHARE)), replace=False))
        method[chosen] = "specific"
    elif mix == "twice":
        # Every record a project number that one other record, half a table away, also has.
        project_id = np.char.add("67", np.char.zfill((np.arange(rows) % max(rows // 2, 1)).astype(str), 9))
    out = {
        "fiscal_year": np.full(rows, 2568),
        "report_month": report_month,
        "seq": seq,
        "project_id": project_id,
        "item_name": items,
        "budget_amount": np.char.mod("%.2f", budget),
        "budget_source": SOURCES[rng.integers(0, len(SOURCES), rows)],
        "budget_category": category,
        "is_investment": np.where(ITEM_INVESTMENT[item_index], "true", "false"),
        "investment_basis": np.full(rows, "declared"),
        "reference_price": np.char.mod("%.2f", reference),
        "method": method,
        "method_text": np.vectorize(METHOD_TEXT.get, otypes=[object])(method).astype(str),
        "bidders": bidders,
        "bidder_count": np.full(rows, 2),
        "winner_name": winner,
        "winner_tax_id": _tax_ids(rng, rows),
        "agreed_price": np.char.mod("%.2f", agreed),
        "selection_reason": REASONS[rng.integers(0, len(REASONS), rows)],
        "contract_no": np.char.add(np.char.mod("%d", seq), "/2568"),
        "contract_date": contract_date,
        "contract_end_date": end.astype(str),
        "status": STATUSES[status_index],
        "status_text": STATUS_TEXT[status_index],
        **_agencies(rng, rows),
        "source_file": np.full(rows, "national.csv"),
        "source_sheet": np.full(rows, ""),
        "source_row": offset + np.arange(2, rows + 2),
    }
    if infer:
        for name in ("budget_category", "is_investment", "investment_basis"):
            out[name] = np.full(rows, "")
    for row, field, value in INJECTED:
        if row < rows:
            out[field] = out[field].astype(object)
            out[field][row] = value
    return out


def arrow_table(values: dict[str, np.ndarray], start: int = 0, stop: int | None = None) -> pa.Table:
    """Rows ``start:stop`` of generated columns as an Arrow table."""
    return pa.table({
        name: pa.array((column.astype(str) if column.dtype.kind in "UO" else column)[start:stop])
        for name, column in values.items()
    })


BLOCK = 1_000_000  # longer tables are written in blocks of this many records (each its own seed)


def write_csv(path: Path, rows: int, seed: int = 2568, mix: str = "clean", infer: bool = False) -> None:
    """``rows`` generated records as procdata's canonical CSV (UTF-8). Tables longer than
    :data:`BLOCK` of the clean mix are written a block at a time, so that generating them
    needs no more memory than one block."""
    if rows <= BLOCK or mix != "clean":
        pacsv.write_csv(arrow_table(columns(rows, seed, mix, infer=infer)), path, pacsv.WriteOptions(quoting_style="needed"))
        return
    schema = arrow_table(columns(1, seed, infer=infer)).schema
    with pacsv.CSVWriter(path, schema, write_options=pacsv.WriteOptions(quoting_style="needed")) as writer:
        for number, offset in enumerate(range(0, rows, BLOCK)):
            block = columns(min(BLOCK, rows - offset), seed + number, offset=offset, infer=infer)
            writer.write_table(arrow_table(block))


def write_files(folder: Path, files: int, rows: int, seed: int = 2568, mix: str = "clean") -> None:
    """``files`` canonical CSV files of ``rows`` records each (one agency's year each)."""
    folder.mkdir(parents=True, exist_ok=True)
    values = columns(files * rows, seed, mix)
    for number in range(files):
        table = arrow_table(values, number * rows, (number + 1) * rows)
        pacsv.write_csv(table, folder / f"agency-{number:05d}.csv", pacsv.WriteOptions(quoting_style="needed"))


def cached(folder: Path, rows: int, seed: int = 2568, mix: str = "clean", *, files: int = 0, infer: bool = False) -> Path:
    """The path of a generated CSV (or, with ``files``, a folder of ``files`` CSVs of ``rows`` each),
    generated in a child process when it is not there yet (a child forked from a big parent
    would count the parent's memory as its own)."""
    folder.mkdir(parents=True, exist_ok=True)
    if files:
        path = folder / f"agencies-{files}x{rows}-{seed}-{mix}-{GENERATION}"
        done = path / ".complete"
    else:
        suffix = ("" if mix == "clean" else f"-{mix}") + ("-infer" if infer else "")
        path = done = folder / f"national-{rows}-{seed}-{GENERATION}{suffix}.csv"
    if done.exists():
        return path
    start = time.perf_counter()
    command = [sys.executable, __file__, str(path), str(rows), str(seed), mix, str(files), str(int(infer))]
    subprocess.run(command, check=True)
    what = f"{files:,} files of {rows:,} rows" if files else f"{rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB)"
    print(f"generated {what} ({mix}{', infer' if infer else ''}) in {time.perf_counter() - start:.1f} s: {path}", flush=True)
    return path


if __name__ == "__main__":
    target, count, seed_text, mix_name, file_count, infer_flag = sys.argv[1:7]
    if int(file_count):
        write_files(Path(target), int(file_count), int(count), int(seed_text), mix_name)
        (Path(target) / ".complete").write_text("")
    else:
        write_csv(Path(target), int(count), int(seed_text), mix_name, bool(int(infer_flag)))
