"""Time and peak memory of ``procdata validate`` when problems are many, tables long and files many.

Runs, as child processes and in turns (one run of each scenario, then the
next round), so that the machine's load falls alike on all of them:

    python -m procdata validate FILE --format json > REPORT   (a temporary file)

on generated canonical tables (``tables.py``): the clean table, the one where
20% of the records draw a warning, the one where every project number
appears twice, the same at a second size, one file of R rows against a folder
of F files of R/F rows, and (with ``--parquet``) the clean table as Parquet.
Each input is read once before its run, untimed, so that every run reads
from the page cache (:func:`warm`). It prints each scenario's median
wall-clock time, its runs, its peak memory (maximum resident set size, from
``wait4``), the problems it reported, and the ratios the issue sets goals for. With ``--frictionless``, ``frictionless
validate`` runs on the clean table in the same run (in each of the first
``--frictionless-rounds`` rounds, right after procdata's clean run, so that
each ratio compares two runs minutes apart). On Linux each run also prints what
the machine's CPUs waited meanwhile (``/proc/stat``): for the disk (``iowait``: a
table no longer in the page cache, read again from disk) and for the virtual
machine's host (``steal``), the two reasons wall-clock figures of a shared VM
vary; the summary's ``waited`` column is their sum. Run from the repository root:

    PYTHONPATH=src python3 benchmarks/bench_scale.py                    # 1M rows; 2M; 400 files of 150
    PYTHONPATH=src python3 benchmarks/bench_scale.py --repeat 5
    PYTHONPATH=src python3 benchmarks/bench_scale.py --rows 100000 --big 0 --files 0
    PYTHONPATH=src python3 benchmarks/bench_scale.py --only clean --rows 5000000 --big 0 --files 0
    PYTHONPATH=src python3 benchmarks/bench_scale.py --only clean --big 0 --files 0 --repeat 3 --frictionless --frictionless-rounds 3

Generated files are kept in ``--dir`` (default ``/tmp/procdata-bench``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tables import cached

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Scenario:
    name: str
    inputs: list[Path]
    rows: int
    extra: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the child and its workers
    peaks: list[int] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    waited: list[float] = field(default_factory=list)  # the machine's I/O wait and steal time during each run

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> int:
        return max(self.peaks)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


@dataclass
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system, the child's worker processes too
    peak: int  # resident set size, bytes
    code: int  # exit code
    summary: dict  # the report's summary
    waited: tuple[float, float] | None  # the machine's I/O wait and steal time meanwhile (None without /proc/stat)

    def line(self, round_number: int, name: str) -> str:
        return (f"  round {round_number + 1}: {name:<28} {self.seconds:7.2f} s  CPU {self.cpu:7.2f} s  "
                f"{self.peak / 2**20:7,.0f} MiB  exit {self.code}{self.waits()}")

    def waits(self) -> str:
        if self.waited is None:
            return ""
        io, steal = self.waited
        return f"  iowait {io:5.2f} s  steal {steal:5.2f} s"


def waits() -> tuple[float, float] | None:
    """The machine's I/O wait and steal time so far, in seconds summed over its CPUs (the ``cpu``
    line of ``/proc/stat``): time its CPUs sat idle waiting for the disk, and time the virtual
    machine's host gave to others."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()
        tick = os.sysconf("SC_CLK_TCK")
        return int(fields[5]) / tick, int(fields[8]) / tick
    except (OSError, IndexError, ValueError):
        return None


def warm(paths: list[Path]) -> None:
    """Read each file (each file of a folder) once, untimed, so that the run after this reads it from
    the page cache, as the runs before it did, and not from the disk: on this project's VM a 1.15 GB
    table pushed out of the cache by the others took 36.5 s to validate instead of 9 s, for the same CPU."""
    for path in paths:
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                with file.open("rb") as handle:
                    while handle.read(16 << 20):
                        pass


def run(command: list[str], inputs: list[Path] = ()) -> Run:
    """One child run to its end, measured (its ``inputs`` read beforehand, untimed: :func:`warm`)."""
    warm(list(inputs))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        waited = waits()
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        waited_after = waits()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        if code not in (0, 1):
            sys.stderr.write(err.read().decode("utf-8", "replace")[-2000:])
        summary = _summary(out)
    meanwhile = None
    if waited is not None and waited_after is not None:
        meanwhile = (waited_after[0] - waited[0], waited_after[1] - waited[1])
    return Run(elapsed, cpu, usage.ru_maxrss * 1024, code, summary, meanwhile)


