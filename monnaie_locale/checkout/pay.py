"""Paying a payment request: verify it, pay it once, book it, sign the receipt, tell the till.

Everything happens in the caller's database transaction (``Database.write``), so a refusal
anywhere, from the signature to the payer's funds, leaves nothing behind: no posting, no
status change, no event. The order of the checks:

1. The token is verified (:func:`~monnaie_locale.checkout.tokens.verify_token`): deployment,
   key id, signature, validity window.
2. The stored request is read by its id, and must agree with what was signed. The payee is
   that row's account, read from the account table: never text from the QR.
3. A retry under the same idempotency key returns the first payment and its receipt.
4. The amount: a dynamic request's own, or for a static one a positive amount the payer typed.
5. The request must be open, the payee active and a merchant, the payer allowed to pay it.
6. A dynamic request is claimed by a conditional ``UPDATE ... SET status = 'paid' WHERE
   status = 'open'``. Of two payers racing, the second's update waits for the first's row
   lock, then matches no row, and is refused, whatever the isolation level; the unique
   ``single_use_request_id`` of the payment row backs this up in the schema. A static
   request is only read ``FOR SHARE`` while open, so a cancellation cannot cross a payment.
7. The ledger moves the money (:func:`monnaie_locale.ledger.service.post_transfer`), which
   refuses a frozen account or missing funds.
8. The receipt is signed and stored, and the event recorded (feed, webhooks, NOTIFY).
9. A payment into a régie's account gets its quittance, numbered in this transaction
   (:mod:`monnaie_locale.authorities.collection`); the régie is looked up only when the
   payee is an authority account, so a shop's payment costs nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.authorities.collection import Collection, collection_into, give_quittance
from monnaie_locale.checkout.directory import payee, payer
from monnaie_locale.checkout.errors import (
    AmountFixed,
    AmountRequired,
    ForgedPaymentRequest,
    PaymentRequestExpired,
    RequestAlreadyPaid,
    RequestCancelled,
)
from monnaie_locale.checkout.events import record_event
from monnaie_locale.checkout.idempotency import checked_key, ledger_key
from monnaie_locale.checkout.payment_records import (
    Payment,
    get_payment,
    payment_by_key,
    payment_from_row,
)
from monnaie_locale.checkout.receipts import receipt_json, signed_receipt
from monnaie_locale.checkout.requests import IssuedRequest, RequestStatus, get_request
from monnaie_locale.checkout.tokens import token_of, verify_token
from monnaie_locale.clock import DEFAULT_TIME_ZONE, Clock, zone_named
from monnaie_locale.errors import IdempotencyConflict, InvalidAmount
from monnaie_locale.ledger.service import post_transfer
from monnaie_locale.model import Account, Transaction, TransferRequest, check_positive
from monnaie_locale.payments.keys import KeyRing
from monnaie_locale.payments.request import PaymentRequest, RequestKind
from monnaie_locale.store.tables_checkout import (
    checkout_payments,
    payment_requests,
)

__all__ = ["PAYMENT_KIND", "RequestPreview", "pay", "preview"]

PAYMENT_KIND = "qr_payment"


@dataclass(frozen=True, slots=True)
class RequestPreview:
    """What a pay page shows before the payer confirms: all from the server's own records."""

    request: IssuedRequest
    payee: Account


def preview(
    conn: Connection, token: str, *, keyring: KeyRing, deployment_id: int, clock: Clock
) -> RequestPreview:
    """Verify ``token`` and say whom and how much it pays, refusing what ``pay`` would."""
    stored = _stored(
        conn, verify_token(token, keyring=keyring, deployment_id=deployment_id, now=clock())
    )
    _check_open(stored)
    return RequestPreview(request=stored, payee=payee(conn, stored.merchant_account_id))


def pay(
    conn: Connection,
    token: str,
    *,
    payer_account: str,
    amount: int | None = None,
    idempotency_key: str,
    keyring: KeyRing,
    deployment_id: int,
    clock: Clock,
    zone: tzinfo | None = None,
) -> Payment:
    """Pay the request in ``token`` (a token or its URL) from ``payer_account``.

    ``amount`` is what the payer typed, for a static request; a dynamic request pays its own.
    ``zone`` is the books' time zone, whose year numbers a régie's quittances.
    """
    checked_key(idempotency_key)
    now = clock()
    try:
        verified = verify_token(token, keyring=keyring, deployment_id=deployment_id, now=now)
    except PaymentRequestExpired as refusal:
        return _late_retry(conn, idempotency_key, token=token, payer=payer_account, refusal=refusal)
    stored = _stored(conn, verified)
    previous = _replay(conn, idempotency_key, stored=stored, payer=payer_account, amount=amount)
    if previous is not None:
        return previous
    to_pay = _amount_to_pay(stored, amount)
    _check_open(stored)
    payee_account = payee(conn, stored.merchant_account_id)
    payer_acc = payer(conn, payer_account, payee=payee_account)
    if not _claim(conn, stored):
        return _lost_claim(conn, idempotency_key, stored=stored, payer=payer_account)
    memo = f"QR payment {stored.reference}".strip()
    collection = collection_into(
        conn, payee_account, object=stored.reference or "Paiement", request_row_id=stored.id
    )
    transaction = post_transfer(
        conn,
        TransferRequest.simple(
            payer_acc.code,
            payee_account.code,
            to_pay,
            kind=PAYMENT_KIND,
            memo=memo if collection is None else collection.memo(memo),
            reference=f"request:{stored.request_id}",
        ),
        idempotency_key=ledger_key("pay", idempotency_key),
        clock=clock,
    )
    # A concurrent call under this key may have committed while the ledger's key waited.
    previous = _replay(conn, idempotency_key, stored=stored, payer=payer_account, amount=amount)
    if previous is not None:
        return previous
    booked = _Booked(stored, payer_acc, payee_account, to_pay, transaction)
    if collection is not None:
        _quittance(conn, booked, collection, keyring=keyring, zone=zone, now=now)
    return _record(conn, booked, idempotency_key=idempotency_key, keyring=keyring, now=now)


