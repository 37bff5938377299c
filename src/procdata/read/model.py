"""The ingest model, now in :mod:`procdata.model` (below both ``read`` and ``normalize``).

Kept so that code written against ``procdata.read.model`` still imports.
"""

from procdata.model import (
    FIELDS,
    CellIssue,
    Column,
    FileFailure,
    IngestResult,
    RowSkip,
    SheetReport,
)

__all__ = ["FIELDS", "CellIssue", "Column", "FileFailure", "IngestResult", "RowSkip", "SheetReport"]
