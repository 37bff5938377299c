"""The agency's web page (index.html) and the annual report page, self-contained and in Thai.

Every piece of text from the data passes through :func:`html.escape`; styles
and the small table script are inline and pinned by hash in a
Content-Security-Policy, so the page loads nothing from the network and runs
no script but its own.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from html import escape
from importlib import resources
from string import Template

import pandas as pd

from procdata import __version__
from procdata.config import Config, safe_link
from procdata.i18n import be_date, number
from procdata.profiles import CriteriaProfile, licences
from procdata.publish.charts import bar_chart
from procdata.publish.formats import NO, YES
from procdata.publish.model import Cell, Table
from procdata.publish.privacy import Masker
from procdata.publish.summary import Group, Summary
from procdata.publish.xlsx import month_label

# Columns the web table leaves out: the same on every row, or bookkeeping.
HIDDEN = {
    "agency_type", "agency_ministry", "agency_name", "agency_district", "agency_province",
    "fiscal_year", "investment_basis", "status_basis", "ocid",
}
NUMERIC = {"number", "integer"}
WIDTHS = {"item_name": "text wide", "winner_name": "text mid", "winner": "text mid", "bidders": "text wide", "contract": "text mid"}
METHOD_CHART = "มูลค่าตามราคาที่ตกลงของแต่ละวิธีการ (บาท)"
CATEGORY_CHART = "มูลค่าตามราคาที่ตกลงของแต่ละหมวดงบประมาณ (บาท)"
PENDING = '<p class="pending">(รอเขียน)</p><p class="note">กรอกข้อความในแฟ้ม procdata.toml หัวข้อ [report] ค่า {key} แล้วสั่ง procdata publish อีกครั้ง</p>'


@dataclass(frozen=True)
class Site:
    """What every page shares."""

    config: Config
    profile: CriteriaProfile
    fiscal_year: int
    as_of: dt.date
    masked: int


def template(name: str) -> str:
    return (resources.files("procdata") / "templates" / name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _shown(value: Cell, kind: str, key: str = "") -> str:
    if value is None:
        return ""
    if key == "report_month":
        return month_label(str(value))
    if kind == "number":
        return number(value)  # type: ignore[arg-type]
    if kind == "date":
        return be_date(value)  # type: ignore[arg-type]
    if kind == "boolean":
        return YES if value else NO
    return str(value)


def _sort_key(value: Cell, kind: str) -> str:
    if value is None:
        return ""
    if kind == "boolean":
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def basis_note(summary: Summary) -> str:
    """Where the items' budget categories came from, and how many were inferred from their names."""
    parts = [f"หมวดงบประมาณ: ระบุในแฟ้มต้นฉบับ {summary.declared_items:,} รายการ"]
    if summary.override_items:
        parts.append(f"ระบุในแฟ้มหมวดงบประมาณของหน่วยงาน {summary.override_items:,} รายการ")
    parts.append(f"อนุมานจากชื่อรายการตามการจำแนกรายจ่ายของกรมส่งเสริมการปกครองท้องถิ่น {summary.inferred_items:,} รายการ"
                 " (ดูคอลัมน์ที่มาของหมวดงบประมาณ)")
    if summary.unknown_items:
        parts.append(f"ไม่ทราบ {summary.unknown_items:,} รายการ")
    return " · ".join(parts)


def figure(value: str, label: str) -> str:
    return f'<div class="figure"><div class="value">{escape(value)}</div><div class="label">{escape(label)}</div></div>'


def headline(summary: Summary, note: str = "") -> str:
    return "\n".join([
        figure(f"{summary.items:,}", "โครงการทั้งหมด" + note),
        figure(number(summary.budget), "วงเงินงบประมาณรวม (บาท)"),
        figure(number(summary.agreed), "ราคาที่ตกลงซื้อหรือจ้างรวม (บาท)"),
        figure(f"{summary.investment_items:,}", f"รายการงบลงทุน วงเงิน {number(summary.investment_budget)} บาท"),
        figure(number(summary.savings), f"ผลต่างวงเงินกับราคาที่ตกลง (บาท) {summary.savings_rate:.1%}"),
    ])


