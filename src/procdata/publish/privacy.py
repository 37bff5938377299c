"""Personal data in published tables: natural persons' citizen IDs are masked.

A 13-digit taxpayer ID that starts with 0 belongs to a juristic person and is
published in full. Any other ID is, or may be, a natural person's citizen ID
(personal data under the PDPA, B.E. 2562): under the ``mask`` policy it keeps
its first digit and its last three (``3101234567890`` -> ``3xxxxxxxxx890``;
the widths come from the criteria profile). The same applies to citizen IDs
written inside free text, such as a winner's name cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from procdata.publish.profile import Privacy

_JURISTIC = re.compile(r"0[0-9]{12}")
_DIGIT = "[0-9๐-๙]"
# A citizen ID inside text: 13 digits not starting with 0, plain or written 1-2345-67890-12-3.
_IN_TEXT = re.compile(
    rf"(?<!{_DIGIT})(?:[1-9๑-๙]{_DIGIT}{{12}}|[1-9๑-๙]-{_DIGIT}{{4}}-{_DIGIT}{{5}}-{_DIGIT}{{2}}-{_DIGIT})(?!{_DIGIT})"
)


@dataclass(frozen=True)
class Masker:
    """Applies a privacy policy and counts what it masked."""

    privacy: Privacy
    publish_in_full: bool = False

    def tax_id(self, value: str | None) -> tuple[str | None, bool]:
        """A taxpayer-ID cell as published, and whether it was masked."""
        if not value or self.publish_in_full or _JURISTIC.fullmatch(value):
            return value, False
        return self._mask(value), True

    def text(self, value: str | None) -> tuple[str | None, int]:
        """Free text with any citizen ID inside masked, and how many were."""
        if not value or self.publish_in_full:
            return value, 0
        count = 0

        def replace(match: re.Match[str]) -> str:
            nonlocal count
            count += 1
            return self._mask(re.sub("[^0-9๐-๙]", "", match.group()))

        return _IN_TEXT.sub(replace, value), count

    def _mask(self, digits: str) -> str:
        first, last, char = self.privacy.keep_first, self.privacy.keep_last, self.privacy.mask_char
        if len(digits) <= first + last:
            return char * len(digits)
        return digits[:first] + char * (len(digits) - first - last) + (digits[-last:] if last else "")
