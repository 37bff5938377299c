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

from tables import cached

ROOT = Path(__file__).resolve().parent.parent

def _run(command: list[str], cwd: Path) -> tuple[float, int, int, bytes, float]:
    """Wall-clock seconds, peak resident memory (bytes), exit code, stdout and CPU seconds (user + system) of one child."""
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
    return elapsed, usage.ru_maxrss * 1024, code, output, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2568)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/procdata-bench"))
    parser.add_argument("--repeat", type=int, default=3, help="procdata runs (the median is compared)")
    parser.add_argument("--skip-frictionless", action="store_true", help="time procdata only")
    parser.add_argument("--infer", action="store_true",
                        help="no budget category in the table: every item judged from its name (national e-GP data)")
    args = parser.parse_args()
    data = cached(args.dir, args.rows, args.seed, infer=args.infer)
    print(f"using {data} ({data.stat().st_size / 1e6:,.0f} MB)")

    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env_path) if p)
    procdata = [sys.executable, "-m", "procdata", "validate", str(data), "--format", "json"]
    print("$ " + " ".join(procdata))
    runs = [_run(procdata, ROOT) for _ in range(args.repeat)]
    seconds = statistics.median(run[0] for run in runs)
    peak = max(run[1] for run in runs)
    code, out = runs[-1][2], runs[-1][3]
    summary = json.loads(out)["summary"] if out else {}
    cpu = statistics.median(run[4] for run in runs)
    print(
        f"procdata:     median {seconds:6.2f} s (runs {', '.join(f'{run[0]:.2f}' for run in runs)}, CPU {cpu:.2f} s)"
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
    f_seconds, f_peak, f_code, _, f_cpu = _run(command, ROOT)
    print(f"frictionless: {f_seconds:6.2f} s (CPU {f_cpu:.2f} s)  peak {f_peak / 2**20:,.0f} MiB  exit {f_code}")
    print(f"procdata is {f_seconds / seconds:.1f} times faster than frictionless on {args.rows:,} rows")


if __name__ == "__main__":
    main()
