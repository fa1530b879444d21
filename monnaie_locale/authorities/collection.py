"""A payment into a régie's account, and the quittance it gets in the same transaction.

Whatever brings units into a régie's account (a QR payment at its counter, a plain
transfer) gives a quittance: the paths that post payments call :func:`collection_into`
before posting, and, when it found a régie, :func:`give_quittance` once the ledger has
posted. Both run in the caller's transaction, so a refused payment leaves no quittance and
uses no number (see :mod:`monnaie_locale.authorities.quittances`).

A payment to any other account costs nothing here: the régie is looked up only when the
payee is an authority account, which the caller knows already.

A sale prepared at the counter (``regie_sales``) says what the quittance's object is, and
the part the payer paid in euros outside the service, by card or cash: the ledger records
the unit part, and its memo names the euro part's reference, so that the books and the
quittance tell the same split.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import Connection, select, update

from monnaie_locale.authorities import registry
from monnaie_locale.authorities.quittance_signing import quittance_fields, sign_fields
from monnaie_locale.authorities.quittances import (
    ANONYMOUS,
    Quittance,
    issue_quittance,
    quittance_of_transaction,
)
from monnaie_locale.model import Account, AccountKind, Transaction
from monnaie_locale.payments.keys import KeyRing
from monnaie_locale.store.tables_authorities import quittances, regie_sales

__all__ = ["Collection", "collection_into", "give_quittance", "split_memo"]


@dataclass(frozen=True, slots=True)
class Collection:
    """What the quittance of a payment into ``regie`` will say, known before posting."""

    regie: registry.Regie
    object: str
    payer_name: str | None = None  # named at the counter; None: as the régie names payers
    euros: int = 0
    euro_means: str | None = None
    euro_reference: str | None = None

    def memo(self, memo: str) -> str:
        """The posted transaction's memo: ``memo``, with the euro part of a split sale."""
        return split_memo(memo, self.euros, self.euro_means, self.euro_reference)


def split_memo(memo: str, euros: int, means: str | None, reference: str | None) -> str:
    """``memo`` naming the euro part paid outside the service, if there is one."""
    if euros <= 0:
        return memo
    part = f"euro part {euros} ({means or 'euros'})"
    if reference:
        part += f" ref {reference}"
    return f"{memo} | {part}".strip(" |")


def collection_into(
    conn: Connection, payee: Account, *, object: str, request_row_id: int | None = None
) -> Collection | None:
    """The régie collecting into ``payee``, and what its quittance says; None for any
    other account (read only for an authority account).

    ``request_row_id``: the payment request paid, whose counter sale, if it was one,
    gives the object, the payer's name and the euro part; else the quittance's object
    is ``object``.
    """
    if payee.kind is not AccountKind.AUTHORITY:
        return None
    regie = registry.regie_by_account(conn, payee.id)
    if regie is None:
        return None
    if request_row_id is not None:
        sale = conn.execute(
            select(
                regie_sales.c.object,
                regie_sales.c.payer_name,
                regie_sales.c.euros,
                regie_sales.c.euro_means,
                regie_sales.c.euro_reference,
            ).where(regie_sales.c.request_id == request_row_id)
        ).first()
        if sale is not None:
            return Collection(
                regie,
                sale.object,
                payer_name=sale.payer_name,
                euros=int(sale.euros),
                euro_means=sale.euro_means,
                euro_reference=sale.euro_reference,
            )
    return Collection(regie, object)


def give_quittance(
    conn: Connection,
    collection: Collection,
    *,
    transaction: Transaction,
    payer: Account,
    units: int,
    keyring: KeyRing | None,
    zone: tzinfo,
    now: datetime,
) -> Quittance:
    """The quittance of ``transaction``, which moved ``units`` from ``payer`` into the
    régie: numbered next in the year of its day in the books' ``zone``, and signed with
    the deployment's active key (unsigned where none is configured).

    A transaction given its quittance already (a retried payment) keeps it.
    """
    given = quittance_of_transaction(conn, transaction.id)
    if given is not None:
        return given
    regie = collection.regie
    named = regie.names_payers
    payer_name = collection.payer_name or (
        (payer.display_name or payer.code) if named else ANONYMOUS
    )
    quittance = issue_quittance(
        conn,
        regie,
        transaction_id=transaction.id,
        year=now.astimezone(zone).year,
        object=collection.object,
        payer_name=payer_name,
        # A régie that does not name its payers keeps no link to them on its quittances.
        payer_account_id=payer.id if named else None,
        units=units,
        euros=collection.euros,
        euro_means=collection.euro_means,
        euro_reference=collection.euro_reference,
        now=now,
    )
    if keyring is None:
        return quittance
    key_id, signature = sign_fields(
        quittance_fields(quittance, regie=regie.code), key=keyring.active
    )
    conn.execute(
        update(quittances)
        .where(quittances.c.id == quittance.id)
        .values(key_id=key_id, signature=signature)
    )
    return dataclasses.replace(quittance, key_id=key_id, signature=signature)
