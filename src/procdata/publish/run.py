"""``publish``: ingest, review, build every dataset of the criteria profile, switch the site folder.

The review is the one report of :func:`procdata.check.review.review`, so that
``procdata validate`` lists every problem publish refuses on or warns about.
Files are built in memory, then :func:`procdata.publish.folder.write_site`
puts them into the folder as one set, keeping the officer's own files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pandas as pd

from procdata import __version__
from procdata.check.review import review
from procdata.config import Config, as_config, workspace_inputs, workspace_out
from procdata.errors import InputError, ProcdataError
from procdata.i18n import be_date
from procdata.normalize.dates import latest_fiscal_year, read_day, read_fiscal_year
from procdata.normalize.text import one_line
from procdata.output import check_not_inputs
from procdata.profiles import CriteriaProfile, load_profile
from procdata.publish import html
from procdata.publish.archive import make_zip
from procdata.publish.ckan import CKAN_METADATA
from procdata.publish.ckan import metadata as ckan_metadata
from procdata.publish.folder import MANIFEST, write_site
from procdata.publish.formats import to_csv, to_json
from procdata.publish.model import DatasetSummary, PublishResult, Skipped, Table
from procdata.publish.ocds import (
    EXTENSION,
    EXTENSION_SCHEMA,
    RELEASE_PACKAGE,
    extension_files,
    extension_url,
    in_published_order,
    prefix_registered,
    release_package,
)
from procdata.publish.ocds import prefix as ocid_prefix
from procdata.publish.package import datapackage, zip_name
from procdata.publish.privacy import Masker
from procdata.publish.summary import summarise
from procdata.publish.tables import build_table, derive_status
from procdata.publish.xlsx import to_xlsx
from procdata.read.files import expand_inputs
from procdata.read.ingest import ingest
from procdata.read.overrides import load_overrides

if TYPE_CHECKING:
    from procdata.model import IngestResult

GENERATOR = f"procdata {__version__}"


def publish(
    inputs: Iterable[Path | str] | None = None,
    *,
    out: Path | str | None = None,
    config: Config | Path | str | None = None,
    fiscal_year: int | str | None = None,
    as_of: dt.date | str | None = None,
    force: bool = False,
    encoding: str | None = None,
    lang: str = "th",
    on_file: Callable[[str], None] | None = None,
) -> PublishResult:
    """Publish the procurement open data of ``inputs`` into the folder ``out``.

    ``config`` is the agency profile: a path, a loaded
    :class:`~procdata.config.Config`, or ``None`` for ``procdata.toml`` found
    from the working folder up. ``inputs`` default to the workspace's monthly
    folder, ``out`` to its site folder.

    Reads and reviews the inputs (:func:`procdata.check.review.review`); when
    the review finds errors and ``force`` is false, writes nothing and returns
    a result with ``refused`` set. Otherwise writes, for each dataset of the
    agency's criteria profile, CSV, JSON and XLSX (and the annual report page),
    then ``datapackage.json``, ``index.html`` and a zip of it all.
    ``fiscal_year`` defaults to the latest in the data; ``as_of`` (the date of
    the data, for statuses derived from contract dates) to
    :func:`~procdata.check.review.default_as_of`; both may be typed as people
    write them (``2568``, ``2568-06-30``, ``30/6/2568``, ``2025-06-30``).
    The files procdata wrote last time in ``out`` are replaced as one set and
    everything else there is kept (:mod:`procdata.publish.folder`). ``on_file`` is
    called with each file's name as reading starts (a progress bar).
    """
    config = as_config(config)
    profile = load_profile(config.profile)
    year_asked = read_fiscal_year(fiscal_year) if fiscal_year is not None else None
    day_asked = read_day(as_of) if as_of is not None else None
    paths = workspace_inputs(inputs, config)
    out = workspace_out(out, config)
    files = _input_files(paths, out)
    # The officer's own budget categories, beside procdata.toml, beat what item names suggest.
    overrides = load_overrides(config.categories_path)
    ingested = ingest(files, encoding=encoding, fiscal_year=year_asked, on_file=on_file, overrides=overrides)
    year = _choose_year(ingested, paths, year_asked)
    checked = review(ingested, fiscal_year=year, as_of=day_asked, lang=lang)
    records = checked.records
    if checked.as_of is None:
        raise ProcdataError("publish_no_as_of", fiscal_year=year)
    day = checked.as_of
    result = PublishResult(out=out, fiscal_year=year, as_of=day, as_of_basis="option" if day_asked else "data",
                           profile=profile.id, report=checked.report, failures=list(ingested.failures),
                           merged=sum(len(folded) for _, folded in checked.merged.merged),
                           config_file=str(config.path), config_cleaned=list(config.cleaned))
    if not checked.report.valid and not force:
        result.refused = True
        return result
    derived, releases = in_published_order(derive_status(records, day), config,
                                           [(spec, spec.year(year)) for spec in profile.datasets])
    policy = config.personal_ids or profile.privacy.personal_ids
    masker = Masker(profile.privacy, publish_in_full=policy == "full")
    result.personal_ids = policy
    tables: list[Table] = []
    for spec in profile.datasets:
        covered = spec.year(year)
        if not (derived["fiscal_year"] == covered).any():
            result.skipped.append(Skipped(spec.id, spec.indicator, covered, "publish_no_data_for_year"))
            continue
        tables.append(build_table(derived, spec, covered, config, day, masker))
    used = {t.fiscal_year for t in tables}
    years = records["fiscal_year"].dropna()
    result.other_years = {int(y): int(n) for y, n in years.value_counts().sort_index().items() if int(y) not in used}
    result.no_year = int(records["fiscal_year"].isna().sum())
    current = derived[derived["fiscal_year"] == year]
    result.after_as_of = int((current["contract_date"].fillna("") > day.isoformat()).sum())
    built, result.masked_elsewhere = _build(tables, derived, config, profile, year, day, masker, ingested.files,
                                            releases, result)
    check_not_inputs([out / name for name in [*built, MANIFEST]], files)
    switched = write_site(out, built, GENERATOR)
    result.kept, result.edited, result.atomic = switched.kept, switched.edited, switched.atomic
    result.files = sorted(built)
    for table in tables:
        names = [n for n in result.files if n.split(".")[0] in (table.spec.id, f"{table.spec.id}-report")]
        result.datasets.append(DatasetSummary(
            table.spec.id, table.spec.indicator, table.fiscal_year, len(table.rows), table.available,
            table.masked, table.derived_status, names,
        ))
    return result


def _choose_year(ingested: IngestResult, paths: list[Path], fiscal_year: int | None) -> int:
    """The fiscal year to publish: as asked, else the latest in the data; an error when it has no records."""
    years = ingested.records["fiscal_year"].dropna()
    if years.empty and ingested.failures:
        failure = ingested.failures[0]
        raise InputError(failure.code, failure.file, **failure.params)
    if fiscal_year is None:
        fiscal_year = latest_fiscal_year(years)
    if fiscal_year is None or not (years == fiscal_year).any():
        found = ", ".join(str(y) for y in sorted(set(years.astype(int).tolist()))) or "-"
        raise ProcdataError("publish_no_records", inputs=", ".join(str(p) for p in paths),
                            fiscal_year=fiscal_year or "-", found=found)
    return fiscal_year


def _input_files(inputs: list[Path], out: Path) -> list[Path]:
    """Every input file; a folder's files inside ``out`` (earlier output, the officer's files there) left out."""
    target = out.resolve()
    chosen = [
        path for path, _ in expand_inputs(inputs)
        if Path(path) in inputs or target not in path.resolve().parents
    ]
    if not chosen:
        raise ProcdataError("no_inputs", inputs=", ".join(str(p) for p in inputs))
    return chosen


def _about(table: Table, config: Config, profile: CriteriaProfile, as_of: dt.date, sources: list[str],
           masker: Masker) -> list[tuple[str, str]]:
    policy = "เผยแพร่เต็ม (ตามโปรไฟล์หน่วยงาน)" if masker.publish_in_full else "ปิดบังเลขประจำตัวประชาชนของบุคคลธรรมดา"
    return [
        ("หน่วยงาน", f"{config.agency.name} อำเภอ{config.agency.district} จังหวัด{config.agency.province}"),
        ("ตัวชี้วัด", f"{table.spec.indicator} ตามเกณฑ์ {profile.title}"),
        ("ปีงบประมาณ", str(table.fiscal_year)),
        ("ข้อมูล ณ วันที่", be_date(as_of)),
        ("จำนวนรายการ", f"{len(table.rows):,} จากทั้งหมด {table.available:,} รายการของปีงบประมาณ"),
        ("ข้อมูลส่วนบุคคล", f"{policy} ({table.masked:,} รายการ)"),
        ("แฟ้มต้นฉบับ", ", ".join(sources)),
    ]


def published_names(inputs: list[str], masker: Masker) -> tuple[list[str], int]:
    """The source files as metadata names them: base names only, cleaned, citizen IDs masked; and how many were."""
    names, masked = set(), 0
    for name in inputs:
        base, count = masker.text(one_line(re.split(r"[\\/]", name)[-1]))
        names.add(base or "")
        masked += count
    return sorted(names), masked


def _build(tables: list[Table], records: pd.DataFrame, config: Config, profile: CriteriaProfile, fiscal_year: int,
           as_of: dt.date, masker: Masker, inputs: list[str], releases: pd.DataFrame,
           result: PublishResult) -> tuple[dict[str, bytes], int]:
    """Every output file, in memory (name -> content), and the citizen IDs masked outside the tables."""
    when = dt.datetime.combine(as_of, dt.time())
    config, masked = masker.profile(config)
    sources, in_names = published_names(inputs, masker)
    masked += in_names
    site = html.Site(config, profile, fiscal_year, as_of, sum(t.masked for t in tables) + masked)
    files: dict[str, bytes] = {}
    downloads: list[tuple[str, list[tuple[str, str]]]] = []
    for table in tables:
        stem = table.spec.id
        files[f"{stem}.csv"] = to_csv(table)
        files[f"{stem}.json"] = to_json(table)
        files[f"{stem}.xlsx"] = to_xlsx(table, _about(table, config, profile, as_of, sources, masker), when)
        links = [("Excel (XLSX)", f"{stem}.xlsx"), ("CSV", f"{stem}.csv"), ("JSON", f"{stem}.json")]
        if table.spec.report == "annual":
            year = records[records["fiscal_year"] == table.fiscal_year]
            files[f"{stem}-report.html"] = html.report_page(site, table, table.records, summarise(year), masker)
            links.insert(0, ("รายงาน (HTML)", f"{stem}-report.html"))
        downloads.append((f"{table.spec.indicator} {table.title()} ({len(table.rows):,} รายการ)", links))
    main = next((t for t in tables if t.spec.id == profile.main), tables[0])
    reach = _reach(files, site, tables, main, releases, masker, result)
    files["datapackage.json"] = datapackage(site, tables, files, sources, reach)
    archive = zip_name(config.agency.name, fiscal_year)
    downloads.append(("ชุดข้อมูลทั้งหมด", [("Data Package (JSON)", "datapackage.json"), ("ZIP", quote(archive))]))
    downloads.append((f"มาตรฐานข้อมูลเปิด: OCDS 1.1 ({len(releases):,} รายการ) และคำอธิบายชุดข้อมูลสำหรับ data.go.th",
                      [("OCDS (JSON)", RELEASE_PACKAGE), ("data.go.th / CKAN (JSON)", CKAN_METADATA)]))
    current = records[records["fiscal_year"] == fiscal_year]
    files["index.html"] = html.index_page(site, main, summarise(current), tables, downloads)
    files[archive] = make_zip(sorted(files.items()), when)
    return files, masked


def _reach(files: dict[str, bytes], site: html.Site, tables: list[Table], main: Table, releases: pd.DataFrame,
           masker: Masker, result: PublishResult) -> list[tuple[str, str, str]]:
    """ocds.json (with procdata's extension where it can be declared) and ckan.json into ``files``;
    their datapackage entries."""
    config = site.config
    files[RELEASE_PACKAGE] = release_package(releases, config, site.as_of, masker)
    extension = extension_files(config)
    files.update(extension)
    result.ocds_extension = extension_url(config)
    files[CKAN_METADATA], result.ckan_missing = ckan_metadata(site, tables, files, main.spec.id)
    result.ocid_prefix, result.ocid_prefix_registered = ocid_prefix(config), prefix_registered(config)
    result.releases = len(releases)
    registered = "" if result.ocid_prefix_registered else " ซึ่งยังไม่ได้ลงทะเบียนกับ Open Contracting Partnership"
    fields = "หมวดงบประมาณ รายการงบลงทุน และที่มาของการระบุ (category, isInvestment, investmentBasis ใน planning.budget)"
    declared = f" ประกาศส่วนขยายของ procdata ที่ {result.ocds_extension}" if extension else ""
    entries = [
        (RELEASE_PACKAGE, "OCDS 1.1 release package",
         f"การจัดซื้อจัดจ้าง {len(releases):,} รายการของปีงบประมาณที่เผยแพร่ ตามมาตรฐาน Open Contracting Data Standard 1.1 "
         f"ocid ขึ้นต้นด้วย {result.ocid_prefix}{registered}{declared}"),
        (CKAN_METADATA, "คำอธิบายชุดข้อมูลสำหรับ data.go.th (CKAN)",
         "ค่าของแต่ละชุดข้อมูลตามแบบฟอร์มของ data.go.th (ckanext-thai_gdc) สำหรับนำเข้าบัญชีข้อมูลภาครัฐ"),
    ]
    if extension:
        entries += [
            (EXTENSION, "ส่วนขยาย OCDS ของ procdata (extension.json)",
             f"คำอธิบายส่วนขยายที่ ocds.json ประกาศไว้: {fields}"),
            (EXTENSION_SCHEMA, "ส่วนขยาย OCDS ของ procdata: release schema patch",
             "นิยามชนิดและความหมายของช่องที่ส่วนขยายเพิ่มใน release schema ของ OCDS 1.1 (JSON Merge Patch)"),
        ]
    return entries