def _common(site: Site, title: str) -> dict[str, str]:
    agency = site.config.agency
    css = template("page.css")
    licence = licences().get(site.config.licence, {"title": site.config.licence, "path": ""})
    link, mail = safe_link(agency.website), safe_link(f"mailto:{agency.email}") if agency.email else ""
    email = f'<a href="{escape(mail)}">{escape(agency.email)}</a>' if mail else escape(agency.email)
    contact = " · ".join(v for v in (email, escape(agency.phone)) if v)
    website = f' · <a href="{escape(link)}">{escape(agency.website)}</a>' if link else ""
    privacy = (
        f"เลขประจำตัวประชาชนของบุคคลธรรมดาถูกปิดบัง {site.masked:,} รายการ ตาม พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562"
        if site.masked else "ไม่พบเลขประจำตัวประชาชนของบุคคลธรรมดาที่ต้องปิดบัง"
    )
    footer = (
        f'<p>สัญญาอนุญาต: <a href="{escape(licence["path"])}" rel="license">{escape(licence["title"])}</a> · '
        f"ที่มา: {escape(agency.name)}{website}{' · ติดต่อ ' + contact if contact else ''}</p>"
        f"<p>{escape(privacy)}</p>"
        f"<p>จัดทำด้วย procdata {escape(__version__)} ตามเกณฑ์ {escape(site.profile.title)}</p>"
    )
    return {
        "title": escape(title), "css": css, "style_hash": _hash(css), "version": escape(__version__),
        "agency_line": escape(f"{agency.name} อำเภอ{agency.district} จังหวัด{agency.province} · {agency.ministry}"),
        "as_of_line": escape(f"ข้อมูล ณ วันที่ {be_date(site.as_of)}"), "footer": footer,
    }


def _items_table(table: Table) -> tuple[str, str]:
    shown = [(i, c) for i, c in enumerate(table.columns) if c.value not in HIDDEN]
    head = ['<th scope="col" data-type="number"><button type="button">ที่</button></th>']
    for _, column in shown:
        kind = "number" if column.type in NUMERIC else "text"
        head.append(f'<th scope="col" data-type="{kind}"><button type="button">{escape(column.header)}</button></th>')
    investment = table.records["is_investment"].tolist()
    body = []
    for position, (row, invest) in enumerate(zip(table.rows, investment, strict=True), start=1):
        cells = [f'<td class="num" data-sort="{position}">{position}</td>']
        for index, column in shown:
            value = row[index]
            text = escape(_shown(value, column.type, column.value))
            if column.value in ("item_name",) and invest is True:
                text += '<span class="badge">งบลงทุน</span>'
            css = "num" if column.type in NUMERIC or column.type == "date" else WIDTHS.get(column.value, "text")
            # Text sorts by what is shown; only numbers, dates, yes/no and marked names need a key of their own.
            key = "" if column.type == "string" and text == escape(str(value or "")) else (
                f' data-sort="{escape(_sort_key(value, column.type))}"')
            cells.append(f'<td class="{css}"{key}>{text}</td>')
        opening = '<tr class="investment">' if invest is True else "<tr>"
        body.append(opening + "".join(cells) + "</tr>")
    return "".join(head), "\n".join(body)


def _dictionary(tables: list[Table]) -> str:
    kinds = {"string": "ข้อความ", "number": "จำนวนเงิน (บาท)", "integer": "จำนวนเต็ม", "date": "วันที่", "boolean": "ใช่/ไม่ใช่"}
    parts = []
    for table in tables:
        rows = "".join(
            f"<tr><td>{escape(c.header)}</td><td>{kinds[c.type]}</td><td>{escape(c.description)}"
            f"{' <em>(คอลัมน์เพิ่มเติมของ procdata)</em>' if c.extra else ''}</td></tr>"
            for c in table.columns
        )
        parts.append(
            f"<h3>{escape(table.spec.indicator)} {escape(table.title())} ({escape(table.spec.id)}.csv)</h3>"
            f'<div class="scroll"><table><thead><tr><th>คอลัมน์</th><th>ชนิด</th><th>ความหมาย</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
        )
    return "\n".join(parts)


