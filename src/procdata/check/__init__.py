"""Checking: the Frictionless Table Schema and the rules of Thai procurement.

``validate(inputs)`` reads files as ``procdata ingest`` does and returns a
:class:`Report`; ``validate_ingested(result)`` checks records already read.
"""

from procdata.check.model import ERROR, WARNING, Problem, Report
from procdata.check.validate import validate, validate_ingested

__all__ = ["ERROR", "WARNING", "Problem", "Report", "validate", "validate_ingested"]
