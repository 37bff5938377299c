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
import ctypes, sys
if sys.argv[1] == "cli":
    from procdata.cli import main
    sys.argv = ["procdata", "--version"]
    try:
        main()
    except SystemExit:
        pass

class Info(ctypes.Structure):  # struct mallinfo2 (glibc 2.33)
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
MB = 1 << 20
# An array of 8 MB (a chunk's column): from the heap, or a mapping of its own?
before = libc.mallinfo2().hblkhd
array = libc.malloc(8 * MB)
mapped = libc.mallinfo2().hblkhd - before
libc.free(array)
# 24 MB freed at the top of the heap: kept for the next chunk, or handed back at once?
blocks = [libc.malloc(MB) for _ in range(24)]
heap = libc.mallinfo2().arena
for block in reversed(blocks):
    libc.free(block)
print(mapped // MB, (heap - libc.mallinfo2().arena) // MB)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a setting of the GNU C library")
def test_the_cli_keeps_the_memory_a_chunk_freed_for_the_next_chunk() -> None:
    """The C library's thresholds that made the clean 1M validate faster (benchmarks/README.md): an
    array of up to 16 MB comes from the heap, where the next chunk's array of that size reuses it,
    and up to 32 MB freed at the top of the heap stay there; by default the first is a mapping of its
    own, handed back and cleared again for the next chunk, and the second is handed back at once."""

    def probe(how: str) -> tuple[int, int]:
        run = subprocess.run([sys.executable, "-c", KEEP_PROBE, how], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        mapped, trimmed = run.stdout.split()[-2:]
        return int(mapped), int(trimmed)

    assert probe("cli") == (0, 0)
    mapped, trimmed = probe("plain")
    assert mapped == 8 and trimmed > 8, (mapped, trimmed)
