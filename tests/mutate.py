"""Mutations of the bundled samples for the fuzzing harness (test_fuzz.py).

Each mutation takes a file's bytes and a ``random.Random`` and returns damaged or
hostile bytes: byte flips, truncation, inserted bytes; for zip workbooks (xlsx,
ods) removed and malformed members, entity declarations, deep nesting, huge
spans and references that point nowhere; for HTML deep nesting, huge spans and
many tables; for CSV other line endings and encodings, delimiter floods, NULs
and stray quotes. Mutations are plain functions so that a failing example can be
replayed by hand: ``MUTATIONS[name](data, random.Random(seed))``.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable

Mutation = Callable[[bytes, random.Random], bytes]

_LAUGHS = (
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi", strict=True))
    + "]>"
)


# --- any file


def flip(data: bytes, rnd: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 16)):
        if out:
            out[rnd.randrange(len(out))] ^= rnd.randint(1, 255)
    return bytes(out)


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randrange(max(len(data), 1))]


def insert(data: bytes, rnd: random.Random) -> bytes:
    at = rnd.randrange(len(data) + 1)
    return data[:at] + bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64))) + data[at:]


def duplicate(data: bytes, rnd: random.Random) -> bytes:
    start = rnd.randrange(max(len(data), 1))
    chunk = data[start : start + rnd.randint(1, 4096)]
    at = rnd.randrange(len(data) + 1)
    return data[:at] + chunk * rnd.randint(1, 8) + data[at:]


# --- zip workbooks: members and their XML


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0)), body)
    return buffer.getvalue()


def _xml_member(members: dict[str, bytes], rnd: random.Random, prefer: str = "") -> str:
    names = [n for n in members if n.endswith((".xml", ".rels"))]
    preferred = [n for n in names if prefer and prefer in n]
    return rnd.choice(preferred or names)


def _sheet(members: dict[str, bytes], rnd: random.Random) -> str:
    return _xml_member(members, rnd, "worksheets/" if any("worksheets/" in n for n in members) else "content.xml")


def drop_member(data: bytes, rnd: random.Random) -> bytes:
    members = _members(data)
    del members[rnd.choice(list(members))]
    return _zip(members)


def garble_member(data: bytes, rnd: random.Random) -> bytes:
    members = _members(data)
    name = _xml_member(members, rnd)
    members[name] = flip(members[name], rnd)
    return _zip(members)


def truncate_member(data: bytes, rnd: random.Random) -> bytes:
    members = _members(data)
    name = _xml_member(members, rnd)
    members[name] = truncate(members[name], rnd)
    return _zip(members)


def entities(data: bytes, rnd: random.Random) -> bytes:
    """A billion-laughs DTD before a part's root, and the entity used in its text."""
    members = _members(data)
    name = _xml_member(members, rnd, rnd.choice(["sharedStrings", "worksheets/", "content.xml", "workbook.xml"]))
    text = members[name].decode("utf-8", "replace")
    text = re.sub(r"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or "") + _LAUGHS, text, count=1)
    text = re.sub(r">([^<>]{1,40})<", ">&i;<", text, count=3)
    members[name] = text.encode("utf-8")
    return _zip(members)


def deep_xml(data: bytes, rnd: random.Random) -> bytes:
    members = _members(data)
    name = _sheet(members, rnd)
    text = members[name].decode("utf-8", "replace")
    depth = rnd.choice([300, 3000, 20000])
    at = text.find("<", text.find("<", text.find("?>") + 2) + 1)
    members[name] = (text[:at] + "<x>" * depth + "</x>" * depth + text[at:]).encode("utf-8")
    return _zip(members)


def huge_spans(data: bytes, rnd: random.Random) -> bytes:
    """Merged ranges and repeats as big as a sheet, and cells at its far corner."""
    members = _members(data)
    name = _sheet(members, rnd)
    text = members[name].decode("utf-8", "replace")
    if "worksheets/" in name:
        far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        text = text.replace("</sheetData>", far + "</sheetData>", 1)
        merge = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
        text = text.replace("</sheetData>", "</sheetData>" + merge, 1) if "<mergeCells" not in text else text
    else:
        text = text.replace("<table:table-row", '<table:table-row table:number-rows-repeated="1048576"', 1)
        text = text.replace("<table:table-cell", '<table:table-cell table:number-columns-repeated="16384"', 1)
    members[name] = text.encode("utf-8")
    return _zip(members)


def bad_references(data: bytes, rnd: random.Random) -> bytes:
    """Cell references malformed or far, shared-string and style indexes that point nowhere."""
    members = _members(data)
    name = _sheet(members, rnd)
    text = members[name].decode("utf-8", "replace")
    choices = [
        (r'r="[A-Z]+[0-9]+"', rnd.choice(['r="1A"', 'r="A0"', 'r="XFE1"', 'r="ZZZZZZZZZ9"', 'r="XFD1048576"', 'r=""'])),
        (r"<v>[0-9]+</v>", rnd.choice(["<v>-1</v>", "<v>99999999</v>", "<v>1e400</v>", "<v>x</v>", "<v></v>"])),
        (r's="[0-9]+"', rnd.choice(['s="9999"', 's="-1"', 's="x"'])),
        (r't="[a-zA-Z]+"', rnd.choice(['t="s"', 't="e"', 't="zz"', 't="d"'])),
    ]
    pattern, replacement = rnd.choice(choices)
    found = list(re.finditer(pattern, text))
    if found:
        match = rnd.choice(found)
        text = text[: match.start()] + replacement + text[match.end() :]
    members[name] = text.encode("utf-8")
    return _zip(members)


# --- HTML


def _html(data: bytes) -> str:
    for encoding in ("utf-8", "cp874"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def deep_html(data: bytes, rnd: random.Random) -> bytes:
    text = _html(data)
    cells = [m.end() for m in re.finditer(r"<td[^>]*>", text)]
    depth = rnd.choice([300, 2500, 20000])
    at = rnd.choice(cells) if cells else 0
    return (text[:at] + "<b>" * depth + "x" + "</b>" * depth + text[at:]).encode("utf-8")


def html_spans(data: bytes, rnd: random.Random) -> bytes:
    text = _html(data)
    span = rnd.choice(['rowspan="1000" colspan="1000"', 'rowspan="0"', 'colspan="99999999999"', 'rowspan="-5"', 'rowspan="65534"'])
    return re.sub(r"<td", f"<td {span}", text, count=rnd.randint(1, 30)).encode("utf-8")


def many_tables(data: bytes, rnd: random.Random) -> bytes:
    text = _html(data)
    return text.replace("</body>", "<table><tr><td>x</td></tr></table>" * rnd.choice([10, 600]) + "</body>").encode("utf-8")


# --- CSV


def line_endings(data: bytes, rnd: random.Random) -> bytes:
    ending = rnd.choice([b"\r", b"\n", b"\r\n", b"\n\r"])
    return data.replace(b"\r\n", b"\n").replace(b"\n", ending)


def reencode(data: bytes, rnd: random.Random) -> bytes:
    for source in ("utf-8-sig", "cp874"):
        try:
            text = data.decode(source)
            break
        except UnicodeDecodeError:
            continue
    else:
        return data
    target = rnd.choice(["utf-16", "utf-16-le", "utf-8-sig", "cp874", "utf-32"])
    try:
        return text.encode(target)
    except UnicodeEncodeError:
        return text.encode("utf-16")


def delimiter_flood(data: bytes, rnd: random.Random) -> bytes:
    at = rnd.randrange(len(data) + 1)
    return data[:at] + rnd.choice([b",", b"\t", b";", b'"']) * rnd.choice([1000, 100_000]) + data[at:]


def stray_bytes(data: bytes, rnd: random.Random) -> bytes:
    at = rnd.randrange(len(data) + 1)
    return data[:at] + rnd.choice([b"\x00", b'"', b"\x1a", b"\xff\xfe"]) * rnd.randint(1, 50) + data[at:]


ANY = {"flip": flip, "truncate": truncate, "insert": insert, "duplicate": duplicate}
ZIP = {
    "drop_member": drop_member, "garble_member": garble_member, "truncate_member": truncate_member,
    "entities": entities, "deep_xml": deep_xml, "huge_spans": huge_spans, "bad_references": bad_references,
}
HTML = {"deep_html": deep_html, "html_spans": html_spans, "many_tables": many_tables}
CSV = {"line_endings": line_endings, "reencode": reencode, "delimiter_flood": delimiter_flood, "stray_bytes": stray_bytes}
MUTATIONS: dict[str, Mutation] = {**ANY, **ZIP, **HTML, **CSV}


def mutations_for(suffix: str, data: bytes) -> list[str]:
    """The mutations that make sense for a file: the generic ones and those of its kind."""
    names = list(ANY)
    if data.startswith(b"PK"):
        names += list(ZIP)
    elif b"<table" in data[:4096].lower():
        names += list(HTML)
    elif suffix in (".csv", ".tsv"):
        names += list(CSV)
    return names
