"""Normalization of Thai spreadsheet text: digits, amounts, dates, vocabularies, cells.

Every parser takes any string and returns a value or raises
:class:`procdata.errors.ParseError`; none raises anything else.
"""
