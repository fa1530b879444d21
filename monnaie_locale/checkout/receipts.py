"""The signed receipt of a booked payment or refund, as the merchant's till receives it.

A receipt names the ledger transaction, the request it settles, both accounts (by id), the
amount and the time, and is signed with the deployment's active key
(:mod:`monnaie_locale.payments.receipts`), so a till trusts the receipt, not the channel that
brought it. A refund's receipt is the same document with the accounts the other way round:
the merchant pays the customer back, and ``request_id`` still names the original request.

``journal_sequence`` is the transaction's place in the hash-chained journal when it is
already known inside the paying transaction: on SQLite the journal is chained at once; on
PostgreSQL the sealer numbers transactions just after commit (see
:mod:`monnaie_locale.journal`), so the receipt carries 0, meaning "not sealed yet", and
``transaction_id`` is what identifies the payment.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, select

from monnaie_locale.checkout.tokens import unix_seconds
from monnaie_locale.model import Account, Transaction
from monnaie_locale.payments.keys import KeyRing
from monnaie_locale.payments.receipts import Receipt, sign_receipt
from monnaie_locale.store.tables import journal

__all__ = ["NOT_SEALED", "receipt_json", "signed_receipt"]

NOT_SEALED = 0


def signed_receipt(
    conn: Connection,
    *,
    transaction: Transaction,
    request_id: str,
    payer: Account,
    payee: Account,
    amount: int,
    keyring: KeyRing,
    now: datetime,
) -> dict[str, object]:
    """Sign the receipt of ``transaction``, which moved ``amount`` from payer to payee."""
    receipt = Receipt(
        transaction_id=str(transaction.id),
        journal_sequence=_journal_sequence(conn, transaction.id),
        request_id=request_id,
        payer_account=payer.id,
        payee_account=payee.id,
        amount_cents=amount,
        currency=payee.currency,
        timestamp=unix_seconds(now),
    )
    return sign_receipt(receipt, key=keyring.active)


def receipt_json(document: dict[str, object]) -> str:
    """The stored and sent text of a signed receipt: compact, keys sorted, ASCII."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _journal_sequence(conn: Connection, transaction_id: int) -> int:
    seq = conn.execute(
        select(journal.c.seq).where(journal.c.transaction_id == transaction_id)
    ).scalar()
    return NOT_SEALED if seq is None else int(seq)
