"""ckan.json: data.go.th (CKAN, NECTEC's ckanext-thai_gdc schema) metadata for each published dataset.

Every field name and choice string comes from ``data/ckan.toml``, which copies
them from the portal's scheming file; the values come from the agency profile
(``[agency]``, ``[publish]``, ``[ckan]``) and the data. Each package is what
CKAN's ``package_create`` takes; resource URLs are absolute under
``[publish] site_url`` when it is set, else relative to the site folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from procdata import __version__
from procdata.i18n import be_date
from procdata.normalize.dates import fiscal_year_bounds
from procdata.publish.html import Site
from procdata.publish.model import Table
from procdata.publish.ocds import RELEASE_PACKAGE, prefix, prefix_registered
from procdata.resources import data

CKAN_METADATA = "ckan.json"


def settings() -> dict[str, Any]:
    return data("ckan")


def _slug(site: Site) -> str:
    """The start of every package name: the portal organization, else the website's host."""
    config = site.config
    if config.ckan.organization:
        return config.ckan.organization
    host = urlsplit(config.agency.website if "//" in config.agency.website else f"//{config.agency.website}").hostname
    host = (host or "").removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-") or "procdata"


def package_name(site: Site, table: Table) -> str:
    """``nongbua-go-th-o12-2568``: lower-case ASCII, at most the portal's 70 characters."""
    tail = f"-{table.spec.id}-{table.fiscal_year}"
    return _slug(site)[: settings()["name_max"] - len(tail)].rstrip("-_") + tail


def tags(site: Site, table: Table) -> list[str]:
    """Keywords the portal accepts (its tag pattern and length), without repeats."""
    rules = settings()
    pattern = re.compile(rules["tag_pattern"])
    wanted = [*rules["defaults"]["tags"], table.spec.indicator, site.config.agency.province, "งบลงทุน"]
    out: list[str] = []
    for tag in wanted:
        tag = tag.strip()
        if rules["tag_min"] <= len(tag) <= rules["tag_max"] and pattern.fullmatch(tag) and tag not in out:
            out.append(tag)
    return out


def _url(site: Site, name: str) -> str:
    return f"{site.config.site_base}{name}" if site.config.site_base else name


def _resources(site: Site, table: Table, names: list[str]) -> list[dict[str, str]]:
    formats = settings()["formats"]
    title = f"{table.spec.indicator} {table.title()}"
    out = []
    for name in names:
        suffix = PurePath(name).suffix[1:]
        kind = formats[suffix]["resource"]
        if name == RELEASE_PACKAGE:
            label = f"OCDS 1.1 release package ({prefix(site.config)})"
        elif name.endswith("-report.html"):
            label = f"{title} (รายงาน HTML)"
        else:
            label = f"{title} ({kind})"
        out.append({"name": label, "url": _url(site, name), "format": kind})
    return out


def package(site: Site, table: Table, names: list[str]) -> dict[str, Any]:
    """The CKAN package of one dataset; ``names`` are its published files."""
    rules, config, agency = settings(), site.config, site.config.agency
    defaults = rules["defaults"]
    frequency = rules["frequency"][table.spec.coverage]
    licence = rules["licences"].get(config.licence, {"license_id": "License not specified"})
    description = table.spec.description.format(fiscal_year=table.fiscal_year, as_of=be_date(site.as_of))
    notes = [
        f"{description} ข้อมูล ณ วันที่ {be_date(site.as_of)} จำนวน {len(table.rows):,} รายการ",
        f"จัดทำโดย {agency.name} อำเภอ{agency.district} จังหวัด{agency.province} ตามเกณฑ์ {site.profile.title} "
        f"ด้วย procdata {__version__}",
        "แฟ้ม CSV เป็น UTF-8 วันที่เป็น ค.ศ. แบบ ISO จำนวนเงินเป็นบาท"
        + ("" if (config.personal_ids or site.profile.privacy.personal_ids) == "full"
           else " เลขประจำตัวประชาชนของบุคคลธรรมดาถูกปิดบัง"),
    ]
    if RELEASE_PACKAGE in names and not prefix_registered(config):
        notes.append(f"ocds.json ใช้คำนำหน้า {prefix(config)} ซึ่งยังไม่ได้ลงทะเบียนกับ Open Contracting Partnership")
    formats = rules["formats"]
    keywords = tags(site, table)
    start, _ = fiscal_year_bounds(table.fiscal_year)
    out: dict[str, Any] = {
        "name": package_name(site, table),
        "title": f"{table.spec.indicator} {table.title()} {agency.name}",
        "data_type": defaults["data_type"],
        "maintainer": config.ckan.maintainer or agency.name,
        "maintainer_email": config.ckan.maintainer_email or agency.email,
        "tag_string": ",".join(keywords),
        "tags": [{"name": tag} for tag in keywords],
        "notes": "\n\n".join(notes),
        "objective": [config.ckan.objective or defaults["objective"]],
        "update_frequency_unit": frequency["unit"],
        "update_frequency_interval": frequency["interval"],
        "geo_coverage": config.ckan.geo_coverage or defaults["geo_coverage"],
        "data_source": defaults["data_source"].format(agency=agency.name),
        "data_format": sorted({formats[PurePath(n).suffix[1:]]["data_format"] for n in names}),
        "data_category": defaults["data_category"],
        "license_id": licence["license_id"],
        "data_language": list(defaults["data_language"]),
        "created_date": start.isoformat(),
        "last_updated_date": min(site.as_of, fiscal_year_bounds(table.fiscal_year)[1]).isoformat(),
        "resources": _resources(site, table, names),
    }
    if "other" in licence:
        out["license_id_other"] = licence["other"]
    if config.ckan.organization:
        out["owner_org"] = config.ckan.organization
    homepage = config.site_url or agency.website
    if homepage:
        out["url"] = homepage
    return out


def missing(packages: list[dict[str, Any]]) -> list[str]:
    """The portal's required fields left empty, as ``<package>.<field>``."""
    rules = settings()
    gaps = []
    for entry in packages:
        for key in rules["required"]:
            value = entry.get("tags" if key == "tag_string" else key)
            if not value:
                gaps.append(f"{entry['name']}.{key}")
        for resource in entry["resources"]:
            gaps += [f"{entry['name']}.resources.{key}" for key in rules["resource_required"] if not resource.get(key)]
    return gaps


def metadata(site: Site, tables: list[Table], files: Mapping[str, bytes], main: str) -> tuple[bytes, list[str]]:
    """ckan.json and the required fields it could not fill (to tell the officer)."""
    packages = []
    for table in tables:
        stem = table.spec.id
        names = [n for n in (f"{stem}.csv", f"{stem}.xlsx", f"{stem}.json", f"{stem}-report.html") if n in files]
        if stem == main and RELEASE_PACKAGE in files:
            names.append(RELEASE_PACKAGE)
        packages.append(package(site, table, names))
    descriptor = {
        "generator": f"procdata {__version__}",
        "schema": "ckanext-thai_gdc ckan_dataset.json (data.go.th)",
        "as_of": site.as_of.isoformat(),
        "packages": packages,
    }
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), missing(packages)