def _group_bars(groups: list[Group], by: str) -> list[tuple[str, float, str]]:
    return [(g.label, getattr(g, by), number(getattr(g, by))) for g in groups if getattr(g, by) > 0]


def index_page(site: Site, main: Table, summary: Summary, tables: list[Table], downloads: list[tuple[str, list[tuple[str, str]]]]) -> bytes:
    """index.html: headline figures, charts, the searchable table of the main dataset, downloads, dictionary."""
    title = f"ข้อมูลการจัดซื้อจัดจ้าง ปีงบประมาณ พ.ศ. {site.fiscal_year}"
    script = template("table.js")
    head, rows = _items_table(main)
    titles = ("วงเงินงบประมาณตามวิธีการจัดซื้อจัดจ้าง (บาท)", "วงเงินงบประมาณตามหมวดงบประมาณ (บาท)")
    charts = [
        (titles[0], bar_chart(titles[0], _group_bars(summary.by_method, "budget"))),
        (titles[1], bar_chart(titles[1], _group_bars(summary.by_category, "budget"))),
    ]
    links = []
    for label, files in downloads:
        anchors = " · ".join(f'<a href="{escape(name)}" download>{escape(kind)}</a>' for kind, name in files)
        links.append(f"<li>{escape(label)}: {anchors}</li>")
    note = main.spec.description.format(fiscal_year=main.fiscal_year, as_of=be_date(site.as_of))
    if len(main.rows) < main.available:
        note += f" (แสดง {len(main.rows):,} จาก {main.available:,} รายการ)"
    note += " " + basis_note(summary)
    values = {
        **_common(site, title),
        "profile_line": escape(f"{main.spec.indicator} {main.title()} · เกณฑ์ {site.profile.title}"),
        "figures": headline(summary), "script": script, "script_hash": _hash(script),
        "charts": "\n".join(f'<div class="panel"><h3>{escape(t)}</h3>{c}</div>' for t, c in charts if c),
        "items_title": escape(f"{main.spec.indicator} {main.title()}"), "items_note": escape(note),
        "row_count": f"{len(main.rows):,}", "table_head": head, "table_rows": rows,
        "downloads": "\n".join(links), "dictionary": _dictionary(tables),
    }
    return Template(template("index.html")).substitute(values).encode("utf-8")


def _group_table(groups: list[Group], first: str, summary: Summary) -> str:
    head = (f"<tr><th>{escape(first)}</th><th>จำนวน (รายการ)</th><th>วงเงินงบประมาณ (บาท)</th>"
            "<th>ราคาที่ตกลงซื้อหรือจ้าง (บาท)</th><th>ผลต่าง (บาท)</th><th>สัดส่วนตามมูลค่า</th></tr>")
    rows = [
        f'<tr><td>{escape(g.label)}</td><td class="num">{g.items:,}</td><td class="num">{number(g.budget)}</td>'
        f'<td class="num">{number(g.agreed)}</td><td class="num">{number(g.savings)}</td><td class="num">{g.share:.1%}</td></tr>'
        for g in groups
    ]
    rows.append(
        f'<tr><th>รวม</th><th class="num">{summary.items:,}</th><th class="num">{number(summary.budget)}</th>'
        f'<th class="num">{number(summary.agreed)}</th><th class="num">{number(summary.savings)}</th>'
        f'<th class="num">{1 if summary.agreed else 0:.0%}</th></tr>'
    )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _paragraphs(text: str, key: str) -> str:
    if not text.strip():
        return PENDING.format(key=key)
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "\n".join("<p>" + escape(b).replace("\n", "<br>") + "</p>" for b in blocks)


