"""Problems column-wise (check/problems.py, check/duplicates.py) give what the plain route gives.

Messages are filled in Arrow, reports are written a slice at a time and
duplicates are found by sorting; each is compared here with the plain code it
must equal: ``str.format`` of each message, ``json.dumps`` and ``html.escape``
of each text, the report built whole, and duplicates found group by group.
"""

from __future__ import annotations

import html
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdata.check import catalog, validate
from procdata.check import problems as problems_module
from procdata.check.duplicates import SHOWN_PARTNERS, Projects, duplicates
from procdata.check.model import Report
from procdata.check.problems import NO_ROW, Problems, Registry
from procdata.check.render import (
    TEXT_LIMIT,
    report_html,
    report_json,
    report_text,
    write_html,
    write_json,
)
from procdata.check.rules import bidder_list, bidder_lists
from procdata.check.table import both_codes
from procdata.check.texts import fill, html_escape, json_escape, number_texts
from procdata.i18n import be_date
from test_validate import CASES, write

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=10))
def test_json_escape_is_what_json_dumps_writes(texts: list[str]) -> None:
    assert json_escape(pa.array(texts)).to_pylist() == [json.dumps(t, ensure_ascii=False)[1:-1] for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=10))
def test_html_escape_is_html_escape(texts: list[str]) -> None:
    assert html_escape(pa.array(texts)).to_pylist() == [html.escape(t) for t in texts]


TEMPLATES = [
    check.text("message", lang) for check in catalog.checks().values() for lang in ("th", "en")
] + [catalog.word_template(key, lang) for key in ("row", "file_sheet_row", "same_month", "and_more") for lang in ("th", "en")]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TEMPLATES), st.lists(TEXT, min_size=3, max_size=3), st.booleans())
def test_filled_templates_are_str_format(template: str, values: list[str], as_json: bool) -> None:
    names = {name for _, name, _, _ in __import__("string").Formatter().parse(template) if name}
    params = {name: pa.array(values) if number % 2 else values[0] for number, name in enumerate(sorted(names))}
    plain = [template.format(**{k: v if isinstance(v, str) else v[i].as_py() for k, v in params.items()}) for i in range(3)]
    if as_json:
        assert fill(template, params, 3, json_escape).to_pylist() == [json.dumps(p, ensure_ascii=False)[1:-1] for p in plain]
    else:
        assert fill(template, params, 3).to_pylist() == plain


def many_problems(folder: Path) -> Path:
    """Every check's failing case twice, plus duplicates, in one canonical file."""
    changes = [case[2] for case in CASES] * 2
    changes += [{"project_id": "67019123456"}] * 5 + [{"winner_name": 'ร้าน "ใหม่"\tจำกัด', "project_id": "67019123457"}]
    return write(folder / "many.csv", *changes)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    folder = tmp_path_factory.mktemp("many")
    path = many_problems(folder)
    golden = Path(__file__).parent / "fixtures" / "validate" / "inputs"
    return {
        "many-th": validate([path]), "many-en": validate([path], lang="en"),
        "golden-th": validate([golden]), "golden-en": validate([golden], lang="en"),
        "clean": validate([write(folder / "clean.csv", {})]),
    }


