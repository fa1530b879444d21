"""The SIREN, the French number of a company or an association (INSEE).

Nine digits, the last a Luhn key: the FEC file is named after it (LPF art. A47 A-1).
"""

from __future__ import annotations

__all__ = ["siren_is_valid"]


def siren_is_valid(siren: str) -> bool:
    """Whether ``siren`` is 9 digits whose Luhn checksum is right."""
    if len(siren) != 9 or not siren.isascii() or not siren.isdigit():
        return False
    total = 0
    for position, digit in enumerate(reversed(siren)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0
