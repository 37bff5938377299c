"""Time ``procdata ingest`` of an O12 workbook against python-calamine's own parse and pandas with openpyxl.

Writes (once, cached in ``--dir``) an ITA O12 workbook of N rows (default
100,000) and the 18 O12 columns in Thai: amounts as numbers, Buddhist-Era
dates as officers type them ("15/01/2568"), taxpayer IDs as text. Then times,
each in its own child process, in turns, ``--repeat`` times:

- ``calamine``: ``CalamineWorkbook.from_path(FILE).get_sheet_by_index(0).to_python()``,
  the parse alone (what reading a workbook cannot go below);
- ``procdata``: ``procdata.ingest([FILE])``, the whole of ingest: the parse,
  finding the table, and normalizing every record;
- ``pandas``: ``pandas.read_excel(FILE, engine="openpyxl")``, the usual way;
- with ``--broken``, ``broken``: ``procdata.ingest`` of the same workbook with one cell, in its middle
  row, whose style points nowhere (as damaged files and some writers leave them), and ``far``: with one
  value at XFD1048576 (a cell typed far off by mistake), each with the time limit raised so that it is
  timed to the end: the broken cell and the far row are reported and every record read.

Each child times its own work (imports excluded: procdata's modules, pandas
and pyarrow are loaded before the clock starts, as python-calamine is) and
reports it with its CPU time (procdata's reader process included) and peak memory. Run from the repository root:

    PYTHONPATH=src python3 benchmarks/bench_workbook.py
    PYTHONPATH=src python3 benchmarks/bench_workbook.py --rows 20000 --repeat 5
    PYTHONPATH=src python3 benchmarks/bench_workbook.py --skip-pandas --broken
    PYTHONPATH=src python3 benchmarks/bench_workbook.py --skip-pandas --commands

With ``--commands``, also each as a whole command, as an officer runs it (Python's start and every
import included): ``python -c`` with calamine's parse (``calamine-cmd``) against
``python -m procdata ingest FILE --out FILE.csv`` (``ingest-cmd``: reading, normalizing and writing
the canonical CSV).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEADER = [
    "ปีงบประมาณ", "ประเภทหน่วยงาน", "กระทรวง", "ชื่อหน่วยงาน", "อำเภอ", "จังหวัด",
    "ชื่อรายการของงานที่ซื้อหรือจ้าง", "วงเงินงบประมาณที่ได้รับจัดสรร (บาท)", "แหล่งที่มาของงบประมาณ",
    "สถานะการจัดซื้อจัดจ้าง", "วิธีการจัดซื้อจัดจ้าง", "ราคากลาง (บาท)", "ราคาที่ตกลงซื้อหรือจ้าง (บาท)",
    "เลขประจำตัวผู้เสียภาษี", "รายชื่อผู้ประกอบการที่ได้รับการคัดเลือก", "เลขที่โครงการ",
    "วันที่ลงนามในสัญญา", "วันสิ้นสุดสัญญา",
]
STATUS = {"in_contract": "อยู่ระหว่างระยะสัญญา", "completed": "สิ้นสุดระยะสัญญา"}
METHOD = {"e_bidding": "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)", "e_market": "ตลาดอิเล็กทรอนิกส์ (e-market)", "specific": "เฉพาะเจาะจง"}
SOURCE = {"annual_budget": "ข้อบัญญัติงบประมาณรายจ่าย", "accumulated_funds": "เงินสะสม",
          "specific_grant": "เงินอุดหนุนเฉพาะกิจ", "general_grant": "เงินอุดหนุนทั่วไป"}


def generate(path: Path, rows: int, seed: int = 2568) -> None:
    """An O12 workbook of ``rows`` records (values from ``tables.columns``)."""
    import openpyxl
    from tables import columns

    values = columns(rows, seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("O12")
    sheet.append(HEADER)

    def thai_date(iso: str) -> str:
        return f"{int(iso[8:10]):02d}/{iso[5:7]}/{int(iso[:4]) + 543}" if len(iso) == 10 else ""

    for i in range(rows):
        sheet.append([
            2568, "องค์กรปกครองส่วนท้องถิ่น", "กระทรวงมหาดไทย", "องค์การบริหารส่วนตำบลหนองบัว", "เมืองขอนแก่น", "ขอนแก่น",
            str(values["item_name"][i]), float(values["budget_amount"][i]), SOURCE[str(values["budget_source"][i])],
            STATUS[str(values["status"][i])], METHOD.get(str(values["method"][i]), str(values["method"][i])),
            float(values["reference_price"][i]), float(values["agreed_price"][i]) if str(values["agreed_price"][i]) else None,
            str(values["winner_tax_id"][i]), str(values["winner_name"][i]), str(values["project_id"][i]) or None,
            thai_date(str(values["contract_date"][i])), thai_date(str(values["contract_end_date"][i])),
        ])
    book.save(path)


def write_broken(path: Path, out: Path, way: str) -> None:
    """``path`` with the style of one cell, column D of the middle row, pointing nowhere (``broken``), or
    with one value at XFD1048576 (``far``)."""
    import re
    import zipfile

    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/") and way == "broken":
                rows = len(re.findall(rb"<row ", data))
                data = re.sub(rb'(<c r="D%d")' % (rows // 2), rb'\1 s="9999"', data, count=1)
            elif info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"</sheetData>", far, 1)
            target.writestr(info, data)


def child(what: str, path: str) -> None:
    """Time one way of reading ``path`` in this process; print seconds and records as JSON."""
    import resource

    helper = 0.0  # CPU seconds of procdata's reader process (alive, so not yet in RUSAGE_CHILDREN)
    cpu = time.process_time()
    if what == "calamine":
        import python_calamine

        cpu, start = time.process_time(), time.perf_counter()
        rows = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
        count = len(rows) - 1
    elif what in ("procdata", "broken", "far"):
        from procdata.process import no_blas_threads, small_pages

        small_pages()
        no_blas_threads()
        # its modules imported before the clock starts, as calamine's are
        from procdata import ingest
        from procdata.read.limits import Limits

        limits = Limits.default().raised({"seconds": 3600}) if what != "procdata" else None
        cpu, start = time.process_time(), time.perf_counter()
        count = len(ingest([path], limits=limits).records)
        helper = _reader_cpu()
    else:
        import pandas as pd

        cpu, start = time.process_time(), time.perf_counter()
        count = len(pd.read_excel(path, engine="openpyxl"))
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu + helper
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "records": count, "peak": peak}))


def _reader_cpu() -> float:
    """CPU seconds used so far by procdata's reader process (Linux: from /proc), 0 where unknown."""
    from procdata.read import sandbox

    reader = sandbox._reader
    try:
        fields = Path(f"/proc/{reader.process.pid}/stat").read_text().rsplit(")", 1)[1].split()  # type: ignore[union-attr]
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (AttributeError, OSError, ValueError, IndexError):
        return 0.0


