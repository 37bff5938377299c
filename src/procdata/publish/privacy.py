"""Personal data in published text: natural persons' citizen IDs are masked.

A 13-digit taxpayer ID that starts with 0 belongs to a juristic person and is
published in full. Any other ID in the taxpayer-ID column is, or may be, a
natural person's citizen ID (personal data under the PDPA, B.E. 2562): under
the ``mask`` policy it keeps its first digit and its last three
(``3101234567890`` -> ``3xxxxxxxxx890``; the widths come from the criteria
profile). A citizen ID written anywhere else in published text (a winner's
name cell, an item, the agency's own texts, a source file's name) is masked
the same way, in whatever spelling :mod:`procdata.normalize.ids` recognises.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from procdata.config import Config
from procdata.normalize.ids import digits, is_juristic, replace_citizen_ids
from procdata.profiles import Privacy


@dataclass(frozen=True)
class Masker:
    """Applies a privacy policy and counts what it masked."""

    privacy: Privacy
    publish_in_full: bool = False

    def tax_id(self, value: str | None) -> tuple[str | None, bool]:
        """A taxpayer-ID cell as published, and whether it was masked."""
        if not value or self.publish_in_full or is_juristic(value):
            return value, False
        return self._mask(digits(value) or value), True

    def text(self, value: str | None) -> tuple[str | None, int]:
        """Free text with any citizen ID inside masked, and how many were."""
        if not value or self.publish_in_full:
            return value, 0
        value, found = replace_citizen_ids(value, self._mask)
        again = found
        while again:  # the digits a mask keeps may join their neighbours into the look of another ID: that too
            value, again = replace_citizen_ids(value, self._mask)
        return value, found

    def profile(self, config: Config) -> tuple[Config, int]:
        """The agency profile's published texts (agency, report paragraphs) masked, and how many IDs were."""
        if self.publish_in_full:
            return config, 0
        count = 0

        def masked(value: str) -> str:
            nonlocal count
            text, found = self.text(value)
            count += found
            return text or ""

        agency = dataclasses.replace(config.agency, **{
            f.name: masked(getattr(config.agency, f.name)) for f in dataclasses.fields(config.agency)
        })
        config = dataclasses.replace(config, agency=agency, problems=masked(config.problems),
                                     improvements=masked(config.improvements))
        return config, count

    def _mask(self, digits: str) -> str:
        first, last, char = self.privacy.keep_first, self.privacy.keep_last, self.privacy.mask_char
        if len(digits) <= first + last:
            return char * len(digits)
        return digits[:first] + char * (len(digits) - first - last) + (digits[-last:] if last else "")
