"""Whether each record is investment budget (งบลงทุน), column-wise.

Declared beats inferred: a budget category the sheet gives (a column, or a heading
such as "งบลงทุน" above the records), a yes/no investment column, or the officer's
overrides file decide. The rest are judged from the item text by the DLA's keyword
taxonomy (:mod:`procdata.normalize.taxonomy`), once per distinct item name, with the
price as a weak signal for durable goods and e-GP's project type as a last resort;
their basis says so (``inferred:<rule>:<word>``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from procdata.normalize import taxonomy, vocab
from procdata.normalize.taxonomy import LOW_VALUE, PROJECT_TYPE

DECLARED = "declared"
OVERRIDE = "override"
UNKNOWN = "unknown"


def investment(category: pd.Series) -> pd.Series:
    """Whether each budget category is an investment one (missing where the category is)."""
    codes, uniques = pd.factorize(category)
    flags = pd.array([vocab.is_investment_category(code) for code in uniques] + [None], dtype="boolean")
    return pd.Series(flags[codes], index=category.index)


class _Labels:
    """Bases as positions in ``labels`` (shared with the caller), each with its category."""

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels
        self.position = {label: number for number, label in enumerate(labels)}
        self.category: dict[int, str | None] = {}

    def id(self, basis: str, category: str | None) -> int:
        if basis not in self.position:
            self.position[basis] = len(self.labels)
            self.labels.append(basis)
        number = self.position[basis]
        self.category[number] = category
        return number


def infer_investment(
    items: pd.Series, undecided: np.ndarray, category: pd.Series, invest: pd.Series, labels: list[str],
    basis: np.ndarray, *, budget: pd.Series | None = None, project_type: pd.Series | None = None,
) -> None:
    """Fill the category, the flag and the basis (an index into ``labels``) of the ``undecided``
    records from their item text, once per distinct item; ``budget`` (baht) makes a cheap durable
    good a material, ``project_type`` (e-GP's) judges names that say nothing. Row by row only
    integer positions move: every text is handled once per distinct name or basis."""
    rows = np.flatnonzero(undecided)
    if not len(rows):
        return
    codes, distinct = pd.factorize(items if len(rows) == len(items) else items.iloc[rows])
    judged, places = taxonomy.judge_keys(pa.array(pd.array(distinct, dtype="string[pyarrow]")))
    table = _Labels(labels)
    unknown = table.id(UNKNOWN, None)
    # Each folded spelling is judged and labelled once (a few hundred of them for 60,000 names that
    # differ in their numbers); records reach theirs by integer positions (the last: no name).
    spelling = np.append(places, len(judged))[codes]
    said = np.array([table.id(j.basis, j.category) for j in judged] + [unknown])[spelling]
    durable = np.array([j.durable for j in judged] + [False])[spelling]
    if budget is not None and durable.any():
        units = np.array([
            (taxonomy.quantity(str(name)) or 1) if judged[place].durable else 1
            for name, place in zip(distinct.tolist(), places.tolist(), strict=True)
        ] + [1])
        cheap = durable & taxonomy.low_value(budget.to_numpy(dtype="float64", na_value=np.nan)[rows], units[codes])
        if cheap.any():
            low = np.array([
                table.id(f"inferred:{LOW_VALUE}:{j.basis.split(':', 2)[2]}", "operating") if j.durable else unknown
                for j in judged
            ] + [unknown])
            said[cheap] = low[spelling[cheap]]
    if project_type is not None:
        _by_project_type(project_type.iloc[rows], said, unknown, table)
    found = said != unknown
    if not found.any():
        return
    hits, decided = rows[found], said[found]
    per_label = [table.category.get(number) for number in range(len(labels))]
    category.iloc[hits] = np.array(per_label, dtype=object)[decided]
    invest.iloc[hits] = np.array([vocab.is_investment_category(code) for code in per_label], dtype=object)[decided]
    basis[hits] = decided


def _by_project_type(kinds: pd.Series, said: np.ndarray, unknown: int, table: _Labels) -> None:
    """Names that say nothing, judged by e-GP's project type (จ้างก่อสร้าง, เช่า, ...) where it tells."""
    unjudged = said == unknown
    if not unjudged.any():
        return
    known = taxonomy.project_types()
    codes, distinct = pd.factorize(kinds.astype("string").fillna(""))
    tells = np.array([
        table.id(f"inferred:{PROJECT_TYPE}:{kind}", known[taxonomy._key(kind)]) if taxonomy._key(kind) in known else unknown
        for kind in distinct
    ] + [unknown])
    said[unjudged] = tells[codes[unjudged]]


def apply_overrides(records: pd.DataFrame, by_project: dict[str, str], by_item: dict[str, str]) -> int:
    """The officer's categories (project number or item name -> category code) over whatever the
    records say; returns how many records they decided. Changes ``records`` in place.

    The file is the officer's deliberate correction, so it wins over a sheet's column too."""
    if records.empty or not (by_project or by_item):
        return 0
    chosen = pd.Series(None, index=records.index, dtype="object")
    if by_project:
        chosen = chosen.fillna(records["project_id"].astype("string").map(by_project))
    if by_item:
        from procdata.normalize.text import one_line

        names = records["item_name"].astype("string").fillna("")
        codes, distinct = pd.factorize(names)
        found = np.array([by_item.get(one_line(str(name))) for name in distinct] + [None], dtype=object)[codes]
        chosen = chosen.fillna(pd.Series(found, index=records.index, dtype="object"))
    decided = chosen.notna().to_numpy(dtype=bool)
    if not decided.any():
        return 0
    where = records.index[decided]
    records.loc[where, "budget_category"] = chosen[decided].astype(str).to_numpy()
    records.loc[where, "is_investment"] = [vocab.is_investment_category(code) for code in chosen[decided]]
    records.loc[where, "investment_basis"] = OVERRIDE
    return int(decided.sum())


def judge(items: list[str], budgets: list[float | None] | None = None) -> list[tuple[str | None, str]]:
    """The (category, basis) procdata infers for each item name (and budget, in baht):
    the judgement ingest makes for a record with no declared category."""
    size = len(items)
    names = pd.Series(items, dtype="string[pyarrow]")
    category = pd.Series([None] * size, dtype="object")
    invest = pd.Series([None] * size, dtype="boolean")
    labels, basis = [UNKNOWN], np.zeros(size, dtype=np.int64)
    budget = pd.Series(budgets if budgets is not None else [None] * size, dtype="float64")
    infer_investment(names, np.ones(size, dtype=bool), category, invest, labels, basis, budget=budget)
    return [(None if code is None else str(code), labels[b]) for code, b in zip(category.tolist(), basis.tolist(), strict=True)]
