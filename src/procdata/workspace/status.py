"""``procdata status``: the fiscal year month by month, and whether it is ready for the ITA.

The readiness checklist compares the data in the workspace with what is
actually published in the site folder, requirement by requirement, so that it
says what to do next rather than what ought to be true.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from procdata.config import Config
from procdata.i18n import message
from procdata.model import FileFailure
from procdata.normalize.dates import fiscal_year_bounds
from procdata.publish.profile import CriteriaProfile, DatasetSpec, load_profile
from procdata.publish.tables import default_as_of
from procdata.read.ingest import ingest
from procdata.read.overrides import load_overrides
from procdata.workspace.merge import conflict_problems, merge_updates

_CITIZEN_ID = re.compile(r"(?<![0-9])[1-9][0-9]{12}(?![0-9])")


@dataclass
class Month:
    month: str  # YYYY-MM (CE); "" for records that name no month
    files: int = 0
    items: int = 0
    budget: float = 0.0
    investment: int = 0
    errors: int = 0
    warnings: int = 0


@dataclass
class Requirement:
    code: str  # message key: readiness_<code>
    met: bool
    detail: str  # what was found
    todo: str  # what to do next ("" when met)
    skipped: bool = False  # not checked (the website when offline): counts as met, said as skipped


@dataclass
class Status:
    fiscal_year: int
    as_of: dt.date
    profile: str
    site: str
    months: list[Month] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)  # inputs that could not be read

    @property
    def ready(self) -> bool:
        return all(r.met for r in self.requirements)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fiscal_year, "as_of": self.as_of.isoformat(), "profile": self.profile,
            "site": self.site, "ready": self.ready, "months": [asdict(m) for m in self.months],
            "missing_months": self.missing, "requirements": [asdict(r) for r in self.requirements],
            "failures": [asdict(f) for f in self.failures],
        }


def fiscal_months(fiscal_year: int, as_of: dt.date | None = None) -> list[str]:
    """``YYYY-MM`` of each month of the fiscal year, up to ``as_of`` when given."""
    start, end = fiscal_year_bounds(fiscal_year)
    months, day = [], start
    while day <= end and (as_of is None or day <= as_of):
        months.append(f"{day.year:04d}-{day.month:02d}")
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def status(
    inputs: Iterable[Path | str], config: Config, *, fiscal_year: int | None = None,
    as_of: dt.date | None = None, site: Path | None = None, lang: str = "th",
    on_file: Callable[[str], None] | None = None, offline: bool = False,
) -> Status:
    """The month-by-month view and the readiness checklist of ``inputs`` against ``site``."""
    from procdata.check import validate_ingested

    profile = load_profile(config.profile)
    site = site or config.out_path
    ingested = ingest(inputs, on_file=on_file, overrides=load_overrides(config.categories_path))
    records = ingested.records
    if fiscal_year is None:
        years = records["fiscal_year"].dropna()
        fiscal_year = int(years.max()) if len(years) else _fiscal_year_of(as_of or dt.date.today())
    as_of = as_of or default_as_of(records, fiscal_year) or fiscal_year_bounds(fiscal_year)[1]
    report = validate_ingested(ingested, lang)
    merged = merge_updates(records)
    report.problems.extend(conflict_problems(merged, lang))
    result = Status(fiscal_year, as_of, profile.id, str(site), failures=list(ingested.failures))
    year = records[records["fiscal_year"] == fiscal_year]
    shown = set(fiscal_months(fiscal_year, as_of))
    result.months = [m for m in _months(year, report.problems, fiscal_year) if m.month in shown or m.items]
    covered = {m.month for m in result.months if m.items}
    result.missing = [m for m in fiscal_months(fiscal_year, as_of) if m not in covered]
    current = merged.records[merged.records["fiscal_year"] == fiscal_year]
    result.requirements = _readiness(profile, merged.records, current, fiscal_year, site, report, result, config, lang)
    if config.site_url or config.agency.website:
        result.requirements.append(web_matches(config, site, lang, offline))
    return result


def web_matches(config: Config, site: Path, lang: str, offline: bool = False) -> Requirement:
    """The site on the web matches what was published (``procdata check-site``); skipped when offline."""
    url = config.site_url or config.agency.website
    if offline:
        return Requirement("web_matches", True, message("readiness_web_skipped", lang, url=url,
                                                        reason=message("readiness_web_offline", lang)), "", True)
    from procdata.sitecheck.fetch import Limits
    from procdata.sitecheck.render import problem_text
    from procdata.sitecheck.run import compare_published

    checked, states = compare_published(url, site, website=config.agency.website,
                                        limits=Limits.default(connect_timeout=5.0, read_timeout=10.0))
    if not checked.reachable and checked.unreachable is not None:
        reason = problem_text(checked.unreachable, lang)
        return Requirement("web_matches", True, message("readiness_web_skipped", lang, url=url, reason=reason), "", True)
    different = [name for name, state in states if state == "different"]
    missing = [name for name, state in states if state == "missing"]
    notes = "".join(message(f"readiness_web_{key}", lang, files=", ".join(names))
                    for key, names in (("different", different), ("missing", missing)) if names)
    met = bool(states) and not different and not missing
    detail = message("readiness_web_matches", lang, url=url, same=len(states) - len(different) - len(missing),
                     count=len(states), differences=notes)
    return Requirement("web_matches", met, detail, "" if met else message("todo_web_matches", lang, site=site, url=url))


def _fiscal_year_of(day: dt.date) -> int:
    from procdata.normalize.dates import fiscal_year

    return fiscal_year(day)


def _months(year: pd.DataFrame, problems: list, fiscal_year: int) -> list[Month]:
    by_row = {(p.file, p.sheet, p.row): p.severity for p in problems}
    rows: dict[str, Month] = {m: Month(m) for m in fiscal_months(fiscal_year)}
    investment = year["is_investment"].fillna(False).astype(bool).tolist()
    for record, invests in zip(year.itertuples(index=False), investment, strict=True):
        month = record.report_month if isinstance(record.report_month, str) else ""
        entry = rows.setdefault(month, Month(month))
        entry.items += 1
        entry.budget += 0.0 if pd.isna(record.budget_amount) else float(record.budget_amount)
        entry.investment += invests
        sheet = record.source_sheet if isinstance(record.source_sheet, str) else ""
        severity = by_row.get((record.source_file, sheet, int(record.source_row)))
        entry.errors += severity == "error"
        entry.warnings += severity == "warning"
    for month, entry in rows.items():
        entry.files = int(year.loc[year["report_month"].fillna("") == month, "source_file"].nunique())
    return sorted(rows.values(), key=lambda m: m.month or "9999")


def _published(site: Path, spec: DatasetSpec) -> tuple[list[str], list[list[str]]] | None:
    path = site / f"{spec.id}.csv"
    if not path.is_file():
        return None
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return (rows[0], rows[1:]) if rows else ([], [])


def _readiness(profile: CriteriaProfile, records: pd.DataFrame, current: pd.DataFrame, fiscal_year: int,
               site: Path, report: Any, result: Status, config: Config, lang: str) -> list[Requirement]:
    out: list[Requirement] = []

    def add(code: str, met: bool, todo: str = "", **params: Any) -> None:
        out.append(Requirement(code, met, message(f"readiness_{code}", lang, **params),
                               "" if met else message(f"todo_{todo or code}", lang, **params)))

    errors = len(report.errors)
    add("no_errors", errors == 0, errors=f"{errors:,}")
    package = site / "datapackage.json"
    published_year = _package_year(package)
    for spec in profile.datasets:
        year = spec.year(fiscal_year)
        available = int((records["fiscal_year"] == year).sum())
        add("dataset_data", available > 0, indicator=spec.indicator, year=year, count=f"{available:,}")
        if available == 0:
            continue
        found = _published(site, spec)
        expected = min(available, spec.limit) if spec.limit > 0 else available  # 0: no limit
        fresh = found is not None and published_year == fiscal_year
        add("dataset_published", fresh, indicator=spec.indicator, year=year, site=site,
            published=f"{len(found[1]):,}" if found else "0")
        if not fresh or found is None:
            continue
        headers, rows = found
        ita = [c.header for c in spec.columns if not c.extra and not c.requires]
        add("columns_complete", headers[: len(ita)] == ita, indicator=spec.indicator, count=len(ita))
        add("item_count", len(rows) == expected, indicator=spec.indicator, published=f"{len(rows):,}",
            expected=f"{expected:,}", available=f"{available:,}", limit=spec.limit)
        formats = [f"{spec.id}.{ext}" for ext in ("csv", "json", "xlsx")]
        missing = [name for name in formats if not (site / name).is_file()]
        add("formats", not missing and package.is_file(), indicator=spec.indicator,
            files=", ".join(missing + ([] if package.is_file() else ["datapackage.json"])) or "-")
        if spec.coverage == "current":
            flag = next((i for i, h in enumerate(headers) if "งบลงทุน" in h), None)
            flags = [row[flag] for row in rows] if flag is not None else []
            count = sum(1 for f in flags if f == "ใช่")
            first = flags == sorted(flags, key=lambda f: f != "ใช่")
            add("investment_first", count > 0 and first, indicator=spec.indicator, count=f"{count:,}")
        exposed = sum(1 for row in rows for cell in row if _CITIZEN_ID.search(cell))
        full = (config.personal_ids or profile.privacy.personal_ids) == "full"
        add("personal_ids", exposed == 0 or full, indicator=spec.indicator, count=f"{exposed:,}")
    months = fiscal_months(fiscal_year, result.as_of)
    add("coverage", not result.missing, months=f"{len(months) - len(result.missing)}/{len(months)}",
        missing=", ".join(month_label(m, lang) for m in result.missing) or "-")
    return out


def month_label(month: str, lang: str) -> str:
    """``2025-01`` shown to people: ``ม.ค. 2568`` in Thai."""
    from procdata.i18n import be_month

    return be_month(month) if lang == "th" else month


def _package_year(path: Path) -> int | None:
    import json

    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["fiscal_year"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
