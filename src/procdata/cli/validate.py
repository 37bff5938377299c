"""``procdata validate``: every problem an officer can act on, where Excel shows it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from procdata.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_PROBLEMS,
    Debug,
    Encoding,
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
    encoding: Encoding = None,
    fiscal_year: FiscalYear = None,
    lang: Lang = "th",
    debug: Debug = False,
    limit: Limit = None,
) -> None:
    """ตรวจแฟ้มก่อนเผยแพร่: บอกแถว คอลัมน์ ปัญหา และวิธีแก้ / Check files: every problem, where it is, how to fix it.

    ออกด้วยรหัส 0 เมื่อไม่มีข้อผิดพลาด (มีคำเตือนได้) 1 เมื่อพบข้อผิดพลาด 2 เมื่ออ่านแฟ้มไม่ได้ /
    exit 0 with no errors (warnings allowed), 1 with errors, 2 when an input cannot be read.
    """
    from procdata.check import validate as run
    from procdata.check.render import report_html, report_json, report_text
    from procdata.i18n import message
    from procdata.output import write_atomic
    from procdata.workspace.layout import default_inputs, default_overrides

    inputs = default_inputs(inputs)
    with file_progress(inputs, message("progress_reading", lang)) as step:
        report = run(inputs, encoding=encoding, fiscal_year=fiscal_year, lang=lang, on_file=step,
                     overrides=default_overrides())
    for failure in report.failures:
        echo_err(failure["message"])
    render = {Format.text: report_text, Format.json: lambda r, _: report_json(r), Format.html: report_html}[format]
    content = render(report, lang)
    if out is None:
        typer.echo(content, nl=False)
    else:
        write_atomic(out, content.encode("utf-8"))
        typer.echo(message("validate_written", lang, out=out))
    if report.failures:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_PROBLEMS if report.errors else EXIT_OK)
