"""Thai text: digits, invisible characters, stray whitespace, garbled sara am."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from procdata.resources import data

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
SARA_AM = "\u0e33"  # ำ
SARA_AA = "\u0e32"  # า

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Control characters a cell may carry from Word, PDFs or other programs: C0 but tab, line
# feed and carriage return; DEL; C1; the Unicode line and paragraph separators; and the
# noncharacters U+FFFE/U+FFFF. None may reach a published file (XML refuses most of them).
# Those that end a line (vertical tab and form feed from Word, NEL, the separators)
# become line breaks; the others are removed.
_CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0x2028, 0x2029), (0xFFFE, 0xFFFF))
CONTROL = "[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in _CONTROL_RANGES) + "]"  # Python re
CONTROL_RE2 = "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in _CONTROL_RANGES) + "]"  # Arrow (RE2)
LINE_CONTROL = "[\\x0b\\x0c\\x1c-\\x1e\\x85\\u2028\\u2029]"
_CONTROL = re.compile(CONTROL)
_LINE_CONTROL = re.compile(LINE_CONTROL)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
BRACKETED_NOTE = r"\([^)]*\)"  # the same pattern in Python's re and RE2
_BRACKETED = re.compile(BRACKETED_NOTE)
_FOLD_DROP = re.compile(r"[\s.\-_/:,*\"'“”()\[\]]+")


def thai_digits(text: str) -> str:
    """Replace Thai digits with ASCII digits."""
    return text.translate(THAI_DIGITS)


@cache
def _restore_table() -> tuple[tuple[str, str], ...]:
    words = data("sara_am")["words"]
    pairs = {word.replace(SARA_AM, SARA_AA): word for word in words}
    # Longer words first, so that "สำนักงาน" is restored before "สำนัก".
    return tuple(sorted(pairs.items(), key=lambda pair: -len(pair[0])))


def fix_sara_am(text: str) -> str:
    """Undo the PDF-copy garbling that writes ำ where า belongs.

    A text counts as garbled when it holds at least two ำ and not a single า:
    real Thai of that length almost always has า. Every ำ then becomes า and
    the words in ``data/sara_am.toml`` get their real ำ back.
    """
    if SARA_AA in text or text.count(SARA_AM) < 2:
        return text
    fixed = text.replace(SARA_AM, SARA_AA)
    for garbled, word in _restore_table():
        fixed = fixed.replace(garbled, word)
    return fixed


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a control character (see ``CONTROL``)."""
    return _CONTROL.search(text) is not None


def strip_controls(text: str) -> str:
    """``text`` without control characters: those that end a line become line breaks, the rest go."""
    if not has_controls(text):
        return text
    return _CONTROL.sub("", _LINE_CONTROL.sub("\n", text))


def shown_controls(text: str) -> str:
    """``text`` with each control character shown as its Unicode picture (``\x0b`` -> ``␋``), for reports."""
    return _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group())) if ord(m.group()) < 0x20 else f"<U+{ord(m.group()):04X}>", text)


def shorten_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, never inside a character or between a
    Thai letter and its vowel or tone marks."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    while cut and len(cut) < len(text) and unicodedata.category(text[len(cut)]) in ("Mn", "Mc", "Me"):
        cut = cut[:-1]
    return cut


def clean(text: str) -> str:
    """Tidy a cell: NFC, no control or invisible characters, single spaces, trimmed lines.

    Line breaks are kept (a bidders cell holds one bidder per line); blank
    lines are dropped. Thai digits are kept as written.
    """
    text = unicodedata.normalize("NFC", strip_controls(text))
    text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return fix_sara_am("\n".join(line for line in lines if line))


def one_line(text: str) -> str:
    """Like :func:`clean`, with line breaks turned into spaces."""
    return clean(text).replace("\n", " ")


def fold(text: str, *, brackets: bool = False) -> str:
    """A matching key: lower case, ASCII digits, no spaces or punctuation.

    Bracketed notes are dropped unless ``brackets`` is true, so that
    ``"วงเงินที่จะซื้อ\\nหรือจ้าง (บาท)"`` and ``"วงเงินที่จะซื้อหรือจ้าง"`` fold
    alike; vocabularies keep them (``"(e-bidding)"``). Garbled and real sara am
    fold alike too (both become า).
    """
    text = thai_digits(clean(text)).lower().replace(SARA_AM, SARA_AA)
    if not brackets:
        text = _BRACKETED.sub("", text)
    return _FOLD_DROP.sub("", text)
