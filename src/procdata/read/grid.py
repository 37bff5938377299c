"""Sheet coordinates: Excel's column letters and the size of a sheet."""

from __future__ import annotations

MAX_ROWS = 1_048_576  # rows of an Excel sheet
MAX_COLUMNS = 16_384  # columns of an Excel sheet (A to XFD)


def column_letter(index: int) -> str:
    """0 -> ``A``, 26 -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` -> 0, ``AA`` -> 26 (case-insensitive)."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number - 1
