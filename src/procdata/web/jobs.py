"""Long steps (reading and checking the files, publishing) run one at a time beside the server.

A page starts a step and shows its progress (files read out of files to
read) until it is done; two requests for the same step share one run.
"""

from __future__ import annotations

import copy
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from procdata.errors import ProcdataError
from procdata.i18n import message


@dataclass
class Job:
    """One run of a long step, with its progress and, once finished, its result or error."""

    kind: str  # "check" or "publish"
    key: Any  # what it was started for (the workspace's state); equal keys share a run
    total: int = 0  # files to read, when known
    done: int = 0
    current: str = ""  # the file being read
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.time)
    finished: float | None = None
    result: Any = None
    error: str = ""
    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        return self.finished is None

    def on_file(self, name: str) -> None:
        """Ingest's callback: one more file started."""
        self.done += 1
        self.current = name

    def now(self) -> Job:
        """The run as it is at this moment, for one page to render.

        A run may finish while a page renders; reading ``running`` twice could then show neither
        its progress nor its result. The copy's state is read at once, and a finished copy always
        has its result or error (the run sets them before it marks itself finished)."""
        return copy.copy(self)

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the run to finish; whether it has."""
        return self._event.wait(seconds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "running": self.running, "done": min(self.done, self.total),
            "total": self.total, "current": self.current, "seconds": round((self.finished or time.time()) - self.started, 1),
            "error": self.error,
        }


class Jobs:
    """The runs of this server: at most one at a time, the latest of each kind kept."""

    def __init__(self, lang: str, debug: bool = False) -> None:
        self.lang, self.debug = lang, debug
        self._lock = threading.Lock()
        self._serial = threading.Lock()
        self.latest: dict[str, Job] = {}

    def submit(self, kind: str, key: Any, work: Callable[[Job], Any], total: int = 0) -> Job:
        """Start ``work`` in the background, or return the run of the same kind and key already under way."""
        with self._lock:
            latest = self.latest.get(kind)
            if latest is not None and latest.running and latest.key == key:
                return latest
            job = Job(kind, key, total=total)
            self.latest[kind] = job
        threading.Thread(target=self._run, args=(job, work), name=f"procdata-{kind}", daemon=True).start()
        return job

    def running(self) -> Job | None:
        """A run still under way, if any."""
        return next((job for job in self.latest.values() if job.running), None)

    def _run(self, job: Job, work: Callable[[Job], Any]) -> None:
        with self._serial:  # one step at a time: a publish never reads files a check is reading
            try:
                job.result = work(job)
            except ProcdataError as error:
                job.error = error.render(self.lang, "web")
            except Exception as error:  # a bug: one line for the officer, the traceback for the terminal
                job.error = message("internal_error", self.lang, surface="web", error=f"{type(error).__name__}: {error}")
                if self.debug:
                    traceback.print_exc(file=sys.stderr)
            finally:
                job.finished = time.time()
                job._event.set()
