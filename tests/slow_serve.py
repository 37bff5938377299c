"""``procdata serve`` whose every file takes ``PROCDATA_TEST_FILE_SECONDS`` longer to read (tests only).

A real server process, so that a browser can watch a long step as an officer
with a slow disk or a big year would: the page shows the progress panel, its
script polls ``/progress`` while the files are read, then shows the result.
Only the time changes: each file is still read and checked as ``procdata
serve`` does. Run as ``python tests/slow_serve.py serve --port N --no-browser``.
"""

from __future__ import annotations

import os
import sys
import time

from procdata.web.jobs import Job

PAUSE = float(os.environ.get("PROCDATA_TEST_FILE_SECONDS", "1.5"))
_started = Job.on_file


def _slow_start(self: Job, name: str) -> None:
    _started(self, name)
    time.sleep(PAUSE)


if __name__ == "__main__":
    Job.on_file = _slow_start  # type: ignore[method-assign]
    from procdata.cli import main

    sys.argv = ["procdata", *sys.argv[1:]]
    main()
