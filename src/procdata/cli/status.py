"""``procdata status``: the fiscal year month by month, and the ITA readiness checklist."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Annotated

import typer

from procdata.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_PROBLEMS,
    ConfigPath,
    Debug,
    FiscalYear,
    Inputs,
    Lang,
    Limit,
    echo_err,
    file_progress,
)


class Format(StrEnum):
    text = "text"
    json = "json"


def status(
    inputs: Inputs = None,
    fiscal_year: FiscalYear = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="วันที่ของข้อมูล ค.ศ. ปปปป-ดด-วว / date of the data (YYYY-MM-DD)"),
    ] = None,
    config: ConfigPath = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="text|json")] = Format.text,
    offline: Annotated[
        bool, typer.Option("--offline", help="ไม่ตรวจเว็บไซต์ของหน่วยงาน / do not check the live website"),
    ] = False,
    lang: Lang = "th",
    debug: Debug = False,
    limit: Limit = None,
) -> None:
    """ดูสถานะรายเดือนและความพร้อมตามเกณฑ์ ITA / Month-by-month status and ITA readiness.

    ออกด้วยรหัส 1 เมื่อยังไม่ผ่านเกณฑ์บางข้อ 2 เมื่ออ่านแฟ้มไม่ได้ /
    exit 1 when a requirement is not met, 2 when an input cannot be read.
    """
    from procdata.config import load_config
    from procdata.i18n import message
    from procdata.render import status_text
    from procdata.workspace.layout import default_inputs
    from procdata.workspace.status import status as run

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise typer.BadParameter(f"'{as_of}': YYYY-MM-DD") from None
    profile = load_config(config)
    inputs = default_inputs(inputs, config)
    with file_progress(inputs, message("progress_reading", lang)) as step:
        result = run(inputs, profile, fiscal_year=fiscal_year, as_of=day, lang=lang, on_file=step, offline=offline)
    for failure in result.failures:
        echo_err(message(failure.code, lang, file=failure.file, **failure.params))
    if format == Format.json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(status_text(result, lang))
    if result.failures:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_OK if result.ready else EXIT_PROBLEMS)
