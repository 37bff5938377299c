"""Time and peak memory of ``procdata ingest`` writing a national table as CSV, JSON and Parquet.

Runs, as child processes and in turns (each table and output once, then the next round):

    python -m procdata ingest INPUT --out OUT.{csv,json,parquet}   (OUT a temporary file)

on the generated canonical tables of ``tables.py`` (the clean table and the one where every
project number appears twice) at two sizes, and prints each run's wall-clock time, CPU, peak
memory (maximum resident set size, from ``wait4``), and for each table and output the larger
size's peak against the smaller's: issue 12 asks ingest, like validate, to stay within 2 GB at
2,000,000 rows and within 1.25 times the peak at 1,000,000. Run from the repository root:

    PYTHONPATH=src python3 benchmarks/bench_ingest.py                     # 1M and 2M rows, clean and twice, three outputs
    PYTHONPATH=src python3 benchmarks/bench_ingest.py --only twice --outputs csv --repeat 3
    PYTHONPATH=src python3 benchmarks/bench_ingest.py --rows 100000 --big 200000

Generated files are kept in ``--dir`` (default ``/tmp/procdata-bench``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench_scale import ROOT, Run, run
from tables import cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=2_000_000)
    parser.add_argument("--only", default="clean,twice", help="mixes of the national tables")
    parser.add_argument("--outputs", default="csv,json,parquet")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2568)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/procdata-bench"))
    args = parser.parse_args()

    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p)
    mixes = [m for m in args.only.split(",") if m]
    outputs = [o for o in args.outputs.split(",") if o]
    sizes = [args.rows, args.big] if args.big else [args.rows]
    tables = {(mix, size): cached(args.dir, size, args.seed, mix) for mix in mixes for size in sizes}
    runs: dict[tuple[str, int, str], list[Run]] = {}
    print(f"$ {sys.executable} -m procdata ingest INPUT --out OUT.EXT   (in turns, {args.repeat} round(s))")
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        for round_number in range(args.repeat):
            for (mix, size), table in tables.items():
                for output in outputs:
                    out = Path(scratch) / f"out.{output}"
                    measured = run([sys.executable, "-m", "procdata", "ingest", str(table), "--out", str(out)], [table])
                    out.unlink(missing_ok=True)
                    runs.setdefault((mix, size, output), []).append(measured)
                    print(measured.line(round_number, f"{mix} {size:,} -> {output}"), flush=True)

    print()
    print(f"{'table -> output':<30} {'median':>8} {'CPU':>8} {'peak MiB':>9}")
    for (mix, size, output), measured in runs.items():
        seconds = statistics.median(m.seconds for m in measured)
        cpu = statistics.median(m.cpu for m in measured)
        print(f"{mix + ' ' + f'{size:,}' + ' -> ' + output:<30} {seconds:7.2f}s {cpu:7.2f}s {max(m.peak for m in measured) / 2**20:9,.0f}")
    if args.big:
        print()
        for mix in mixes:
            for output in outputs:
                small, big = runs[(mix, args.rows, output)], runs[(mix, args.big, output)]
                small_peak, big_peak = max(m.peak for m in small), max(m.peak for m in big)
                print(f"{mix} -> {output}: peak at {args.big:,} {big_peak / 2**30:.2f} GiB (goal <= 2), "
                      f"{big_peak / small_peak:.2f} x the peak at {args.rows:,} (goal <= 1.25)")


if __name__ == "__main__":
    main()
