"""The text of a new ``procdata.toml``: every key with its comment in Thai and English, the values
typed so far written as TOML strings (``procdata init``; the profile form of ``procdata serve`` saves through it)."""

from __future__ import annotations

import re

from procdata.config import DEFAULTS


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string: control characters escaped, as TOML requires, and so are the
    C1 controls and the line and paragraph separators (U+0085, U+2028, U+2029), which TOML allows
    raw but editors and Python's ``splitlines`` take for line breaks."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    escaped = re.sub("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def render_config(values: dict[str, str]) -> str:
    """The text of a commented ``procdata.toml``; keys not given keep ``DEFAULTS`` or a placeholder."""
    v = {**DEFAULTS, **{k: val for k, val in values.items() if val}}

    def q(key: str) -> str:
        return toml_string(v.get(key, ""))

    return f"""\
# procdata.toml: โปรไฟล์หน่วยงาน (agency profile) ของ procdata
# แก้ไขด้วยโปรแกรมแก้ข้อความใดก็ได้ บันทึกเป็น UTF-8 ค่าที่มีเครื่องหมาย * ต้องกรอก
# Edit with any text editor; keys marked * are required. Written by `procdata init`.

[agency]
# * ชื่อหน่วยงานเต็มตามที่ใช้ในเอกสารราชการ (procdata init --name)
name = {q("name")}
# * ประเภทหน่วยงานตามแบบ ITA (--type)
type = {q("type")}
# * กระทรวงที่กำกับ (--ministry)
ministry = {q("ministry")}
# * อำเภอ (--district) และ * จังหวัด (--province) ไม่ต้องเขียนคำว่า อำเภอ/จังหวัด
district = {q("district")}
province = {q("province")}
# เว็บไซต์ อีเมล และโทรศัพท์ที่ติดต่อเรื่องข้อมูล (--website --email --phone; ไม่บังคับ)
website = {q("website")}
email = {q("email")}
phone = {q("phone")}

[publish]
# * เกณฑ์การประเมินที่ใช้: ita-2568 (O12 ปีปัจจุบัน, O13 ปีที่แล้ว) หรือ ita-2569 (--profile)
profile = {q("profile")}
# สัญญาอนุญาตของข้อมูล: CC-BY-4.0 (ค่าเริ่มต้น), CC0-1.0 หรือ ODC-BY-1.0 (--licence)
licence = {q("licence")}
# คำนำหน้า OCID ที่ลงทะเบียนกับ Open Contracting Partnership เช่น ocds-abc123 (ไม่บังคับ; --ocid-prefix)
# ว่างไว้ ocds.json จะใช้ ocds-000000 ซึ่งยังไม่ได้ลงทะเบียน (OCDS prefix; a placeholder when empty)
ocid_prefix = {q("ocid_prefix")}
# ที่อยู่เว็บของโฟลเดอร์ site เมื่ออัปโหลดแล้ว เช่น https://www.example.go.th/ita/2568/ (ไม่บังคับ; --site-url)
# ใช้ใน ocds.json และ ckan.json และเป็นหน้าที่ procdata check-site / procdata status ตรวจ
# (where the site folder is served; used in ocds.json, ckan.json, check-site and status)
site_url = {q("site_url")}
# เลขประจำตัวประชาชนของบุคคลธรรมดา (13 หลัก ไม่ขึ้นต้นด้วย 0) ตาม พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล:
# "mask" ปิดบังเหลือหลักแรกและสามหลักท้าย (ค่าเริ่มต้น) หรือ "full" เผยแพร่เต็ม (--personal-ids)
personal_ids = {q("personal_ids")}

[ckan]
# ข้อมูลสำหรับบัญชีข้อมูล data.go.th (ckan.json) ว่างไว้จะใช้ค่าในวงเล็บ (data.go.th catalogue metadata)
# รหัสหน่วยงานบน data.go.th (owner_org) ตัวพิมพ์เล็ก a-z 0-9 - _ (--ckan-organization)
organization = {q("ckan_organization")}
# ชื่อผู้ติดต่อหรือกลุ่มงาน (ชื่อหน่วยงาน; --maintainer) และอีเมลผู้ติดต่อ (อีเมลของหน่วยงาน; --maintainer-email)
maintainer = {q("maintainer")}
maintainer_email = {q("maintainer_email")}
# วัตถุประสงค์ตามตัวเลือกของ data.go.th (กฎหมายที่เกี่ยวข้อง; --objective) เช่น พันธกิจหน่วยงาน
objective = {q("objective")}
# ขอบเขตเชิงภูมิศาสตร์ตามตัวเลือกของ data.go.th (เทศบาล/อบต.; --geo-coverage) เช่น จังหวัด อำเภอ
geo_coverage = {q("geo_coverage")}

[report]
# ข้อความในรายงานผล O13 ประจำปี (เขียนได้หลายบรรทัดภายใน \"\"\" ... \"\"\") ว่างไว้จะแสดงว่า (รอเขียน)
problems = {q("problems")}
improvements = {q("improvements")}

[workspace]
# โฟลเดอร์ทำงานข้างแฟ้มนี้: วางแฟ้ม สขร.๑ รายเดือนใน inbox แล้วสั่ง procdata status / procdata publish
# (workspace folders beside this file: drop monthly files into inbox; publish writes into out)
inbox = {q("inbox")}
out = {q("out")}
# หมวดงบประมาณที่ระบุเอง (ถ้ามี): CSV สองคอลัมน์ เลขที่โครงการหรือชื่อรายการ, หมวดงบประมาณ (เช่น งบลงทุน)
# ใช้แทนการอนุมานจากชื่อรายการ (the officer's budget categories: project number or item name, category)
categories = {q("categories")}
"""
