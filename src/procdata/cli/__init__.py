"""The ``procdata`` command line: a thin layer over the library.

Each command lives in its own module, parses its options, calls one library
function and renders the result. Errors become a one-line message and an exit
code in one place: :class:`procdata.cli.common.ProcdataGroup`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from procdata.cli import check_site as _check_site
from procdata.cli import explain as _explain
from procdata.cli import ingest as _ingest
from procdata.cli import init as _init
from procdata.cli import publish as _publish
from procdata.cli import serve as _serve
from procdata.cli import status as _status
from procdata.cli import template as _template
from procdata.cli import validate as _validate
from procdata.cli.common import Debug, Lang, ProcdataGroup
from procdata.process import keep_freed_pages, no_blas_threads, no_collection_at_exit, small_pages

app = typer.Typer(
    cls=ProcdataGroup,
    name="procdata",
    help="procdata: แปลงแฟ้มจัดซื้อจัดจ้าง (สขร.๑, O12, e-GP) เป็นข้อมูลเปิดสำหรับ ITA / "
    "Thai procurement spreadsheets to ITA open data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)



def _version(value: bool) -> None:
    if value:
        from procdata import __version__

        typer.echo(f"procdata {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="รุ่นของโปรแกรม / show the version",
                                 callback=_version, is_eager=True),
    lang: Lang = "",
    debug: Debug = False,
) -> None:
    """procdata: แฟ้มจัดซื้อจัดจ้างของ อปท. -> ข้อมูลเปิด ITA (O12/O13).

    --lang และ --debug ใส่ได้ทั้งก่อนและหลังชื่อคำสั่ง / --lang and --debug go before or after the command.
    """


app.command("ingest")(_ingest.ingest)
app.command("validate")(_validate.validate)
app.command("explain")(_explain.explain)
app.command("template")(_template.template)
app.command("init")(_init.init)
app.command("publish")(_publish.publish)
app.command("status")(_status.status)
app.command("check-site")(_check_site.check_site)
app.command("serve")(_serve.serve)


def main() -> None:
    small_pages()
    keep_freed_pages()
    no_blas_threads()
    no_collection_at_exit()
    _prestart(sys.argv[1:])
    app()


def _prestart(args: list[str]) -> None:
    """``procdata ingest|validate FILE ...``: the file's reading starts before the options are parsed
    and the command's modules loaded (0.5-0.7 s): a workbook in the reader process (typer's first
    parse loads pydantic, 0.09 s), a long CSV table's chunks on a thread of their own
    (``read.stream.prestart``). Only in that plain form, without the options that change how a file
    is read (``--limit``, ``--encoding``): the command takes what was begun only when it reads the
    same file the same way, and lets it go otherwise."""
    if len(args) < 2 or args[0] not in ("ingest", "validate") or args[1].startswith("-"):
        return
    if (len(args) > 2 and not args[2].startswith("-")) or any(arg.startswith(("--limit", "--encoding")) for arg in args):
        return  # several inputs (read by a pool), or a reading of the command's own
    from procdata.read import sandbox, stream

    sandbox.prestart([args[1]])
    stream.prestart(Path(args[1]))