def _summary(out) -> dict:
    """The report's summary, read from the start of its JSON without loading the problems."""
    out.seek(0)
    head = out.read(1 << 16).decode("utf-8", "replace")
    end = head.find('"problems"')
    if end < 0:
        return {}
    try:
        return json.loads(head[: head.rfind(",", 0, end)] + "}").get("summary", {})
    except ValueError:
        return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the national tables")
    parser.add_argument("--big", type=int, default=2_000_000, help="rows of the larger tables (0: none)")
    parser.add_argument("--files", type=int, default=400, help="agency files (0: none)")
    parser.add_argument("--file-rows", type=int, default=150, help="rows per agency file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="clean,warned,twice", help="mixes of the national tables")
    parser.add_argument("--parquet", action="store_true", help="also the clean table as Parquet (procdata ingest --out)")
    parser.add_argument("--frictionless", action="store_true",
                        help="also frictionless validate on the clean table, in the same run")
    parser.add_argument("--frictionless-rounds", type=int, default=1,
                        help="frictionless in each of this many rounds, after procdata's clean run (default 1)")
    parser.add_argument("--seed", type=int, default=2568)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/procdata-bench"))
    args = parser.parse_args()

    mixes = [m for m in args.only.split(",") if m]
    scenarios = [Scenario(f"{mix} {args.rows:,}", [cached(args.dir, args.rows, args.seed, mix)], args.rows) for mix in mixes]
    if args.big:
        scenarios += [Scenario(f"{mix} {args.big:,}", [cached(args.dir, args.big, args.seed, mix)], args.big) for mix in mixes if mix != "warned"]
    if args.parquet:
        scenarios.append(Scenario(f"clean {args.rows:,} parquet", [_parquet(args)], args.rows))
    if args.files:
        total = args.files * args.file_rows
        scenarios.append(Scenario(f"one file of {total:,}", [cached(args.dir, total, args.seed)], total))
        folder = cached(args.dir, args.file_rows, args.seed, files=args.files)
        scenarios.append(Scenario(f"{args.files} files of {args.file_rows}", [folder], total))

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p))
    os.environ.update(env)
    print(f"$ {sys.executable} -m procdata validate INPUT --format json   (median of {args.repeat}, in turns)")
    clean_name = f"clean {args.rows:,}"
    friction: list[tuple[Run, Run | None]] = []  # frictionless's runs, each with procdata's clean run of its round
    for round_number in range(args.repeat):
        clean_run = None
        for scenario in scenarios:
            command = [sys.executable, "-m", "procdata", "validate", *map(str, scenario.inputs), "--format", "json", *scenario.extra]
            measured = run(command, scenario.inputs)
            scenario.seconds.append(measured.seconds)
            scenario.cpu.append(measured.cpu)
            scenario.peaks.append(measured.peak)
            scenario.waited.append(sum(measured.waited or (0.0, 0.0)))
            scenario.summary = measured.summary
            print(measured.line(round_number, scenario.name), flush=True)
            clean_run = measured if scenario.name == clean_name else clean_run
        if args.frictionless and round_number < max(args.frictionless_rounds, 1):
            friction.append((_frictionless(args, round_number), clean_run))

    print()
    print(f"{'scenario':<28} {'median':>8} {'CPU':>8} {'peak MiB':>9} {'errors':>9} {'warnings':>10} {'waited':>7}  runs")
    for s in scenarios:
        runs = ", ".join(f"{x:.2f}" for x in s.seconds)
        errors, warnings = (f"{s.summary[k]:,}" if k in s.summary else "?" for k in ("errors", "warnings"))
        waited = f"{statistics.median(s.waited):6.2f}s"
        print(f"{s.name:<28} {s.median:7.2f}s {s.cpu_median:7.2f}s {s.peak / 2**20:9,.0f} {errors:>9} {warnings:>10} {waited:>7}  {runs}")
    by_name = {s.name: s for s in scenarios}
    clean = by_name.get(f"clean {args.rows:,}")
    print()
    if clean:
        per_row = clean.median / clean.rows * 1e6
        print(f"clean {args.rows:,}: {per_row:.2f} µs per row ({clean.cpu_median / clean.rows * 1e6:.2f} µs of CPU)")
        for mix, goal in (("warned", 2), ("twice", 3)):
            other = by_name.get(f"{mix} {args.rows:,}")
            if other:
                problems = (other.summary.get("errors", 0) + other.summary.get("warnings", 0)) - (
                    clean.summary.get("errors", 0) + clean.summary.get("warnings", 0))
                cost = (other.median - clean.median) / max(problems, 1) * 1e6
                cpu_cost = (other.cpu_median - clean.cpu_median) / max(problems, 1) * 1e6
                print(f"{mix}: {other.median / clean.median:.2f} x the clean time (goal <= {goal}; CPU {other.cpu_median / clean.cpu_median:.2f} x), "
                      f"{cost:.2f} µs ({cpu_cost:.2f} µs of CPU) per problem ({problems:,} more problems), "
                      f"peak {other.peak / 2**30:.2f} GiB (goal <= 2)")
    for mix in mixes:
        small, big = by_name.get(f"{mix} {args.rows:,}"), by_name.get(f"{mix} {args.big:,}")
        if small and big:
            print(f"{mix} {args.big:,} / {args.rows:,}: time {big.median / small.median:.2f} x (CPU {big.cpu_median / small.cpu_median:.2f} x), "
                  f"peak {big.peak / small.peak:.2f} x (goal <= 1.25), {big.peak / 2**30:.2f} GiB (goal <= 2)")
    if friction and clean:
        f_seconds = statistics.median(f.seconds for f, _ in friction)
        f_cpu = statistics.median(f.cpu for f, _ in friction)
        f_peak = max(f.peak for f, _ in friction)
        runs = ", ".join(f"{f.seconds:.2f}" for f, _ in friction)
        print(f"frictionless validate, clean {args.rows:,}: {f_seconds:.2f} s (CPU {f_cpu:.2f} s; runs {runs}), peak {f_peak / 2**20:,.0f} MiB; "
              f"procdata {f_seconds / clean.median:.1f} x faster (goal >= 10; CPU {f_cpu / clean.cpu_median:.1f} x)")
        # frictionless runs on one core: its CPU time is its wall clock less what it waited for (the disk,
        # the VM's host), the honest figure when a run waited (the summary's "waited" says when).
        print(f"  frictionless's CPU time against procdata's wall clock: {f_cpu / clean.median:.1f} x")
        paired = [(f.seconds / p.seconds, f.cpu / p.cpu) for f, p in friction if p is not None]
        if len(paired) > 1:
            ratios = ", ".join(f"{wall:.1f} x" for wall, _ in paired)
            print(f"  each round's frictionless against procdata's clean run of the same round: {ratios}; "
                  f"median {statistics.median(w for w, _ in paired):.1f} x (CPU {statistics.median(c for _, c in paired):.1f} x)")
    if args.files:
        total = args.files * args.file_rows
        one, many = by_name[f"one file of {total:,}"], by_name[f"{args.files} files of {args.file_rows}"]
        print(f"{args.files} files of {args.file_rows} rows: {many.median / one.median:.2f} x one file of {total:,} rows (goal <= 3; "
              f"CPU {many.cpu_median / one.cpu_median:.2f} x, on {os.cpu_count()} cores)")


def _frictionless(args: argparse.Namespace, round_number: int) -> Run:
    """``frictionless validate`` on the clean table, measured."""
    import shutil

    tool = shutil.which("frictionless")
    command = [*([tool] if tool else [sys.executable, "-m", "frictionless"]), "validate", "--trusted",
               "--schema", "schemas/procurement.schema.json", str(cached(args.dir, args.rows, args.seed))]
    if round_number == 0:
        print("  $ " + " ".join(command), flush=True)
    measured = run(command, [Path(command[-1])])
    print(measured.line(round_number, "frictionless clean"), flush=True)
    return measured


def _parquet(args: argparse.Namespace) -> Path:
    source = cached(args.dir, args.rows, args.seed)
    target = source.with_suffix(".parquet")
    if not target.exists():
        subprocess.run([sys.executable, "-m", "procdata", "ingest", str(source), "--out", str(target)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    return target


if __name__ == "__main__":
    main()
