"""``procdata explain``: what a check code means and how to fix it."""

from __future__ import annotations

from typing import Annotated

import typer

from procdata.cli.common import Debug, Lang


def explain(
    code: Annotated[
        str | None, typer.Argument(help="รหัสปัญหา เช่น agreed_above_budget (ไม่ระบุ = แสดงทุกรหัส) / check code", show_default=False),
    ] = None,
    lang: Lang = "",
    debug: Debug = False,
) -> None:
    """อธิบายรหัสปัญหาจาก procdata validate และวิธีแก้ / Explain a check code of procdata validate and how to fix it."""
    from procdata.check.catalog import explain_text

    typer.echo(explain_text(code, lang))
