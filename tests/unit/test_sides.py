"""Which side a balance is read from: the association's euro assets and expenses from the
debit side, everything else as the ledger keeps it."""

from __future__ import annotations

import pytest

from monnaie_locale.deployment import (
    ASSOCIATION_LOSSES,
    ASSOCIATION_OPERATING,
    EXTERNAL,
    INCOME_MEMBERSHIP,
    ISSUANCE,
    NOTES_VAULT,
    RESERVE_DIGITAL,
    RESERVE_NOTES,
    TRANSIT,
    office_till,
)
from monnaie_locale.model import Account, AccountKind, AccountStatus
from monnaie_locale.sides import display_sign, holder_limits, holder_side


def account(code: str, kind: AccountKind, currency: str, balance: int) -> Account:
    limits = (None, 0) if balance < 0 else (0, None)
    return Account(1, code, kind, currency, AccountStatus.ACTIVE, None, *limits, balance, 0)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (RESERVE_DIGITAL, AccountKind.ASSOCIATION),
        (RESERVE_NOTES, AccountKind.ASSOCIATION),
        (TRANSIT, AccountKind.ASSOCIATION),
        (ASSOCIATION_OPERATING, AccountKind.ASSOCIATION),
        (ASSOCIATION_LOSSES, AccountKind.ASSOCIATION),
        (office_till("centre"), AccountKind.EXCHANGE_OFFICE),
    ],
)
def test_the_associations_euro_assets_read_what_they_hold(code: str, kind: AccountKind) -> None:
    # Alice converts 12 345 €: EUR Dr reserve:digital 12 345 / Cr external 12 345, so the
    # ledger reads -12 345,00 on the reserve; its holder reads 12 345,00 EUR in it.
    reserve = account(code, kind, "EUR", -1234500)
    assert holder_side(reserve.balance, reserve) == 1234500
    assert display_sign(code=code, kind=kind, currency="EUR") == -1
    # The ledger's upper limit 0 is the holder's lower limit 0.
    assert holder_limits(reserve) == (0, None)


@pytest.mark.parametrize(
    ("code", "kind", "currency"),
    [
        ("alice", AccountKind.MEMBER, "MLC"),
        ("bakery", AccountKind.BUSINESS, "MLC"),
        (ISSUANCE, AccountKind.SYSTEM, "MLC"),
        (NOTES_VAULT, AccountKind.SYSTEM, "MLC"),
        (EXTERNAL, AccountKind.SYSTEM, "EUR"),
        (INCOME_MEMBERSHIP, AccountKind.ASSOCIATION, "EUR"),
        # A holder's euro account, were one opened, reads as the holder's units do.
        ("alice-eur", AccountKind.MEMBER, "EUR"),
    ],
)
def test_other_accounts_keep_the_ledgers_sign(code: str, kind: AccountKind, currency: str) -> None:
    held = account(code, kind, currency, 5000)
    assert holder_side(held.balance, held) == 5000
    assert holder_side(-250, held) == -250
    assert holder_limits(held) == (0, None)
