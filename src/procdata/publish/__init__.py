"""Publishing: the ITA datasets, the data package and the agency's web page.

``publish(inputs, out=..., fiscal_year=...)`` is the whole stage; the modules
are its steps (the criteria profiles it follows are ``procdata.profiles``):
``tables`` (status, selection and order), ``columns`` (the value of each
column), ``privacy`` (masking citizen IDs), ``formats`` and ``xlsx`` (files),
``summary`` and ``charts`` and ``html`` (pages), ``package`` (datapackage.json),
``archive`` (deterministic zips) and ``run`` (the order of it all, and the
atomic write).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["PublishResult", "publish"]

if TYPE_CHECKING:
    from procdata.publish.model import PublishResult
    from procdata.publish.run import publish


def __getattr__(name: str) -> Any:
    # pandas and openpyxl load only when publishing, so `procdata --help` stays instant.
    if name == "publish":
        from procdata.publish.run import publish

        return publish
    if name == "PublishResult":
        from procdata.publish.model import PublishResult

        return PublishResult
    raise AttributeError(name)
