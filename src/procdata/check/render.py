"""A validation report for people and machines: plain text, HTML to open and print, and JSON.

Text and HTML group problems by file and sheet, in the report's order (row,
then column), and say for each where it is as Excel shows it, what is wrong
and how to fix it, and the value found. Text shows the first problems of each
code and the counts (``limit``); JSON and HTML hold every problem.

``write_json`` and ``write_html`` stream a report of any size: the problems
are rendered column-wise a slice at a time (:meth:`Problems.columns`) and
written as they are made. They give, byte for byte, what ``report_json`` and
``report_html`` build one problem at a time (tests/test_problems.py).
"""

from __future__ import annotations

import html
import io
import itertools
import json
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from procdata.ahead import in_order
from procdata.check import catalog
from procdata.check.model import Problem, Report
from procdata.check.problems import title
from procdata.check.table import map_distinct
from procdata.check.texts import html_escape, join, json_escape
from procdata.i18n import message
from procdata.model import Resolution
from procdata.normalize import vocab
from procdata.normalize.columns import text_offsets

TEXT_LIMIT = 10  # problems of each code shown in the text report (all with --all)


def report_json(report: Report) -> str:
    """The report as JSON: ``{"valid", "summary", "problems"}`` (built whole; see :func:`write_json`)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def write_json(report: Report, out: BinaryIO) -> None:
    """:func:`report_json`, written to ``out`` a slice of problems at a time."""
    head = json.dumps({"valid": report.valid, "summary": report.summary, "problems": []}, ensure_ascii=False, indent=2)
    found = report.found
    if not len(found):
        out.write((head + "\n").encode("utf-8"))
        return
    out.write((head[: -len("[]\n}")] + "[\n").encode("utf-8"))

    def text(positions: np.ndarray) -> pa.Array:
        column = found.columns(positions, json_escape)
        rows = pc.fill_null(column["row"].cast(pa.large_string()), "null")
        parts: list[pa.Array | str] = [
            ',\n    {\n      "file": "', column["file"], '",\n      "sheet": "', column["sheet"], '",\n      "row": ', rows,
            ',\n      "column": "', column["column"], '",\n      "field": "', column["field"], '",\n      "code": "', column["code"],
            '",\n      "severity": "', column["severity"], '",\n      "message": "', column["message"],
            '",\n      "value": "', column["value"], '"\n    }',
        ]
        return join(parts, len(positions))

    # The next slices' text is built on threads while one is written (Arrow's kernels run without
    # Python's lock): validate of 1M rows each given twice (3 million problems, 1.8 GB of JSON to a
    # file) took 22.3-24.6 s instead of 28.9-29.7 s, 3 runs each in turns.
    for number, texts in enumerate(in_order(text, found.slices())):
        _write(out, texts, skip=2 if number == 0 else 0)
    out.write(b"\n  ]\n}\n")


def _write(out: BinaryIO, texts: pa.Array, skip: int = 0) -> None:
    """The texts end to end, straight from the array's bytes."""
    texts = texts if texts.type == pa.large_string() else texts.cast(pa.large_string())
    offsets = text_offsets(texts)
    data = texts.buffers()[2]
    if data is not None and offsets[-1] > offsets[0] + skip:
        out.write(memoryview(data)[int(offsets[0]) + skip : int(offsets[-1])])


def _groups(problems: list[Problem], lang: str) -> Iterator[tuple[str, list[Problem]]]:
    """Problems by file and sheet, each group under its heading."""
    for (file, sheet), group in itertools.groupby(problems, key=lambda p: (p.file, p.sheet)):
        yield _heading(file, sheet, lang), list(group)


def _heading(file: str, sheet: str, lang: str) -> str:
    if sheet:
        return message("validate_file_sheet", lang, file=file, sheet=sheet)
    return message("validate_file", lang, file=file)


def _where(problem: Problem, lang: str) -> str:
    if problem.row is None:
        if not problem.field:  # about the whole file (a copy of another)
            return message("validate_at_file", lang)
        return message("validate_at_sheet", lang, field=title(problem.field, lang))
    if problem.column and not problem.header and not problem.field:  # a cell of a column with no header
        return message("validate_at_cell_no_header", lang, row=problem.row, column=problem.column)
    if problem.column:
        return message("validate_at_cell", lang, row=problem.row, column=problem.column, header=problem.header)
    return message("validate_at_row", lang, row=problem.row, field=title(problem.field, lang))


