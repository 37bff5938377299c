"""``procdata serve``: the officer's own web app, on this machine, in Thai."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from procdata.cli.common import Debug, Lang, state


def serve(
    port: Annotated[int, typer.Option("--port", help="พอร์ต (0: เลือกพอร์ตที่ว่าง) / port (0: any free port)")] = 8765,
    host: Annotated[
        str,
        typer.Option("--host", help="ที่อยู่ที่รับการเชื่อมต่อ ปกติเฉพาะเครื่องนี้ / address to listen on (default: this machine only)"),
    ] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="ไม่ต้องเปิดเบราว์เซอร์ / do not open a browser")] = False,
    lang: Lang = "",
    debug: Debug = False,
) -> None:
    """เปิดโปรแกรมบนเว็บเบราว์เซอร์ในเครื่องนี้ (ส่งแฟ้ม ตรวจ เผยแพร่) / Run the local web app (upload, check, publish).

    บรรทัดแรกที่พิมพ์คือที่อยู่ของหน้าเว็บ กด Ctrl+C เพื่อหยุด /
    the first line printed is the page's address; Ctrl+C stops it.
    """
    from procdata.web.server import serve as run

    run(Path.cwd(), host=host, port=port, open_browser=not no_browser, lang=lang, debug=state.debug)
