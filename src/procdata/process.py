"""Settings of the running process that the column-wise work measurably needs."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

PR_SET_THP_DISABLE = 41  # linux/prctl.h


def _c_function(name: str) -> Callable[..., Any] | None:
    """A function of the C library this process runs on (Linux only), or None where there is none
    of that name (musl has no ``malloc_trim``) or no C library to ask: the default then stays."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return getattr(ctypes.CDLL(None), name, None)  # type: ignore[no-any-return]
    except OSError:
        return None


def small_pages() -> None:
    """Turn transparent huge pages off for this process (Linux only; elsewhere nothing).

    A national table is read into about 2 GB of fresh memory. Arrow's allocator and
    NumPy ask the kernel for huge pages, and each first touch of one makes the kernel
    clear 2 MB at once. On the 2-core virtual machines this project is measured on,
    that clearing took 3.5 s of system time per `procdata validate` of 1,000,000
    rows (median of 8 runs) against 1.1 s with ordinary pages, and the run took
    5.1 s instead of 4.0 s (benchmarks/README.md). Nothing else changes: the same
    memory is used, in 4 KB pages.
    """
    prctl = _c_function("prctl")
    if prctl is not None:
        prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # malloc.h
MMAP_THRESHOLD = 16 << 20
TRIM_THRESHOLD = 32 << 20


def keep_freed_pages() -> None:
    """Let the C library keep the memory a chunk frees for the next chunk (Linux only; elsewhere nothing).

    A long table is read, normalized and checked 200,000 rows at a time, and each chunk's NumPy and
    pandas arrays are of the same sizes as the last one's. The C library's default hands an array of
    more than 128 KB back to the kernel when it is freed (at first; it learns larger sizes as they are
    freed), and the next chunk's array of that size is then cleared by the kernel page by page again.
    Arrays of up to 16 MB from its heap, and up to 32 MB freed at the heap's top kept there:
    `procdata validate` of 1,000,000 rows took 4.71-5.00 s against 4.90-5.20 s (4 runs each in turns;
    system time 1.30 s against 1.65 s), and a 2,000,000-row table of projects reported twice peaked
    as high as before. Either threshold alone was slower than neither (benchmarks/README.md).
    Larger ones (a 1 GB top kept) were faster still, but raised that table's peak by 200 MB while
    its report was written. Nothing else changes.
    """
    mallopt = _c_function("mallopt")  # (musl's does nothing)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def no_blas_threads() -> None:
    """Keep NumPy's OpenBLAS to one thread (unless the user chose a number).

    procdata does no linear algebra, but OpenBLAS starts a thread per core when NumPy
    is imported, and those threads spin and take CPU from the column-wise work:
    0.1 s of CPU on a validate of 1,000,000 rows. Set before NumPy is first imported.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def no_collection_at_exit() -> None:
    """Spare Python's last passes of its garbage collector when the command ends.

    As it shuts down, Python collects cyclic garbage while it clears its modules, walking every
    object still alive, for memory the system takes back anyway: 0.19-0.28 s from the last exit
    handler to the end of the process after `procdata ingest` of a 100,000-row workbook or
    `procdata validate` of a 1,000,000-row table, against 0.04-0.08 s with every object frozen
    (``gc.freeze``: left out of those passes), 4 runs each (benchmarks/README.md). Registered
    first, so it runs after every other exit handler (temporary files removed, the reader
    process let go); outputs are closed and renamed into place before any of them.
    """
    import atexit
    import gc

    atexit.register(gc.freeze)


def give_back_memory() -> None:
    """Hand the memory freed so far back to the system, at the end of a stage that freed much of it.

    Arrow's allocator (mimalloc) and the C library's keep pages that were freed for the next
    allocation, and a long table's chunks, once read and checked, leave hundreds of megabytes so kept:
    a 2,000,000-row table held 1.3-1.4 GB when its reading ended, of which 0.5 GB was alive. The report
    that follows asks for other sizes, so the pages kept were not reused, and the run's peak was the
    report's allocations on top of them (benchmarks/README.md). 0.04-0.07 s for such a table; little
    for a small one. Nothing else changes.
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _c_function("malloc_trim")
    if trim is not None:
        trim(0)