def _investment_table(records: pd.DataFrame, masker: Masker) -> str:
    chosen = records[records["is_investment"].eq(True).fillna(False).to_numpy(dtype=bool)]
    if chosen.empty:
        return "<p>ไม่มีรายการงบลงทุนในปีงบประมาณนี้</p>"
    from procdata.normalize import vocab

    head = ("<tr><th>ที่</th><th>ชื่อรายการ</th><th>วงเงินงบประมาณ (บาท)</th><th>วิธีการ</th><th>ผู้ได้รับการคัดเลือก</th>"
            "<th>ราคาที่ตกลง (บาท)</th><th>ผลต่าง (บาท)</th><th>สถานะ</th></tr>")
    rows = []
    for position, r in enumerate(chosen.itertuples(index=False), start=1):
        method = vocab.term("method", r.method) if isinstance(r.method, str) else None
        status = vocab.term("status", r.status) if isinstance(r.status, str) else None
        budget = None if pd.isna(r.budget_amount) else float(r.budget_amount)
        agreed = None if pd.isna(r.agreed_price) else float(r.agreed_price)
        gap = budget - agreed if budget is not None and agreed is not None and r.status != "cancelled" else None
        name = masker.text(r.item_name if isinstance(r.item_name, str) else "")[0] or ""
        winner = masker.text(r.winner_name if isinstance(r.winner_name, str) else "")[0] or ""
        rows.append(
            f'<tr><td class="num">{position}</td><td class="text">{escape(name)}</td><td class="num">{number(budget)}</td>'
            f"<td>{escape(method.label('th') if method else '')}</td><td>{escape(winner)}</td>"
            f'<td class="num">{number(agreed)}</td><td class="num">{number(gap)}</td>'
            f"<td>{escape(status.label('th') if status else '')}</td></tr>"
        )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def report_page(site: Site, table: Table, records: pd.DataFrame, summary: Summary, masker: Masker) -> bytes:
    """The annual report: totals by method and category, investment items, savings, problems, improvements."""
    title = f"{table.spec.indicator} {table.title()}"
    savings = (
        f"ในปีงบประมาณ พ.ศ. {table.fiscal_year} มีรายการที่ทราบทั้งวงเงินงบประมาณและราคาที่ตกลง (ไม่นับรายการที่ยกเลิก) "
        f"{summary.compared:,} รายการ วงเงินงบประมาณรวม {number(summary.compared_budget)} บาท "
        f"ราคาที่ตกลงรวม {number(summary.compared_budget - summary.savings)} บาท "
        f"ต่ำกว่าวงเงิน {number(summary.savings)} บาท คิดเป็นร้อยละ {summary.savings_rate * 100:.2f} ของวงเงินงบประมาณ"
    )
    values = {
        **_common(site, title),
        "figures": headline(summary),
        "by_method": _group_table(summary.by_method, "วิธีการจัดซื้อจัดจ้าง", summary),
        "method_chart_title": escape(METHOD_CHART), "category_chart_title": escape(CATEGORY_CHART),
        "method_chart": bar_chart(METHOD_CHART, _group_bars(summary.by_method, "agreed")),
        "by_category": _group_table(summary.by_category, "หมวดงบประมาณ", summary),
        "category_chart": bar_chart(CATEGORY_CHART, _group_bars(summary.by_category, "agreed")),
        "investment_note": escape(
            f"{summary.investment_items:,} รายการ วงเงินงบประมาณรวม {number(summary.investment_budget)} บาท " + basis_note(summary),
        ),
        "investment": _investment_table(records, masker),
        "savings_text": escape(savings),
        "problems": _paragraphs(site.config.problems, "problems"),
        "improvements": _paragraphs(site.config.improvements, "improvements"),
    }
    return Template(template("report.html")).substitute(values).encode("utf-8")
