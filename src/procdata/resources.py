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
