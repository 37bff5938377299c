"""``procdata publish``: the ITA datasets, data package, web page and zip, in one folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from procdata.cli.common import (
    EXIT_PROBLEMS,
    ConfigPath,
    Debug,
    Encoding,
    FiscalYear,
    Inputs,
    Lang,
    Limit,
)


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}': ใช้รูปแบบ ค.ศ. ปปปป-ดด-วว เช่น 2025-03-31 / use YYYY-MM-DD (CE)") from None


def publish(
    inputs: Inputs = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="โฟลเดอร์ผลลัพธ์ (แทนที่ทั้งโฟลเดอร์; ปกติ site ของโฟลเดอร์ทำงาน) / output folder"),
    ] = None,
    fiscal_year: FiscalYear = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="วันที่ของข้อมูล ค.ศ. ปปปป-ดด-วว (ปกติ: วันที่ล่าสุดในข้อมูล) / date of the data"),
    ] = None,
    config: ConfigPath = None,
    force: Annotated[
        bool, typer.Option("--force", help="เผยแพร่แม้ตรวจพบข้อผิดพลาด (แสดงรายการไว้) / publish despite errors"),
    ] = False,
    encoding: Encoding = None,
    lang: Lang = "th",
    debug: Debug = False,
    limit: Limit = None,
) -> None:
    """เผยแพร่ข้อมูล ITA (O12/O13) เว็บเพจ และ Data Package / Publish the ITA open data, web page and data package."""
    from procdata.publish import publish as run
    from procdata.publish.text import publish_text
    from procdata.workspace.layout import default_inputs, default_out

    inputs, out = default_inputs(inputs, config), default_out(out, config)
    result = run(inputs, out=out, fiscal_year=fiscal_year, as_of=_as_of(as_of), config=config,
                 force=force, encoding=encoding, lang=lang)
    typer.echo(publish_text(result, lang))
    if result.refused:
        raise typer.Exit(EXIT_PROBLEMS)
