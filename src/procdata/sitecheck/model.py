"""What check-site found: per link, per agency, and for the whole run (text for people, a dict for machines)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong, as a message code (``site_*`` in messages.toml) and its values."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, **self.params}


@dataclass
class LinkResult:
    """One link to a data file and what was found behind it."""

    url: str
    text: str
    name: str
    kind: str  # file extension
    dataset: str = ""  # the indicator it belongs to (O12, O13, ...), "" for package files
    status: int = 0
    final_url: str = ""
    redirects: int = 0
    rows: int | None = None
    columns: int | None = None
    fiscal_years: list[int] = field(default_factory=list)
    sha256: str = ""
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url, "text": self.text, "name": self.name, "kind": self.kind, "dataset": self.dataset,
            "status": self.status, "final_url": self.final_url, "redirects": self.redirects, "rows": self.rows,
            "columns": self.columns, "fiscal_years": self.fiscal_years, "sha256": self.sha256,
            "ok": not self.problems, "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class AgencyResult:
    """One agency's site: reachable or not, where its data links are, each link, and site-wide problems."""

    name: str
    url: str
    reachable: bool = True
    unreachable: Problem | None = None
    page: str = ""  # the page holding the data links
    main_host: str = ""
    profile: str = ""
    data_as_of: dt.date | None = None
    data_as_of_source: str = ""  # datapackage, page, data
    links: list[LinkResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Problems found: every link's and the site-wide ones (an unreachable site counts one)."""
        return (0 if self.reachable else 1) + len(self.problems) + sum(len(link.problems) for link in self.links)

    @property
    def valid(self) -> bool:
        return self.count == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "url": self.url, "reachable": self.reachable,
            "unreachable": self.unreachable.to_dict() if self.unreachable else None, "page": self.page,
            "main_host": self.main_host, "profile": self.profile,
            "data_as_of": self.data_as_of.isoformat() if self.data_as_of else None,
            "data_as_of_source": self.data_as_of_source, "valid": self.valid, "problem_count": self.count,
            "problems": [p.to_dict() for p in self.problems], "links": [link.to_dict() for link in self.links],
        }


@dataclass
class SiteReport:
    """The whole run: the date checked against and every agency."""

    as_of: dt.date
    agencies: list[AgencyResult] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return all(a.valid for a in self.agencies)

    @property
    def exit_code(self) -> int:
        """0 all good, 1 problems found, 2 no site could be reached at all."""
        if self.agencies and not any(a.reachable for a in self.agencies):
            return 2
        return 0 if self.valid else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(), "valid": self.valid, "exit_code": self.exit_code,
            "agencies": [a.to_dict() for a in self.agencies],
        }
