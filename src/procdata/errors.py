"""The one exception hierarchy of procdata.

The library raises these; the CLI turns them into a one-line message and an
exit code in exactly one place (``procdata.cli.app``). Problems found *in the
data* are not exceptions: they are rows of a report.
"""

from __future__ import annotations

from typing import Any


class ProcdataError(Exception):
    """Base class. ``code`` names a message in ``data/messages.toml``."""

    exit_code = 2

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    def render(self, lang: str = "th", surface: str = "cli") -> str:
        """The one-line message; ``surface="web"`` words its advice for the web app (see :func:`procdata.i18n.message`)."""
        from procdata.i18n import message

        return message(self.code, lang, surface=surface, **self.params)

    def __str__(self) -> str:
        return self.render("en")


class InputError(ProcdataError):
    """An input file cannot be read (missing, broken, encrypted, unsupported)."""

    def __init__(self, code: str, file: str, **params: Any) -> None:
        super().__init__(code, file=file, **params)
        self.file = file


class ConfigError(ProcdataError):
    """The agency profile or a criteria profile is missing or incomplete."""


class OutputError(ProcdataError):
    """An output cannot be written."""


class ParseError(ValueError):
    """A cell value cannot be understood. ``code`` says why, for the report."""

    def __init__(self, code: str, value: object = None) -> None:
        super().__init__(code)
        self.code = code
        self.value = value
