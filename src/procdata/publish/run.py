"""``publish``: ingest, validate, build every dataset of the criteria profile, write DIR atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pandas as pd

from procdata.config import Config, load_config
from procdata.errors import InputError, OutputError, ProcdataError
from procdata.i18n import be_date
from procdata.publish import html
from procdata.publish.archive import make_zip
from procdata.publish.ckan import CKAN_METADATA
from procdata.publish.ckan import metadata as ckan_metadata
from procdata.publish.formats import to_csv, to_json
from procdata.publish.model import DatasetSummary, PublishResult, Skipped, Table
from procdata.publish.ocds import (
    RELEASE_PACKAGE,
    in_published_order,
    prefix_registered,
    release_package,
)
from procdata.publish.ocds import prefix as ocid_prefix
from procdata.publish.package import datapackage, zip_name
from procdata.publish.privacy import Masker
from procdata.publish.profile import CriteriaProfile, load_profile
from procdata.publish.summary import summarise
from procdata.publish.tables import build_table, default_as_of, derive_status
from procdata.publish.xlsx import to_xlsx
from procdata.read.files import expand_inputs
from procdata.read.ingest import ingest
from procdata.read.overrides import load_overrides
from procdata.workspace.merge import conflict_problems, merge_updates

if TYPE_CHECKING:
    from procdata.check.model import Report
    from procdata.model import IngestResult

GENERATOR = "procdata"


def _validate(result: IngestResult, lang: str) -> Report:
    from procdata.check import validate_ingested

    return validate_ingested(result, lang=lang)


def publish(
    inputs: Iterable[Path | str],
    *,
    out: Path | str,
    fiscal_year: int | None = None,
    as_of: dt.date | None = None,
    config: Config | Path | str | None = None,
    force: bool = False,
    encoding: str | None = None,
    lang: str = "th",
    on_file: Callable[[str], None] | None = None,
) -> PublishResult:
    """Publish the procurement open data of ``inputs`` into the folder ``out``.

    Reads and validates the inputs; when validation finds errors and ``force``
    is false, writes nothing and returns a result with ``refused`` set. Otherwise
    writes, for each dataset of the agency's criteria profile, CSV, JSON and
    XLSX (and the annual report page), then ``datapackage.json``, ``index.html``
    and a zip of it all. ``fiscal_year`` defaults to the latest in the data;
    ``as_of`` (the date of the data, for statuses derived from contract dates)
    to :func:`~procdata.publish.tables.default_as_of`. ``out`` is replaced as a
    whole, only once everything is built. ``on_file`` is called with each
    file's name as reading starts (a progress bar).
    """
    config = config if isinstance(config, Config) else load_config(config)
    profile = load_profile(config.profile)
    out = Path(out)
    paths = [Path(p) for p in inputs]
    files = _input_files(paths, out)
    # The officer's own budget categories, beside procdata.toml, beat what item names suggest.
    overrides = load_overrides(config.categories_path)
    ingested = ingest(files, encoding=encoding, fiscal_year=fiscal_year, on_file=on_file, overrides=overrides)
    merged = merge_updates(ingested.records)  # monthly updates of the same project become one record
    records = merged.records
    years = records["fiscal_year"].dropna()
    fiscal_year = _choose_year(ingested, paths, fiscal_year)
    as_of_basis = "option" if as_of else "data"
    as_of = as_of or default_as_of(records, fiscal_year)
    if as_of is None:
        raise ProcdataError("publish_no_as_of", fiscal_year=fiscal_year)
    report = _validate(ingested, lang)
    report.problems.extend(conflict_problems(merged, lang))
    result = PublishResult(out=out, fiscal_year=fiscal_year, as_of=as_of, as_of_basis=as_of_basis,
                           profile=profile.id, report=report, failures=list(ingested.failures),
                           merged=sum(len(folded) for _, folded in merged.merged))
    if not report.valid and not force:
        result.refused = True
        return result
    derived, releases = in_published_order(derive_status(records, as_of), config,
                                           [(spec, spec.year(fiscal_year)) for spec in profile.datasets])
    policy = config.personal_ids or profile.privacy.personal_ids
    masker = Masker(profile.privacy, publish_in_full=policy == "full")
    result.personal_ids = policy
    tables: list[Table] = []
    for spec in profile.datasets:
        year = spec.year(fiscal_year)
        if not (derived["fiscal_year"] == year).any():
            result.skipped.append(Skipped(spec.id, spec.indicator, year, "publish_no_data_for_year"))
            continue
        tables.append(build_table(derived, spec, year, config, as_of, masker))
    used = {t.fiscal_year for t in tables}
    result.other_years = {int(y): int(n) for y, n in years.value_counts().sort_index().items() if int(y) not in used}
    result.no_year = int(records["fiscal_year"].isna().sum())
    current = derived[derived["fiscal_year"] == fiscal_year]
    result.after_as_of = int((current["contract_date"].fillna("") > as_of.isoformat()).sum())
    built = _build(tables, derived, config, profile, fiscal_year, as_of, masker, ingested.files, releases, result)
    _write_directory(out, built)
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
    if fiscal_year is None and not years.empty:
        fiscal_year = int(years.max())
    if fiscal_year is None or not (years == fiscal_year).any():
        found = ", ".join(str(y) for y in sorted(set(years.astype(int).tolist()))) or "-"
        raise ProcdataError("publish_no_records", inputs=", ".join(str(p) for p in paths),
                            fiscal_year=fiscal_year or "-", found=found)
    return fiscal_year


def _input_files(inputs: list[Path], out: Path) -> list[Path]:
    """Every input file, leaving out anything inside ``out`` (earlier output); checks ``out`` is ours to replace."""
    target = out.resolve()
    for path in inputs:
        if path.resolve() == target or target in path.resolve().parents:
            raise OutputError("publish_out_holds_inputs", out=str(out), input=str(path))
    if target.exists():
        if not target.is_dir():
            raise OutputError("publish_out_not_folder", out=str(out))
        if any(target.iterdir()) and not _is_ours(target):
            raise OutputError("publish_out_not_ours", out=str(out))
    chosen = [path for path, _ in expand_inputs(inputs) if target not in path.resolve().parents]
    if not chosen:
        raise ProcdataError("no_inputs", inputs=", ".join(str(p) for p in inputs))
    return chosen


def _is_ours(folder: Path) -> bool:
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(descriptor, dict) and str(descriptor.get("generator", "")).startswith(GENERATOR)


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


def _build(tables: list[Table], records: pd.DataFrame, config: Config, profile: CriteriaProfile, fiscal_year: int,
           as_of: dt.date, masker: Masker, inputs: list[str], releases: pd.DataFrame,
           result: PublishResult) -> dict[str, bytes]:
    """Every output file, in memory: name -> content."""
    when = dt.datetime.combine(as_of, dt.time())
    sources = sorted({Path(name).name for name in inputs})
    site = html.Site(config, profile, fiscal_year, as_of, sum(t.masked for t in tables))
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
    return files


def _reach(files: dict[str, bytes], site: html.Site, tables: list[Table], main: Table, releases: pd.DataFrame,
           masker: Masker, result: PublishResult) -> list[tuple[str, str, str]]:
    """ocds.json and ckan.json into ``files``; their datapackage entries."""
    config = site.config
    files[RELEASE_PACKAGE] = release_package(releases, config, site.as_of, masker)
    files[CKAN_METADATA], result.ckan_missing = ckan_metadata(site, tables, files, main.spec.id)
    result.ocid_prefix, result.ocid_prefix_registered = ocid_prefix(config), prefix_registered(config)
    result.releases = len(releases)
    registered = "" if result.ocid_prefix_registered else " ซึ่งยังไม่ได้ลงทะเบียนกับ Open Contracting Partnership"
    return [
        (RELEASE_PACKAGE, "OCDS 1.1 release package",
         f"การจัดซื้อจัดจ้าง {len(releases):,} รายการของปีงบประมาณที่เผยแพร่ ตามมาตรฐาน Open Contracting Data Standard 1.1 "
         f"ocid ขึ้นต้นด้วย {result.ocid_prefix}{registered}"),
        (CKAN_METADATA, "คำอธิบายชุดข้อมูลสำหรับ data.go.th (CKAN)",
         "ค่าของแต่ละชุดข้อมูลตามแบบฟอร์มของ data.go.th (ckanext-thai_gdc) สำหรับนำเข้าบัญชีข้อมูลภาครัฐ"),
    ]


def _write_file(path: Path, content: bytes) -> None:
    path.write_bytes(content)


def _write_directory(out: Path, files: dict[str, bytes]) -> None:
    """Build the folder beside ``out`` under a temporary name, then swap it into place.

    A failure at any point removes the temporary folder and leaves ``out`` as it was.
    """
    out = out.absolute()
    parent = out.parent
    if not parent.is_dir():
        raise OutputError("output_unwritable", out=str(out), error=f"no folder {parent}")
    try:
        temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as error:
        raise OutputError("output_unwritable", out=str(out), error=error.strerror or str(error)) from None
    old: Path | None = None
    try:
        for name in sorted(files):
            _write_file(temporary / name, files[name])
            os.chmod(temporary / name, 0o644)
        os.chmod(temporary, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.rename(out, old / out.name)
            try:
                os.rename(temporary, out)
            except BaseException:
                os.rename(old / out.name, out)
                raise
        else:
            os.rename(temporary, out)
    except OSError as error:
        shutil.rmtree(temporary, ignore_errors=True)
        raise OutputError("output_unwritable", out=str(out), error=error.strerror or str(error)) from None
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
