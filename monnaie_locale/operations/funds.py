"""The association's own euros: what funds conversion bonuses and replaces lost cash.

``association:operating`` is the association's operating bank account. It cannot go below
zero euros, so every bonus and every replenished shortage must first be funded here, from
membership fees, donations or grants. What comes in is income of the association, booked
to one of its income accounts (``income:other`` unless told): EUR Dr
association:operating / Cr income:<what> (class 7 in the chart of accounts).
"""

from __future__ import annotations

from sqlalchemy import Connection

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import ASSOCIATION_OPERATING, INCOME_ACCOUNTS, INCOME_OTHER
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import TransferRequest
from monnaie_locale.operations.common import post_entries

__all__ = ["receive_association_funds"]


def receive_association_funds(
    conn: Connection,
    *,
    amount: int,
    memo: str,
    idempotency_key: str,
    clock: Clock,
    income: str = INCOME_OTHER,
) -> str:
    """Book euros received by the association for itself; return the ledger batch id."""
    if income not in INCOME_ACCOUNTS:
        raise InvalidRequest(
            f"the association's income goes to one of {', '.join(INCOME_ACCOUNTS)}"
        )
    entry = TransferRequest.simple(  # refuses an amount of zero or less
        ASSOCIATION_OPERATING, income, amount, kind="association_funds", memo=memo
    )
    return post_entries(conn, [entry], key=idempotency_key, clock=clock)
