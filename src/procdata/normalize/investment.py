"""Whether each record is investment budget (งบลงทุน), column-wise.

Declared categories decide; the rest are inferred from the item text by the
keywords of ``data/investment.toml`` (:func:`procdata.normalize.vocab.infer_category`),
once per distinct item, and say so in their basis (``inferred:<keyword>``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procdata.normalize import vocab


def investment(category: pd.Series) -> pd.Series:
    """Whether each budget category is an investment one (missing where the category is)."""
    codes, uniques = pd.factorize(category)
    flags = pd.array([vocab.is_investment_category(code) for code in uniques] + [None], dtype="boolean")
    return pd.Series(flags[codes], index=category.index)


def infer_investment(
    items: pd.Series, undecided: np.ndarray, category: pd.Series, invest: pd.Series, labels: list[str], basis: np.ndarray,
) -> None:
    """Fill the category, the flag and the basis (an index into ``labels``) of the ``undecided``
    records from keywords of their item text, once per distinct item."""
    rows = np.flatnonzero(undecided)
    codes, distinct = pd.factorize(items.iloc[rows])
    guesses = [vocab.infer_category(item) for item in distinct]
    found = np.array([guess is not None for guess in guesses] + [False])[codes]
    if not found.any():
        return
    label_of: dict[str, int] = {}
    for guess in guesses:
        if guess is not None:
            label_of.setdefault(f"inferred:{guess.keyword}", len(labels) + len(label_of))
    labels.extend(label_of)
    hits = rows[found]
    chosen = [guess for guess in (guesses[code] for code in codes[found]) if guess is not None]
    category.iloc[hits] = [guess.category for guess in chosen]
    invest.iloc[hits] = [vocab.is_investment_category(guess.category) for guess in chosen]
    basis[hits] = [label_of[f"inferred:{guess.keyword}"] for guess in chosen]
