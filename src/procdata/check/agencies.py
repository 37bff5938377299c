"""The provincial office's view of a run: one row per agency, with what validate found.

Records are grouped by agency: the record's ``agency_name`` (with its
``agency_unit``) where the table gives one (national e-GP data), else the file
it came from (an agency's own files name no agency: the agency is the one whose
files they are). For each agency: its files, records, errors, warnings,
investment-budget items, and whether it is ready for each dataset of the
criteria profile (O12 the fiscal year, O13 the one before, in ITA 2568):
records of that year and no error in them.

The counts are kept column-wise per (agency, fiscal year) as the records are
checked (:class:`Tally`), so a national table costs a few array sums.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from procdata.check.problems import Problems
from procdata.resources import data

DEFAULT_PROFILE = "ita-2568"
COLUMNS = ("agency", "files", "records", "errors", "warnings", "investment_items")


def agencies_of(records: pd.DataFrame) -> pa.Array:
    """Each record's agency: its agency name (and unit) where the table gives one, else its file."""
    files = pc.fill_null(pa.array(records["source_file"].array), "").cast(pa.large_string())
    if "agency_name" not in records:
        return files.combine_chunks() if isinstance(files, pa.ChunkedArray) else files
    names = pc.fill_null(pa.array(records["agency_name"].array), "").cast(pa.large_string())
    if "agency_unit" in records:
        units = pc.fill_null(pa.array(records["agency_unit"].array), "").cast(pa.large_string())
        joined = pc.binary_join_element_wise(names, units, pa.scalar(" / ", pa.large_string()))
        names = pc.if_else(pc.equal(pc.binary_length(units), 0), names, joined)
    chosen = pc.if_else(pc.equal(pc.binary_length(names), 0), files, names)
    return chosen.combine_chunks() if isinstance(chosen, pa.ChunkedArray) else chosen


@dataclass
class Tally:
    """Records, investment items and files of each (agency, fiscal year) group of ``Problems.groups``."""

    records: Counter[int] = field(default_factory=Counter)
    investment: Counter[int] = field(default_factory=Counter)
    files: dict[str, set[str]] = field(default_factory=dict)

    def add(self, records: pd.DataFrame, problems: Problems) -> np.ndarray:
        """Count ``records``; their group codes (in ``problems``)."""
        agencies = agencies_of(records)
        years = records["fiscal_year"].to_numpy(dtype=np.int64, na_value=-1)
        encoded = pc.dictionary_encode(agencies)
        names = encoded.dictionary.to_pylist()
        pairs = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64) * 10_000 + (years + 1)
        distinct, inverse = np.unique(pairs, return_inverse=True)
        codes = np.array([
            problems.group(names[p // 10_000], None if p % 10_000 == 0 else int(p % 10_000) - 1) for p in distinct.tolist()
        ], dtype=np.int32)
        groups = codes[inverse.reshape(-1)] if len(codes) else np.zeros(0, dtype=np.int32)
        invested = records["is_investment"].fillna(False).to_numpy(dtype=bool)
        for code, count in zip(*np.unique(groups, return_counts=True), strict=True):
            self.records[int(code)] += int(count)
        for code, count in zip(*np.unique(groups[invested], return_counts=True), strict=True):
            self.investment[int(code)] += int(count)
        files = pc.fill_null(pa.array(records["source_file"].array), "").to_pylist() if len(records) else []
        for (name, _), file in {(problems.groups[g], f) for g, f in zip(groups.tolist(), files, strict=True)}:
            self.files.setdefault(name, set()).add(file)
        return groups

    def absorb(self, other: Tally, groups: np.ndarray) -> None:
        for code, count in other.records.items():
            self.records[int(groups[code])] += count
        for code, count in other.investment.items():
            self.investment[int(groups[code])] += count
        for name, files in other.files.items():
            self.files.setdefault(name, set()).update(files)


def datasets(profile: str = DEFAULT_PROFILE) -> list[tuple[str, str, int]]:
    """(id, indicator, years back from the fiscal year) of each dataset of a criteria profile."""
    entries = data(f"profiles/{profile}")["dataset"]
    return [(d["id"], d["indicator"], 0 if d.get("coverage", "current") == "current" else 1) for d in entries]


def table(tally: Tally, problems: Problems, fiscal_year: int | None, files_without_records: dict[str, int]) -> list[dict[str, Any]]:
    """One row per agency, ordered by agency."""
    years = [y for (_, y) in problems.groups if y is not None]
    year = fiscal_year if fiscal_year is not None else (max(years) if years else None)
    errors: Counter[int] = Counter()
    warnings: Counter[int] = Counter()
    for found in problems.batches:
        if found.groups is None:
            continue
        counted = errors if found.severity == "error" else warnings
        for code, count in zip(*np.unique(found.groups[found.groups >= 0], return_counts=True), strict=True):
            counted[int(code)] += int(count)
    rows: dict[str, dict[str, Any]] = {}
    by_year: dict[tuple[str, int | None], tuple[int, int]] = {}
    for code, (agency, group_year) in enumerate(problems.groups):
        row = rows.setdefault(agency, {name: 0 for name in COLUMNS} | {"agency": agency})
        row["records"] += tally.records.get(code, 0)
        row["errors"] += errors.get(code, 0)
        row["warnings"] += warnings.get(code, 0)
        row["investment_items"] += tally.investment.get(code, 0)
        records, problem_errors = by_year.get((agency, group_year), (0, 0))
        by_year[(agency, group_year)] = (records + tally.records.get(code, 0), problem_errors + errors.get(code, 0))
    for agency, count in files_without_records.items():  # files that gave no record: errors of their own
        row = rows.setdefault(agency, {name: 0 for name in COLUMNS} | {"agency": agency})
        row["errors"] += count
    out = []
    for agency in sorted(rows):
        row = rows[agency]
        row["files"] = len(tally.files.get(agency, set()) | ({agency} if agency in files_without_records else set()))
        row["fiscal_year"] = year
        for dataset, _, back in datasets():
            records, problem_errors = by_year.get((agency, None if year is None else year - back), (0, 0))
            row[f"{dataset}_ready"] = bool(year is not None and records and not problem_errors)
        out.append(row)
    return out


def as_csv(rows: list[dict[str, Any]]) -> str:
    """The table as CSV (UTF-8 with a BOM, for Excel), ready flags as true/false."""
    names = [*COLUMNS, "fiscal_year", *(f"{d}_ready" for d, _, _ in datasets())]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("true" if v else "false") if isinstance(v, bool) else ("" if v is None else v) for k, v in row.items()})
    return "\ufeff" + buffer.getvalue()


def as_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
