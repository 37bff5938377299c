"""``procdata init``: write the agency profile procdata.toml, commented, with the values given."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from procdata.cli.common import Debug, Lang


def _text(flag: str, help: str) -> object:
    return typer.Option(flag, help=help)


def init(
    name: Annotated[str, _text("--name", "ชื่อหน่วยงาน เช่น องค์การบริหารส่วนตำบลหนองบัว / agency name")] = "",
    district: Annotated[str, _text("--district", "อำเภอ / district")] = "",
    province: Annotated[str, _text("--province", "จังหวัด / province")] = "",
    agency_type: Annotated[str, _text("--type", "ประเภทหน่วยงาน (ปกติ องค์กรปกครองส่วนท้องถิ่น) / agency type")] = "",
    ministry: Annotated[str, _text("--ministry", "กระทรวง (ปกติ กระทรวงมหาดไทย) / ministry")] = "",
    website: Annotated[str, _text("--website", "เว็บไซต์ของหน่วยงาน / website")] = "",
    email: Annotated[str, _text("--email", "อีเมลติดต่อเรื่องข้อมูล / contact email")] = "",
    phone: Annotated[str, _text("--phone", "โทรศัพท์ / phone")] = "",
    profile: Annotated[str, _text("--profile", "เกณฑ์ ita-2568 หรือ ita-2569 / criteria profile")] = "",
    licence: Annotated[str, _text("--licence", "สัญญาอนุญาต CC-BY-4.0, CC0-1.0, ODC-BY-1.0 / licence")] = "",
    ocid_prefix: Annotated[str, _text("--ocid-prefix", "คำนำหน้า OCID เช่น ocds-abc123 / OCDS prefix")] = "",
    personal_ids: Annotated[str, _text("--personal-ids", "mask (ปิดบัง ค่าเริ่มต้น) หรือ full / citizen IDs")] = "",
    site_url: Annotated[str, _text("--site-url", "ที่อยู่เว็บของโฟลเดอร์ site เมื่ออัปโหลด / where the site is served")] = "",
    ckan_organization: Annotated[str, _text("--ckan-organization", "รหัสหน่วยงานบน data.go.th / CKAN organization")] = "",
    maintainer: Annotated[str, _text("--maintainer", "ผู้ติดต่อสำหรับ data.go.th / CKAN maintainer")] = "",
    maintainer_email: Annotated[str, _text("--maintainer-email", "อีเมลผู้ติดต่อ data.go.th / maintainer e-mail")] = "",
    objective: Annotated[str, _text("--objective", "วัตถุประสงค์ตามตัวเลือกของ data.go.th / CKAN objective")] = "",
    geo_coverage: Annotated[str, _text("--geo-coverage", "ขอบเขตเชิงภูมิศาสตร์ (เทศบาล/อบต.) / CKAN geo coverage")] = "",
    path: Annotated[
        Path, typer.Option("--config", help="แฟ้มที่จะสร้าง / file to write")
    ] = Path("procdata.toml"),
    force: Annotated[bool, typer.Option("--force", help="เขียนทับแฟ้มเดิม / replace an existing file")] = False,
    lang: Lang = "",
    debug: Debug = False,
) -> None:
    """สร้างแฟ้มโปรไฟล์หน่วยงาน procdata.toml และโฟลเดอร์ทำงาน / Write the agency profile procdata.toml and the workspace folders.

    กับ --force แก้เฉพาะค่าที่ระบุ ค่าอื่นที่กรอกไว้คงเดิม / with --force only the values given change.
    """
    from procdata.i18n import message
    from procdata.workspace.layout import init_workspace

    values = {
        "name": name, "type": agency_type, "ministry": ministry, "district": district, "province": province,
        "website": website, "email": email, "phone": phone, "profile": profile, "licence": licence,
        "ocid_prefix": ocid_prefix, "personal_ids": personal_ids, "site_url": site_url,
        "ckan_organization": ckan_organization, "maintainer": maintainer, "maintainer_email": maintainer_email,
        "objective": objective, "geo_coverage": geo_coverage,
    }
    existed = (path / "procdata.toml" if path.is_dir() else path).exists()
    done = init_workspace(path, values, force=force)
    if done.backup is not None:
        typer.echo(message("init_backup", lang, file=done.path, backup=done.backup))
    code = "init_kept" if not done.written else "init_updated" if existed else "init_written"
    typer.echo(message(code, lang, file=done.path))
    typer.echo(message("init_folders", lang, inbox=done.config.inbox_path, out=done.config.out_path))
    if done.missing:
        flags = " ".join(f"--{key.split('.')[1]} ..." for key in done.missing)
        typer.echo(message("init_missing", lang, keys=", ".join(done.missing), flags=flags))
    else:
        typer.echo(message("init_complete", lang))
