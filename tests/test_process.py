"""Process settings the column-wise work needs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PR_GET_THP_DISABLE = 42


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="transparent huge pages are a Linux setting")
def test_the_cli_runs_without_transparent_huge_pages() -> None:
    """procdata's entry point turns huge pages off for its own process (benchmarks/README.md says why)."""
    probe = (
        "import ctypes, sys; from procdata.cli import main; sys.argv = ['procdata', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(ctypes.CDLL(None).prctl({PR_GET_THP_DISABLE}, 0, 0, 0, 0))"
    )
    before = subprocess.run([sys.executable, "-c", f"import ctypes; print(ctypes.CDLL(None).prctl({PR_GET_THP_DISABLE}, 0, 0, 0, 0))"],
                            capture_output=True, text=True, check=True)
    after = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert before.stdout.strip() == "0"
    assert after.stdout.strip().splitlines()[-1] == "1"


def test_the_cli_keeps_blas_to_one_thread_unless_told_otherwise() -> None:
    probe = (
        "import os, sys; from procdata.cli import main; sys.argv = ['procdata', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert run.stdout.strip().splitlines()[-1] == "1"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env={**env, "OPENBLAS_NUM_THREADS": "4"})
    assert run.stdout.strip().splitlines()[-1] == "4"


def test_the_cli_leaves_its_objects_to_the_system_at_exit() -> None:
    """Python's last garbage collections are spared (benchmarks/README.md): by the time the exit
    handlers registered before the command's have run, every object is frozen."""
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "from procdata.cli import main; sys.argv = ['procdata', '--version']\n"
        "print('frozen before', gc.get_freeze_count() > 0)\n"
        "main()\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert lines[0] == "frozen before False"
    assert lines[-1] == "frozen True"


GIVE_BACK_PROBE = """
import sys
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from procdata.process import give_back_memory

def resident():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) // 1024

# What a long table's chunks leave: many buffers of Arrow's pool and blocks of the C heap (NumPy,
# Python), freed, the last kept. (pa.array of a NumPy array would keep NumPy's memory: Arrow computes.)
base = pa.array(np.arange(5_000, dtype=np.int64))
arrow = [pc.add(base, i) for i in range(4_800)]
heap = [bytearray(64 * 1024) for _ in range(3000)]
kept = heap.pop()
full = resident()
del arrow, heap
freed = resident()
give_back_memory()
print(full, freed, resident())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the resident set from /proc")
def test_memory_freed_is_given_back_to_the_system() -> None:
    """Between a long table's reading and its report (check.validate), the pages the allocators keep
    for reuse are handed back: the report's allocations would come on top of them."""
    run = subprocess.run([sys.executable, "-c", GIVE_BACK_PROBE], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    full, freed, after = map(int, run.stdout.split())
    assert freed > full - 100, (full, freed)  # freed, yet still held by the process
    assert after < freed - 250, (full, freed, after)  # about 380 MB were freed


KEEP_PROBE = """
import resource, sys
import numpy as np
if sys.argv[1] == "cli":
    from procdata.cli import main
    sys.argv = ["procdata", "--version"]
    try:
        main()
    except SystemExit:
        pass
from procdata.process import give_back_memory

def resident():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) // 1024

faults = []
for chunk in range(3):  # a long table's chunks: arrays of the same sizes, made and freed in turn
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    arrays = [np.ones(1_000_000) for _ in range(40)]  # 8 MB each, 320 MB in all
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    del arrays
held = resident()
give_back_memory()
print(*faults, held, resident())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the GNU C library's setting; reads /proc")
def test_the_cli_reuses_the_memory_a_chunk_freed_and_gives_it_back_at_the_end_of_a_stage() -> None:
    """A chunk's arrays of 8 MB, freed, are reused by the next chunk's instead of cleared again by the
    kernel page by page (benchmarks/README.md); give_back_memory still hands them back."""

    def probe(how: str) -> list[int]:
        run = subprocess.run([sys.executable, "-c", KEEP_PROBE, how], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return [int(n) for n in run.stdout.split()[-5:]]

    first, second, third, held, after = probe("cli")
    assert first > 70_000  # 320 MB of 4 KB pages, touched the first time
    assert second < first // 10 and third < first // 10, (first, second, third)
    assert held > 300 and after < held - 250, (held, after)
    plain = probe("plain")  # the C library's default: each chunk's pages handed back, then cleared again
    assert plain[1] > plain[0] // 2 and plain[3] < 100, plain