@pytest.mark.parametrize("name", ["many-th", "many-en", "golden-th", "golden-en", "clean"])
def test_json_written_slice_by_slice_is_the_json_of_the_whole_report(reports: dict[str, Report], name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    report = reports[name]
    expected = report_json(report)
    monkeypatch.setattr(problems_module, "SLICE", 7)  # many slices, so that their seams are tested too
    out = io.BytesIO()
    write_json(report, out)
    assert out.getvalue().decode("utf-8") == expected
    assert name == "clean" or len(list(report.found.slices())) > 2  # (the seams, built on threads: procdata.ahead)
    assert json.loads(expected)["problems"] == [p.to_dict() for p in report.problems]


@pytest.mark.parametrize("positions_per_slice", [1, 2, 5])
@pytest.mark.parametrize("name", ["many-th", "many-en", "golden-th", "golden-en", "clean"])
def test_html_written_slice_by_slice_is_the_page_of_the_whole_report(reports: dict[str, Report], name: str, positions_per_slice: int) -> None:
    """With a slice of one problem, each file's and sheet's head comes at a seam (golden: three files)."""
    report = reports[name]
    lang = name.rsplit("-", 1)[-1] if "-" in name else "th"
    out = io.BytesIO()
    found = report.found
    original = found.slices
    found.slices = lambda size=positions_per_slice: original(size)  # type: ignore[method-assign]
    try:
        write_html(report, out, lang)
    finally:
        found.slices = original  # type: ignore[method-assign]
    assert out.getvalue().decode("utf-8") == report_html(report, lang)


def test_writing_json_builds_no_problem_objects(reports: dict[str, Report], monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken: no Problem, no message by str.format, no dict of the report."""
    report = Report(found=reports["many-th"].found, summary=reports["many-th"].summary)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a problem was built one by one")

    monkeypatch.setattr(Problems, "problems", refuse)
    monkeypatch.setattr(Report, "to_dict", refuse)
    monkeypatch.setattr(catalog, "message", refuse)
    out = io.BytesIO()
    write_json(report, out)
    write_html(report, io.BytesIO())
    assert len(json.loads(out.getvalue())["problems"]) == len(report.found)


def test_text_shows_the_first_problems_of_each_code_and_the_counts(tmp_path: Path) -> None:
    changes = [{"budget_amount": "-9000"}] * (TEXT_LIMIT + 5) + [{"reference_price": "9500.00"}]
    report = validate([write(tmp_path / "a.csv", *changes)], lang="en")
    text = report_text(report, "en")
    assert text.count("[negative_amount]") == TEXT_LIMIT
    assert text.count("[reference_above_budget]") == 1
    assert f"the first {TEXT_LIMIT} problems of each code are shown" in text
    assert "  negative_amount  error  15\n" in text and "  reference_above_budget  warning  1\n" in text
    everything = report_text(report, "en", limit=None)
    assert everything.count("[negative_amount]") == TEXT_LIMIT + 5
    assert "the first" not in everything
    assert len(json.loads(report_json(report))["problems"]) == TEXT_LIMIT + 5 + 1  # nothing left out of JSON


def test_a_report_of_problems_built_one_by_one_keeps_them(reports: dict[str, Report]) -> None:
    problems = reports["golden-th"].problems
    again = Report(problems=problems, summary={})
    assert again.problems == problems
    assert again.error_count == sum(p.severity == "error" for p in problems)


# --- duplicates, against the plain check they replaced (groups of a DataFrame, row by row)


def plain_duplicates(
    numbers: list[str], places: list[tuple[str, str]], rows: list[int], months: list[str | None], lang: str,
    contracts: list[str] | None = None,
) -> list[tuple[int, str, str]]:
    """(position, others, scope) of each copy: the check as it was written before it was column-wise."""
    contracts = contracts or [""] * len(numbers)
    count: dict[str, int] = {}
    for number in numbers:
        count[number] = count.get(number, 0) + 1
    partners: dict[int, list[int]] = {}
    scopes: dict[int, str] = {}
    for scope, keys in (("same_file", [p[0] for p in places]), ("same_month", months)):
        groups: dict[tuple[object, str, str], list[int]] = {}
        for position, (key, number, contract) in enumerate(zip(keys, numbers, contracts, strict=True)):
            if count[number] > 1 and key is not None:
                groups.setdefault((key, number, contract), []).append(position)
        for (key, _, _), members in groups.items():
            if len(members) < 2:
                continue
            for row in members:
                others = partners.setdefault(row, [])
                others.extend(r for r in members if r != row and r not in others)
                month = " ".join(be_date(f"{key}-01").split()[1:]) if scope == "same_month" and lang == "th" else key
                scopes.setdefault(row, catalog.word(scope, lang, month=month))
    out = []
    for row in sorted(partners):
        file, sheet = places[row]
        names = []
        for other in partners[row][:SHOWN_PARTNERS]:
            other_file, other_sheet = places[other]
            if other_file != file:
                key = "file_sheet_row" if other_sheet else "file_row"
            else:
                key = "sheet_row" if other_sheet != sheet else "row"
            names.append(catalog.word(key, lang, file=other_file, sheet=other_sheet, row=rows[other]))
        if len(partners[row]) > SHOWN_PARTNERS:
            names.append(catalog.word("and_more", lang, count=len(partners[row]) - SHOWN_PARTNERS))
        out.append((row, ", ".join(names), scopes[row]))
    return out


RECORD = st.tuples(
    st.sampled_from(["67000000001", "67000000002", "67000000003", "67000000004"]),
    st.sampled_from([("a.csv", ""), ("b.xlsx", "ม.ค."), ("b.xlsx", "ก.พ."), ("c.csv", "")]),
    st.sampled_from([None, "2025-01", "2025-02"]),
    st.sampled_from(["", "", "", "1/2568", "2/2568"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(RECORD, max_size=40), st.sampled_from(["th", "en"]), st.integers(1, 3))
def test_duplicates_equal_the_plain_check(records: list[tuple[str, tuple[str, str], str | None, str]], lang: str, parts: int) -> None:
    numbers = [r[0] for r in records]
    places = [r[1] for r in records]
    months = [r[2] for r in records]
    contracts = [r[3] for r in records]
    rows = list(range(2, len(records) + 2))
    registry = Registry()
    projects = Projects()
    codes = np.array([registry.place(*p) for p in places], dtype=np.int32)
    for chunk in np.array_split(np.arange(len(records)), parts):  # added part by part, as a chunked table is
        projects.add(
            pa.array([numbers[i] for i in chunk], pa.large_string()), pa.array([contracts[i] for i in chunk], pa.large_string()),
            codes[chunk], np.array(rows, dtype=np.int64)[chunk],
            np.full(len(chunk), registry.column("D", "project_id")), pa.array([months[i] for i in chunk], pa.large_string()),
        )
    found = duplicates(projects, registry, lang)
    expected = plain_duplicates(numbers, places, rows, months, lang, contracts)
    if found is None:
        assert expected == []
        return
    problems = Problems(lang, registry)
    problems.add(found)
    got = [(int(r) - 2, o, s) for r, o, s in zip(found.rows, found.params["others"].to_pylist(), found.params["scope"].to_pylist(), strict=True)]
    assert got == expected
    assert found.values.to_pylist() == [numbers[row] for row, _, _ in expected]
    assert all(p.code == "duplicate_project" for p in problems.problems())


def test_a_wording_makes_only_the_texts_it_names() -> None:
    """The duplicates' wordings are filled from texts made on demand (``texts.Lazy``): "row N" alone
    does not make two million copies of the file's name (the twice table's peak at 2M rows: 1,490-1,515
    MiB against 1,632-1,653 MiB when every text was made)."""
    from procdata.check.texts import Lazy, fill

    made: list[str] = []

    def maker(name: str, text: str) -> Callable[[], pa.Array]:
        return lambda: made.append(name) or pa.array([text, text], pa.large_string())

    params = Lazy(file=maker("file", "a.csv"), sheet=maker("sheet", "ม.ค."), row=maker("row", "7"))
    assert fill(catalog.word_template("row", "en"), params, 2).to_pylist() == ["row 7", "row 7"]
    assert made == ["row"]
    assert fill(catalog.word_template("file_row", "en"), params, 2).to_pylist() == ["a.csv row 7", "a.csv row 7"]
    assert made == ["row", "file"]  # each made once, when first named
    assert sorted(params) == ["file", "row", "sheet"] and len(params) == 3


def test_copies_in_one_sheet_are_named_without_the_files_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from procdata.check import duplicates as duplicates_module

    def no_file_texts(*args: object) -> pa.Array:
        raise AssertionError("a file's name made for copies in one sheet")

    monkeypatch.setattr(duplicates_module, "_file_texts", no_file_texts)
    registry, projects = Registry(), Projects()
    place = registry.place("national.csv", "")
    projects.add(
        pa.array(["67000000001", "67000000001", "67000000002"], pa.large_string()), pa.array(["", "", ""], pa.large_string()),
        np.full(3, place, np.int32), np.array([2, 3, 4]), np.full(3, registry.column("D", "project_id")),
        pa.array(["2025-01", "2025-02", "2025-01"], pa.large_string()),
    )
    found = duplicates(projects, registry, "en")
    assert found is not None and found.params["others"].to_pylist() == ["row 3", "row 2"]


@settings(max_examples=300, deadline=None)
@given(st.lists(RECORD, max_size=40), st.lists(st.booleans(), min_size=40, max_size=40), st.integers(1, 3))
def test_duplicates_with_the_runs_codes_are_those_coded_alone(
    records: list[tuple[str, tuple[str, str], str | None, str]], between: list[bool], parts: int,
) -> None:
    """The checker hands the duplicates the codes of the merge, found over all the run's records (those
    with no project number among them, an empty key); taken at the records with one, they give what
    coding the duplicates' own numbers gives."""
    run_numbers: list[str] = []
    run_contracts: list[str] = []
    for (number, _, _, contract), other in zip(records, between, strict=False):
        if other:  # a record with no project number, which the merge holds and the duplicates do not
            run_numbers.append("")
            run_contracts.append("1/2568")
        run_numbers.append(number)
        run_contracts.append(contract)
    run = both_codes(pa.array(run_numbers, pa.large_string()), pa.array(run_contracts, pa.large_string()))
    registry, projects = Registry(), Projects()
    places = np.array([registry.place(*r[1]) for r in records], dtype=np.int32)
    for chunk in np.array_split(np.arange(len(records)), parts):
        projects.add(
            pa.array([records[i][0] for i in chunk], pa.large_string()), pa.array([records[i][3] for i in chunk], pa.large_string()),
            places[chunk], chunk + 2, np.full(len(chunk), registry.column("D", "project_id")),
            pa.array([records[i][2] for i in chunk], pa.large_string()),
        )
    codes = projects.codes_in(run)
    assert codes is not None
    expected = duplicates(projects, registry, "en")
    found = duplicates(projects, registry, "en", codes)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert found.rows.tolist() == expected.rows.tolist()
    assert found.values.to_pylist() == expected.values.to_pylist()
    for name in ("others", "scope"):
        assert found.params[name].to_pylist() == expected.params[name].to_pylist()


