"""Reading a web page as the assessor does: its links to procurement data, their counts, its as-of date.

No JavaScript is run: what counts is in the HTML. A link is a data link when its
file is one procdata writes (``o12.csv``, ``datapackage.json``, ...) or when it
has a data extension and procurement words in its text or address
(``data/sitecheck.toml``); procurement links to PDFs or pictures are kept too, to
be reported as not machine-readable.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urldefrag, urlsplit

from procdata.normalize.dates import parse_date
from procdata.normalize.text import fold
from procdata.resources import data

_COUNT = re.compile(r"\(([0-9][0-9,]*) รายการ\)")
_AS_OF = re.compile(r"ข้อมูล\s*ณ\s*วันที่\s*((?:\S+\s*){1,4})")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # lxml refuses them in text and attributes
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title")


@dataclass(frozen=True)
class Link:
    url: str  # absolute, without fragment
    text: str  # the link's own text
    context: str  # the text around it (its list item or table row)
    name: str  # the file name, decoded
    ext: str  # its extension, lower case, without the dot

    @property
    def count(self) -> int | None:
        """The record count the page gives beside the link, e.g. ``(14 รายการ)``."""
        found = _COUNT.search(self.context)
        return int(found.group(1).replace(",", "")) if found else None


@dataclass
class Page:
    url: str
    links: list[Link] = field(default_factory=list)
    generator: str = ""
    as_of: dt.date | None = None
    title: str = ""


def looks_like_html(body: bytes) -> bool:
    """An HTML document (such as a "not found" page), whatever the address or the status said."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_HTML_START) or b"<html" in head[:512]


def file_name(url: str) -> str:
    return unquote(PurePosixPath(urlsplit(url).path).name)


def decode(body: bytes, charset: str = "") -> str:
    """HTML as text: the charset the server or the page declares, else UTF-8, else Thai Windows (cp874)."""
    declared = _META_CHARSET.search(body[:4096])
    for encoding in (charset, declared.group(1).decode("ascii", "ignore") if declared else "", "utf-8", "cp874"):
        if not encoding:
            continue
        try:
            return body.decode(encoding.strip().lower().replace("tis-620", "cp874"))
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")


def parse_page(url: str, body: bytes, charset: str = "") -> Page:
    """The links (absolute), the generator and the as-of date of an HTML page at ``url``."""
    import lxml.html
    from lxml.etree import ParserError

    page = Page(url)
    text = _CONTROL.sub("", _XML_DECLARATION.sub("", decode(body, charset), count=1))
    try:
        document = lxml.html.document_fromstring(text)
    except (ParserError, ValueError):
        return page
    document.make_links_absolute(url, resolve_base_href=True, handle_failures="discard")
    generator = document.xpath("//meta[@name='generator']/@content")
    page.generator = str(generator[0]) if generator else ""
    page.title = " ".join((document.findtext(".//title") or "").split())
    seen = set()
    for anchor in document.xpath("//a[@href]"):
        href = urldefrag(str(anchor.get("href") or "")).url
        if not href.startswith(("http://", "https://")) or href in seen:
            continue
        seen.add(href)
        holder = next((a for a in anchor.iterancestors() if a.tag in ("li", "tr", "p", "td", "div")), anchor)
        name = file_name(href)
        ext = name.rsplit(".", 1)[1].lower() if "." in name else ""
        page.links.append(Link(href, _one_line(anchor.text_content()), _one_line(holder.text_content()), name, ext))
    page.as_of = _as_of(_one_line(" ".join(document.itertext())))
    return page


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _as_of(text: str) -> dt.date | None:
    """The date after "ข้อมูล ณ วันที่" (as procdata's page and many agencies write it)."""
    found = _AS_OF.search(text)
    if not found:
        return None
    words = found.group(1).split()
    for size in (3, 4, 2, 1):  # "30 มิ.ย. 2568", "30 มิถุนายน พ.ศ. 2568", "30/06/2568"
        candidate = " ".join(w for w in words[:size] if w not in ("พ.ศ.", "พ.ศ"))
        try:
            day = parse_date(candidate)
        except ValueError:
            continue
        if day is not None:
            return day
    return None


def _words() -> dict[str, list[str]]:
    return data("sitecheck")["links"]


def mentions(text: str, words: list[str]) -> bool:
    folded = fold(text)
    return any(fold(word) in folded for word in words)


def role(link: Link, dataset_ids: set[str]) -> str:
    """``dataset``, ``package``, ``data`` (another data file), ``document``, ``page`` or ``""``."""
    words = _words()
    stem = link.name.rsplit(".", 1)[0].lower() if "." in link.name else ""
    about = f"{link.text} {link.name}"
    if link.ext in ("csv", "xlsx", "json") and stem in dataset_ids:
        return "dataset"
    if link.name.lower() in words["package_files"]:
        return "package"
    if link.ext in words["data_extensions"] and mentions(about, words["keywords"]):
        return "data"
    if link.ext in words["document_extensions"] and mentions(about, words["keywords"]):
        return "document"
    if link.ext in ("", "html", "htm", "php", "asp", "aspx", "jsp") and mentions(
            f"{link.text} {link.url}", words["page_keywords"]):
        return "page"
    return ""
