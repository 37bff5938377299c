"""How much of a file procdata reads before it stops: limits as data, raised per run.

The limits live in ``data/limits.toml``. A run may raise (or lower) any of them:
``procdata ingest --limit seconds=60``, or ``ingest(..., limits=Limits.default().raised(...))``
from Python. A file that goes past one stops with :class:`procdata.errors.LimitError`,
whose message names the limit and the option that raises it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields, replace

from procdata.errors import LimitError
from procdata.resources import data


@dataclass(frozen=True)
class Limits:
    sheets: int
    rows: int
    columns: int
    cells: int
    fields: int
    seconds: float
    memory: int  # MB

    @classmethod
    def default(cls) -> Limits:
        return cls(**{name: spec["value"] for name, spec in data("limits")["limits"].items()})

    def raised(self, changes: dict[str, float]) -> Limits:
        """These limits with some changed (names as in ``data/limits.toml``)."""
        return replace(self, **changes)  # type: ignore[arg-type]


NAMES = tuple(f.name for f in fields(Limits))
_override: dict[str, float] = {}


def parse(texts: list[str]) -> dict[str, float]:
    """``["seconds=60", "columns=400"]`` -> ``{"seconds": 60, "columns": 400}``; ValueError when not understood."""
    out: dict[str, float] = {}
    for text in texts:
        name, sep, value = text.partition("=")
        name = name.strip().lower()
        if not sep or name not in NAMES:
            raise ValueError(text)
        try:
            number = float(value.replace(",", "").replace("_", ""))
        except ValueError:
            raise ValueError(text) from None  # said as the officer typed it, not as Python's float() says it
        if not number > 0 or number != number or number == float("inf"):
            raise ValueError(text)
        out[name] = number if name == "seconds" else int(number)
    return out


def set_overrides(changes: dict[str, float]) -> None:
    """The limits of this run (the CLI's ``--limit``), used wherever none are passed."""
    _override.clear()
    _override.update(changes)


def current(limits: Limits | None = None) -> Limits:
    """``limits`` when given, else the defaults with this run's overrides."""
    return limits if limits is not None else Limits.default().raised(dict(_override))


class Deadline:
    """The time one file may take; :meth:`check` raises :class:`LimitError` once it has passed."""

    def __init__(self, file: str, seconds: float) -> None:
        self.file = file
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise LimitError(self.file, "seconds", self.seconds)
