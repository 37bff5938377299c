"""Fuzzing a canonical table's cells through ingest, validate and publish.

``test_fuzz.py`` mutates the bytes of whole files; this mutates the values of one
cell of a small canonical CSV (any column; hostile values such as numbers of 400
digits, NaN, a price written as a list, formulas, invisible characters, or any
text) and publishes it under each profile with ``--force``. A value is at worst
that cell's problem: every record is read, and no cell stops a whole file or the
publishing of the rest. A 40-digit row number once made the whole file
unreadable, and a bidder's price written as a list or as words stopped publish
with an internal error.

CI runs a few examples; before a release, run many more:

    PROCDATA_FUZZ_EXAMPLES=300 python -m pytest tests/test_fuzz_cells.py -p no:cacheprovider
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procdata.check.validate import validate_ingested
from procdata.model import FIELDS
from procdata.publish import publish
from procdata.read.ingest import ingest
from test_publish_helpers import project, write_profile

EXAMPLES = int(os.environ.get("PROCDATA_FUZZ_EXAMPLES", "8"))
NAMES = [name for name in FIELDS if not name.startswith("source_")]
HOSTILE = [
    "", " ", "-", "0", "-1", "1e400", "9" * 400, "9" * 19, "NaN", "inf", "๙๙๙", "ประมาณ 5,000", "0.000001",
    "9999-12-31", "0001-01-01", "31/12/2600", "2568-02-30", "2025-13", "\u200b", "ก" * 3000, "[]", "[{}]",
    "true", "null", '=HYPERLINK("http://x","y")', "<script>alert(1)</script>", "../../etc/passwd",
]
# JSON values of any shape, for the bidders column: lists of objects whose names and prices may be anything.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
_BID = st.fixed_dictionaries({}, optional={"name": _JSON, "price": _JSON, "tax_id": _JSON})
BIDDERS = st.lists(_BID, max_size=3).map(lambda bids: json.dumps(bids, ensure_ascii=False))
# Text of any kind but the NUL byte, which makes a CSV a file that is no spreadsheet (its own message).
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40)
NUMBERS = st.from_regex(r"\A-?[0-9๐-๙]{1,40}([.,][0-9]{0,6})?\Z")


@st.composite
def cells(draw: st.DrawFn) -> tuple[str, str]:
    field = draw(st.sampled_from(NAMES))
    kinds = [st.sampled_from(HOSTILE), TEXT, NUMBERS] + ([BIDDERS] if field == "bidders" else [])
    return field, draw(st.one_of(kinds))


@settings(max_examples=EXAMPLES, deadline=None, derandomize="PROCDATA_FUZZ_EXAMPLES" not in os.environ,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cells())
def test_no_cell_value_stops_a_file_or_publishing(tmp_path: Path, cell: tuple[str, str]) -> None:
    field, value = cell
    rows = [
        project(1, **{field: value}),
        project(2, bidders='[{"name": "บริษัท ทดสอบ จำกัด", "price": 90002}]'),
        project(3, fiscal_year=2567, report_month="2024-03", contract_date="2024-03-01", contract_end_date="2024-06-30"),
    ]
    source = tmp_path / "input.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        # Lines end with CR LF, as Excel writes them: the csv module then quotes a value holding a CR
        # alone. With "\n" it would not, and the CR would end the line for any reader (Excel's too).
        writer = csv.DictWriter(handle, fieldnames=NAMES, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in NAMES})
    ingested = ingest([source])
    assert not ingested.failures, f"{field}={value!r}: {ingested.failures}"
    report = validate_ingested(ingested, "en").to_dict()
    assert report["summary"]["records"] == 3, f"{field}={value!r}"
    for profile in ("ita-2568", "ita-2569"):
        config = write_profile(tmp_path, profile=profile)
        result = publish([source], out=tmp_path / profile, config=config, fiscal_year=2568, as_of=dt.date(2025, 3, 31), force=True)
        assert result.datasets, f"{field}={value!r} ({profile})"