PARSE = (
    "import sys, python_calamine\n"
    "print(len(python_calamine.CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()) - 1)"
)


def command(way: str, path: Path, env: dict[str, str]) -> dict[str, float]:
    """One whole command, timed from outside: wall clock, CPU (its children's too: procdata's reader
    process) and peak memory (from ``wait4``)."""
    import resource
    import tempfile

    with tempfile.TemporaryDirectory(prefix="procdata-bench-") as folder, tempfile.TemporaryFile() as said:
        out = Path(folder) / "o12.csv"
        argv = [sys.executable, "-c", PARSE, str(path)] if way == "calamine-cmd" else [
            sys.executable, "-m", "procdata", "ingest", str(path), "--out", str(out)]
        _reap_orphans()  # those of the runs before: not counted here
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=said, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        _reap_orphans()  # procdata's reader, let go at the command's exit: its CPU counts too
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise SystemExit(f"{way}: exit {process.returncode}")
        if way == "calamine-cmd":
            said.seek(0)
            records = int(said.read().strip())
        else:
            with out.open("rb") as handle:
                records = sum(1 for _ in handle) - 1
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"seconds": seconds, "cpu": cpu, "records": records, "peak": usage.ru_maxrss * 1024}


def _subreaper() -> None:
    """Make this process adopt its children's orphans (Linux), so that their CPU time is counted."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _reap_orphans() -> None:
    """Wait for every adopted orphan to end."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/procdata-bench"))
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--broken", action="store_true", help="also the workbook with one broken cell, and with one far value")
    parser.add_argument("--commands", action="store_true", help="also calamine's parse and procdata ingest --out as whole commands")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"o12-{args.rows}-v1.xlsx"
    if not path.exists():
        start = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {path} ({path.stat().st_size / 1e6:,.1f} MB) in {time.perf_counter() - start:.0f} s")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH", "")) if p))
    ways = ["calamine", "procdata"] + ([] if args.skip_pandas else ["pandas"]) + (["broken", "far"] if args.broken else [])
    ways += ["calamine-cmd", "ingest-cmd"] if args.commands else []
    if args.commands:
        _subreaper()
    damaged = {way: args.dir / f"o12-{args.rows}-v1-{way}.xlsx" for way in ("broken", "far")}
    for way, out in damaged.items():
        if args.broken and not out.exists():
            write_broken(path, out, way)
    times: dict[str, list[float]] = {way: [] for way in ways}
    cpus: dict[str, list[float]] = {way: [] for way in ways}
    peaks: dict[str, int] = {way: 0 for way in ways}
    print(f"{path}: {args.rows:,} rows x {len(HEADER)} columns; each way in a child process, in turns, {args.repeat} times")
    for _ in range(args.repeat):
        for way in ways:
            if way.endswith("-cmd"):
                found = command(way, path, env)
            else:
                out = subprocess.run([sys.executable, __file__, "--child", way, str(damaged.get(way, path))], env=env, cwd=ROOT,
                                     capture_output=True, text=True, check=True).stdout
                found = json.loads(out.strip().splitlines()[-1])
            times[way].append(found["seconds"])
            cpus[way].append(found["cpu"])
            peaks[way] = max(peaks[way], found["peak"])
            print(f"  {way:<9} {found['seconds']:7.2f} s  CPU {found['cpu']:6.2f} s  {found['records']:,} records"
                  f"  peak {found['peak'] / 2**20:,.0f} MiB", flush=True)
            if found["records"] != args.rows:
                print(f"  ({way} read {found['records']:,} of {args.rows:,} records: its time is not a reading of the whole workbook)")
    median = {way: statistics.median(t) for way, t in times.items()}
    cpu = {way: statistics.median(t) for way, t in cpus.items()}
    print()
    for way in ways:
        print(f"{way:<9} median {median[way]:7.2f} s (runs {', '.join(f'{t:.2f}' for t in times[way])})"
              f"  CPU {cpu[way]:.2f} s  peak {peaks[way] / 2**20:,.0f} MiB")
    print(f"procdata ingest / calamine parse: {median['procdata'] / median['calamine']:.2f} (goal <= 1.5);"
          f" CPU {cpu['procdata'] / cpu['calamine']:.2f}")
    if "ingest-cmd" in median:
        print(f"procdata ingest --out / calamine's parse, as whole commands: {median['ingest-cmd'] / median['calamine-cmd']:.2f};"
              f" CPU {cpu['ingest-cmd'] / cpu['calamine-cmd']:.2f}")
    if "broken" in median:
        print(f"one broken cell / clean workbook: {median['broken'] / median['procdata']:.2f} times;"
              f" one far value / clean workbook: {median['far'] / median['procdata']:.2f} times")
    if "pandas" in median:
        print(f"pandas with openpyxl / procdata ingest: {median['pandas'] / median['procdata']:.1f} times (goal >= 5);"
              f" CPU {cpu['pandas'] / cpu['procdata']:.1f} times")


if __name__ == "__main__":
    main()
