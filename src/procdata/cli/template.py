"""``procdata template``: write an entry workbook with dropdowns and validation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from procdata.cli.common import ConfigPath, Debug, Lang


def template(
    out: Annotated[Path, typer.Option("--out", "-o", help="แฟ้มแบบฟอร์ม .xlsx / the workbook to write")],
    layout: Annotated[str, typer.Option("--layout", help="sorkorror1 (แบบ สขร.๑) หรือ o12")] = "sorkorror1",
    month: Annotated[
        str | None, typer.Option("--month", help="เดือนของแบบ สขร.๑ เช่น 2568-01 / report month, e.g. 2568-01")
    ] = None,
    config: ConfigPath = None,
    lang: Lang = "th",
    debug: Debug = False,
) -> None:
    """สร้างแบบฟอร์ม Excel สำหรับกรอก (มีรายการให้เลือกและตรวจค่า) / Write an entry workbook."""
    from procdata.config import find_config, load_config
    from procdata.i18n import message
    from procdata.template import write_template

    agency = ""
    if config is not None or find_config() is not None:
        agency = load_config(config).agency.name
    path = write_template(out, layout=layout, month=month, agency=agency)
    typer.echo(message("template_written", lang, out=path, layout=layout))
