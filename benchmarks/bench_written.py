"""Time ``procdata validate`` on one national table written the ways other tools and people write it.

Speed that holds: the same generated canonical table (``tables.py``, N rows,
default 100,000) is written again with bidders JSON as ``json.dumps`` writes it
by default (``\\uXXXX`` escapes) or compactly, amounts with thousands
separators, Buddhist-Era dates, CRLF line ends, a byte-order mark, every value
quoted, taxpayer IDs with dashes, names with spaces around them, project
numbers as Excel floats and flags as TRUE/FALSE. Each is validated as a child
process, in turns, ``--repeat`` times; the script prints each one's median
wall-clock and CPU time, its ratio to the canonical table, and whether its
report is the canonical table's (file names aside). Run from the repository root:

    PYTHONPATH=src python3 benchmarks/bench_written.py
    PYTHONPATH=src python3 benchmarks/bench_written.py --rows 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tables import cached

ROOT = Path(__file__).resolve().parent.parent
Row = list[str]


def _bidders(**options: object) -> Callable[[Row, dict[str, int]], None]:
    def rewrite(row: Row, at: dict[str, int]) -> None:
        if row[at["bidders"]].startswith("["):
            row[at["bidders"]] = json.dumps(json.loads(row[at["bidders"]]), **options)  # type: ignore[arg-type]
    return rewrite


def _amounts(row: Row, at: dict[str, int]) -> None:
    for name in ("budget_amount", "reference_price", "agreed_price"):
        with contextlib.suppress(ValueError):  # empty or not a number: as it is
            row[at[name]] = f"{float(row[at[name]]):,.2f}"


def _be_dates(row: Row, at: dict[str, int]) -> None:
    for name in ("contract_date", "contract_end_date"):
        day = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", row[at[name]])
        if day:
            row[at[name]] = f"{int(day[3])}/{int(day[2])}/{int(day[1]) + 543}"


def _tax_dashes(row: Row, at: dict[str, int]) -> None:
    tax = row[at["winner_tax_id"]]
    if len(tax) == 13:
        row[at["winner_tax_id"]] = f"{tax[0]}-{tax[1:5]}-{tax[5:10]}-{tax[10:12]}-{tax[12]}"


def _padded(row: Row, at: dict[str, int]) -> None:
    for name in ("item_name", "winner_name", "agency_name"):
        row[at[name]] = f" {row[at[name]]} "


def _float_ids(row: Row, at: dict[str, int]) -> None:
    if row[at["project_id"]]:
        row[at["project_id"]] += ".0"


def _flags(row: Row, at: dict[str, int]) -> None:
    row[at["is_investment"]] = {"true": "TRUE", "false": "FALSE"}.get(row[at["is_investment"]], row[at["is_investment"]])


# name: (how each row is changed, how the file is written)
WAYS: dict[str, tuple[Callable[[Row, dict[str, int]], None] | None, dict[str, object]]] = {
    "canonical": (None, {}),
    "bidders as json.dumps' defaults (\\uXXXX)": (_bidders(), {}),
    "bidders compact": (_bidders(separators=(",", ":"), ensure_ascii=False), {}),
    "bidders compact and escaped": (_bidders(separators=(",", ":")), {}),
    "amounts with thousands separators": (_amounts, {}),
    "Buddhist-Era dates 26/10/2567": (_be_dates, {}),
    "CRLF line ends": (None, {"lineterminator": "\r\n"}),
    "a byte-order mark": (None, {"encoding": "utf-8-sig"}),
    "every value quoted": (None, {"quoting": csv.QUOTE_ALL}),
    "taxpayer IDs with dashes": (_tax_dashes, {}),
    "names with spaces around them": (_padded, {}),
    "project numbers as Excel floats": (_float_ids, {}),
    "flags as TRUE/FALSE": (_flags, {}),
}


def write(source: Path, target: Path, change: Callable[[Row, dict[str, int]], None] | None, options: dict[str, object]) -> None:
    csv.field_size_limit(1 << 30)
    encoding = str(options.get("encoding", "utf-8"))
    writer_options = {k: v for k, v in options.items() if k != "encoding"}
    with source.open(newline="", encoding="utf-8") as inp, target.open("w", newline="", encoding=encoding) as out:
        rows = csv.reader(inp)
        header = next(rows)
        at = {name: number for number, name in enumerate(header)}
        writer = csv.writer(out, **writer_options)  # type: ignore[arg-type]
        writer.writerow(header)
        for row in rows:
            if change is not None:
                change(row, at)
            writer.writerow(row)


def validate(path: Path) -> tuple[float, float, dict]:
    """Wall-clock and CPU seconds of one child run, and its report without file names."""
    start, before = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-m", "procdata", "validate", str(path), "--format", "json"],
                          cwd=ROOT, capture_output=True, check=False)
    seconds, cpu = time.perf_counter() - start, _children_cpu() - before
    report = json.loads(done.stdout)
    for problem in report.get("problems", []):
        problem.pop("file", None)
        problem["message"] = problem["message"].replace(str(path), "FILE")
    return seconds, cpu, {"summary": report["summary"], "problems": report["problems"]}


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/procdata-bench"))
    args = parser.parse_args()
    source = cached(args.dir, args.rows)
    paths = {}
    for number, (name, (change, options)) in enumerate(WAYS.items()):
        path = args.dir / f"written-{args.rows}-{number:02d}.csv"
        if not path.exists():
            write(source, path, change, options)
        paths[name] = path
    print(f"$ {sys.executable} -m procdata validate FILE --format json   ({args.repeat} runs each, in turns)")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
    reports: dict[str, dict] = {}
    for _ in range(args.repeat):
        for name, path in paths.items():
            seconds, cpu, reports[name] = validate(path)
            times[name].append((seconds, cpu))
    base = statistics.median(s for s, _ in times["canonical"])
    print(f"{'the table written with':46s} {'wall':>7s} {'CPU':>7s} {'ratio':>6s}  report")
    for name, runs in times.items():
        wall, cpu = statistics.median(s for s, _ in runs), statistics.median(c for _, c in runs)
        same = "the canonical table's" if reports[name] == reports["canonical"] else "DIFFERS"
        print(f"{name:46s} {wall:6.2f}s {cpu:6.2f}s {wall / base:5.2f}x  {same}")


if __name__ == "__main__":
    main()
