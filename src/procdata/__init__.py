"""procdata: Thai local-government procurement spreadsheets in, ITA open data out.

The pipeline reads -> normalizes -> checks -> publishes; each stage is a
subpackage (``read``, ``normalize``, ``check``, ``publish``) and the CLI in
``procdata.cli`` is a thin layer over the functions exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["ProcdataError", "__version__", "ingest"]

if TYPE_CHECKING:
    from procdata.errors import ProcdataError
    from procdata.read.ingest import ingest


def __getattr__(name: str) -> Any:
    # Heavy modules (pandas, pyarrow) load only when first used, so that
    # `procdata --help` starts instantly.
    if name == "ingest":
        from procdata.read.ingest import ingest

        return ingest
    if name == "ProcdataError":
        from procdata.errors import ProcdataError

        return ProcdataError
    raise AttributeError(name)
