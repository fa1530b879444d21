"""The association's own euros: what funds conversion bonuses and replaces lost cash.

``association:operating`` is the association's operating bank account. It cannot go below
zero euros, so every bonus and every replenished shortage must first be funded here, from
membership fees, donations or grants: EUR Dr association:operating / Cr external.
"""

from __future__ import annotations

from sqlalchemy import Connection

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import ASSOCIATION_OPERATING, EXTERNAL
from monnaie_locale.model import TransferRequest
from monnaie_locale.operations.common import post_entries

__all__ = ["receive_association_funds"]


def receive_association_funds(
    conn: Connection, *, amount: int, memo: str, idempotency_key: str, clock: Clock
) -> str:
    """Book euros received by the association for itself; return the ledger batch id."""
    entry = TransferRequest.simple(  # refuses an amount of zero or less
        ASSOCIATION_OPERATING, EXTERNAL, amount, kind="association_funds", memo=memo
    )
    return post_entries(conn, [entry], key=idempotency_key, clock=clock)
