"""procdata: Thai local-government procurement spreadsheets in, ITA open data out.

The pipeline reads -> normalizes -> checks -> publishes; each stage is a
subpackage (``read``, ``normalize``, ``check``, ``publish``) and the CLI in
``procdata.cli`` is a thin layer over the functions exported here::

    import procdata

    result = procdata.ingest(["monthly/"])            # -> IngestResult: records and how they were read
    report = procdata.validate(["monthly/"])          # -> Report: every problem publish would see
    status = procdata.status(config="procdata.toml")  # -> Status: months and ITA readiness
    done = procdata.publish(config="procdata.toml")   # -> PublishResult: the site folder written

Every stage takes its agency profile as a path or as a loaded
:class:`~procdata.config.Config` (``procdata.load_config``), and its dates
and fiscal years as people type them (``2568-06-30``, ``30/6/2568``,
``2025-06-30``; ``2568`` or ``2025``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The subpackage procdata.publish is loaded now (its __init__ is light) so that the name
# `publish` below stays the function: importing procdata.publish.<module> later finds the
# subpackage in sys.modules and never rebinds the attribute.
import procdata.publish as _publish_stage  # noqa: F401

__all__ = [
    "Config", "ProcdataError", "__version__", "ingest", "load_config", "publish", "status", "validate",
]

if TYPE_CHECKING:
    from procdata.check.validate import validate
    from procdata.config import Config, load_config
    from procdata.errors import ProcdataError
    from procdata.publish.run import publish
    from procdata.read.ingest import ingest
    from procdata.workspace.status import status

del globals()["publish"]  # bound by the import above; served by __getattr__ from now on

_EXPORTS = {
    "ingest": "procdata.read.ingest",
    "validate": "procdata.check.validate",
    "publish": "procdata.publish.run",
    "status": "procdata.workspace.status",
    "Config": "procdata.config",
    "load_config": "procdata.config",
    "ProcdataError": "procdata.errors",
}


def __getattr__(name: str) -> Any:
    # Heavy modules (pandas, pyarrow) load only when first used, so that
    # `procdata --help` starts instantly.
    if name not in _EXPORTS:
        raise AttributeError(name)
    from importlib import import_module

    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