def _quittance(
    conn: Connection,
    booked: _Booked,
    collection: Collection,
    *,
    keyring: KeyRing,
    zone: tzinfo | None,
    now: datetime,
) -> None:
    give_quittance(
        conn,
        collection,
        transaction=booked.transaction,
        payer=booked.payer,
        units=booked.amount,
        keyring=keyring,
        zone=zone if zone is not None else zone_named(DEFAULT_TIME_ZONE),
        now=now,
    )


@dataclass(frozen=True, slots=True)
class _Booked:
    """A payment the ledger has just booked, before its receipt and event are written."""

    request: IssuedRequest
    payer: Account
    payee: Account
    amount: int
    transaction: Transaction


def _record(
    conn: Connection, booked: _Booked, *, idempotency_key: str, keyring: KeyRing, now: datetime
) -> Payment:
    """Sign the receipt, store the payment row and its event; return the payment."""
    single_use = booked.request.kind is RequestKind.DYNAMIC
    data = receipt_json(
        signed_receipt(
            conn,
            transaction=booked.transaction,
            request_id=booked.request.request_id,
            payer=booked.payer,
            payee=booked.payee,
            amount=booked.amount,
            keyring=keyring,
            now=now,
        )
    )
    payment_id = conn.execute(
        insert(checkout_payments)
        .values(
            request_row_id=booked.request.id,
            single_use_request_id=booked.request.id if single_use else None,
            merchant_account_id=booked.payee.id,
            payer_account_id=booked.payer.id,
            amount=booked.amount,
            refunded=0,
            transaction_id=booked.transaction.id,
            idempotency_key=idempotency_key,
            receipt=data,
            created_at=now,
        )
        .returning(checkout_payments.c.id)
    ).scalar_one()
    record_event(
        conn,
        merchant_account_id=booked.payee.id,
        kind="payment",
        payment_id=payment_id,
        refund_id=None,
        transaction_id=booked.transaction.id,
        data=data,
        now=now,
    )
    return get_payment(conn, int(payment_id))


def _stored(conn: Connection, request: PaymentRequest) -> IssuedRequest:
    stored = get_request(conn, request.request_id.hex())
    # A valid signature over fields that differ from what was issued means a key was used
    # outside this service: refuse rather than trust either side.
    if (
        stored.merchant_account_id != request.merchant_account_id
        or stored.kind is not request.kind
        or stored.amount != request.amount_cents
    ):
        raise ForgedPaymentRequest(stored.request_id)
    return stored


def _check_open(stored: IssuedRequest) -> None:
    if stored.status is RequestStatus.CANCELLED:
        raise RequestCancelled(stored.request_id)
    if stored.status is RequestStatus.PAID:
        raise RequestAlreadyPaid(stored.request_id)


def _amount_to_pay(stored: IssuedRequest, amount: int | None) -> int:
    if stored.kind is RequestKind.DYNAMIC:
        if amount is not None and amount != stored.amount:
            raise AmountFixed(requested=stored.amount, given=amount)
        return stored.amount
    if amount is None:
        raise AmountRequired(amount)
    try:
        return check_positive(amount)
    except InvalidAmount as exc:
        raise AmountRequired(amount) from exc


def _claim(conn: Connection, stored: IssuedRequest) -> bool:
    """Take a dynamic request (open -> paid), or hold a static one open until commit."""
    still_open = (payment_requests.c.id == stored.id) & (payment_requests.c.status == "open")
    if stored.kind is RequestKind.DYNAMIC:
        claimed = conn.execute(
            update(payment_requests)
            .where(still_open)
            .values(status=str(RequestStatus.PAID))
            .returning(payment_requests.c.id)
        )
        return claimed.first() is not None
    # A shared lock: payers of one counter code do not wait for each other, but a
    # cancellation waits for them, and a payment cannot slip past a committed one.
    held = conn.execute(select(payment_requests.c.id).where(still_open).with_for_update(read=True))
    return held.first() is not None


def _lost_claim(conn: Connection, key: str, *, stored: IssuedRequest, payer: str) -> Payment:
    """Another transaction paid or cancelled the request first: say which, or replay."""
    previous = _replay(conn, key, stored=stored, payer=payer, amount=None)
    if previous is not None:
        return previous
    _check_open(get_request(conn, stored.request_id))
    raise RequestAlreadyPaid(stored.request_id)


def _replay(
    conn: Connection, key: str, *, stored: IssuedRequest, payer: str, amount: int | None
) -> Payment | None:
    row = payment_by_key(conn, key)
    if row is None:
        return None
    same = (
        row.request_row_id == stored.id
        and row.payer_code == payer
        and (amount is None or amount == row.amount)
    )
    if not same:
        raise IdempotencyConflict(key)
    return payment_from_row(conn, row, replayed=True)


def _late_retry(
    conn: Connection, key: str, *, token: str, payer: str, refusal: PaymentRequestExpired
) -> Payment:
    """A retry arriving after expiry gets its payment back if the first attempt paid exactly
    this token (whose signature the codec checked before the expiry); else the refusal."""
    row = payment_by_key(conn, key)
    if row is None or row.payer_code != payer or row.token != token_of(token):
        raise refusal
    return payment_from_row(conn, row, replayed=True)
