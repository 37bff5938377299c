"""Time ``procdata validate`` against ``frictionless validate`` on one generated table.

Generates N canonical procurement rows (default 1,000,000: a national table),
with realistic values and a few injected errors, into a CSV file; then runs,
one after the other, as subprocesses:

    python -m procdata validate FILE --format json
    frictionless validate --schema schemas/procurement.schema.json FILE

and prints both wall-clock times, the ratio and each child's peak memory
(maximum resident set size, from ``wait4``). Run from the repository root:

    PYTHONPATH=src python3 benchmarks/bench_validate.py            # 1,000,000 rows
    PYTHONPATH=src python3 benchmarks/bench_validate.py --rows 100000
    PYTHONPATH=src python3 benchmarks/bench_validate.py --skip-frictionless
    PYTHONPATH=src python3 benchmarks/bench_validate.py --infer   # no budget category: every item judged

The generated file is kept in ``--dir`` (default ``/tmp/procdata-bench``) and
reused when it already holds a file of the same size and seed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent

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


def generate(path: Path, rows: int, seed: int = 2568, infer: bool = False) -> None:
    """Write ``rows`` canonical records of fiscal year 2568 to ``path`` (UTF-8 CSV); with ``infer``,
    no budget category, so that every item is judged from its name (as national e-GP data is)."""
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
    project_id = np.where(has_project, np.char.add("67", np.char.zfill(np.arange(rows).astype(str), 9)), "")
    seq = np.arange(rows) - np.searchsorted(month_index, month_index) + 1
    category = np.where(ITEM_INVESTMENT[item_index], "investment", "operating")
    status_index = rng.integers(0, 2, rows)
    columns = {
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
        "method_text": np.vectorize(METHOD_TEXT.get)(method),
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
        "source_row": np.arange(2, rows + 2),
    }
    if infer:
        for name in ("budget_category", "is_investment", "investment_basis"):
            columns[name] = np.full(rows, "")
    for row, field, value in INJECTED:
        if row < rows:
            columns[field] = columns[field].astype(object)
            columns[field][row] = value
    table = pa.table({name: pa.array(values.astype(str) if values.dtype.kind == "U" else values) for name, values in columns.items()})
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def _run(command: list[str], cwd: Path) -> tuple[float, int, int, bytes]:
    """Wall-clock seconds, peak resident memory (bytes), exit code and stdout of one child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read()
    if code not in (0, 1):
        sys.stderr.write(errors.decode("utf-8", "replace")[-2000:])
    return elapsed, usage.ru_maxrss * 1024, code, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2568)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/procdata-bench"))
    parser.add_argument("--repeat", type=int, default=3, help="procdata runs (the median is compared)")
    parser.add_argument("--skip-frictionless", action="store_true", help="time procdata only")
    parser.add_argument("--infer", action="store_true",
                        help="no budget category in the table: every item judged from its name (national e-GP data)")
    parser.add_argument("--generate-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate(args.generate_only, args.rows, args.seed, args.infer)
        return

    args.dir.mkdir(parents=True, exist_ok=True)
    data = args.dir / f"national-{args.rows}-{args.seed}-{GENERATION}{'-infer' if args.infer else ''}.csv"
    if not data.exists():
        # In a child process: a child forked from a big parent would count the parent's memory as its own.
        start = time.perf_counter()
        generator = [sys.executable, __file__, "--rows", str(args.rows), "--seed", str(args.seed), "--generate-only", str(data),
                     *(["--infer"] if args.infer else [])]
        subprocess.run(generator, check=True)
        print(f"generated {args.rows:,} rows ({data.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - start:.1f} s: {data}")
    else:
        print(f"reusing {data} ({data.stat().st_size / 1e6:,.0f} MB)")

    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env_path) if p)
    procdata = [sys.executable, "-m", "procdata", "validate", str(data), "--format", "json"]
    print("$ " + " ".join(procdata))
    runs = [_run(procdata, ROOT) for _ in range(args.repeat)]
    seconds = statistics.median(run[0] for run in runs)
    peak = max(run[1] for run in runs)
    code, out = runs[-1][2], runs[-1][3]
    summary = json.loads(out)["summary"] if out else {}
    print(
        f"procdata:     median {seconds:6.2f} s (runs {', '.join(f'{run[0]:.2f}' for run in runs)})"
        f"  peak {peak / 2**20:,.0f} MiB  exit {code}"
        f"  errors {summary.get('errors')} warnings {summary.get('warnings')}"
    )
    if args.skip_frictionless:
        return
    # --trusted: frictionless refuses absolute paths outside its working folder otherwise.
    tool = shutil.which("frictionless")
    frictionless = [tool] if tool else [sys.executable, "-m", "frictionless"]
    command = [*frictionless, "validate", "--trusted", "--schema", "schemas/procurement.schema.json", str(data)]
    print("$ " + " ".join(command))
    f_seconds, f_peak, f_code, _ = _run(command, ROOT)
    print(f"frictionless: {f_seconds:6.2f} s  peak {f_peak / 2**20:,.0f} MiB  exit {f_code}")
    print(f"procdata is {f_seconds / seconds:.1f} times faster than frictionless on {args.rows:,} rows")


if __name__ == "__main__":
    main()
