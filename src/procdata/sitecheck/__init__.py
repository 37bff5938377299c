"""check-site: the live website as the ITA assessor sees it (above ``publish``, beside ``workspace``).

``check_site(read_targets(["https://..."]))`` is the whole check; the modules are
its steps: ``fetch`` (HTTP with limits), ``links`` (pages and their data links),
``files`` (what a downloaded file holds), ``run`` (the checks), ``model`` (the
report) and ``render`` (text for people).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["SiteReport", "Target", "check_site", "compare_published", "read_targets"]

if TYPE_CHECKING:
    from procdata.sitecheck.model import SiteReport
    from procdata.sitecheck.run import Target, check_site, compare_published, read_targets


def __getattr__(name: str) -> Any:
    # httpx and lxml load only when a site is checked, so `procdata --help` stays instant.
    if name in ("Target", "check_site", "compare_published", "read_targets"):
        from procdata.sitecheck import run

        return getattr(run, name)
    if name == "SiteReport":
        from procdata.sitecheck.model import SiteReport

        return SiteReport
    raise AttributeError(name)
