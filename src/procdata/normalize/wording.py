"""Methods and statuses read as whole phrases (``data/methods.toml``, ``data/statuses.toml``).

A cell is not searched for a word: "ประมูลพิเศษแบบใหม่" contains "พิเศษ" but is no
method. A method cell must be made up entirely of method phrases, filler words
("วิธี", "โดยวิธี") and a legal reference at its end ("มาตรา 56 (2) (ข)"); a status
cell must be one status phrase. Each function takes one cell's text; the builder
calls them once per distinct value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from procdata.normalize.text import fold
from procdata.resources import data

GENERIC = "_generic"  # e-GP's catch-all method text: no method stated
_FILLER = ""


@dataclass(frozen=True)
class MethodReading:
    """What a method cell says: one method (``code``), no method (``generic``: e-GP's
    catch-all text), several that disagree (``named``), or nothing known (all empty)."""

    code: str | None = None
    generic: bool = False
    named: tuple[str, ...] = ()


@cache
def _method_tokens() -> tuple[dict[str, str], tuple[str, ...], dict[str, str]]:
    """Folded phrase -> method code (fillers -> ""), the reference starters, and method -> group."""
    tables = data("methods")
    reading = tables["reading"]
    tokens: dict[str, str] = {fold(word, brackets=True): _FILLER for word in reading["fillers"]}
    groups: dict[str, str] = {}
    for entry in tables["method"]:
        for phrase in entry["phrases"]:
            tokens[fold(phrase["text"], brackets=True)] = entry["code"]
        for label in (entry["th"], entry["en"]):  # the labels procdata publishes read back
            for brackets in (True, False):
                tokens.setdefault(fold(label, brackets=brackets), entry["code"])
        if "group" in entry:
            groups[entry["code"]] = entry["group"]
    references = tuple(fold(word, brackets=True) for word in reading["references"])
    return tokens, references, groups


@cache
def _generic() -> frozenset[str]:
    return frozenset(fold(text, brackets=True) for text in data("methods")["reading"]["generic"])


@cache
def _codes(kind: str) -> dict[str, str]:
    """Folded code -> code: a canonical file's cells are codes themselves."""
    entries = data({"method": "methods", "status": "statuses"}[kind])[kind]
    return {fold(entry["code"], brackets=True): entry["code"] for entry in entries}


def _is_reference(key: str, at: int, starters: tuple[str, ...]) -> bool:
    """Whether a legal reference ("มาตรา 56", "ม.56", "ข้อ 79") starts at ``at``."""
    for starter in starters:
        if key.startswith(starter, at):
            rest = key[at + len(starter):]
            # Short starters ("ม", "ข้อ") must be followed by a number to be a reference.
            if len(starter) > 3 or rest[:1].isdigit():
                return True
    return False


def _segment(key: str) -> list[str] | None:
    """The method codes (and "" for fillers) whose phrases make up ``key`` exactly, longest
    phrases first; ``None`` when no such reading exists. A reference ends the reading."""
    tokens, starters, _ = _method_tokens()
    longest = max(map(len, tokens))
    memo: dict[int, list[str] | None] = {}

    def walk(at: int) -> list[str] | None:
        if at == len(key):
            return []
        if at in memo:
            return memo[at]
        found: list[str] | None = None
        if at > 0 and _is_reference(key, at, starters):
            found = []
        else:
            for size in range(min(longest, len(key) - at), 0, -1):
                code = tokens.get(key[at:at + size])
                if code is None:
                    continue
                rest = walk(at + size)
                if rest is not None:
                    found = [code, *rest]
                    break
        memo[at] = found
        return found

    return walk(0)


def read_method(text: str) -> MethodReading:
    """The method a cell names, read as a whole (see the module's docstring)."""
    key = fold(text, brackets=True)
    if not key:
        return MethodReading()
    if key in _codes("method"):
        return MethodReading(_codes("method")[key])
    if key in _generic():
        return MethodReading(generic=True)
    parts = _segment(key)
    if parts is None:
        return MethodReading()
    named = tuple(dict.fromkeys(code for code in parts if code))
    if not named:
        return MethodReading()
    if len(named) == 1:
        return MethodReading(named[0])
    # A group and its own methods ("ประกาศเชิญชวนทั่วไป (e-bidding)") name the method.
    groups = _method_tokens()[2]
    specific = [code for code in named if code not in set(groups.values())]
    if len(specific) == 1 and all(code == specific[0] or groups.get(specific[0]) == code for code in named):
        return MethodReading(specific[0])
    return MethodReading(named=named)


@dataclass(frozen=True)
class Ambiguity:
    """A status phrase whose meaning depends on the record (``data/statuses.toml`` [[ambiguous]])."""

    text: str
    with_contract: str
    without_contract: str


@dataclass(frozen=True)
class StatusReading:
    code: str | None = None
    ambiguous: Ambiguity | None = None


@cache
def _status_phrases() -> tuple[dict[str, str], tuple[tuple[str, str], ...], dict[str, Ambiguity]]:
    """Folded exact phrases -> code, folded prefixes (longest first), folded ambiguous phrases."""
    tables = data("statuses")
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    for entry in tables["status"]:
        exact[fold(entry["th"])] = entry["code"]
        for phrase in entry["phrases"]:
            (prefixes.append((fold(phrase["text"]), entry["code"])) if phrase.get("prefix")
             else exact.__setitem__(fold(phrase["text"]), entry["code"]))
    prefixes.sort(key=lambda pair: -len(pair[0]))
    ambiguous = {
        fold(entry["text"]): Ambiguity(entry["text"], entry["with_contract"], entry["without_contract"])
        for entry in tables.get("ambiguous", [])
    }
    return exact, tuple(prefixes), ambiguous


def read_status(text: str) -> StatusReading:
    """The status a cell names: a code, an ambiguous phrase, or nothing known."""
    key = fold(text)
    if not key:
        return StatusReading()
    if key in _codes("status"):
        return StatusReading(_codes("status")[key])
    exact, prefixes, ambiguous = _status_phrases()
    if key in exact:
        return StatusReading(exact[key])
    if key in ambiguous:
        return StatusReading(ambiguous=ambiguous[key])
    for prefix, code in prefixes:
        if key.startswith(prefix):
            return StatusReading(code)
    return StatusReading()


@cache
def known_methods(lang: str = "th", *, current_only: bool = True) -> str:
    """The methods of the Act (or every method), as a list to show an officer."""
    labels = [
        entry["th"] if lang == "th" else entry["en"]
        for entry in data("methods")["method"]
        if entry.get("choice", True) and (not current_only or entry.get("law") == "2560")
    ]
    return ", ".join(labels)


def act_from() -> str:
    """The day the Procurement Act B.E. 2560 applies from (ISO): older methods are the 2535 regulation's."""
    return str(data("methods")["reading"]["act_from"])
