"""Workbooks written byte by byte, for tests that need what no library writes:
damaged parts, references that point nowhere, hostile sizes and shapes.

``xlsx`` writes an Office Open XML workbook from sheet XML bodies; ``ods`` an
OpenDocument spreadsheet from table XML; ``cell`` and ``row`` build the XML of
ordinary cells. Nothing here validates: a test can write any XML it likes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from procdata.read.grid import column_letter

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}"
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="d/mm/yyyy"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)


def cell(ref: str, value: object, *, style: int | None = None) -> str:
    """One ``<c>``: numbers as numbers, text inline (no shared strings needed)."""
    s = f' s="{style}"' if style is not None else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def row(number: int, values: Sequence[object], *, attrs: str = "") -> str:
    """A ``<row>`` of cells from column A; ``None`` leaves a cell out."""
    cells = "".join(cell(f"{column_letter(c)}{number}", v) for c, v in enumerate(values) if v is not None)
    return f'<row r="{number}"{(" " + attrs) if attrs else ""}>{cells}</row>'


def rows(values: Iterable[Sequence[object]], *, first: int = 1, hidden: Iterable[int] = ()) -> str:
    """Rows from row ``first``; rows whose number is in ``hidden`` carry ``hidden="1"``."""
    hide = set(hidden)
    return "".join(
        row(n, vals, attrs='hidden="1"' if n in hide else "") for n, vals in enumerate(values, start=first)
    )


def sheet_xml(data: str, *, merges: Sequence[str] = (), extra: str = "", dimension: str | None = None) -> str:
    """A worksheet part around ``<sheetData>`` content."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merged = (
        f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
        if merges else ""
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"{dim}<sheetData>{data}</sheetData>{merged}{extra}</worksheet>"
    )


def shared_strings(strings: Sequence[str]) -> str:
    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )


def xlsx(
    sheets: dict[str, str], *, strings: Sequence[str] = (), styles: str = _STYLES,
    replace: dict[str, bytes | str | None] | None = None,
) -> bytes:
    """The bytes of an .xlsx whose sheets have these worksheet XMLs (see :func:`sheet_xml`).

    ``replace`` swaps a part's bytes by name, or drops the part (``None``), after the rest is built.
    """
    entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(sheets, start=1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<sheets>{entries}</sheets></workbook>"
    )
    count = len(sheets)
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        )
        + f'<Relationship Id="rId{count + 1}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        + f'<Relationship Id="rId{count + 2}" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    parts: dict[str, bytes | str | None] = {
        "[Content_Types].xml": _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, count + 1))),
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": rels,
        "xl/sharedStrings.xml": shared_strings(strings),
        "xl/styles.xml": styles,
    }
    for n, body in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = body
    parts.update(replace or {})
    return _zip(parts)


def ods(tables: str, *, replace: dict[str, bytes | str | None] | None = None) -> bytes:
    """The bytes of an .ods whose ``<office:spreadsheet>`` holds ``tables`` (``<table:table>`` XML)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    parts: dict[str, bytes | str | None] = {
        "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
        "META-INF/manifest.xml": manifest,
        "content.xml": content,
    }
    parts.update(replace or {})
    return _zip(parts)


def ods_table(name: str, values: Iterable[Sequence[object]]) -> str:
    """A ``<table:table>`` of text and number cells."""
    out = [f'<table:table table:name="{escape(name)}">']
    for vals in values:
        out.append("<table:table-row>")
        for value in vals:
            if value is None:
                out.append("<table:table-cell/>")
            elif isinstance(value, int | float):
                out.append(f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>')
            else:
                paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
                out.append(f'<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>')
        out.append("</table:table-row>")
    out.append("</table:table>")
    return "".join(out)


def _zip(parts: dict[str, bytes | str | None]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            if body is None:
                continue
            archive.writestr(zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0)), body.encode("utf-8") if isinstance(body, str) else body)
    return buffer.getvalue()
