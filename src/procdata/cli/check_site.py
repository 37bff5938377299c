"""``procdata check-site``: the agency's live website as the ITA assessor sees it."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from procdata.cli.common import AsOf, ConfigPath, Debug, Lang, day_option, echo_err


class Format(StrEnum):
    text = "text"
    json = "json"


def check_site(
    urls: Annotated[
        list[str] | None,
        typer.Argument(help="หน้าเว็บที่จะให้ผู้ประเมินดู (หรือหน้าแรก) หรือแฟ้ม CSV รายชื่อหน่วยงาน (ชื่อ,url) "
                       "ปกติ: site_url หรือ website ใน procdata.toml / pages to check, or a CSV of agency,url",
                       show_default=False),
    ] = None,
    as_of: AsOf = None,
    website: Annotated[
        str | None, typer.Option("--website", help="เว็บไซต์หลักของหน่วยงาน (ปกติ: เว็บไซต์ของหน้าที่ตรวจ) / main website"),
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="เกณฑ์เมื่อเว็บไม่มี datapackage.json (ปกติ ita-2568) / criteria profile"),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0.1, help="วินาทีที่รอแต่ละคำขอ (ปกติ 20) / seconds per request"),
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, max=64, help="ตรวจพร้อมกันได้กี่หน่วยงาน (ปกติ 8) / agencies at once"),
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="text|json")] = Format.text,
    config: ConfigPath = None,
    lang: Lang = "",
    debug: Debug = False,
) -> None:
    """ตรวจเว็บไซต์แบบที่ผู้ประเมิน ITA เห็น / Check the live website the way the ITA assessor does.

    ออกด้วยรหัส 0 เมื่อผ่าน 1 เมื่อพบปัญหา 2 เมื่อเข้าเว็บไซต์ไม่ได้เลย /
    exit 0 all good, 1 problems found, 2 the site cannot be reached at all.
    """
    from procdata.sitecheck.fetch import Limits
    from procdata.sitecheck.render import report_text, unreachable_line
    from procdata.sitecheck.run import check_site as run
    from procdata.sitecheck.run import read_targets

    day = day_option(as_of)  # (today when not given)
    main = website or ""
    if not urls:
        from procdata.config import workspace_config

        found = workspace_config(config)
        address = found and (found.site_url or found.agency.website)
        urls = [address] if address else []
        main = main or (found.agency.website if found else "")
        profile = profile or (found.profile if found else None)
    targets = read_targets(urls, main)
    report = run(targets, as_of=day, limits=Limits.default(read_timeout=timeout, concurrency=concurrency),
                 profile=profile or "")
    if format == Format.json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif len(report.agencies) == 1 and not report.agencies[0].reachable:
        echo_err(unreachable_line(report.agencies[0], lang))
    else:
        typer.echo(report_text(report, lang))
    raise typer.Exit(report.exit_code)
