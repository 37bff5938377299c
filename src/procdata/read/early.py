"""calamine's parse of a big .xlsx started while its sheets are still being scanned.

:mod:`procdata.read.xlsx` scans every worksheet before calamine may read it
(a hostile sheet can ask calamine for gigabytes). On a big, plainly written
sheet that scan and calamine's parse cost about the same, and calamine's parse
runs without Python's lock: on a machine of two cores or more, the parse can
run on a thread while the scan runs, and its answer be used when the scan
finds that calamine may read the workbook as it is (no sheet written again).
Otherwise the parse is thrown away and the workbook is read as before, so the
sheets read are the same either way (``tests/test_early.py``).

What keeps this as bounded as the plain order:

- Only in the reader process (:mod:`procdata.read.sandbox`), where a native
  abort ends the reader, not the officer's command, and only for workbooks
  whose worksheet parts hold at least :data:`EARLY_MIN` bytes (below that the
  scan is quick and nothing is gained).
- While the parse runs, the process may map only :data:`SLACK` bytes plus
  :data:`PER_BYTE` times the worksheets' size more than it had (a plain sheet
  costs calamine about its own size): a sheet whose cells sit far apart, which
  would have calamine allocate a huge rectangle, ends the reader at once, and
  the sandbox reads the workbook again the plain way in a new reader. A
  :class:`MemoryError` in the scan meanwhile does the same within the reader.
- The parse of a workbook takes time in proportion to its size (at most the
  1 GiB the zip checks allow), and the reader's deadline still holds: the
  sandbox stops a reader that overruns it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import zipfile
from typing import Any

EARLY_MIN = 4 << 20  # bytes of worksheet XML from which the parse starts early
SLACK = 256 << 20  # address space the scan, the thread and its allocator may add...
PER_BYTE = 2  # ...and this many bytes per byte of worksheet XML for calamine


def worthwhile(archive: zipfile.ZipFile, parts: list[str]) -> int:
    """The worksheets' size in bytes when an early parse pays (and can be bounded here), else 0."""
    size = 0
    for info in archive.infolist():
        if info.filename in parts:
            size += info.file_size
    if size < EARLY_MIN or (os.cpu_count() or 1) < 2 or _address_space() is None:
        return 0
    return size


def may_have_started(path: str, kind: str) -> bool:
    """Whether reading the workbook at ``path`` may have started an early parse (by its size alone)."""
    if kind != "zip":
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist()) >= EARLY_MIN
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _address_space() -> int | None:
    """This process's mapped address space in bytes (Linux), or None where it cannot be known."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        import resource

        resource.getrlimit(resource.RLIMIT_AS)
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, ImportError, AttributeError):
        return None


class EarlyParse:
    """calamine opening a workbook and parsing its worksheets on a thread, under a tighter memory cap."""

    def __init__(self, path: str, size: int) -> None:
        self.path = path
        self.workbook: Any = None
        self.sheets: dict[str, Any] = {}
        self.failed = False
        self._go = threading.Event()
        self._thread = threading.Thread(target=self._run, name="procdata-early-parse", daemon=True)
        self._thread.start()  # its stack is mapped before the cap is lowered
        self._saved = _lower_cap(size)
        self._done = False
        self._go.set()

    def _run(self) -> None:
        import python_calamine as calamine

        self._go.wait()
        if self._saved is None:  # the cap could not be lowered: no parse before the scan
            self.failed = True
            return
        try:
            workbook = calamine.CalamineWorkbook.from_path(self.path)
            self.workbook = workbook
            for meta in workbook.sheets_metadata:
                if str(meta.typ) in ("SheetTypeEnum.WorkSheet", "WorkSheet"):
                    self.sheets[meta.name] = workbook.get_sheet_by_name(meta.name)
        except BaseException:
            self.failed = True

    def finish(self) -> bool:
        """Wait for the parse and put the memory cap back; whether its answer can be used."""
        self._thread.join()
        if not self._done:
            self._done = True
            _restore_cap(self._saved)
        return not self.failed

    def discard(self) -> None:
        """Let go of the parse (the workbook is read the plain way)."""
        self.finish()
        self.sheets = {}
        if self.workbook is not None:
            with contextlib.suppress(BaseException):
                self.workbook.close()
        self.workbook = None


def _lower_cap(size: int) -> tuple[int, int] | None:
    import resource

    mapped = _address_space()
    if mapped is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = mapped + SLACK + PER_BYTE * size
    if soft != resource.RLIM_INFINITY:
        cap = min(cap, soft)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        return None
    return soft, hard


def _restore_cap(saved: tuple[int, int] | None) -> None:
    if saved is not None:
        import resource

        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, saved)
