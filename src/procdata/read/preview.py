"""A sheet as the officer sees it in Excel: the raw cells with their row numbers and column letters.

For showing where a problem is (the web app highlights the cells a report
names); nothing here interprets the cells. A workbook's date cells hold dates,
read as ISO text (``2025-01-15``); ``dates`` says that a sheet's ISO texts are
such dates, to be shown as people read them (:func:`procdata.i18n.shown_date`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from procdata.read.files import SNIFF, kind_of, read_sheets

MAX_ROWS = 1_000
MAX_COLUMNS = 40


@dataclass(frozen=True)
class SheetPreview:
    """The first rows and columns of one sheet, trimmed of empty edges."""

    name: str
    columns: list[str]  # letters, "A", "B", ...
    rows: list[tuple[int, list[str]]]  # (row number as Excel shows it, cell texts)
    total_rows: int  # rows up to the last that holds something
    total_columns: int
    dates: bool = False  # a workbook's sheet: its ISO date texts were typed as dates

    @property
    def cut(self) -> bool:
        return len(self.rows) < self.total_rows or len(self.columns) < self.total_columns


def preview(
    path: Path, display: str, *, encoding: str | None = None, max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS, also_rows: set[int] | frozenset[int] = frozenset(),
) -> list[SheetPreview]:
    """Every sheet of ``path`` as text cells; at most ``max_rows`` rows, plus any of ``also_rows``.

    ``also_rows`` are row numbers (as Excel shows them) to include even past
    ``max_rows``: the rows a report points at. Raises
    :class:`~procdata.errors.InputError` naming ``display`` when the file
    cannot be read, as ingest does.
    """
    out = []
    sheets = read_sheets(path, display, encoding)
    with path.open("rb") as handle:
        workbook = kind_of(path, handle.read(SNIFF)) in ("zip", "cfb")
    for sheet in sheets:
        frame = sheet.frame
        filled = (frame != "").to_numpy() if len(frame) else None
        if filled is None or not filled.any():
            out.append(SheetPreview(sheet.name, [], [], 0, 0))
            continue
        last_row = int(filled.any(axis=1).nonzero()[0].max()) + 1
        last_column = int(filled.any(axis=0).nonzero()[0].max()) + 1
        width = min(last_column, max_columns)
        # A sheet read by its used rows and columns only numbers them as the sheet does.
        wanted = [p for p in range(last_row) if p < max_rows or sheet.row_number(p) in also_rows]
        values = frame.iloc[:, :width]
        rows = [(sheet.row_number(p), [str(v) for v in values.iloc[p].tolist()]) for p in wanted]
        out.append(SheetPreview(sheet.name, [sheet.letter(i) for i in range(width)], rows, last_row, last_column,
                                workbook))
    return out
