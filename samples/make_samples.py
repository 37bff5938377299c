"""Generate procdata's realistic sample inputs and broken-file fixtures.

Run ``python samples/make_samples.py``. Writes into ``samples/`` (next to this
file) and ``tests/fixtures/``. Output is deterministic: running it twice gives
byte-identical files (fixed zip timestamps, fixed document properties, seeded
"randomness").

The agency is fictional: องค์การบริหารส่วนตำบลหนองบัว, อำเภอเมืองขอนแก่น,
จังหวัดขอนแก่น. All firms, people and identifiers are invented.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "tests" / "fixtures"
BROKEN = FIXTURES / "broken"
FIXED_DT = dt.datetime(2025, 1, 1)
ZIP_TIME = (2025, 1, 1, 0, 0, 0)

AGENCY = "องค์การบริหารส่วนตำบลหนองบัว"
DISTRICT, PROVINCE = "เมืองขอนแก่น", "ขอนแก่น"
AGENCY_LINE = f"{AGENCY} อำเภอ{DISTRICT} จังหวัด{PROVINCE}"

# --------------------------------------------------------------------------- helpers
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
MONTH_ABBR = ["", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
              "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
MONTH_FULL = ["", "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
              "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]


def th(text: str) -> str:
    """ASCII digits to Thai digits."""
    return text.translate(THAI_DIGITS)


def money(x: float) -> str:
    return f"{x:,.2f}"


def d_short(d: dt.date, two_digit: bool = False) -> str:
    """``7 ต.ค. 2567`` or ``7 ต.ค. 67``."""
    year = d.year + 543
    return f"{d.day} {MONTH_ABBR[d.month]} {year % 100 if two_digit else year}"


def d_slash(d: dt.date | None) -> str:
    """``07/10/2567`` (BE), as e-GP and the O12 template write dates."""
    return "" if d is None else f"{d.day:02d}/{d.month:02d}/{d.year + 543}"


def tax_id(first12: str) -> str:
    """Append the check digit: (11 - sum(d_i * (14 - i)) mod 11) mod 10."""
    assert len(first12) == 12 and first12.isdigit()
    total = sum(int(c) * (13 - i) for i, c in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


# Winners that appear in O12 / e-GP need a taxpayer ID. Only ร้านเจริญพาณิชย์ is a
# natural person (owned by นายสมชาย เจริญสุข): its ID is a citizen ID (PDPA).
FIRMS = {
    "หจก.สมบูรณ์ก่อสร้าง": tax_id("040355300123"),
    "หจก.ขอนแก่นรุ่งเรืองการโยธา": tax_id("040355500871"),
    "บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด": tax_id("040555800342"),
    "ร้านเจริญพาณิชย์": tax_id("340990012345"),
    "สหกรณ์โคนมขอนแก่น จำกัด": tax_id("099300017654"),
    "หจก.หนองบัวเครื่องเขียน": tax_id("040356100219"),
    "หจก.ทรัพย์ทวีวัสดุ": tax_id("040355900456"),
    "บริษัท อีสานบาดาล จำกัด": tax_id("040556000781"),
    "หจก.หนองบัวปิโตรเลียม": tax_id("040355700635"),
    "บริษัท อีสานยนตรกิจ จำกัด": tax_id("040554900128"),
    "หจก.ขอนแก่นอิงค์เจ็ท": tax_id("040356200907"),
    "บริษัท เอ็นอีคอนสตรัคชั่น จำกัด": tax_id("040556100533"),
    "หจก.ศรีจันทร์ไฟฟ้า": tax_id("040355800214"),
    "บริษัท เกษตรรุ่งเรือง แมชชีนเนอรี่ จำกัด": tax_id("040556300046"),
    "หจก.ทองดีแอร์แอนด์เซอร์วิส": tax_id("040356000388"),
    "บริษัท ขอนแก่นทัวร์ จำกัด": tax_id("040555600719"),
}
PERSON_SHOP = {"ร้านเจริญพาณิชย์": "ร้านเจริญพาณิชย์ (นายสมชาย เจริญสุข)"}


def firm_label(name: str) -> str:
    return PERSON_SHOP.get(name, name)


@dataclass
class Item:
    """One procurement item; the sheet writers choose how to spell each part."""
    seq: int
    name: str
    budget: float
    ref: float
    method: str                      # canonical code
    method_text: str                 # as written in the สขร.๑
    bidders: list[tuple[str, float]]
    reason: str
    doc: str                         # ใบสั่งซื้อ, ใบสั่งจ้าง, สัญญาจ้าง, สัญญาซื้อขาย
    doc_no: str                      # 2/2568
    signed: dt.date | None
    end: dt.date | None
    project_id: str = ""
    source: str = "ข้อบัญญัติงบประมาณรายจ่าย"
    category: str = "operating"      # investment | operating
    cancelled: bool = False
    winner: str = field(init=False, default="")
    price: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.bidders and not self.cancelled and self.signed:
            self.winner, self.price = min(self.bidders, key=lambda b: b[1])


def status_th(item: Item, ref: dt.date) -> str:
    if item.cancelled:
        return "ยกเลิกการดำเนินการ"
    if item.signed is None:
        return "ยังไม่ลงนามในสัญญา"
    return "สิ้นสุดระยะสัญญา" if item.end and item.end <= ref else "อยู่ระหว่างระยะสัญญา"


O12_METHOD = {"specific": "วิธีเฉพาะเจาะจง", "e_bidding": "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)",
              "e_market": "ตลาดอิเล็กทรอนิกส์ (e-market)", "selection": "วิธีคัดเลือก"}
EGP_METHOD = {"specific": "เฉพาะเจาะจง", "e_bidding": "e-bidding", "e_market": "e-market",
              "selection": "คัดเลือก"}
D = dt.date
LOW = "เป็นผู้เสนอราคาต่ำสุด"
QUAL_LOW = "มีคุณสมบัติครบถ้วนและเสนอราคาต่ำสุด"
ANNOUNCE = "เป็นผู้เสนอราคาต่ำสุดและมีคุณสมบัติครบถ้วนตามประกาศ"
MILK = "สหกรณ์โคนมขอนแก่น จำกัด"

# --------------------------------------------------------------------------- FY2568 data
OCT = [
    Item(1, "จ้างเหมาบริการทำความสะอาดอาคารสำนักงาน อบต.หนองบัว ประจำเดือนตุลาคม 2567 ", 9000, 9000,
         "specific", "เฉพาะเจาะจง", [("นางสาวมาลี ศรีสุข", 9000)],
         "มีคุณสมบัติครบถ้วนและเสนอราคาไม่เกินวงเงิน", "ใบสั่งจ้าง", "1/2568", D(2024, 10, 1), D(2024, 10, 31)),
    Item(2, "จัดซื้อวัสดุสำนักงาน กองคลัง", 8500, 8500, "specific", "เฉพาะเจาะจง",
         [("ร้านเจริญพาณิชย์", 8198), ("หจก.หนองบัวเครื่องเขียน", 8500)], LOW,
         "ใบสั่งซื้อ", "1/2568", D(2024, 10, 7), D(2024, 10, 14)),
    Item(3, "ซ่อมแซมถนนลูกรัง สายบ้านหนองบัว - บ้านโนนสวรรค์ หมู่ที่ 5", 98000, 97500, "specific", "เฉพาะเจาะจง",
         [("หจก.ทรัพย์ทวีวัสดุ", 96000), ("หจก.สมบูรณ์ก่อสร้าง", 97000), ("หจก.ขอนแก่นรุ่งเรืองการโยธา", 97400)],
         LOW, "ใบสั่งจ้าง", "2/2568", D(2024, 10, 18), D(2024, 11, 17), "67109187342"),
    Item(4, "จัดซื้อครุภัณฑ์คอมพิวเตอร์ เครื่องคอมพิวเตอร์โน้ตบุ๊ก สำหรับงานประมวลผล จำนวน 2 เครื่อง", 48000, 48000,
         "specific", "เฉพาะเจาะจง", [("บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด", 47800), ("ร้านไอทีเซ็นเตอร์ขอนแก่น", 48000)],
         QUAL_LOW, "ใบสั่งซื้อ", "2/2568", D(2024, 10, 22), D(2024, 11, 5), "67109201884", category="investment"),
    Item(5, "จัดซื้ออาหารเสริม (นม) โรงเรียน ภาคเรียนที่ 2/2567", 412580, 412580, "specific", "เฉพาะเจาะจง",
         [(MILK, 412580)], "เป็นผู้มีอาชีพขายพัสดุนั้นโดยตรงและเสนอราคาไม่เกินวงเงิน",
         "สัญญาซื้อขาย", "1/2568", D(2024, 10, 28), D(2025, 3, 31), "67109123456"),
]
NOV = [
    Item(1, "จัดซื้อวัสดุเชื้อเพลิงและหล่อลื่น ประจำเดือนพฤศจิกายน 2567", 25000, 25000, "specific", "วิธีเฉพาะเจาะจง",
         [("หจก.หนองบัวปิโตรเลียม", 25000)], "เป็นผู้มีอาชีพขายพัสดุนั้นโดยตรง",
         "ใบสั่งซื้อ", "14/2568", D(2024, 11, 1), D(2024, 11, 30)),
    Item(2, "จัดซื้อวัสดุงานบ้านงานครัว", 6350, 6350, "specific", "วิธีเฉพาะเจาะจง",
         [("ร้านเจริญพาณิชย์", 6350), ("ร้านนิยมพาณิชย์", 6520)],
         "เป็นผู้เสนอรำคำต่ำสุด",  # garbled sara am (U+0E33 where U+0E32 belongs)
         "ใบสั่งซื้อ", "15/2568", D(2024, 11, 3), D(2024, 11, 10)),
    Item(3, "ก่อสร้างถนน คสล. หมู่ที่ 3 สายบ้านนายทองดี - หนองสิม กว้าง 5 เมตร ยาว 450 เมตร หนา 0.15 เมตร",
         1850000, 1823400, "e_bidding", "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)",
         [("หจก.สมบูรณ์ก่อสร้าง", 1689000), ("หจก.ขอนแก่นรุ่งเรืองการโยธา", 1745000),
          ("บริษัท เอ็นอีคอนสตรัคชั่น จำกัด", 1790000)], ANNOUNCE,
         "สัญญาจ้าง", "2/2568", D(2024, 11, 15), D(2025, 3, 14), "67099234517", category="investment"),
    Item(4, "จ้างเหมาเครื่องจักรกลขุดลอกคลองส่งน้ำสาธารณะ หมู่ที่ 7", 150000, 149000, "specific", "วิธีเฉพาะเจาะจง",
         [("หจก.ทรัพย์ทวีวัสดุ", 148500)], "มีคุณสมบัติครบถ้วนและเสนอราคาไม่เกินวงเงินงบประมาณ",
         "ใบสั่งจ้าง", "16/2568", D(2024, 11, 20), D(2024, 12, 20), "67119045213", category="investment"),  # dredging: works
    Item(5, "วางท่อระบายน้ำ คสล. ขนาดเส้นผ่านศูนย์กลาง 0.40 เมตร พร้อมบ่อพัก หมู่ที่ 2", 245000, 243800,
         "specific", "วิธีเฉพาะเจาะจง",
         [("หจก.ขอนแก่นรุ่งเรืองการโยธา", 242000), ("หจก.สมบูรณ์ก่อสร้าง", 243500)], LOW,
         "สัญญาจ้าง", "3/2568", D(2024, 11, 25), D(2025, 1, 23), "67119112876", category="investment"),
    Item(6, "จัดซื้อครุภัณฑ์สำนักงาน ตู้เหล็กเก็บเอกสาร แบบ 2 บาน จำนวน 2 หลัง", 11000, 11000,
         "specific", "วิธีเฉพาะเจาะจง", [("หจก.หนองบัวเครื่องเขียน", 10800), ("ร้านเจริญพาณิชย์", 11000)], LOW,
         "ใบสั่งซื้อ", "17/2568", D(2024, 11, 28), D(2024, 12, 5), category="investment"),
]
DEC = [
    Item(1, "ขุดเจาะบ่อบาดาล หมู่ที่ 8 บ้านโนนสวรรค์ ขนาด 6 นิ้ว ลึกไม่น้อยกว่า 120 เมตร", 498000, 497000,
         "specific", "เฉพาะเจาะจง", [("บริษัท อีสานบาดาล จำกัด", 495000), ("หจก.ขอนแก่นน้ำบาดาล", 496500)], LOW,
         "สัญญาจ้าง", "4/2568", D(2024, 12, 2), D(2025, 1, 31), "67119283651", "เงินสะสม", "investment"),
    Item(2, "จัดซื้อครุภัณฑ์คอมพิวเตอร์ เครื่องคอมพิวเตอร์ All In One สำหรับงานสำนักงาน จำนวน 3 เครื่อง",
         72000, 72000, "specific", "เฉพาะเจาะจง",
         [("บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด", 71700), ("ร้านไอทีเซ็นเตอร์ขอนแก่น", 71900)], LOW,
         "ใบสั่งซื้อ", "19/2568", D(2024, 12, 4), D(2024, 12, 18), "67129012457", category="investment"),
    Item(3, "จ้างเหมาจัดทำป้ายประชาสัมพันธ์ โครงการป้องกันและลดอุบัติเหตุทางถนนช่วงเทศกาลปีใหม่ 2568",
         4500, 4500, "specific", "เฉพาะเจาะจง", [("หจก.ขอนแก่นอิงค์เจ็ท", 4500)],
         "เป็นผู้มีอาชีพรับจ้างโดยตรง", "ใบสั่งจ้าง", "20/2568", D(2024, 12, 15), D(2024, 12, 25)),
    Item(4, "จัดซื้อรถบรรทุกขยะมูลฝอย ขนาด 6 ตัน 6 ล้อ แบบอัดท้าย", 2450000, 2450000, "e_bidding", "e-bidding",
         [("บริษัท อีสานยนตรกิจ จำกัด", 2389000), ("บริษัท ขอนแก่นมอเตอร์เซลส์ จำกัด", 2420000)], ANNOUNCE,
         "สัญญาซื้อขาย", "5/2568", D(2024, 12, 17), D(2025, 4, 16), "67109345120", "เงินอุดหนุนเฉพาะกิจ",
         "investment"),
    Item(5, "ก่อสร้างรางระบายน้ำ คสล. พร้อมฝาปิด หมู่ที่ 6 บ้านดอนหัน ยาว 320 เมตร", 780000, 776500,
         "selection", "คัดเลือก",
         [("หจก.สมบูรณ์ก่อสร้าง", 768000), ("หจก.ขอนแก่นรุ่งเรืองการโยธา", 771000),
          ("บริษัท เอ็นอีคอนสตรัคชั่น จำกัด", 775000)], QUAL_LOW,
         "สัญญาจ้าง", "6/2568", D(2024, 12, 20), D(2025, 3, 19), "67109367788", category="investment"),
    Item(6, "จัดซื้อวัสดุไฟฟ้าและวิทยุ สำหรับซ่อมแซมไฟฟ้าส่องสว่างสาธารณะ", 15750, 15750,
         "specific", "วิธีเฉพาะเจาะจง", [("หจก.ศรีจันทร์ไฟฟ้า", 15750)], "เป็นผู้มีอาชีพขายพัสดุนั้นโดยตรง",
         "ใบสั่งซื้อ", "21/2568", D(2024, 12, 23), D(2024, 12, 30), "67129155320"),
    Item(7, "จัดซื้อครุภัณฑ์การเกษตร เครื่องสูบน้ำแบบหอยโข่ง ขนาด 8 นิ้ว จำนวน 4 เครื่อง", 560000, 558000,
         "e_market", "ตลาดอิเล็กทรอนิกส์ (e-market)",
         [("บริษัท เกษตรรุ่งเรือง แมชชีนเนอรี่ จำกัด", 545000), ("หจก.ขอนแก่นการเกษตร", 552000)], LOW,
         "สัญญาซื้อขาย", "7/2568", D(2024, 12, 27), D(2025, 2, 25), "67119301274", category="investment"),
]
LATER = {  # FY2568 after the first quarter, as known on 30 June 2025
    "road9": Item(0, "ก่อสร้างถนน คสล. หมู่ที่ 9 สายบ้านหนองบัว - บ้านดอนหัน", 2180000, 2164300, "e_bidding", "",
                  [("หจก.ขอนแก่นรุ่งเรืองการโยธา", 1995000), ("หจก.สมบูรณ์ก่อสร้าง", 2010000)], ANNOUNCE,
                  "สัญญาจ้าง", "9/2568", D(2025, 3, 20), D(2025, 7, 18), "68019054321", category="investment"),
    "milk1": Item(0, "จัดซื้ออาหารเสริม (นม) โรงเรียน ภาคเรียนที่ 1/2568", 398760, 398760, "specific", "",
                  [(MILK, 398760)], "", "สัญญาซื้อขาย", "12/2568", D(2025, 5, 12), D(2025, 9, 30), "68049087215"),
    "ecd": Item(0, "ปรับปรุงอาคารศูนย์พัฒนาเด็กเล็กบ้านหนองบัว", 345000, 343900, "specific", "",
                [("หจก.สมบูรณ์ก่อสร้าง", 341000)], "", "สัญญาจ้าง", "8/2568", D(2025, 2, 10), D(2025, 4, 11),
                "68019123098", category="investment"),
    "aircon": Item(0, "จัดซื้อครุภัณฑ์สำนักงาน เครื่องปรับอากาศ แบบแยกส่วน ขนาด 24,000 บีทียู จำนวน 2 เครื่อง",
                   96000, 96000, "specific", "", [("หจก.ทองดีแอร์แอนด์เซอร์วิส", 95400)], "", "ใบสั่งซื้อ",
                   "31/2568", D(2025, 1, 15), D(2025, 1, 29), "68019012776", category="investment"),
    "court": Item(0, "ก่อสร้างลานกีฬาอเนกประสงค์ หมู่ที่ 4", 620000, 615000, "e_bidding", "", [], "", "", "",
                  None, None, "68029076543", category="investment", cancelled=True),
    "water": Item(0, "ก่อสร้างระบบประปาหมู่บ้าน แบบผิวดินขนาดใหญ่ หมู่ที่ 11", 1350000, 1342000, "e_bidding", "",
                  [], "", "", "", None, None, "68059102345", "เงินอุดหนุนเฉพาะกิจ", "investment"),
    "well12": Item(0, "ขุดเจาะบ่อบาดาล หมู่ที่ 12 บ้านโนนงาม", 480000, 478000, "specific", "",
                   [("บริษัท อีสานบาดาล จำกัด", 476000)], "", "สัญญาจ้าง", "10/2568", D(2025, 4, 8), D(2025, 6, 7),
                   "68039145670", "เงินสะสม", "investment"),
    "paper": Item(0, "จัดซื้อวัสดุสำนักงาน (กระดาษ หมึกพิมพ์) กองคลัง", 35000, 35000, "specific", "",
                  [("ร้านเจริญพาณิชย์", 34650)], "", "ใบสั่งซื้อ", "28/2568", D(2025, 1, 8), D(2025, 1, 15),
                  "68019004512"),
}
REF_2568 = D(2025, 6, 30)   # "data as of" date of the e-GP export and O12-2568

# --------------------------------------------------------------------------- xlsx plumbing
FONT = Font(name="TH SarabunPSK", size=14)
BOLD = Font(name="TH SarabunPSK", size=16, bold=True)
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
NUM = "#,##0.00"


def freeze_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps and attributes (determinism)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            zi.compress_type, zi.create_system, zi.external_attr = zipfile.ZIP_DEFLATED, 0, 0
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def workbook_bytes(wb: Workbook) -> bytes:
    wb.properties.created = wb.properties.modified = FIXED_DT
    wb.properties.creator = wb.properties.lastModifiedBy = "กองคลัง อบต.หนองบัว"
    buf = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook stamps `modified` with now().
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return freeze_zip(buf.getvalue())


def put(ws, row: int, col: int, value, fmt: str | None = None, align=WRAP, font=FONT, border=True):
    cell = ws.cell(row=row, column=col, value=value)
    cell.font, cell.alignment = font, align
    if border:
        cell.border = BOX
    if fmt:
        cell.number_format = fmt
    return cell


def title_block(ws, month: int, year_ce: int, ncols: int, extra: str | None = None) -> int:
    """แบบ สขร.๑ top right, title, agency; returns the next free row."""
    last = get_column_letter(ncols)
    put(ws, 1, ncols, "แบบ สขร.๑", align=Alignment(horizontal="right"), font=BOLD, border=False)
    put(ws, 2, 1, f"สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน {MONTH_FULL[month]} {year_ce + 543}",
        align=CENTER, font=BOLD, border=False)
    put(ws, 3, 1, AGENCY_LINE, align=CENTER, font=BOLD, border=False)
    ws.merge_cells(f"A2:{last}2")
    ws.merge_cells(f"A3:{last}3")
    row = 4
    if extra:
        put(ws, 4, 1, extra, align=CENTER, font=BOLD, border=False)
        ws.merge_cells(f"A4:{last}4")
        row = 5
    return row + 1  # one empty row before the header


def signatures(ws, row: int, cols: tuple[int, ...]) -> None:
    blocks = [("ผู้รายงาน", "(นางสาวสมหญิง ใจดี)", "เจ้าหน้าที่พัสดุ"),
              ("ผู้ตรวจสอบ", "(นายประสิทธิ์ มั่นคง)", "ผู้อำนวยการกองคลัง")]
    for col, (role, name, title) in zip(cols, blocks, strict=False):
        for i, text in enumerate((f"ลงชื่อ ............................................ {role}", name, title)):
            put(ws, row + i, col, text, align=Alignment(horizontal="center"), border=False)


def widths(ws, values: list[float]) -> None:
    for i, w in enumerate(values, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.page_setup.orientation = "landscape"


COLUMN_TITLES = ["ลำดับ\nที่", "งานที่จัดซื้อ\nหรือจัดจ้าง", "วงเงินที่จะซื้อ\nหรือจ้าง (บาท)", "ราคากลาง\n(บาท)",
                 "วิธีซื้อ\nหรือจ้าง", "รายชื่อผู้เสนอราคา\nและราคาที่เสนอ",
                 "ผู้ได้รับการคัดเลือกและ\nราคาที่ตกลงซื้อหรือจ้าง", "เหตุผลที่คัดเลือก\nโดยสรุป",
                 "เลขที่และวันที่ของสัญญา\nหรือข้อตกลงในการซื้อหรือจ้าง"]


# --------------------------------------------------------------------------- 1. quarterly สขร.๑
def sheet_oct_split(ws) -> dict[int, int]:
    """Two-row header, columns 6 and 7 split into name | price (11 columns)."""
    row = title_block(ws, 10, 2024, 11)
    h1, h2 = row, row + 1
    plain = {1: 0, 2: 1, 3: 2, 4: 3, 5: 4, 10: 7, 11: 8}   # sheet column -> title index
    for col, idx in plain.items():
        put(ws, h1, col, COLUMN_TITLES[idx], align=CENTER, font=BOLD)
        put(ws, h2, col, None)
        ws.merge_cells(start_row=h1, start_column=col, end_row=h2, end_column=col)
    for col, idx in ((6, 5), (8, 6)):
        put(ws, h1, col, COLUMN_TITLES[idx], align=CENTER, font=BOLD)
        put(ws, h1, col + 1, None)
        ws.merge_cells(start_row=h1, start_column=col, end_row=h1, end_column=col + 1)
        put(ws, h2, col, "ชื่อ", align=CENTER, font=BOLD)
        put(ws, h2, col + 1, "ราคา", align=CENTER, font=BOLD)
    numbers = h2 + 1
    for col, n in ((1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (8, 7), (10, 8), (11, 9)):
        put(ws, numbers, col, f"({n})", align=CENTER)
    for col in (7, 9):
        put(ws, numbers, col, None)
    ws.merge_cells(start_row=numbers, start_column=6, end_row=numbers, end_column=7)
    ws.merge_cells(start_row=numbers, start_column=8, end_row=numbers, end_column=9)
    rows = {}
    r = numbers + 1
    for it in OCT:
        rows[it.seq] = r
        put(ws, r, 1, it.seq, align=CENTER)
        put(ws, r, 2, it.name)
        put(ws, r, 3, it.budget, NUM)
        put(ws, r, 4, it.ref, NUM)
        put(ws, r, 5, it.method_text, align=CENTER)
        if len(it.bidders) == 1:
            put(ws, r, 6, it.bidders[0][0])
            put(ws, r, 7, it.bidders[0][1], NUM)
        else:  # several lines per cell, names and prices aligned line by line
            put(ws, r, 6, "\n".join(f"{i}. {n}" for i, (n, _) in enumerate(it.bidders, 1)))
            put(ws, r, 7, "\n".join(money(p) for _, p in it.bidders), align=Alignment(wrap_text=True, horizontal="right", vertical="top"))
        put(ws, r, 8, it.winner)
        put(ws, r, 9, it.price, NUM)
        put(ws, r, 10, it.reason)
        put(ws, r, 11, f"{it.doc}เลขที่ {it.doc_no}\nลว. {d_short(it.signed)}")
        r += 1
    put(ws, r, 1, "รวม", align=CENTER, font=BOLD)
    put(ws, r, 2, None)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    put(ws, r, 3, sum(i.budget for i in OCT), NUM, font=BOLD)
    put(ws, r, 4, sum(i.ref for i in OCT), NUM, font=BOLD)
    put(ws, r, 9, sum(i.price for i in OCT), NUM, font=BOLD)
    signatures(ws, r + 3, (2, 8))
    widths(ws, [6, 38, 14, 14, 12, 28, 12, 28, 13, 26, 26])
    return rows


def sheet_nov_classic(ws) -> dict[int, int]:
    """Classic 9 columns; bidders and winner+price as text in one cell; Thai digits."""
    row = title_block(ws, 11, 2024, 9)
    for col, text in enumerate(COLUMN_TITLES, start=1):
        put(ws, row, col, text, align=CENTER, font=BOLD)
    for col in range(1, 10):
        put(ws, row + 1, col, th(f"({col})"), align=CENTER)
    budget_text = {2: ("6,350.-", "6,350.-"), 5: (th("245,000.00"), th("243,800.00")),
                   6: ("11,000 บาท", "11,000 บาท"), 1: ("25,000.-", "25,000.-")}
    rows = {}
    r = row + 2
    for it in NOV:
        if it.seq == 4:
            r += 1                       # a blank row in the middle of the table
        rows[it.seq] = r
        thai = it.seq == 5
        fmt_money = (lambda x: th(money(x))) if thai else money
        put(ws, r, 1, th(str(it.seq)) if thai else it.seq, align=CENTER)
        put(ws, r, 2, it.name)
        if it.seq in budget_text:
            put(ws, r, 3, budget_text[it.seq][0], align=Alignment(horizontal="right", vertical="top"))
            put(ws, r, 4, budget_text[it.seq][1], align=Alignment(horizontal="right", vertical="top"))
        else:
            put(ws, r, 3, it.budget, NUM)
            put(ws, r, 4, it.ref, NUM)
        put(ws, r, 5, it.method_text, align=CENTER)
        put(ws, r, 6, "\n".join(f"{i}. {n} {fmt_money(p)} บาท" for i, (n, p) in enumerate(it.bidders, 1)))
        put(ws, r, 7, f"{it.winner} ราคา {fmt_money(it.price)} บาท")
        put(ws, r, 8, it.reason)
        if it.doc.startswith("สัญญา"):   # contracts in Thai digits, 2-digit year
            contract = th(f"{it.doc}เลขที่ {it.doc_no} ลว. {d_short(it.signed, two_digit=True)}")
        else:
            contract = f"{it.doc}เลขที่ {it.doc_no} ลงวันที่ {d_short(it.signed)}"
        put(ws, r, 9, contract)
        r += 1
    put(ws, r, 1, "รวม", align=CENTER, font=BOLD)
    put(ws, r, 2, None)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    put(ws, r, 3, sum(i.budget for i in NOV), NUM, font=BOLD)
    put(ws, r, 4, sum(i.ref for i in NOV), NUM, font=BOLD)
    signatures(ws, r + 2, (7,))
    widths(ws, [6, 40, 15, 15, 14, 40, 34, 28, 32])
    return rows


def sheet_dec_egp(ws) -> dict[int, int]:
    """e-GP project number column; contract number and date in separate columns."""
    row = title_block(ws, 12, 2024, 11, extra="ประจำปีงบประมาณ พ.ศ. 2568")
    titles = [COLUMN_TITLES[0], "เลขที่โครงการ", *COLUMN_TITLES[1:8], "เลขที่สัญญา", "วันที่ลงนาม\nในสัญญา"]
    for col, text in enumerate(titles, start=1):
        put(ws, row, col, text, align=CENTER, font=BOLD)
    numbers = ["(1)", None, "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", None]
    for col, text in enumerate(numbers, start=1):
        put(ws, row + 1, col, text, align=CENTER)
    ws.merge_cells(start_row=row + 1, start_column=10, end_row=row + 1, end_column=11)
    # Contract dates: real Excel dates on some rows (BE display format), text on others.
    date_cells = {1: "2 ธ.ค. 2567", 2: dt.datetime(2024, 12, 4), 3: "15/12/67", 4: dt.datetime(2024, 12, 17),
                  5: "20 ธ.ค. 2567", 6: dt.datetime(2024, 12, 23), 7: "27 ธ.ค. 2567"}
    rows = {}
    r = row + 2
    for it in DEC:
        rows[it.seq] = r
        put(ws, r, 1, it.seq, align=CENTER)
        put(ws, r, 2, it.project_id or "-", "@", align=CENTER)
        put(ws, r, 3, it.name)
        put(ws, r, 4, it.budget, NUM)
        put(ws, r, 5, it.ref, NUM)
        put(ws, r, 6, it.method_text, align=CENTER)
        put(ws, r, 7, "\n".join(f"{i}) {n} เสนอราคา {money(p)} บาท" for i, (n, p) in enumerate(it.bidders, 1)))
        put(ws, r, 8, f"{it.winner}\nราคา {money(it.price)} บาท")
        if it.seq != 2:                  # rows 1-2 share one merged reason cell
            put(ws, r, 9, it.reason)
        put(ws, r, 10, it.doc_no, "@", align=CENTER)
        value = date_cells[it.seq]
        fmt = ("[$-1070000]d/mm/yyyy;@" if it.seq != 6 else "d mmm yy") if isinstance(value, dt.datetime) else None
        put(ws, r, 11, value, fmt, align=CENTER)
        r += 1
    ws.merge_cells(start_row=rows[1], start_column=9, end_row=rows[2], end_column=9)
    put(ws, r, 1, "รวมทั้งสิ้น 7 รายการ", align=CENTER, font=BOLD)
    put(ws, r, 2, None)
    put(ws, r, 3, None)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
    put(ws, r, 4, sum(i.budget for i in DEC), NUM, font=BOLD)
    put(ws, r, 5, sum(i.ref for i in DEC), NUM, font=BOLD)
    signatures(ws, r + 2, (3, 8))
    widths(ws, [6, 14, 40, 15, 15, 14, 40, 32, 26, 12, 14])
    return rows


def make_quarterly() -> tuple[bytes, dict[str, dict[int, int]]]:
    wb = Workbook()
    wb.remove(wb.active)
    rows = {
        "ต.ค.67": sheet_oct_split(wb.create_sheet("ต.ค.67")),
        "พ.ย.67": sheet_nov_classic(wb.create_sheet("พ.ย.67")),
        "ธ.ค.67": sheet_dec_egp(wb.create_sheet("ธ.ค.67")),
    }
    notes = wb.create_sheet("หมายเหตุ")
    for i, text in enumerate(["หมายเหตุ",
                              "1. ข้อมูลจากทะเบียนคุมสัญญาและระบบ e-GP กองคลัง อบต.หนองบัว",
                              "2. รายการที่วงเงินต่ำกว่า 5,000 บาท ไม่มีเลขที่โครงการในระบบ e-GP",
                              "3. ปรับปรุงข้อมูล ณ วันที่ 10 มกราคม 2568"], start=1):
        put(notes, i, 1, text, border=False, align=Alignment())
    wb.create_sheet("Sheet5")
    return workbook_bytes(wb), rows


# --------------------------------------------------------------------------- 2. e-GP HTML "xls"
EGP_STATUS = {"สิ้นสุดระยะสัญญา": "สิ้นสุดสัญญา", "อยู่ระหว่างระยะสัญญา": "อยู่ระหว่างระยะสัญญา",
              "ยกเลิกการดำเนินการ": "ยกเลิกโครงการ", "ยังไม่ลงนามในสัญญา": "อยู่ระหว่างการจัดซื้อจัดจ้าง"}
EGP_ITEMS = [OCT[4], NOV[2], NOV[4], DEC[0], DEC[1], DEC[3], DEC[4], DEC[6],
             LATER["aircon"], LATER["road9"], LATER["court"], LATER["water"]]


def make_egp_html(meta: str) -> str:
    heads = ["ลำดับ", "เลขที่โครงการ", "ชื่อโครงการ", "วงเงินงบประมาณ (บาท)", "ราคากลาง (บาท)", "วิธีการจัดหา",
             "สถานะโครงการ", "ผู้ชนะการเสนอราคา", "เลขประจำตัวผู้เสียภาษี", "ราคาที่ตกลงซื้อหรือจ้าง (บาท)",
             "วันที่ลงนามสัญญา", "วันสิ้นสุดสัญญา"]
    text = ' style="mso-number-format:\'\\@\'"'
    lines = ['<html xmlns:o="urn:schemas-microsoft-com:office:office" '
             'xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">',
             "<head>", meta, "<title>รายงานสรุปโครงการจัดซื้อจัดจ้าง</title>", "</head>", "<body>",
             '<table border="1" cellspacing="0" cellpadding="2">',
             f'<tr><td colspan="{len(heads)}" align="center"><b>รายงานสรุปโครงการจัดซื้อจัดจ้าง '
             f"ปีงบประมาณ 2568 {AGENCY} (ข้อมูล ณ วันที่ {d_slash(REF_2568)})</b></td></tr>",
             "<tr>" + "".join(f'<th bgcolor="#CCCCFF">{h}</th>' for h in heads) + "</tr>"]
    for n, it in enumerate(EGP_ITEMS, start=1):
        status = EGP_STATUS[status_th(it, REF_2568)]
        if it.doc == "ใบสั่งซื้อ":       # e-GP's final state for purchase-order projects
            status = "จัดทำสัญญา/PO แล้ว"
        cells = [f"<td>{n}</td>", f"<td{text}>{it.project_id}</td>", f"<td>{it.name}</td>",
                 f'<td align="right">{money(it.budget)}</td>', f'<td align="right">{money(it.ref)}</td>',
                 f"<td>{EGP_METHOD[it.method]}</td>", f"<td>{status}</td>",
                 f"<td>{firm_label(it.winner)}</td>", f"<td{text}>{FIRMS.get(it.winner, '')}</td>",
                 f'<td align="right">{money(it.price) if it.price else ""}</td>',
                 f"<td>{d_slash(it.signed)}</td>", f"<td>{d_slash(it.end)}</td>"]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines += ["</table>", "</body>", "</html>", ""]
    return "\r\n".join(lines)


# --------------------------------------------------------------------------- 3./4. ITA O12
O12_HEADER = ["ปีงบประมาณ", "ประเภทหน่วยงาน", "กระทรวง", "ชื่อหน่วยงาน", "อำเภอ", "จังหวัด",
              "ชื่อรายการของงานที่ซื้อหรือจ้าง", "วงเงินงบประมาณที่ได้รับจัดสรร (บาท)", "แหล่งที่มาของงบประมาณ",
              "สถานะการจัดซื้อจัดจ้าง", "วิธีการจัดซื้อจัดจ้าง", "ราคากลาง (บาท)", "ราคาที่ตกลงซื้อหรือจ้าง (บาท)",
              "เลขประจำตัวผู้เสียภาษี", "รายชื่อผู้ประกอบการที่ได้รับการคัดเลือก", "เลขที่โครงการ",
              "วันที่ลงนามในสัญญา", "วันสิ้นสุดสัญญา"]
O12_2568_ITEMS = [OCT[4], NOV[2], NOV[4], DEC[0], DEC[3], DEC[4], DEC[6], LATER["paper"], LATER["ecd"],
                  LATER["road9"], LATER["court"], LATER["well12"], LATER["milk1"], LATER["water"]]


def o12_row(fy: int, it: Item, ref: dt.date) -> list:
    done = it.price is not None
    return [str(fy), "องค์กรปกครองส่วนท้องถิ่น", "กระทรวงมหาดไทย", AGENCY, DISTRICT, PROVINCE, it.name.strip(),
            money(it.budget), it.source, status_th(it, ref), O12_METHOD[it.method], money(it.ref),
            money(it.price) if done else "", FIRMS.get(it.winner, "") if done else "",
            firm_label(it.winner) if done else "", it.project_id, d_slash(it.signed), d_slash(it.end)]


def make_o12_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")   # as Excel on Windows saves it
    writer.writerow(O12_HEADER)
    for it in O12_2568_ITEMS:
        writer.writerow(o12_row(2568, it, REF_2568))
    return out.getvalue()


def fy2567_items() -> list[Item]:
    def it(name, budget, ref, method, winner, price, signed, end, pid, source="ข้อบัญญัติงบประมาณรายจ่าย",
           cancelled=False):
        bidders = [] if cancelled else [(winner, price)]
        cat = "investment" if any(k in name for k in ("ก่อสร้าง", "ครุภัณฑ์", "บาดาล", "ท่อ", "ไฟฟ้า", "รถยนต์", "ถนน คสล", "ลาดยาง")) else "operating"
        return Item(0, name, budget, ref, method, "", bidders, "", "สัญญา", "", signed, end, pid, source, cat, cancelled)
    return [
        it("จัดซื้ออาหารเสริม (นม) โรงเรียน ภาคเรียนที่ 2/2566", 405320, 405320, "specific", MILK, 405320,
           D(2023, 10, 30), D(2024, 3, 31), "66109123890"),
        it("จัดซื้อครุภัณฑ์คอมพิวเตอร์ เครื่องพิมพ์เลเซอร์ จำนวน 3 เครื่อง", 24000, 24000, "specific",
           "บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด", 23700, D(2023, 11, 20), D(2023, 11, 27), "66119045621"),
        it("ก่อสร้างถนน คสล. หมู่ที่ 1 สายบ้านหนองบัว - วัดป่าหนองบัว", 1495000, 1488000, "e_bidding",
           "หจก.สมบูรณ์ก่อสร้าง", 1380000, D(2024, 1, 18), D(2024, 5, 16), "66129045127"),
        it("ขุดเจาะบ่อบาดาล หมู่ที่ 7 บ้านหนองแวง", 475000, 474000, "specific", "บริษัท อีสานบาดาล จำกัด", 472000,
           D(2024, 2, 12), D(2024, 4, 11), "67019134567", "เงินสะสม"),
        it("จ้างเหมาบริการรถโดยสารปรับอากาศ โครงการศึกษาดูงานของคณะผู้บริหารและสมาชิกสภา", 48000, 48000, "specific",
           "บริษัท ขอนแก่นทัวร์ จำกัด", 47500, D(2024, 2, 20), D(2024, 2, 23), "67029054321"),
        it("ปรับปรุงถนนลาดยางแอสฟัลท์ติกคอนกรีต หมู่ที่ 6", 2300000, 2286000, "e_bidding",
           "บริษัท เอ็นอีคอนสตรัคชั่น จำกัด", 2150000, D(2024, 3, 5), D(2024, 7, 2), "67019087654",
           "เงินอุดหนุนเฉพาะกิจ"),
        it("จัดซื้อวัสดุก่อสร้าง (หิน ทราย ปูนซีเมนต์) สำหรับซ่อมแซมถนน", 65000, 65000, "specific", "ร้านเจริญพาณิชย์",
           64200, D(2024, 3, 11), D(2024, 3, 25), "67039011223"),
        it("ก่อสร้างรางระบายน้ำ คสล. หมู่ที่ 2", 650000, 646000, "e_bidding", "หจก.ขอนแก่นรุ่งเรืองการโยธา", 598000,
           D(2024, 4, 22), D(2024, 8, 19), "67039067890"),
        it("ก่อสร้างอาคารศูนย์พัฒนาเด็กเล็กบ้านโนนงาม", 2480000, 2475000, "e_bidding", "", 0, None, None,
           "67049087612", "เงินอุดหนุนเฉพาะกิจ", cancelled=True),
        it("จัดซื้ออาหารเสริม (นม) โรงเรียน ภาคเรียนที่ 1/2567", 401150, 401150, "specific", MILK, 401150,
           D(2024, 5, 13), D(2024, 9, 30), "67049156782"),
        it("จัดซื้อครุภัณฑ์ยานพาหนะ รถยนต์บรรทุก (ดีเซล) ขนาด 1 ตัน ขับเคลื่อน 4 ล้อ", 850000, 850000, "e_market",
           "บริษัท อีสานยนตรกิจ จำกัด", 839000, D(2024, 5, 28), D(2024, 7, 27), "67049123456"),
        it("วางท่อระบายน้ำ คสล. พร้อมบ่อพัก หมู่ที่ 5", 198000, 197000, "specific", "หจก.ทรัพย์ทวีวัสดุ", 195500,
           D(2024, 6, 10), D(2024, 7, 25), "67059098123"),
        it("ก่อสร้างฝายชะลอน้ำ ลำห้วยหนองบัว หมู่ที่ 4", 320000, 318000, "specific", "", 0, None, None,
           "67069087766", "เงินสะสม", cancelled=True),
        it("ซ่อมแซมถนนลูกรัง หมู่ที่ 8 และหมู่ที่ 10", 86000, 86000, "specific", "หจก.ทรัพย์ทวีวัสดุ", 85000,
           D(2024, 7, 15), D(2024, 8, 14), "67069112345"),
        it("ติดตั้งไฟฟ้าส่องสว่างพลังงานแสงอาทิตย์ หมู่ที่ 3 และหมู่ที่ 9", 360000, 358000, "specific",
           "หจก.ศรีจันทร์ไฟฟ้า", 356000, D(2024, 8, 5), D(2024, 9, 19), "67079034512"),
        it("ก่อสร้างลานคอนกรีตอเนกประสงค์ หมู่ที่ 11", 540000, 536000, "selection", "หจก.สมบูรณ์ก่อสร้าง", 529000,
           D(2024, 8, 20), D(2024, 9, 28), "67079145678"),
    ]


def make_o12_2567() -> bytes:
    """FY2567 in the O12 layout as xlsx; dates mostly BE text, some real date cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "O12"
    for col, text in enumerate(O12_HEADER, start=1):
        put(ws, 1, col, text, align=CENTER, font=BOLD)
    ref = D(2024, 9, 30)
    for r, it in enumerate(fy2567_items(), start=2):
        row = o12_row(2567, it, ref)
        row[0] = 2567
        for col in (8, 12, 13):          # amounts as numbers
            row[col - 1] = float(row[col - 1].replace(",", "")) if row[col - 1] else None
        for col, value in enumerate(row, start=1):
            fmt = NUM if col in (8, 12, 13) else ("@" if col in (14, 16) else None)
            put(ws, r, col, value if value != "" else None, fmt)
        if r in (12, 13, 14, 15) and it.signed:   # real Excel dates, shown in BE
            for col, d in ((17, it.signed), (18, it.end)):
                put(ws, r, col, dt.datetime(d.year, d.month, d.day), "[$-1070000]d/mm/yyyy;@", align=CENTER)
        if r == 16:                               # BE typed into a date cell: year 2567 CE
            for col, d in ((17, it.signed), (18, it.end)):
                put(ws, r, col, dt.datetime(d.year + 543, d.month, d.day), "dd/mm/yyyy", align=CENTER)
    widths(ws, [10, 22, 16, 26, 14, 10, 50, 16, 24, 18, 30, 16, 16, 16, 34, 14, 14, 14])
    return workbook_bytes(wb)


