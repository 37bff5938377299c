"""The fuzzing harness: mutated samples through the installed command, each in its own process.

Every mutant of a bundled sample (see mutate.py: byte flips, truncation, removed
and malformed zip members and XML parts, entity declarations, deep nesting, huge
spans, references that point nowhere, other encodings and line endings) must
give exit 0, 1 or 2, never a traceback or a Rust panic, one line per unreadable
file naming it, within 20 seconds and 2 GB.

CI runs a few examples. Before a release, run many more (see the README):

    PROCDATA_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py -p no:cacheprovider

A failing mutant is kept in pytest's temporary folder; the message names it, and
hypothesis prints the seed file, mutation and number that make it again.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, SAMPLES
from mutate import MUTATIONS, mutations_for

EXAMPLES = int(os.environ.get("PROCDATA_FUZZ_EXAMPLES", "8"))
SEEDS = [
    SAMPLES / "sorkorror1-2568-q1.xlsx", SAMPLES / "o12-2567.xlsx", SAMPLES / "egp-export-2568.xls",
    SAMPLES / "o12-2568.csv", SAMPLES / "canonical-sample.csv", FIXTURES / "formats" / "classic.xls",
    FIXTURES / "formats" / "classic.ods", FIXTURES / "egp-export-tis620.xls", FIXTURES / "o12-2568-utf8bom.csv",
]
SECONDS = 20  # what procdata promises for any input...
STARTUP = 10  # ...plus starting Python and pandas on a busy 2-core machine
MEMORY_KB = 2 * 1024 * 1024
SAFETY_NET = 6 << 30  # the address space a run may take at all, so that a leak cannot take the machine


# The command, in a process whose address space is capped (a safety net: procdata's own limits
# must hold far below it).
_COMMAND = (
    "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap})); sys.argv[0] = 'procdata'; "
    "from procdata.cli import main; main()"
)


def run(args: list[str], cwd: Path) -> tuple[int, str, str, float, int]:
    """``procdata ARGS`` in a new process group: exit code, stdout, stderr, seconds, peak memory (KB)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", _COMMAND.format(cap=SAFETY_NET), *args], cwd=cwd,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    timer = threading.Timer(SECONDS + STARTUP + 30, lambda: os.killpg(process.pid, signal.SIGKILL))
    timer.start()
    said: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda name=name, stream=stream: said.__setitem__(name, stream.read()))
        for name, stream in (("out", process.stdout), ("err", process.stderr))
    ]
    for reader in readers:
        reader.start()
    # wait4 gives this process's peak memory, its reader process (reaped by it) included.
    _, status, usage = os.wait4(process.pid, 0)
    for reader in readers:
        reader.join()
    timer.cancel()
    code = os.waitstatus_to_exitcode(status)
    out, err = (said[name].decode("utf-8", "replace") for name in ("out", "err"))
    return code, out, err, time.monotonic() - started, usage.ru_maxrss


@st.composite
def mutants(draw: st.DrawFn) -> tuple[Path, str, int, str]:
    seed = draw(st.sampled_from(SEEDS))
    data = seed.read_bytes()
    mutation = draw(st.sampled_from(mutations_for(seed.suffix, data)))
    number = draw(st.integers(0, 2**32 - 1))
    command = draw(st.sampled_from(["ingest", "validate"]))
    return seed, mutation, number, command


@settings(max_examples=EXAMPLES, deadline=None, derandomize="PROCDATA_FUZZ_EXAMPLES" not in os.environ,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutants())
def test_no_mutant_crashes_hangs_or_eats_memory(tmp_path: Path, mutant: tuple[Path, str, int, str]) -> None:
    seed, mutation, number, command = mutant
    try:
        data = MUTATIONS[mutation](seed.read_bytes(), random.Random(number))
    except (ValueError, KeyError, IndexError, OSError):  # a mutation that does not apply to this seed
        return
    folder = tmp_path / f"{seed.stem}-{mutation}-{number}"
    folder.mkdir(exist_ok=True)  # hypothesis may run a failing example again
    path = folder / f"mutant{seed.suffix}"
    path.write_bytes(data)
    args = [command, path.name, "--lang", "en"] + (["--out", "out.csv"] if command == "ingest" else ["--format", "json"])
    code, out, err, seconds, memory = run(args, folder)
    said = out + err
    where = f"{seed.name} {mutation} {number} ({command}), kept in {folder}"
    assert code in (0, 1, 2), f"exit {code}: {where}\n{said[-2000:]}"
    for bad in ("Traceback", "panicked", "RUST_BACKTRACE", "internal error"):
        assert bad not in said, f"{bad}: {where}\n{said[-2000:]}"
    if code == 2:
        lines = err.splitlines()
        assert lines and all(line.startswith(path.name) for line in lines), f"not one line per file: {where}\n{err}"
    assert seconds < SECONDS + STARTUP, f"{seconds:.1f} s: {where}"
    assert memory < MEMORY_KB, f"{memory / 1024:.0f} MB: {where}"
    shutil.rmtree(folder)
