"""``procdata status``: the fiscal year month by month, and whether it is ready for the ITA.

The readiness checklist compares the data in the workspace with what is
actually published in the site folder, requirement by requirement, so that it
says what to do next rather than what ought to be true.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from procdata.check.model import Report
from procdata.check.review import review
from procdata.config import Config, as_config
from procdata.i18n import message
from procdata.model import FileFailure
from procdata.normalize.dates import fiscal_year as fiscal_year_of
from procdata.normalize.dates import (
    fiscal_year_bounds,
    latest_fiscal_year,
    read_day,
    read_fiscal_year,
)
from procdata.normalize.ids import find_citizen_ids
from procdata.profiles import CriteriaProfile, DatasetSpec, load_profile
from procdata.read.ingest import ingest
from procdata.read.overrides import load_overrides


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
    # The one report behind the months and the checklist: every problem with its cell, as
    # `procdata validate --as-of <as_of>` lists them (contracts past their end judged at this
    # status's date). Not in to_dict: `procdata validate --format json` gives it.
    report: Report = field(default_factory=Report, repr=False)

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


def fiscal_months(fiscal_year: int, as_of: dt.date | None = None, *, ended: bool = False) -> list[str]:
    """``YYYY-MM`` of each month of the fiscal year; with ``as_of``, those begun by then
    (with ``ended``, those over by then)."""
    start, end = fiscal_year_bounds(fiscal_year)
    months, day = [], start
    while day <= end:
        following = (day + dt.timedelta(days=32)).replace(day=1)
        if as_of is not None and (following - dt.timedelta(days=1) if ended else day) > as_of:
            break
        months.append(f"{day.year:04d}-{day.month:02d}")
        day = following
    return months


def status(
    inputs: Iterable[Path | str] | None = None, config: Config | Path | str | None = None, *,
    fiscal_year: int | str | None = None, as_of: dt.date | str | None = None, site: Path | str | None = None,
    lang: str = "th", on_file: Callable[[str], None] | None = None, offline: bool = False,
    today: dt.date | None = None, surface: str = "cli",
) -> Status:
    """The month-by-month view and the readiness checklist of ``inputs`` against ``site``.

    ``config`` is the agency profile (a path, a loaded
    :class:`~procdata.config.Config`, or ``None`` for ``procdata.toml`` found
    from the working folder up); a profile with required values still empty
    is no error here but an unmet requirement. ``inputs`` default to its
    monthly folder and ``site`` to its site folder. ``fiscal_year`` defaults
    to the latest in the data, else the one ``today`` falls in; ``as_of`` to
    ``today`` (the system's date), within that fiscal year. A month is
    missing when it has ended by ``as_of`` and has no records. Where the
    profile names a website, the checklist compares it with the site folder
    (``procdata check-site``), unless ``offline``. The checklist's advice is
    worded for where it is read: ``surface`` "cli" (commands) or "web" (the
    web app's buttons and forms; see :func:`procdata.i18n.message`). Each
    input is read once: the result's ``report`` holds every problem found,
    merge conflicts included, with its cell.
    """
    from procdata.config import workspace_inputs

    profile_config = as_config(config, strict=False)
    profile = load_profile(profile_config.profile)
    site = Path(site) if site is not None else profile_config.out_path
    year_asked = read_fiscal_year(fiscal_year) if fiscal_year is not None else None
    day_asked = read_day(as_of) if as_of is not None else None
    ingested = ingest(workspace_inputs(inputs, profile_config), fiscal_year=year_asked, on_file=on_file,
                      overrides=load_overrides(profile_config.categories_path))
    records = ingested.records
    today = today or dt.date.today()
    if year_asked is None:
        years = records["fiscal_year"].dropna()
        year_asked = latest_fiscal_year(years) or fiscal_year_of(day_asked or today)
    first, last = fiscal_year_bounds(year_asked)
    day = day_asked or min(max(today, first), last)
    checked = review(ingested, fiscal_year=year_asked, as_of=day, lang=lang)
    report = checked.report
    result = Status(year_asked, day, profile.id, str(site), failures=list(ingested.failures), report=report)
    year = records[records["fiscal_year"] == year_asked]
    listed = set(fiscal_months(year_asked, day))
    result.months = [m for m in _months(year, report.problems, year_asked) if m.month in listed or m.items]
    covered = {m.month for m in result.months if m.items}
    result.missing = [m for m in fiscal_months(year_asked, day, ended=True) if m not in covered]
    current = checked.records[checked.records["fiscal_year"] == year_asked]
    result.requirements = _readiness(profile, checked.records, current, year_asked, site, report, result,
                                     profile_config, lang, surface)
    if profile_config.site_url or profile_config.agency.website:
        result.requirements.append(web_matches(profile_config, site, lang, offline, surface))
    return result


def web_matches(config: Config, site: Path, lang: str, offline: bool = False, surface: str = "cli") -> Requirement:
    """The site on the web matches what was published (``procdata check-site``); skipped when offline."""
    url = config.site_url or config.agency.website
    if offline:
        reason = message("readiness_web_offline", lang, surface=surface)
        return Requirement("web_matches", True, message("readiness_web_skipped", lang, surface=surface, url=url,
                                                        reason=reason), "", True)
    from procdata.sitecheck.fetch import Limits
    from procdata.sitecheck.render import problem_text
    from procdata.sitecheck.run import compare_published

    checked, states = compare_published(url, site, website=config.agency.website,
                                        limits=Limits.default(connect_timeout=5.0, read_timeout=10.0))
    if not checked.reachable and checked.unreachable is not None:
        reason = problem_text(checked.unreachable, lang)
        return Requirement("web_matches", True, message("readiness_web_skipped", lang, surface=surface, url=url,
                                                        reason=reason), "", True)
    different = [name for name, state in states if state == "different"]
    missing = [name for name, state in states if state == "missing"]
    notes = "".join(message(f"readiness_web_{key}", lang, files=", ".join(names))
                    for key, names in (("different", different), ("missing", missing)) if names)
    met = bool(states) and not different and not missing
    detail = message("readiness_web_matches", lang, url=url, same=len(states) - len(different) - len(missing),
                     count=len(states), differences=notes)
    todo = "" if met else message("todo_web_matches", lang, surface=surface, site=site, url=url)
    return Requirement("web_matches", met, detail, todo)


def _months(year: pd.DataFrame, problems: list, fiscal_year: int) -> list[Month]:
    """Each month's files, items, budget and investment items, and its rows with errors and with warnings
    (a row with both counts in both)."""
    by_row: dict[tuple[str, str, int | None], set[str]] = {}
    for p in problems:
        by_row.setdefault((p.file, p.sheet, p.row), set()).add(p.severity)
    rows: dict[str, Month] = {m: Month(m) for m in fiscal_months(fiscal_year)}
    investment = year["is_investment"].fillna(False).astype(bool).tolist()
    for record, invests in zip(year.itertuples(index=False), investment, strict=True):
        month = record.report_month if isinstance(record.report_month, str) else ""
        entry = rows.setdefault(month, Month(month))
        entry.items += 1
        entry.budget += 0.0 if pd.isna(record.budget_amount) else float(record.budget_amount)
        entry.investment += invests
        sheet = record.source_sheet if isinstance(record.source_sheet, str) else ""
        severities = by_row.get((record.source_file, sheet, int(record.source_row)), set())
        entry.errors += "error" in severities
        entry.warnings += "warning" in severities
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
               site: Path, report: Any, result: Status, config: Config, lang: str,
               surface: str) -> list[Requirement]:
    out: list[Requirement] = []

    def add(code: str, met: bool, todo: str = "", **params: Any) -> None:
        out.append(Requirement(code, met, message(f"readiness_{code}", lang, surface=surface, **params),
                               "" if met else message(f"todo_{todo or code}", lang, surface=surface, **params)))

    missing = list(config.missing)
    add("profile_complete", not missing, file=config.path, keys=", ".join(missing) or "-",
        flags=" ".join(f"--{key.split('.')[1]} ..." for key in missing))

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
        exposed = sum(len(find_citizen_ids(cell)) for row in rows for cell in row)
        full = (config.personal_ids or profile.privacy.personal_ids) == "full"
        add("personal_ids", exposed == 0 or full, indicator=spec.indicator, count=f"{exposed:,}")
    months = fiscal_months(fiscal_year, result.as_of, ended=True)
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
