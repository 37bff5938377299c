"""Criteria profiles (``data/profiles/<id>.toml``): what an ITA assessment year asks to publish."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from procdata.errors import ConfigError

COVERAGES = ("current", "previous")
LAYOUTS = ("table", "monthly")
REPORTS = ("", "annual")


@dataclass(frozen=True)
class ColumnSpec:
    """One published column: its exact header, the value it holds, and that value's type."""

    header: str
    value: str  # key of _columns.toml
    type: str
    description: str
    requires: str = ""  # a procdata.toml [publish] key that must be set for the column to appear
    extra: bool = False  # procdata's own column, after the ITA ones
    pattern: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset of a criteria profile."""

    id: str
    indicator: str
    title: str  # with {fiscal_year}
    description: str  # with {fiscal_year} and {as_of}
    coverage: str
    limit: int
    priority: tuple[str, ...]
    order_by: str
    layout: str
    report: str
    columns: tuple[ColumnSpec, ...]

    def year(self, fiscal_year: int) -> int:
        """The fiscal year this dataset covers when ``fiscal_year`` is published."""
        return fiscal_year if self.coverage == "current" else fiscal_year - 1


@dataclass(frozen=True)
class Privacy:
    personal_ids: str
    keep_first: int
    keep_last: int
    mask_char: str


@dataclass(frozen=True)
class CriteriaProfile:
    id: str
    title: str
    main: str
    privacy: Privacy
    datasets: tuple[DatasetSpec, ...]

    def dataset(self, id: str) -> DatasetSpec:
        return next(d for d in self.datasets if d.id == id)


def _folder() -> Any:
    return resources.files("procdata") / "data" / "profiles"


def _toml(name: str) -> dict[str, Any]:
    with (_folder() / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


def available() -> list[str]:
    """The ids of the bundled criteria profiles (files not starting with ``_``)."""
    names = (entry.name for entry in _folder().iterdir())
    return sorted(n[:-5] for n in names if n.endswith(".toml") and not n.startswith("_"))


@cache
def column_values() -> dict[str, dict[str, str]]:
    """What each column value means: ``_columns.toml``."""
    return _toml("_columns")


@cache
def licences() -> dict[str, dict[str, str]]:
    """The licences an agency can choose: ``_licences.toml``."""
    return _toml("_licences")


@cache
def load_profile(id: str) -> CriteriaProfile:
    """The bundled criteria profile ``id`` (e.g. ``ita-2568``)."""
    if id not in available():
        raise ConfigError("profile_unknown", profile=id, known=", ".join(available()))
    raw = _toml(id)
    datasets = tuple(_dataset(entry, id) for entry in raw["dataset"])
    privacy = Privacy(**raw["privacy"])
    if raw["main"] not in {d.id for d in datasets}:
        raise ConfigError("profile_broken", profile=id, error=f"main = {raw['main']!r} is not a dataset")
    return CriteriaProfile(raw["id"], raw["title"], raw["main"], privacy, datasets)


def _dataset(entry: dict[str, Any], profile: str) -> DatasetSpec:
    known = column_values()

    def column(item: list[str], extra: bool) -> ColumnSpec:
        header, value, *rest = item
        if value not in known:
            raise ConfigError("profile_broken", profile=profile, error=f"unknown column value {value!r}")
        meta = known[value]
        return ColumnSpec(header, value, meta["type"], meta["description"], rest[0] if rest else "", extra,
                          meta.get("pattern", ""))

    checks = (("coverage", COVERAGES), ("layout", LAYOUTS), ("report", REPORTS))
    for key, allowed in checks:
        if entry[key] not in allowed:
            raise ConfigError("profile_broken", profile=profile, error=f"{key} = {entry[key]!r}")
    columns = [column(c, False) for c in entry["columns"]] + [column(c, True) for c in entry.get("extra", [])]
    headers = [c.header for c in columns]
    if len(set(headers)) != len(headers):
        raise ConfigError("profile_broken", profile=profile, error=f"{entry['id']}: repeated header")
    return DatasetSpec(
        id=entry["id"], indicator=entry["indicator"], title=entry["title"], description=entry["description"],
        coverage=entry["coverage"], limit=int(entry["limit"]), priority=tuple(entry["priority"]),
        order_by=entry["order_by"], layout=entry["layout"], report=entry["report"], columns=tuple(columns),
    )