def _counts(report: Report, lang: str) -> str:
    summary = report.summary
    return message(
        "validate_summary", lang, files=f"{summary.get('files', 0):,}", records=f"{summary.get('records', 0):,}",
        errors=f"{report.error_count:,}", warnings=f"{report.warning_count:,}",
    )


def resolution_lines(resolutions: list[Resolution], lang: str = "th") -> list[str]:
    """How ambiguous cells were read, one line per sheet, phrase and reading, with the rows."""
    lines = []
    for entry in resolutions:
        term = vocab.term(entry.field, entry.code)
        rows = ", ".join(map(str, entry.rows)) + (" …" if entry.count > len(entry.rows) else "")
        lines.append(message(
            "ingest_resolved", lang, file=entry.file, sheet=entry.sheet or "-", column=entry.column, header=entry.header,
            text=entry.text, count=f"{entry.count:,}", label=term.label(lang) if term else entry.code,
            why=message(f"evidence_{entry.evidence}", lang), rows=rows,
        ))
    return lines


def _resolved(report: Report, lang: str) -> list[str]:
    """How ambiguous cells (e-GP's ระหว่างดำเนินการ) were read: not problems, but said."""
    entries = report.summary.get("resolved") or []
    if not entries:
        return []
    return ["", message("validate_resolved", lang), *resolution_lines([Resolution(**entry) for entry in entries], lang)]


def _verdict(report: Report, lang: str) -> str:
    if report.failures:
        return message("validate_verdict_unreadable", lang, count=len(report.failures))
    if report.error_count:
        return message("validate_verdict_errors", lang)
    if not report.summary.get("records", 1):  # a header and no row: nothing to publish, not "ready"
        return message("validate_verdict_empty", lang)
    if report.warning_count:
        return message("validate_verdict_warnings", lang)
    return message("validate_verdict_ok", lang)


def report_text(report: Report, lang: str = "th", limit: int | None = TEXT_LIMIT) -> str:
    """Problems grouped by file and sheet, two or three lines each: the first ``limit`` of each code
    (all with ``limit=None``), then, when some are left out, how many there are of each code."""
    found = report.found
    codes = found.codes()
    cut = limit is not None and any(count > limit for count in codes.values())
    problems = found.problems(found.first_of_each_code(limit) if cut and limit is not None else None)
    lines = [_counts(report, lang), _verdict(report, lang), *_resolved(report, lang)]
    for heading, group in _groups(problems, lang):
        lines += ["", heading]
        for problem in group:
            severity = catalog.word(problem.severity, lang)
            lines.append(f"  {_where(problem, lang)}: {severity} [{problem.code}]")
            lines.append(f"    {problem.message}")
            if problem.value:
                lines.append("    " + message("validate_value", lang, value=problem.value.replace("\n", " ")))
    if cut:
        lines += ["", message("validate_shown_first", lang, count=limit)]
        for code, count in sorted(codes.items()):
            severity = catalog.word(catalog.check(code).severity, lang)
            lines.append(message("validate_code_count", lang, check=code, severity=severity, count=f"{count:,}"))
    if problems:
        lines += ["", message("validate_explain_hint", lang, check=problems[0].code)]
    return "\n".join(lines) + "\n"


_STYLE = """
body { font-family: "Sarabun", "TH Sarabun New", "Noto Sans Thai", "Leelawadee UI", Tahoma, sans-serif;
       margin: 2rem; color: #1a1a1a; line-height: 1.5; }
h1 { font-size: 1.4rem; margin-bottom: .25rem; }
h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 2px solid #444; }
p.summary { font-size: 1.05rem; margin: .25rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { border: 1px solid #999; padding: .3rem .5rem; vertical-align: top; text-align: left; }
th { background: #eee; }
td.row, td.column { white-space: nowrap; text-align: center; }
td.severity, td.code { white-space: nowrap; }
tr.error td.severity { color: #a00; font-weight: bold; }
tr.warning td.severity { color: #8a5a00; font-weight: bold; }
td.value { font-family: monospace; overflow-wrap: anywhere; min-width: 9em; }
footer { margin-top: 2rem; font-size: .85rem; color: #555; }
@media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
@page { size: A4 landscape; margin: 12mm; }
"""


