"""Zip files that are byte-identical from run to run: fixed timestamps and permissions."""

from __future__ import annotations

import datetime as dt
import io
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo


def _info(name: str, when: dt.datetime) -> ZipInfo:
    info = ZipInfo(name, date_time=(max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second))
    info.compress_type = ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # Unix, whatever system writes it
    return info


def make_zip(entries: list[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """A zip of ``(name, content)`` entries, in the order given, every entry dated ``when``."""
    buffer = io.BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED) as archive:
        for name, content in entries:
            archive.writestr(_info(name, when), content, compresslevel=9)
    return buffer.getvalue()


def rezip(content: bytes, when: dt.datetime, *, sort: bool = True) -> bytes:
    """The same zip with every entry dated ``when`` (and sorted by name when ``sort``)."""
    with ZipFile(io.BytesIO(content)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    if sort:
        entries.sort()
    return make_zip(entries, when)


def workbook_bytes(book: object, when: dt.datetime) -> bytes:
    """An openpyxl workbook as .xlsx bytes that depend only on its content and ``when``.

    openpyxl's own save stamps the current time into the properties and the
    zip entries; this writes through its ExcelWriter and fixes both.
    """
    from openpyxl.writer.excel import ExcelWriter

    book.properties.created = book.properties.modified = when  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return rezip(buffer.getvalue(), when, sort=False)