@pytest.mark.parametrize(("files", "bytes_per_copy"), [(1, 120), (400, 240)])
def test_pairing_copies_takes_little_memory_per_copy(files: int, bytes_per_copy: int) -> None:
    """A national table reported twice has millions of copies, and pairing them came on top of all
    the run holds: 210 bytes a copy at its peak in one file, 385 across 400 files, before codes of
    32 bits hashed together (no sorts of several keys); the 2M-row table's whole run peaked at 1.9 GiB."""
    import tracemalloc

    from procdata.check.duplicates import _Copies

    size = 200_000
    rng = np.random.default_rng(7)
    number = np.repeat(np.arange(size // 2), 2)
    rng.shuffle(number)
    file, month = rng.integers(0, files, size), rng.integers(0, 12, size)
    copies = _Copies(number=number, file=file, month=month)
    tracemalloc.start()
    try:
        shown, count, _ = copies.partners()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak / size < bytes_per_copy
    # Each number's two copies name each other where they share a file or a month, else neither.
    order = np.argsort(number, kind="stable")
    first, second = order[0::2], order[1::2]
    paired = np.zeros(size, dtype=bool)
    paired[first] = paired[second] = (file[first] == file[second]) | (month[first] == month[second])
    assert count.tolist() == paired.astype(int).tolist()
    partner = np.empty(size, dtype=np.int64)
    partner[first], partner[second] = second, first
    assert shown[paired, 0].tolist() == partner[paired].tolist()
    assert (shown[~paired] == -1).all()


def test_the_runs_codes_are_not_taken_for_other_records() -> None:
    """Codes of a run whose records with a project number are not these (as many) are not used."""
    projects = Projects()
    projects.add(
        pa.array(["67000000001"], pa.large_string()), pa.array([""], pa.large_string()), np.array([0], dtype=np.int32),
        np.array([2]), np.array([0]), pa.array(["2025-01"], pa.large_string()),
    )
    two = both_codes(pa.array(["67000000001", "67000000002"], pa.large_string()), pa.array(["", ""], pa.large_string()))
    assert projects.codes_in(two) is None
    assert projects.codes_in(None) is None


def test_many_copies_name_three_and_count_the_rest() -> None:
    registry, projects = Registry(), Projects()
    size = 10
    projects.add(
        pa.array(["67000000001"] * size, pa.large_string()), pa.array([""] * size, pa.large_string()),
        np.full(size, registry.place("a.csv", "")),
        np.arange(2, size + 2), np.full(size, registry.column("D", "project_id")), pa.array(["2025-01"] * size, pa.large_string()),
    )
    found = duplicates(projects, registry, "en")
    assert found is not None and len(found) == size
    assert found.params["others"][0].as_py() == "row 3, row 4, row 5, and 6 more rows"
    assert found.params["others"][1].as_py() == "row 2, row 4, row 5, and 6 more rows"


def test_no_row_is_written_as_none() -> None:
    assert NO_ROW == -1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(TEXT, st.one_of(st.none(), st.integers(0, 10**9))), max_size=3), min_size=1, max_size=8), st.booleans())
