"""A check-site report as text for people: Thai by default, English with ``lang="en"``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from procdata.i18n import be_date, message
from procdata.sitecheck.model import AgencyResult, LinkResult, Problem, SiteReport


def _date(value: Any, lang: str) -> Any:
    if isinstance(value, dt.date):
        return be_date(value) if lang == "th" else value.isoformat()
    return value


def problem_text(problem: Problem, lang: str) -> str:
    return message(problem.code, lang, **{k: _date(v, lang) for k, v in problem.params.items()})


def unreachable_line(agency: AgencyResult, lang: str) -> str:
    """The one line said when a site cannot be reached at all."""
    assert agency.unreachable is not None
    return message("site_cannot_reach", lang, name=agency.name, url=agency.url,
                   reason=problem_text(agency.unreachable, lang))


def _link_line(link: LinkResult, lang: str) -> list[str]:
    label = " ".join(part for part in (link.dataset, link.kind.upper(), link.name) if part)
    if not link.problems:
        facts = []
        if link.rows is not None:
            facts.append(message("site_rows", lang, rows=f"{link.rows:,}", columns=link.columns or 0))
        if link.fiscal_years:
            facts.append(message("site_years", lang, years=", ".join(map(str, link.fiscal_years))))
        if link.redirects:
            facts.append(message("site_redirected", lang, count=link.redirects))
        detail = f" ({'; '.join(facts)})" if facts else ""
        return [f"  ✓ {label}: {message('site_link_ok', lang)}{detail}"]
    lines = [f"  ✗ {label}: {problem_text(link.problems[0], lang)}"]
    lines += [f"      {problem_text(p, lang)}" for p in link.problems[1:]]
    lines.append(f"      {link.url}")
    return lines


def agency_text(agency: AgencyResult, lang: str) -> list[str]:
    if not agency.reachable:
        return [unreachable_line(agency, lang)]
    lines = [message("site_agency", lang, name=agency.name, url=agency.url)]
    if agency.page and agency.page != agency.url:
        lines.append(message("site_found_on", lang, page=agency.page))
    if agency.data_as_of:
        lines.append(message(f"site_as_of_{agency.data_as_of_source}", lang, date=_date(agency.data_as_of, lang)))
    for link in agency.links:
        lines += _link_line(link, lang)
    lines += [f"  ✗ {problem_text(p, lang)}" for p in agency.problems]
    summary = "site_agency_ok" if agency.valid else "site_agency_problems"
    lines.append(message(summary, lang, count=agency.count))
    return lines


def report_text(report: SiteReport, lang: str = "th") -> str:
    """Every agency's findings, then (for several agencies) one line per agency."""
    if len(report.agencies) == 1 and not report.agencies[0].reachable:
        return unreachable_line(report.agencies[0], lang)
    lines = [message("site_title", lang, as_of=_date(report.as_of, lang), count=len(report.agencies))]
    for agency in report.agencies:
        lines += ["", *agency_text(agency, lang)]
    if len(report.agencies) > 1:
        lines += ["", message("site_summary", lang)]
        for agency in report.agencies:
            state = (message("site_state_unreachable", lang) if not agency.reachable else
                     message("site_state_ok", lang) if agency.valid else
                     message("site_state_problems", lang, count=agency.count))
            lines.append(f"  {agency.name}: {state}")
    return "\n".join(lines)
