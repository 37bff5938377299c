"""``procdata template``: write an entry workbook with dropdowns and validation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from procdata.cli.common import ConfigPath, Debug, Force, Lang, month_option


def template(
    out: Annotated[Path, typer.Option("--out", "-o", help="แฟ้มแบบฟอร์ม .xlsx / the workbook to write")],
    layout: Annotated[str, typer.Option("--layout", help="sorkorror1 (แบบ สขร.๑) หรือ o12")] = "sorkorror1",
    month: Annotated[
        str | None, typer.Option("--month", help="เดือนของแบบ สขร.๑ เช่น 2568-01, 1/2568 หรือ ม.ค. 68 / report month, BE or CE",
                                 show_default=False)
    ] = None,
    config: ConfigPath = None,
    force: Force = False,
    lang: Lang = "",
    debug: Debug = False,
) -> None:
    """สร้างแบบฟอร์ม Excel สำหรับกรอก (มีรายการให้เลือกและตรวจค่า) / Write an entry workbook.

    ไม่เขียนทับแฟ้มที่มีอยู่ เว้นแต่ใช้ --force / never replaces an existing file without --force.
    """
    from procdata.config import find_config, load_config
    from procdata.i18n import message
    from procdata.template import write_template

    if out.exists() and not force:  # before reading anything: one line, exit 2
        from procdata.errors import OutputError

        raise OutputError("output_exists", out=str(out))
    chosen = month_option(month)
    agency = ""
    if config is not None or find_config() is not None:
        agency = load_config(config, strict=False).agency.name  # a profile not yet filled in is fine here
    path = write_template(out, layout=layout, month=chosen, agency=agency, force=force)
    typer.echo(message("template_written", lang, out=path, layout=layout))
