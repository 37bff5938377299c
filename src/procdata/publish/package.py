"""datapackage.json: a Frictionless Data Package describing every published data file."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import PurePath

from procdata import __version__
from procdata.config import safe_link
from procdata.i18n import be_date
from procdata.normalize.text import shorten_bytes
from procdata.profiles import licences
from procdata.publish.formats import NO, YES
from procdata.publish.html import Site
from procdata.publish.model import Table

MEDIA = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# File names are limited to 255 bytes on most systems, and Thai takes 3 bytes a letter: the agency
# part of a name stays within this, leaving room for the year, a suffix and what tools add.
NAME_BYTES = 150


def zip_name(agency: str, fiscal_year: int) -> str:
    """``องค์การบริหารส่วนตำบลตัวอย่าง-2568.zip``: the agency name with only safe characters,
    shortened to ``NAME_BYTES`` bytes (whole letters, marks kept with theirs)."""
    safe = re.sub(r"[^0-9A-Za-z\u0E00-\u0E7F._-]+", "-", agency.strip()).strip("-.")
    safe = shorten_bytes(safe, NAME_BYTES).rstrip("-.") or "procdata"
    return f"{safe}-{fiscal_year}.zip"


def table_schema(table: Table) -> dict[str, object]:
    """The Table Schema of a published table: its headers as field names, with Thai descriptions."""
    fields = []
    for column in table.columns:
        field: dict[str, object] = {
            "name": column.header, "title": column.header, "type": column.type, "description": column.description,
        }
        if column.type == "boolean":
            field["trueValues"], field["falseValues"] = [YES], [NO]
        if column.pattern:
            field["constraints"] = {"pattern": column.pattern}
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def _resource(name: str, path: str, content: bytes, **extra: object) -> dict[str, object]:
    suffix = PurePath(path).suffix[1:]
    return {
        "name": name, "path": path, "format": suffix, "mediatype": MEDIA[suffix],
        **extra,
        "bytes": len(content), "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
    }


def datapackage(site: Site, tables: list[Table], files: dict[str, bytes], sources: list[str],
                others: Sequence[tuple[str, str, str]] = ()) -> bytes:
    """The descriptor of ``tables`` as written in ``files`` (name -> content).

    ``others`` are further JSON files to list: (file name, title, description).
    """
    agency = site.config.agency
    licence = licences()[site.config.licence]
    resources = []
    for table in tables:
        stem = table.spec.id
        title = f"{table.spec.indicator} {table.title()}"
        description = table.spec.description.format(fiscal_year=table.fiscal_year, as_of=be_date(site.as_of))
        schema = table_schema(table)
        common = {"title": title, "description": description, "schema": schema}
        resources.append(_resource(stem, f"{stem}.csv", files[f"{stem}.csv"], profile="tabular-data-resource",
                                   encoding="utf-8", **common))
        sheet = table.spec.indicator if table.spec.layout == "table" else "ทั้งปี"
        resources.append(_resource(f"{stem}-xlsx", f"{stem}.xlsx", files[f"{stem}.xlsx"], profile="tabular-data-resource",
                                   dialect={"excel": {"sheet": sheet}}, **common))
        # JSON rows are objects keyed by the same headers; frictionless reads them as plain JSON.
        resources.append(_resource(f"{stem}-json", f"{stem}.json", files[f"{stem}.json"], type="json", **common))
    for path, title, description in others:
        resources.append(_resource(PurePath(path).stem, path, files[path], type="json", title=title,
                                   description=description))
    contributor: dict[str, str] = {"title": agency.name, "role": "publisher"}
    if agency.email:
        contributor["email"] = agency.email
    website = safe_link(agency.website)
    if website:
        contributor["path"] = website
    descriptor = {
        "profile": "data-package",
        "name": f"procurement-{site.fiscal_year}",
        "title": f"ข้อมูลการจัดซื้อจัดจ้าง {agency.name} ปีงบประมาณ พ.ศ. {site.fiscal_year}",
        "description": (
            f"ข้อมูลการจัดซื้อจัดจ้างของ{agency.name} อำเภอ{agency.district} จังหวัด{agency.province} "
            f"ตามเกณฑ์ {site.profile.title} ข้อมูล ณ วันที่ {be_date(site.as_of)} "
            "แฟ้ม CSV เป็น UTF-8 วันที่เป็น ค.ศ. แบบ ISO จำนวนเงินเป็นบาท"
        ),
        "keywords": ["จัดซื้อจัดจ้าง", "ITA", "ข้อมูลเปิด", *[t.spec.indicator for t in tables]],
        "created": f"{site.as_of.isoformat()}T00:00:00+07:00",
        "licenses": [{"name": site.config.licence, "path": licence["path"], "title": licence["title"]}],
        "sources": [{"title": PurePath(s).name} for s in sources],
        "contributors": [contributor, {"title": f"procdata {__version__}", "role": "wrangler"}],
        "fiscal_year": site.fiscal_year,
        "as_of": site.as_of.isoformat(),
        "criteria_profile": site.profile.id,
        "personal_ids_masked": site.masked,
        "generator": f"procdata {__version__}",
        "resources": resources,
    }
    if website:
        descriptor["homepage"] = website
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