def _html_head(report: Report, lang: str) -> list[str]:
    e = html.escape
    out = [
        "<!DOCTYPE html>", f'<html lang="{e(lang)}">', "<head>", '<meta charset="utf-8">',
        f"<title>{e(message('validate_report_title', lang))}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        f"<h1>{e(message('validate_report_title', lang))}</h1>",
        f'<p class="summary">{e(_counts(report, lang))}</p>', f'<p class="summary">{e(_verdict(report, lang))}</p>',
    ]
    out += [f'<p class="summary">{e(failure["message"])}</p>' for failure in report.failures]
    return out


def _html_table_head(heading: str, lang: str) -> list[str]:
    e = html.escape
    headers = message("validate_report_columns", lang).split("|")
    return [f"<h2>{e(heading)}</h2>", "<table>", "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr></thead>", "<tbody>"]


def _html_foot(lang: str) -> list[str]:
    from procdata import __version__

    return [f"<footer>{html.escape(message('validate_report_footer', lang, version=__version__))}</footer>", "</body>", "</html>"]


def report_html(report: Report, lang: str = "th") -> str:
    """A self-contained page (no external resources; every text escaped) to open and print (built whole;
    see :func:`write_html`)."""
    e = html.escape
    out = _html_head(report, lang)
    for heading, problems in _groups(report.problems, lang):
        out += _html_table_head(heading, lang)
        for p in problems:
            cells = [
                ("row", "" if p.row is None else str(p.row)), ("column", p.column), ("header", p.header or title(p.field, lang)),
                ("severity", catalog.word(p.severity, lang)), ("message", p.message), ("value", p.value), ("code", p.code),
            ]
            out.append(f'<tr class="{e(p.severity)}">' + "".join(f'<td class="{k}">{e(v)}</td>' for k, v in cells) + "</tr>")
        out += ["</tbody>", "</table>"]
    out += _html_foot(lang)
    return "\n".join(out) + "\n"


def write_html(report: Report, out: BinaryIO, lang: str = "th") -> None:
    """:func:`report_html`, written to ``out`` a slice of problems at a time."""
    out.write(("\n".join(_html_head(report, lang)) + "\n").encode("utf-8"))
    found = report.found

    def head(place: tuple[str, str], before: tuple[str, str] | None) -> str:
        """The table head of a file or sheet, and the end of the one before."""
        lines = ["</tbody>", "</table>"] if before is not None else []
        return "\n".join(lines + _html_table_head(_heading(*place, lang), lang)) + "\n"

    def rows(positions: np.ndarray) -> tuple[tuple[str, str], tuple[str, str], pa.Array]:
        """The slice's rows, each row that starts another file or sheet after its first with the
        head before it; the first row's head is the writer's (it follows the slice before)."""
        raw = found.columns(positions)
        column = {name: html_escape(array) if name != "row" else array for name, array in raw.items()}
        size = len(positions)
        places = list(zip(raw["file"].to_pylist(), raw["sheet"].to_pylist(), strict=True))
        starts: list[str | None] = [None] * size
        for at in range(1, size):
            if places[at] != places[at - 1]:
                starts[at] = head(places[at], places[at - 1])
        header = pc.if_else(pc.equal(pc.binary_length(raw["header"]), 0), map_distinct(raw["field"], lambda f: title(f, lang)), raw["header"])
        parts: list[pa.Array | str] = [
            pc.fill_null(pa.array(starts, pa.large_string()), ""), '<tr class="', column["severity"], '"><td class="row">',
            pc.fill_null(raw["row"].cast(pa.large_string()), ""), '</td><td class="column">', column["column"],
            '</td><td class="header">', html_escape(header), '</td><td class="severity">',
            html_escape(map_distinct(raw["severity"], lambda s: catalog.word(s, lang))), '</td><td class="message">',
            column["message"], '</td><td class="value">', column["value"], '</td><td class="code">', column["code"], "</td></tr>\n",
        ]
        return places[0], places[-1], join(parts, size)

    last: tuple[str, str] | None = None
    for first, final, texts in in_order(rows, found.slices()):  # the next slices built on threads
        if first != last:
            out.write(head(first, last).encode("utf-8"))
        _write(out, texts)
        last = final
    if last is not None:
        out.write(b"</tbody>\n</table>\n")
    out.write(("\n".join(_html_foot(lang)) + "\n").encode("utf-8"))


def rendered(write: object, report: Report, *args: object) -> str:
    """What a ``write_*`` function writes, as text (for tests and small reports)."""
    buffer = io.BytesIO()
    write(report, buffer, *args)  # type: ignore[operator]
    return buffer.getvalue().decode("utf-8")
