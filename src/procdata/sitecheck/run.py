"""check-site: look at an agency's live website the way the ITA assessor does.

From the page the agency gives (or its home page), find the links to its
published procurement files (by the names procdata writes and by their words,
following at most a few pages of the same website), then check each link:
reachable, the right format (not an HTML error page served with status 200),
complete (the ITA columns, the page's own record count), fresh (the data's
as-of date and fiscal year against the check date) and on the main website.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from procdata.errors import InputError, ProcdataError
from procdata.normalize.dates import fiscal_year
from procdata.profiles import CriteriaProfile, DatasetSpec, available, load_profile
from procdata.resources import data
from procdata.sitecheck import files
from procdata.sitecheck.fetch import Fetched, Limits, client, get
from procdata.sitecheck.links import (
    Link,
    Page,
    file_name,
    looks_like_html,
    mentions,
    parse_page,
    role,
)
from procdata.sitecheck.model import AgencyResult, LinkResult, Problem, SiteReport

DEFAULT_PROFILE = "ita-2568"
DATAPACKAGE = "datapackage.json"


@dataclass(frozen=True)
class Target:
    """An agency to check: its name, the page to start from, and its main website (default: that page's)."""

    name: str
    url: str
    website: str = ""


def host(url: str) -> str:
    """The host of ``url`` without ``www.``, lower case."""
    return (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower().removeprefix("www.")


def normalise_url(text: str) -> str:
    text = text.strip()
    return text if "://" in text else f"https://{text}"


def read_targets(arguments: Iterable[str], website: str = "") -> list[Target]:
    """URLs as given, and CSV files of agencies (``name,url[,website]``, a header row allowed)."""
    targets: list[Target] = []
    for argument in arguments:
        path = Path(argument)
        if "://" not in argument and path.is_file():
            targets.extend(_read_list(path))
        else:
            url = normalise_url(argument)
            targets.append(Target(host(url) or url, url, website))
    if not targets:
        raise ProcdataError("site_no_targets")
    return targets


def _read_list(path: Path) -> list[Target]:
    text = files.decode_text(path.read_bytes())
    if text is None:
        raise InputError("site_list_unreadable", str(path))
    out = []
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[1]:
            raise InputError("site_list_bad_row", str(path), row=number)
        if number == 1 and "." not in cells[1]:  # a header row such as "agency,url"
            continue
        out.append(Target(cells[0] or host(cells[1]), normalise_url(cells[1]),
                          normalise_url(cells[2]) if len(cells) > 2 and cells[2] else ""))
    if not out:
        raise InputError("site_list_unreadable", str(path))
    return out


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the month's last day when it has fewer days)."""
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def check_site(targets: list[Target], *, as_of: dt.date | None = None, limits: Limits | None = None,
               profile: str = "", on_agency: Callable[[AgencyResult], None] | None = None) -> SiteReport:
    """Check every target, at most ``limits.concurrency`` at once; results in the order given."""
    limits = limits or Limits.default()
    report = SiteReport(as_of or dt.date.today())
    with client(limits) as http, ThreadPoolExecutor(max_workers=max(1, min(limits.concurrency, len(targets)))) as pool:
        def one(target: Target) -> AgencyResult:
            result = check_agency(http, target, report.as_of, limits, profile)
            if on_agency:
                on_agency(result)
            return result

        report.agencies = list(pool.map(one, targets))
    return report


def _profile(profile_id: str) -> CriteriaProfile:
    return load_profile(profile_id if profile_id in available() else DEFAULT_PROFILE)


def _dataset_ids() -> set[str]:
    return {spec.id for name in available() for spec in load_profile(name).datasets}


def _unreachable(fetched: Fetched, limits: Limits) -> Problem:
    return Problem(fetched.problem, {"url": fetched.url, "status": fetched.status, "detail": fetched.detail,
                                     "max_bytes": f"{limits.max_bytes:,}"})


def check_agency(http: Any, target: Target, as_of: dt.date, limits: Limits, profile_id: str = "") -> AgencyResult:
    """One agency: its page, its data links and what is behind each (see the module docstring)."""
    result = AgencyResult(target.name, target.url, main_host=host(target.website or target.url))
    first = get(http, target.url, limits)
    if not first.ok:
        result.reachable, result.unreachable = False, _unreachable(first, limits)
        return result
    if looks_like_html(first.body):
        page, links = _find_data_page(http, parse_page(first.final_url, first.body, first.charset), limits, result.main_host)
    else:  # the address is a data file itself
        name = file_name(first.final_url)
        link = Link(first.final_url, "", "", name, name.rsplit(".", 1)[-1].lower() if "." in name else "")
        page, links = Page(first.final_url), [(link, role(link, _dataset_ids()) or "data")]
    result.page = page.url
    fetched = {first.final_url: first}
    descriptor = _datapackage(http, links, limits, fetched)
    profile = _profile(str(descriptor.get("criteria_profile", "")) if descriptor else profile_id)
    result.profile = profile.id
    if not any(kind in ("dataset", "data") for _, kind in links):
        result.problems.append(Problem("site_no_data_links", {"url": page.url}))
    hashes = {str(r.get("path")): str(r.get("hash", "")) for r in descriptor.get("resources", [])} if descriptor else {}
    for link, kind in links:
        result.links.append(_check_link(http, link, kind, profile, limits, result.main_host, hashes, fetched))
    result.data_as_of, result.data_as_of_source = _data_as_of(descriptor, page, result.links)
    result.problems.extend(_datasets(profile, result, as_of))
    return result


def _find_data_page(http: Any, start: Page, limits: Limits, main: str) -> tuple[Page, list[tuple[Link, str]]]:
    """The first page (the start page, then pages it links to on the same website) with data links."""
    ids = _dataset_ids()
    queue, seen, fetched = [start], {start.url}, 0
    documents: list[tuple[Link, str]] = []
    while queue:
        page = queue.pop(0)
        classified = [(link, role(link, ids)) for link in page.links]
        found = [(link, kind) for link, kind in classified if kind in ("dataset", "data", "package")]
        documents += [(link, kind) for link, kind in classified if kind == "document" and (link, kind) not in documents]
        if found:
            return page, found + [d for d in documents if d[0].url not in {f[0].url for f in found}]
        for link, kind in classified:
            if kind == "page" and host(link.url) == main and link.url not in seen and fetched < limits.max_pages:
                seen.add(link.url)
                fetched += 1
                answer = get(http, link.url, limits)
                if answer.ok and looks_like_html(answer.body):
                    queue.append(parse_page(answer.final_url, answer.body, answer.charset))
    return start, documents


def _datapackage(http: Any, links: list[tuple[Link, str]], limits: Limits,
                 fetched: dict[str, Fetched]) -> dict[str, Any] | None:
    link = next((link for link, _ in links if link.name.lower() == DATAPACKAGE), None)
    if link is None:
        return None
    answer = fetched.setdefault(link.url, get(http, link.url, limits))
    if not answer.ok:
        return None
    contents = files.read(answer.body, "json", set(), limits.max_unzipped)
    return contents.value if isinstance(contents.value, dict) else None


def _spec_of(link: Link, kind: str, profile: CriteriaProfile) -> DatasetSpec | None:
    stem = link.name.rsplit(".", 1)[0].lower()
    for spec in profile.datasets:
        if kind == "dataset" and stem == spec.id:
            return spec
    if kind == "data":
        named = [s for s in profile.datasets if mentions(f"{link.text} {link.name}", [s.indicator])]
        return named[0] if named else profile.dataset(profile.main)
    return None


def _ita_headers(spec: DatasetSpec) -> list[str]:
    return [c.header for c in spec.columns if not c.extra and not c.requires]


def _check_link(http: Any, link: Link, kind: str, profile: CriteriaProfile, limits: Limits, main: str,
                hashes: dict[str, str], fetched: dict[str, Fetched]) -> LinkResult:
    spec = _spec_of(link, kind, profile)
    out = LinkResult(link.url, link.text, link.name, link.ext, spec.indicator if spec else "")
    if kind == "document":
        out.problems.append(Problem("site_not_machine_readable", {"kind": link.ext.upper()}))
        return out
    answer = fetched.setdefault(link.url, get(http, link.url, limits))
    out.status, out.final_url, out.redirects = answer.status, answer.final_url, len(answer.redirects)
    if not answer.ok:
        out.problems.append(_unreachable(answer, limits))
        return out
    out.sha256 = hashlib.sha256(answer.body).hexdigest()
    expected = _ita_headers(spec) if spec else []
    contents = files.read(answer.body, link.ext, set(expected), limits.max_unzipped)
    if contents.problem:
        out.problems.append(Problem(contents.problem, {"kind": link.ext.upper(), "detail": contents.detail,
                                                       "type": answer.content_type or "-"}))
    elif spec is not None:
        out.rows, out.columns = contents.rows, len(contents.headers)
        out.fiscal_years = sorted(contents.fiscal_years)
        missing = [h for h in expected if h not in contents.headers]
        if missing:
            out.problems.append(Problem("site_columns_missing", {
                "indicator": spec.indicator, "count": len(missing), "expected": len(expected),
                "columns": ", ".join(missing)}))
        if link.count is not None and contents.rows is not None and link.count != contents.rows:
            out.problems.append(Problem("site_count_mismatch", {"rows": f"{contents.rows:,}", "count": f"{link.count:,}"}))
    published = hashes.get(link.name)
    if not out.problems and published and published != f"sha256:{out.sha256}":
        out.problems.append(Problem("site_hash_mismatch", {}))
    if host(answer.final_url or link.url) != main:
        out.problems.append(Problem("site_off_main_host", {"host": host(answer.final_url or link.url), "main": main}))
    return out


def _data_as_of(descriptor: dict[str, Any] | None, page: Page, links: list[LinkResult]) -> tuple[dt.date | None, str]:
    """The date of the data: datapackage.json's as_of, else the page's "ข้อมูล ณ วันที่", else the latest signature."""
    if descriptor and isinstance(descriptor.get("as_of"), str):
        try:
            return dt.date.fromisoformat(descriptor["as_of"]), "datapackage"
        except ValueError:
            pass
    if page.as_of:
        return page.as_of, "page"
    return None, ""


def _datasets(profile: CriteriaProfile, result: AgencyResult, as_of: dt.date) -> list[Problem]:
    """Each dataset of the criteria profile: linked at all, of the right fiscal year, fresh."""
    problems = []
    months = int(data("sitecheck")["freshness"]["current_months"])
    current = fiscal_year(as_of)
    for spec in profile.datasets:
        mine = [link for link in result.links if link.dataset == spec.indicator]
        if not mine:
            problems.append(Problem("site_dataset_missing", {"indicator": spec.indicator}))
            continue
        readable = [link for link in mine if not link.problems or all(
            p.code in ("site_count_mismatch", "site_off_main_host", "site_hash_mismatch") for p in link.problems)]
        if not readable:
            continue
        years = sorted({y for link in readable for y in link.fiscal_years})
        expected = current if spec.coverage == "current" else current - 1
        if years and expected not in years:
            problems.append(Problem("site_wrong_year", {"indicator": spec.indicator, "years": ", ".join(map(str, years)),
                                                        "expected": expected}))
        if spec.coverage != "current":
            continue
        if result.data_as_of is None:
            problems.append(Problem("site_as_of_unknown", {"indicator": spec.indicator}))
        elif result.data_as_of < months_before(as_of, months):
            problems.append(Problem("site_stale", {"indicator": spec.indicator, "data_as_of": result.data_as_of,
                                                   "as_of": as_of, "months": months}))
    return problems


def compare_published(url: str, folder: Path, *, website: str = "", limits: Limits | None = None,
                      as_of: dt.date | None = None) -> tuple[AgencyResult, list[tuple[str, str]]]:
    """The site at ``url`` against the published ``folder``: each published file and ``same``,
    ``different`` or ``missing`` on the web (found by its link, else beside the page of links)."""
    limits = limits or Limits.default()
    local = _published_files(folder)
    with client(limits) as http:
        result = check_agency(http, Target(host(url), url, website), as_of or dt.date.today(), limits)
        if not result.reachable:
            return result, []
        found = {link.name: link for link in result.links}
        states = []
        for name, content in local.items():
            link = found.get(name)
            digest = link.sha256 if link and link.sha256 else ""
            if not digest:
                answer = get(http, urljoin(result.page, name), limits)
                digest = hashlib.sha256(answer.body).hexdigest() if answer.ok and not (
                    looks_like_html(answer.body) and not name.endswith(".html")) else ""
            mine = hashlib.sha256(content).hexdigest()
            states.append((name, "same" if digest == mine else "different" if digest else "missing"))
    return result, states


def _published_files(folder: Path) -> dict[str, bytes]:
    """The data files of a published site folder: those its datapackage.json lists, and the descriptor."""
    import json

    path = folder / DATAPACKAGE
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    names = [str(r.get("path")) for r in descriptor.get("resources", []) if isinstance(r, dict)]
    out = {DATAPACKAGE: path.read_bytes()}
    for name in names:
        if (folder / name).is_file():
            out[name] = (folder / name).read_bytes()
    return out
