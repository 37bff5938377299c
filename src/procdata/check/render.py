"""A validation report for people: plain text for the terminal, HTML to open and print.

Both group problems by file and sheet, in the report's order (row, then
column), and say for each where it is as Excel shows it, what is wrong and
how to fix it, and the value found.
"""

from __future__ import annotations

import html
import itertools
import json
from collections.abc import Iterator

from procdata.check import catalog
from procdata.check.model import Problem, Report
from procdata.check.validate import title
from procdata.i18n import message
from procdata.model import Resolution
from procdata.normalize import vocab


def report_json(report: Report) -> str:
    """The report as JSON: ``{"valid", "summary", "problems"}``."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _groups(report: Report, lang: str) -> Iterator[tuple[str, list[Problem]]]:
    """Problems by file and sheet, each group under its heading."""
    for (file, sheet), problems in itertools.groupby(report.problems, key=lambda p: (p.file, p.sheet)):
        if sheet:
            yield message("validate_file_sheet", lang, file=file, sheet=sheet), list(problems)
        else:
            yield message("validate_file", lang, file=file), list(problems)


def _where(problem: Problem, lang: str) -> str:
    if problem.row is None:
        return message("validate_at_sheet", lang, field=title(problem.field, lang))
    if problem.column:
        return message("validate_at_cell", lang, row=problem.row, column=problem.column, header=problem.header)
    return message("validate_at_row", lang, row=problem.row, field=title(problem.field, lang))


def _counts(report: Report, lang: str) -> str:
    summary = report.summary
    return message(
        "validate_summary", lang, files=f"{summary.get('files', 0):,}", records=f"{summary.get('records', 0):,}",
        errors=f"{len(report.errors):,}", warnings=f"{len(report.warnings):,}",
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
    if report.errors:
        return message("validate_verdict_errors", lang)
    if report.warnings:
        return message("validate_verdict_warnings", lang)
    return message("validate_verdict_ok", lang)


def report_text(report: Report, lang: str = "th") -> str:
    """Problems grouped by file and sheet; two or three lines each."""
    lines = [_counts(report, lang), _verdict(report, lang), *_resolved(report, lang)]
    for heading, problems in _groups(report, lang):
        lines += ["", heading]
        for problem in problems:
            severity = catalog.word(problem.severity, lang)
            lines.append(f"  {_where(problem, lang)}: {severity} [{problem.code}]")
            lines.append(f"    {problem.message}")
            if problem.value:
                lines.append("    " + message("validate_value", lang, value=problem.value.replace("\n", " ")))
    if report.problems:
        lines += ["", message("validate_explain_hint", lang, check=report.problems[0].code)]
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


def report_html(report: Report, lang: str = "th") -> str:
    """A self-contained page (no external resources; every text escaped) to open and print."""
    from procdata import __version__

    e = html.escape
    headers = message("validate_report_columns", lang).split("|")
    out = [
        "<!DOCTYPE html>", f'<html lang="{e(lang)}">', "<head>", '<meta charset="utf-8">',
        f"<title>{e(message('validate_report_title', lang))}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        f"<h1>{e(message('validate_report_title', lang))}</h1>",
        f'<p class="summary">{e(_counts(report, lang))}</p>', f'<p class="summary">{e(_verdict(report, lang))}</p>',
    ]
    for failure in report.failures:
        out.append(f'<p class="summary">{e(failure["message"])}</p>')
    for heading, problems in _groups(report, lang):
        out += [f"<h2>{e(heading)}</h2>", "<table>", "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr></thead>", "<tbody>"]
        for p in problems:
            cells = [
                ("row", "" if p.row is None else str(p.row)), ("column", p.column), ("header", p.header or title(p.field, lang)),
                ("severity", catalog.word(p.severity, lang)), ("message", p.message), ("value", p.value), ("code", p.code),
            ]
            out.append(f'<tr class="{e(p.severity)}">' + "".join(f'<td class="{k}">{e(v)}</td>' for k, v in cells) + "</tr>")
        out += ["</tbody>", "</table>"]
    out += [f"<footer>{e(message('validate_report_footer', lang, version=__version__))}</footer>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