# --------------------------------------------------------------------------- 5. canonical CSV
CANONICAL_HEADER = ("fiscal_year,report_month,seq,project_id,item_name,budget_amount,budget_source,budget_category,"
                    "is_investment,investment_basis,reference_price,method,method_text,bidders,bidder_count,"
                    "winner_name,winner_tax_id,agreed_price,selection_reason,contract_no,contract_date,"
                    "contract_end_date,status,status_text,agency_name,agency_unit,province,district,"
                    "source_file,source_sheet,source_row")
CANONICAL_FIELDS = CANONICAL_HEADER.split(",")
BASIS = {1: "inferred:services:จ้างเหมาบริการ", 2: "inferred:materials:วัสดุ", 3: "inferred:repair:ซ่อมแซม",
         4: "inferred:equipment:ครุภัณฑ์", 5: "inferred:materials:อาหารเสริม"}


def make_canonical(rows: dict[int, int]) -> str:
    """The five ต.ค.67 items as procdata would record them (status as of 10 Jan 2025)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CANONICAL_FIELDS, lineterminator="\n")
    writer.writeheader()
    for it in OCT:
        status = status_th(it, D(2025, 1, 10))
        code = {"สิ้นสุดระยะสัญญา": "completed", "อยู่ระหว่างระยะสัญญา": "in_contract"}[status]
        writer.writerow({
            "fiscal_year": 2568, "report_month": "2024-10", "seq": it.seq, "project_id": it.project_id,
            "item_name": it.name.strip(), "budget_amount": f"{it.budget:.2f}", "budget_source": "annual_budget",
            "budget_category": it.category, "is_investment": str(it.category == "investment").lower(),
            "investment_basis": BASIS[it.seq], "reference_price": f"{it.ref:.2f}", "method": it.method,
            "method_text": it.method_text,
            "bidders": json.dumps([{"name": n, "price": float(p)} for n, p in it.bidders], ensure_ascii=False),
            "bidder_count": len(it.bidders), "winner_name": it.winner, "winner_tax_id": FIRMS.get(it.winner, ""),
            "agreed_price": f"{it.price:.2f}", "selection_reason": it.reason, "contract_no": it.doc_no,
            "contract_date": it.signed.isoformat(), "contract_end_date": it.end.isoformat(),
            "status": code, "status_text": status, "source_file": "sorkorror1-2568-q1.xlsx",
            "source_sheet": "ต.ค.67", "source_row": rows[it.seq],
        })
    return out.getvalue()


# --------------------------------------------------------------------------- 7. broken files
def seeded_bytes(seed: bytes):
    counter = [0]

    def gen(size: int) -> bytes:
        out = b""
        while len(out) < size:
            counter[0] += 1
            out += hashlib.sha256(seed + counter[0].to_bytes(8, "big")).digest()
        return out[:size]
    return gen


def small_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "ต.ค.67"
    ws["A1"], ws["B1"] = "แบบ สขร.๑", "ข้อมูลลับ"
    return workbook_bytes(wb)


def encrypted_xlsx() -> tuple[bytes, str]:
    """Password '1234', Agile encryption via msoffcrypto-tool, with seeded salts and a fixed clock."""
    plain = small_xlsx()
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
        from msoffcrypto.method import ecma376_agile
        from msoffcrypto.method.container import ecma376_encrypted
    except ImportError:
        return fallback_encrypted(plain), "minimal CFB (msoffcrypto-tool not installed)"

    class FixedClock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2025, 1, 1)
    out = io.BytesIO()
    with mock.patch.object(ecma376_agile, "_random_buffer", seeded_bytes(b"procdata-samples")), \
            mock.patch.object(ecma376_encrypted, "datetime", FixedClock):
        OOXMLFile(io.BytesIO(plain)).encrypt("1234", out)
    return out.getvalue(), "msoffcrypto-tool Agile encryption, password 1234"


def fallback_encrypted(plain: bytes) -> bytes:
    """Without msoffcrypto-tool: a CFB with an Agile EncryptionInfo (as Excel writes it, with
    pseudo-random salts and keys) and an EncryptedPackage of pseudo-random bytes. Detectable as
    encrypted, not decryptable."""
    rnd = seeded_bytes(b"fallback")

    def b64(n: int) -> str:
        return base64.b64encode(rnd(n)).decode()
    common = 'blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"'
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption xmlns='
           f'"http://schemas.microsoft.com/office/2006/encryption" xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
           f'<keyData saltSize="16" {common} saltValue="{b64(16)}"/>'
           f'<dataIntegrity encryptedHmacKey="{b64(64)}" encryptedHmacValue="{b64(64)}"/><keyEncryptors>'
           f'<keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password"><p:encryptedKey '
           f'spinCount="100000" saltSize="16" {common} saltValue="{b64(16)}" encryptedVerifierHashInput="{b64(16)}" '
           f'encryptedVerifierHashValue="{b64(64)}" encryptedKeyValue="{b64(32)}"/></keyEncryptor></keyEncryptors></encryption>')
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00" + xml.encode().ljust(4088, b" ")
    return minimal_cfb({"EncryptionInfo": info,
                        "EncryptedPackage": struct.pack("<Q", len(plain)) + rnd(-(-len(plain) // 16) * 16)})


def minimal_cfb(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file holding the given streams (each padded to >= 4096 bytes, no mini stream)."""
    sector, end, free = 512, 0xFFFFFFFE, 0xFFFFFFFF
    datas = [s.ljust(4096, b"\0") for s in streams.values()]
    fat, next_sector, starts = [0xFFFFFFFD, end], 2, []
    for data in datas:
        n = -(-len(data) // sector)
        starts.append(next_sector)
        fat += [next_sector + i + 1 for i in range(n - 1)] + [end]
        next_sector += n
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name, kind, child, right, start, size):
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, free, right, child,
                           b"\0" * 16, 0, 0, 0, start, size)
    names = list(streams)
    dirs = entry("Root Entry", 5, 1, free, end, 0)
    for i, name in enumerate(names):
        dirs += entry(name, 2, free, i + 2 if i + 1 < len(names) else free, starts[i], len(datas[i]))
    while len(dirs) < sector:
        dirs += entry("", 0, free, free, 0, 0)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    return header + struct.pack("<128I", *fat) + dirs + b"".join(d.ljust(-(-len(d) // sector) * sector, b"\0")
                                                              for d in datas)


def zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            zi.compress_type, zi.create_system = zipfile.ZIP_DEFLATED, 0
            zf.writestr(zi, data)
    return buf.getvalue()


CT = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'


def write_bomb(path: Path, size: int = 2047 * 2**20) -> None:
    """A zip with xl/workbook.xml and a sheet that inflates to ~2 GiB of zeros (no zip64 needed)."""
    chunk = bytes(16 * 2**20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in [("[Content_Types].xml", CT + b"</Types>"),
                           ("xl/workbook.xml", b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>')]:
            zi = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            zi.compress_type, zi.create_system = zipfile.ZIP_DEFLATED, 0
            zf.writestr(zi, data)
        zi = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=ZIP_TIME)
        zi.compress_type, zi.create_system = zipfile.ZIP_DEFLATED, 0
        zi._compresslevel = 9            # level 9; no file_size preset, so no zip64 record
        with zf.open(zi, "w") as member:
            left = size
            while left:
                member.write(chunk[:min(left, len(chunk))])
                left -= min(left, len(chunk))


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff", 9)) + chunk(b"IEND", b""))


def tiny_pdf() -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 4 0 R >>",
            b"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 500 Td (SorKorRor 1) Tj ET\nendstream"]
    out, offsets = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def make_broken(q1: bytes) -> str:
    BROKEN.mkdir(parents=True, exist_ok=True)
    (BROKEN / "empty.xlsx").write_bytes(b"")
    (BROKEN / "truncated.xlsx").write_bytes(q1[: len(q1) // 2])
    encrypted, how = encrypted_xlsx()
    (BROKEN / "encrypted.xlsx").write_bytes(encrypted)
    (BROKEN / "not-a-spreadsheet.xlsx").write_bytes(png_1x1())
    (BROKEN / "document.xlsx").write_bytes(zip_bytes([
        ("[Content_Types].xml", CT + b'<Override PartName="/word/document.xml" ContentType="application/'
         b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        ("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
         '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
         'บันทึกข้อความ กองคลัง อบต.หนองบัว</w:t></w:r></w:p></w:body></w:document>'.encode())]))
    write_bomb(BROKEN / "bomb.xlsx")
    (BROKEN / "report.pdf").write_bytes(tiny_pdf())
    (BROKEN / "garbage.csv").write_bytes((bytes(range(0xFC, 0x100)) * 16 + b"\r\n") * 8)
    return how


# --------------------------------------------------------------------------- main
def check_data() -> None:
    """Guard the invariants the samples promise (IDs, ceilings, amount range)."""
    everything = [*OCT, *NOV, *DEC, *LATER.values(), *fy2567_items()]
    for it in everything:
        assert 3000 <= it.budget <= 2_500_000, it.name
        assert it.method != "specific" or it.budget < 500_000, it.name
        assert not it.project_id or (len(it.project_id) == 11 and it.project_id.isdigit()), it.name
    for it in [*EGP_ITEMS, *O12_2568_ITEMS, *fy2567_items()]:
        assert not it.winner or it.winner in FIRMS, it.winner
    assert sum(not v.startswith("0") for v in FIRMS.values()) == 1


def main() -> None:
    check_data()
    q1, rows = make_quarterly()
    (HERE / "sorkorror1-2568-q1.xlsx").write_bytes(q1)

    FIXTURES.mkdir(parents=True, exist_ok=True)
    (HERE / "egp-export-2568.xls").write_bytes(make_egp_html('<meta charset="utf-8">').encode("utf-8"))
    (FIXTURES / "egp-export-tis620.xls").write_bytes(make_egp_html(
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-874">').encode("cp874"))

    o12 = make_o12_csv()
    (HERE / "o12-2568.csv").write_bytes(o12.encode("cp874"))
    (FIXTURES / "o12-2568-utf8bom.csv").write_bytes(o12.encode("utf-8-sig"))
    (HERE / "o12-2567.xlsx").write_bytes(make_o12_2567())
    (HERE / "canonical-sample.csv").write_bytes(make_canonical(rows["ต.ค.67"]).encode("utf-8"))

    counts = {
        "sorkorror1-2568-q1.xlsx": len(OCT) + len(NOV) + len(DEC),
        "sorkorror1-2568-q1.xlsx!ต.ค.67": len(OCT), "sorkorror1-2568-q1.xlsx!พ.ย.67": len(NOV),
        "sorkorror1-2568-q1.xlsx!ธ.ค.67": len(DEC), "sorkorror1-2568-q1.xlsx!หมายเหตุ": 0,
        "sorkorror1-2568-q1.xlsx!Sheet5": 0,
        "egp-export-2568.xls": len(EGP_ITEMS), "tests/fixtures/egp-export-tis620.xls": len(EGP_ITEMS),
        "o12-2568.csv": len(O12_2568_ITEMS), "tests/fixtures/o12-2568-utf8bom.csv": len(O12_2568_ITEMS),
        "o12-2567.xlsx": len(fy2567_items()),
        "canonical-sample.csv": len(OCT),
    }
    (HERE / "expected-counts.json").write_text(json.dumps(counts, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
    how = make_broken(q1)
    print(f"item rows per sheet: {rows}")
    print(f"encrypted.xlsx: {how}")


if __name__ == "__main__":
    main()
