"""``procdata ingest``: read spreadsheets into one canonical table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from procdata.cli.common import (
    Debug,
    Encoding,
    FiscalYear,
    Inputs,
    Lang,
    Limit,
    echo_err,
    file_progress,
    inputs_of,
    inputs_or_inbox,
    year_option,
)


def ingest(
    inputs: Inputs = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="แฟ้มผลลัพธ์ .csv .json หรือ .parquet / output file (.csv, .json or .parquet: typed columns, zstd)"),
    ] = None,
    encoding: Encoding = None,
    fiscal_year: FiscalYear = None,
    lang: Lang = "",
    debug: Debug = False,
    limit: Limit = None,
) -> None:
    """อ่านแฟ้ม สขร.๑ / O12 / e-GP เป็นตารางมาตรฐานเดียว / Read spreadsheets into one canonical table."""
    from procdata.read.sandbox import prestart

    prestart(inputs)  # a workbook's reader process starts while this one loads what it needs

    from procdata.check.catalog import error_cells
    from procdata.errors import OutputError
    from procdata.i18n import message
    from procdata.output import check_not_inputs
    from procdata.read.run import read_into
    from procdata.render import ingest_text
    from procdata.workspace.layout import default_overrides

    if out is not None and out.suffix.lower() not in (".csv", ".json", ".parquet"):
        raise OutputError("bad_output_suffix", out=str(out))
    inputs = inputs_or_inbox(inputs)
    if out is not None:
        check_not_inputs([out], inputs_of(inputs))
    year = year_option(fiscal_year)
    with file_progress(inputs, message("progress_reading", lang)) as step:
        # CSV, JSON and Parquet written as the records are read: national tables in bounded memory
        result = read_into(inputs, out, encoding=encoding, fiscal_year=year, on_file=step, on_rows=step.rows,
                           overrides=default_overrides())
    for failure in result.failures:
        echo_err(message(failure.code, lang, file=failure.file, **failure.params))
    typer.echo(ingest_text(result, lang))
    written = out is not None and not (result.failures and not result.record_count)
    if written:
        typer.echo(message("ingest_written", lang, records=f"{result.record_count:,}", out=out))
    emptied = error_cells(result.issues)
    if written and emptied:
        echo_err(message("ingest_cells_empty", lang, count=f"{emptied:,}", out=out))
    if result.failures:
        raise typer.Exit(2)

