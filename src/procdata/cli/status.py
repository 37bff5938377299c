"""``procdata status``: the fiscal year month by month, and the ITA readiness checklist."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from procdata.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_PROBLEMS,
    AsOf,
    ConfigPath,
    Debug,
    FiscalYear,
    Inputs,
    Lang,
    Limit,
    day_option,
    echo_err,
    file_progress,
    year_option,
)


class Format(StrEnum):
    text = "text"
    json = "json"


def status(
    inputs: Inputs = None,
    fiscal_year: FiscalYear = None,
    as_of: AsOf = None,
    config: ConfigPath = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="text|json")] = Format.text,
    offline: Annotated[
        bool, typer.Option("--offline", help="ไม่ตรวจเว็บไซต์ของหน่วยงาน / do not check the live website"),
    ] = False,
    lang: Lang = "",
    debug: Debug = False,
    limit: Limit = None,
) -> None:
    """ดูสถานะรายเดือนและความพร้อมตามเกณฑ์ ITA / Month-by-month status and ITA readiness.

    ออกด้วยรหัส 1 เมื่อยังไม่ผ่านเกณฑ์บางข้อ (รวมถึงค่าที่ยังไม่ได้กรอกในโปรไฟล์) 2 เมื่ออ่านแฟ้มไม่ได้ /
    exit 1 when a requirement is not met (an empty profile value included), 2 when an input cannot be read.
    """
    from procdata.config import as_config, workspace_inputs
    from procdata.i18n import message
    from procdata.render import status_text
    from procdata.workspace.status import status as run

    year, day = year_option(fiscal_year), day_option(as_of)
    profile = as_config(config, strict=False)
    inputs = workspace_inputs(inputs or None, profile)
    with file_progress(inputs, message("progress_reading", lang)) as step:
        result = run(inputs, config=profile, fiscal_year=year, as_of=day, lang=lang, on_file=step, offline=offline)
    for failure in result.failures:
        echo_err(message(failure.code, lang, file=failure.file, **failure.params))
    if format == Format.json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(status_text(result, lang))
    if result.failures:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_OK if result.ready else EXIT_PROBLEMS)
