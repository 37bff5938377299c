"""Access to the data files that ship inside the package."""

from __future__ import annotations

import json
import tomllib
from functools import cache
from importlib import resources
from typing import Any


def _root() -> Any:
    return resources.files("procdata")


@cache
def data(name: str) -> dict[str, Any]:
    """Load ``procdata/data/<name>.toml``."""
    with (_root() / "data" / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


@cache
def schema(name: str) -> dict[str, Any]:
    """Load ``procdata/schemas/<name>.schema.json``."""
    text = (_root() / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def data_bytes(*parts: str) -> bytes:
    """The bytes of ``procdata/data/<parts...>`` (a file published as it ships, e.g. the OCDS extension)."""
    entry = _root() / "data"
    for part in parts:
        entry = entry / part
    return bytes(entry.read_bytes())