def test_bidder_lists_are_the_names_of_each_cell(cells: list[list[tuple[str, int | None]]], broken: bool) -> None:
    texts = [json.dumps([{"name": n, "price": p} for n, p in cell], ensure_ascii=False, separators=(", ", ": ")) for cell in cells]
    if broken:
        texts.append('[{"name": "ร้าน')  # not JSON: shown as written
    assert bidder_lists(pa.array(texts, pa.large_string())).to_pylist() == [bidder_list(t) for t in texts]


PROBLEM = st.tuples(
    st.integers(0, 3), st.sampled_from([NO_ROW, 1, 2, 3, 70_000, 2**40]), st.integers(-1, 2),
    st.sampled_from(["item_name", "project_id", "budget_amount", "not_a_field"]), st.sampled_from(["required", "duplicate_project", "update_conflict"]),
)


def _problems_of(found: list[tuple[int, int, int, str, str]]) -> Problems:
    problems = Problems()
    for place in range(4):
        problems.registry.place(f"{place % 2}.csv", f"s{place}")
    for column in range(3):
        problems.registry.column("ABC"[column] * (1 + column % 2), f"h{column}")
    for (field, code), members in itertools.groupby(found, key=lambda p: (p[3], p[4])):
        chosen = list(members)
        problems.add(problems_module.batch(code, field, [p[0] for p in chosen], [p[1] for p in chosen], [p[2] for p in chosen], [""] * len(chosen)))
    return problems


