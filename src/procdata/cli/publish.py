"""``procdata publish``: the ITA datasets, data package, web page and zip, in one folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from procdata.cli.common import (
    EXIT_PROBLEMS,
    AsOf,
    ConfigPath,
    Debug,
    Encoding,
    FiscalYear,
    Inputs,
    Lang,
    Limit,
    day_option,
    file_progress,
    inputs_or_inbox,
    year_option,
)


def publish(
    inputs: Inputs = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="โฟลเดอร์ผลลัพธ์ (แทนที่เฉพาะแฟ้มที่ procdata เขียน แฟ้มอื่นคงไว้; ปกติ site ของโฟลเดอร์ทำงาน) / "
                     "output folder (only procdata's own files are replaced)"),
    ] = None,
    fiscal_year: FiscalYear = None,
    as_of: AsOf = None,
    config: ConfigPath = None,
    force: Annotated[
        bool, typer.Option("--force", help="เผยแพร่แม้ตรวจพบข้อผิดพลาด (แสดงรายการไว้) / publish despite errors"),
    ] = False,
    encoding: Encoding = None,
    lang: Lang = "",
    debug: Debug = False,
    limit: Limit = None,
) -> None:
    """เผยแพร่ข้อมูล ITA (O12/O13) เว็บเพจ และ Data Package / Publish the ITA open data, web page and data package."""
    from procdata.i18n import message
    from procdata.publish import publish as run
    from procdata.publish.text import publish_text

    year, day = year_option(fiscal_year), day_option(as_of)
    inputs = inputs_or_inbox(inputs, config)
    with file_progress(inputs, message("progress_reading", lang)) as step:
        result = run(inputs, out=out, fiscal_year=year, as_of=day, config=config, force=force, encoding=encoding,
                     lang=lang, on_file=step)
    typer.echo(publish_text(result, lang))
    if result.refused:
        raise typer.Exit(EXIT_PROBLEMS)
