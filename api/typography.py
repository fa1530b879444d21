"""How the pages write amounts and punctuation in each language.

French writes a decimal comma ("12,50") and puts a non-breaking space before the high
punctuation marks ":", ";", "!" and "?" ("Paiement effectué : 12,50 EK"), so a line never
starts with one of them; English writes "12.50" and "Payment done: 12.50 EK". In both, a
non-breaking space joins an amount to its currency symbol. The texts of
:mod:`api.i18n` (the catalogue's ``page.`` keys) are written with ordinary spaces and set
here on the way out; the pages' scripts follow the same rules for what they write
themselves (``common.js``).
"""

from __future__ import annotations

import re
from typing import Literal

from monnaie_locale.money import format_amount

__all__ = ["NBSP", "money", "typeset"]

NBSP = "\u00a0"
# A space (or none) before a high punctuation mark that ends a word or a sentence; a colon
# inside a word or a URL ("https://", "10:30") has no space before it and is left alone.
_HIGH = re.compile(r"(?<=\w|[»)\]…']) ?([:;!?])(?=\s|$)")


def typeset(text: str, language: Literal["fr", "en"]) -> str:
    """``text`` with the spaces its language puts before high punctuation."""
    if language != "fr":
        return text
    return _HIGH.sub(NBSP + r"\1", text)


def money(minor_units: int, language: Literal["fr", "en"], symbol: str) -> str:
    """``1250`` as "12,50 EK" in French, "12.50 EK" in English (the space unbreakable)."""
    separator = "," if language == "fr" else "."
    return f"{format_amount(minor_units, decimal_separator=separator)}{NBSP}{symbol}"