@settings(max_examples=300, deadline=None)
@given(st.lists(PROBLEM, min_size=1, max_size=40), st.booleans())
def test_problems_sorted_on_packed_keys_are_in_the_plain_order(found: list[tuple[int, int, int, str, str]], wide: bool) -> None:
    """The sort on one number per problem (check/problems._packed_order) gives the order of the plain
    sort on six key arrays; rows too long to pack (2**62) take the plain route."""
    if wide:
        found = [*found, (0, 2**62, 0, "item_name", "required")]
    problems = _problems_of(found)
    problems.sort(["0.csv", "1.csv"], [("1.csv", "s1"), ("0.csv", "s0"), ("0.csv", "s2"), ("1.csv", "s3")])
    packed = problems.order
    calls: list[str] = []
    plain = problems_module._lexsort_order
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(problems_module, "_packed_order", lambda *a: calls.append("packed") or plain(*a[:2]))
        problems.sort(["0.csv", "1.csv"], [("1.csv", "s1"), ("0.csv", "s0"), ("0.csv", "s2"), ("1.csv", "s3")])
    assert calls == ([] if wide else ["packed"])  # the fast path is taken when the keys fit
    assert packed.tolist() == problems.order.tolist()


# Amounts as they come: cents, ties (0.125, 2.675), values just below a rounding (999.995), negative
# zero, NaN, infinities, too large for exact whole numbers, and any float at all.
AMOUNTS = st.one_of(
    st.integers(-10**13, 10**13).map(lambda cents: cents / 100),
    st.integers(-10**6, 10**6).map(lambda n: n / 1000),
    st.integers(-10**6, 10**6).map(lambda n: n / 8),
    st.sampled_from([0.0, -0.0, 0.125, 2.675, 1.005, 999.995, 999999.995, 0.005, 0.015, 1e15, 1e16, 2.0**52 / 100,
                     float("nan"), float("inf"), -float("inf"), 5e-324]),
    st.floats(allow_nan=True, allow_infinity=True),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(AMOUNTS, max_size=30), st.sampled_from([2, 2, 0, 1, 3]))
def test_numbers_written_column_wise_are_those_i18n_number_writes(values: list[float], decimals: int) -> None:
    """check.texts.number_texts (groups of three digits spelled by tables, ties and the rest left to
    Python) equals procdata.i18n.number of each value, the way the messages show amounts."""
    from procdata.i18n import number

    shown = number_texts(np.array(values, dtype=np.float64), decimals)
    assert shown.type == pa.large_string() and shown.null_count == 0
    assert shown.to_pylist() == [number(v, decimals) for v in values]
