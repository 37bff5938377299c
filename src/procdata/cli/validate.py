"""``procdata validate``: every problem an officer can act on, where Excel shows it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from procdata.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
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
    echo_err,
    file_progress,
    inputs_of,
    inputs_or_inbox,
    year_option,
)


class Format(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def validate(
    inputs: Inputs = None,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="รูปแบบรายงาน text|json|html / report format"),
    ] = Format.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="บันทึกรายงานลงแฟ้ม (เช่น report.html) / write the report to a file"),
    ] = None,
    by_agency: Annotated[
        Path | None,
        typer.Option("--by-agency", help="บันทึกตารางรายหน่วยงาน (แฟ้ม ระเบียน ข้อผิดพลาด คำเตือน งบลงทุน ความพร้อม O12/O13) "
                     "เป็น .csv หรือ .json / write the per-agency table (files, records, errors, warnings, investment items, "
                     "readiness for O12/O13) to a .csv or .json file"),
    ] = None,
    all_problems: Annotated[
        bool,
        typer.Option("--all", help="แสดงปัญหาทุกรายการในรายงานข้อความ (ปกติแสดง 10 รายการแรกของแต่ละรหัส) / "
                     "list every problem in the text report (the first 10 of each code otherwise)"),
    ] = False,
    encoding: Encoding = None,
    fiscal_year: FiscalYear = None,
    as_of: AsOf = None,
    config: ConfigPath = None,
    lang: Lang = "",
    debug: Debug = False,
    limit: Limit = None,
) -> None:
    """ตรวจแฟ้มก่อนเผยแพร่: บอกแถว คอลัมน์ ปัญหา และวิธีแก้ / Check files: every problem, where it is, how to fix it.

    ออกด้วยรหัส 0 เมื่อไม่มีข้อผิดพลาด (มีคำเตือนได้) 1 เมื่อพบข้อผิดพลาด 2 เมื่ออ่านแฟ้มไม่ได้ /
    exit 0 with no errors (warnings allowed), 1 with errors, 2 when an input cannot be read.
    """
    import sys

    from procdata.read.sandbox import prestart

    prestart(inputs)  # a workbook's reader process starts while this one loads what it needs

    from procdata.check import agencies
    from procdata.check import validate as run
    from procdata.check.render import TEXT_LIMIT, report_text, write_html, write_json
    from procdata.errors import OutputError
    from procdata.i18n import message
    from procdata.output import atomic_writer, check_not_inputs, write_atomic
    from procdata.workspace.layout import default_overrides

    if by_agency is not None and by_agency.suffix.lower() not in (".csv", ".json"):
        raise OutputError("bad_agencies_suffix", out=str(by_agency))
    inputs = inputs_or_inbox(inputs, config)
    written = [path for path in (out, by_agency) if path is not None]
    if written:
        check_not_inputs(written, inputs_of(inputs))
    year, day = year_option(fiscal_year), day_option(as_of)
    with file_progress(inputs, message("progress_reading", lang)) as step:
        report = run(inputs, config=config, encoding=encoding, fiscal_year=year, as_of=day, lang=lang, on_file=step,
                     overrides=default_overrides(config), by_agency=by_agency is not None, on_rows=step.rows)
    for failure in report.failures:
        echo_err(failure["message"])

    def write(stream: BinaryIO) -> None:
        if format == Format.json:
            write_json(report, stream)
        elif format == Format.html:
            write_html(report, stream, lang)
        else:
            stream.write(report_text(report, lang, None if all_problems else TEXT_LIMIT).encode("utf-8"))

    if out is None:
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        with atomic_writer(out) as stream:
            write(stream)
        typer.echo(message("validate_written", lang, out=out))
    if by_agency is not None and report.by_agency is not None:
        rows = report.by_agency
        table = agencies.as_json(rows) if by_agency.suffix.lower() == ".json" else agencies.as_csv(rows)
        write_atomic(by_agency, table.encode("utf-8"))
        echo_err(message("validate_agencies_written", lang, count=f"{len(rows):,}", out=by_agency))
    if report.failures:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_PROBLEMS if report.error_count else EXIT_OK)
