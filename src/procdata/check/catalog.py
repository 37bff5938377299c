"""The checks of ``procdata validate``, read from ``data/checks.toml``.

Each check has a stable code, a severity, a message template (what is wrong
and how to fix it) and a longer explanation, in Thai and English. Code never
spells a message out: it names a check and passes the values to fill in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from procdata.errors import ProcdataError
from procdata.resources import data

if TYPE_CHECKING:
    from procdata.model import CellIssues


@dataclass(frozen=True)
class Check:
    code: str
    severity: str  # "error" or "warning"
    schema: bool  # a rule of the Table Schema, which frictionless flags too
    covers: tuple[str, ...]  # schema rules reported under this code
    texts: dict[str, dict[str, str]]  # lang -> message, explain, fix
    vocabulary: str = ""  # a vocabulary `explain` lists after the explanation ("method", "status")
    web: dict[str, dict[str, str]] | None = None  # lang -> message, fix: as the web app words them (no command)

    def text(self, part: str, lang: str, surface: str = "cli") -> str:
        """``part`` in ``lang``; the web app's wording of it where ``[check.CODE.web]`` gives one."""
        if surface == "web" and self.web:
            variant = (self.web.get(lang) or self.web.get("en") or {}).get(part)
            if variant:
                return variant
        return (self.texts.get(lang) or self.texts["en"])[part]


@cache
def checks() -> dict[str, Check]:
    """Every check, by code, in the order of ``checks.toml``."""
    return {
        code: Check(
            code, entry["severity"], bool(entry.get("schema")), tuple(entry.get("covers", ())),
            {lang: entry[lang] for lang in ("th", "en")}, entry.get("vocabulary", ""), entry.get("web"),
        )
        for code, entry in data("checks")["check"].items()
    }


def check(code: str) -> Check:
    """The check ``code``; a one-line error listing the known codes when there is none."""
    found = checks().get(code)
    if found is None:
        raise ProcdataError("unknown_check", check=code, codes=", ".join(checks()))
    return found


@cache
def _covers() -> dict[str, str]:
    return {rule: found.code for found in checks().values() for rule in found.covers}


def code_for(rule: str, field: str) -> str:
    """The check that reports schema ``rule`` (``required``, ``pattern``, ``type:number``...) on ``field``."""
    covers = _covers()
    return covers.get(f"{rule}:{field}") or covers[rule]


def message(code: str, lang: str, **params: Any) -> str:
    """The message of check ``code`` with ``params`` filled in."""
    return check(code).text("message", lang).format(**params)


def word(key: str, lang: str, **params: Any) -> str:
    """A phrase the messages are built from (``[words.<lang>]`` of checks.toml)."""
    return word_template(key, lang).format(**params)


def word_template(key: str, lang: str) -> str:
    """The template of a phrase, its placeholders unfilled."""
    words = data("checks")["words"]
    return (words.get(lang) or words["en"])[key]


def name_affixes() -> tuple[list[str], list[str]]:
    """Legal-form words ignored at the start and end of firm names."""
    names = data("checks")["names"]
    return names["prefixes"], names["suffixes"]


def explain_text(code: str | None, lang: str = "th") -> str:
    """What ``procdata explain CODE`` prints: the explanation and the fix; every code when ``code`` is None."""
    from procdata.i18n import message as ui

    if code is None:
        width = max(len(c) for c in checks())
        lines = [ui("explain_list", lang)]
        lines += [f"  {c.code:<{width}}  {word(c.severity, lang)}" for c in checks().values()]
        return "\n".join(lines)
    found = check(code)
    lines = [ui("explain_heading", lang, check=found.code, severity=word(found.severity, lang)), found.text("explain", lang)]
    if found.vocabulary:
        lines += _vocabulary(found.vocabulary, lang)
    lines.append(ui("explain_fix", lang, fix=found.text("fix", lang)))
    if found.schema:
        lines.append(ui("explain_schema", lang))
    return "\n".join(lines)


def _vocabulary(kind: str, lang: str) -> list[str]:
    """Every term of a vocabulary with the spellings read as it, one line each."""
    from procdata.normalize import vocab

    lines = []
    for term in vocab.terms(kind):
        spellings = ", ".join(dict.fromkeys(phrase["text"] for phrase in term.get("phrases_written", ())))
        lines.append(f"  - {term.label(lang)} [{term.code}]" + (f": {spellings}" if spellings else ""))
    return lines


def error_cells(issues: CellIssues) -> int:
    """How many of the cells reading could not understand are of a check that is an error (an impossible
    date, an amount in words): each is empty in the table ingest writes."""
    from collections import Counter

    counted: Counter[str] = Counter()
    for run in issues.runs:
        counted.update({run.codes: len(run)} if isinstance(run.codes, str) else Counter(map(str, run.codes)))
    return sum(count for code, count in counted.items() if check(code).severity == "error")
