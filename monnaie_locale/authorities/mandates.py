"""An authority's spending: mandates, proposed by the ordonnateur's side, paid by the
comptable's.

In French public accounting the ordonnateur orders an expense and the comptable public
checks and pays it, and the two are never the same person (the separation of ordonnateur
and comptable, décret n° 2012-1246 of 7 November 2012 on public budget and accounting
management, articles 9 and 18 to 20). The ordonnateur's services issue a *mandat* inside a
*bordereau*, for one *exercice*, with its budget imputation: the *chapitre* and the
*article* by nature, and the *fonction*, in the M57 nomenclature.

Here a mandate is proposed (nothing moves), then approved (the payment is posted from the
authority's own account to the payee, in the same transaction that marks it paid) or
rejected. The person who decides is never the person who proposed: :func:`approve` and
:func:`reject` refuse it (:class:`SameProposer`), and the table's ``two_people`` check
refuses it again in the database. An authority spends in the local unit only where the
version of its convention in force that day says it may (``may_spend``), checked when the
mandate is proposed and again when it is paid.

Plain functions on a connection, inside the caller's transaction; the acts of
:mod:`monnaie_locale.acts.mandates` check who may call them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, insert, select, update
from sqlalchemy.exc import IntegrityError

from monnaie_locale.authorities.errors import SameProposer, SpendingNotAllowed
from monnaie_locale.authorities.mandate_errors import (
    DuplicateMandate,
    MandateNotProposed,
    NoAuthorityAccount,
    UnknownMandate,
)
from monnaie_locale.authorities.registry import Authority, convention_required
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.deployment import Deployment
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger import service
from monnaie_locale.model import TransferRequest, check_plain_text, check_positive
from monnaie_locale.operations.common import claim_operation, finish_operation, holder_account
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_auth import users
from monnaie_locale.store.tables_authorities import mandates

__all__ = [
    "KIND",
    "STATUSES",
    "Mandate",
    "Order",
    "approve",
    "list_mandates",
    "mandate_by_id",
    "propose",
    "reject",
]

KIND = "mandate"  # the kind of the transaction that pays a mandate
STATUSES = ("proposed", "paid", "rejected")
# A bordereau's or a mandate's number as the authority's software writes it: "B-2026-014".
_SHORT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9./_-]{0,29}")
# M57 codes: a chapitre ("011", "65"), an article by nature ("6574", "60632", a sub-account
# with letters in some charts), a fonction ("020", "311").
_CHAPITRE = re.compile(r"[0-9]{2,3}")
_ARTICLE = re.compile(r"[0-9][0-9A-Za-z]{0,19}")
_FONCTION = re.compile(r"[0-9]{1,10}")
_MAX_OBJECT = 200
# The oldest exercice accepted: before the local unit, a typing mistake.
_FIRST_EXERCICE = 2000


@dataclass(frozen=True, slots=True)
class Order:
    """What the ordonnateur writes on a mandate: its references and its imputation."""

    exercice: int
    bordereau: str
    number: str
    chapitre: str
    article: str
    fonction: str
    object: str

    def checked(self, today: date) -> Order:
        """The order, refused (:class:`InvalidRequest`) unless each reference has its shape."""
        if not _FIRST_EXERCICE <= self.exercice <= today.year:
            raise InvalidRequest(
                f"the exercice is a year from {_FIRST_EXERCICE} to {today.year}, "
                f"not {self.exercice}"
            )
        _shaped(self.bordereau, _SHORT_CODE, "the bordereau", "such as B-2026-014")
        _shaped(self.number, _SHORT_CODE, "the mandate's number", "such as 1207")
        _shaped(self.chapitre, _CHAPITRE, "the chapitre", "2 or 3 digits, such as 65")
        _shaped(self.article, _ARTICLE, "the article", "M57 nature, such as 6574")
        _shaped(self.fonction, _FONCTION, "the fonction", "digits, such as 020")
        if not self.object.strip():
            raise InvalidRequest("say what the mandate pays for (its object)")
        check_plain_text(self.object, "object", max_length=_MAX_OBJECT)
        return self

    def memo(self) -> str:
        """The payment's memo: what the payee and the public accountant read on it."""
        return (
            f"Mandat {self.number}, bordereau {self.bordereau}, exercice {self.exercice}, "
            f"imputation {self.chapitre}/{self.article}/{self.fonction}: {self.object}"
        )


def _shaped(value: str, shape: re.Pattern[str], what: str, example: str) -> None:
    if shape.fullmatch(value) is None:
        raise InvalidRequest(f"{what} is {example}, not {value!r}")


@dataclass(frozen=True, slots=True)
class Mandate:
    id: int
    authority: str  # the authority's code
    exercice: int
    bordereau: str
    number: str
    chapitre: str
    article: str
    fonction: str
    object: str
    payee: str  # the payee's account code
    amount: int
    status: str
    proposed_by: str  # usernames
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    refusal: str | None
    transaction_id: int | None


_proposer = users.alias("proposer")
_decider = users.alias("decider")


def _query(authority: Authority) -> Select[Any]:
    return (
        select(
            mandates.c.id,
            mandates.c.exercice,
            mandates.c.bordereau,
            mandates.c.number,
            mandates.c.chapitre,
            mandates.c.article,
            mandates.c.fonction,
            mandates.c.object,
            accounts.c.code.label("payee"),
            mandates.c.amount,
            mandates.c.status,
            _proposer.c.username.label("proposed_by"),
            mandates.c.proposed_at,
            _decider.c.username.label("decided_by"),
            mandates.c.decided_at,
            mandates.c.refusal,
            mandates.c.transaction_id,
        )
        .select_from(
            mandates.join(accounts, accounts.c.id == mandates.c.payee_account_id)
            .join(_proposer, _proposer.c.id == mandates.c.proposed_by)
            .outerjoin(_decider, _decider.c.id == mandates.c.decided_by)
        )
        .where(mandates.c.authority_id == authority.id)
    )


def _mandate(authority: Authority, row: Row) -> Mandate:  # type: ignore[type-arg]
    return Mandate(
        id=int(row.id),
        authority=authority.code,
        exercice=int(row.exercice),
        bordereau=row.bordereau,
        number=row.number,
        chapitre=row.chapitre,
        article=row.article,
        fonction=row.fonction,
        object=row.object,
        payee=row.payee,
        amount=int(row.amount),
        status=row.status,
        proposed_by=row.proposed_by,
        proposed_at=as_utc(row.proposed_at),  # SQLite keeps no zone
        decided_by=row.decided_by,
        decided_at=None if row.decided_at is None else as_utc(row.decided_at),
        refusal=row.refusal,
        transaction_id=None if row.transaction_id is None else int(row.transaction_id),
    )


def mandate_by_id(conn: Connection, authority: Authority, mandate_id: int) -> Mandate:
    """One of the authority's mandates; :class:`UnknownMandate` for another's, as a missing one."""
    row = conn.execute(_query(authority).where(mandates.c.id == mandate_id)).first()
    if row is None:
        raise UnknownMandate(authority.code, mandate_id)
    return _mandate(authority, row)


def list_mandates(
    conn: Connection, authority: Authority, *, status: str | None, exercice: int | None
) -> list[Mandate]:
    """The authority's mandates, oldest first; only ``status`` or ``exercice`` if given."""
    query = _query(authority).order_by(mandates.c.id)
    if status is not None:
        if status not in STATUSES:
            raise InvalidRequest(f"a mandate's status is one of {', '.join(STATUSES)}")
        query = query.where(mandates.c.status == status)
    if exercice is not None:
        query = query.where(mandates.c.exercice == exercice)
    return [_mandate(authority, row) for row in conn.execute(query)]


def _check_may_spend(conn: Connection, authority: Authority, today: date) -> str:
    """The authority's own account, if its convention in force ``today`` lets it spend."""
    if not convention_required(conn, authority, today).may_spend:
        raise SpendingNotAllowed(authority.code)
    if authority.account is None:
        raise NoAuthorityAccount(authority.code)
    return authority.account


def propose(
    conn: Connection,
    deployment: Deployment,
    authority: Authority,
    order: Order,
    *,
    payee: str,
    amount: int,
    proposer: int,
    idempotency_key: str,
    clock: Clock,
) -> Mandate:
    """Record a mandate of ``amount`` to ``payee``, proposed by user ``proposer``; nothing
    moves yet. Once per ``idempotency_key``: a retry gets the mandate the first call made."""
    request = f"mandate|{authority.id}|{payee}|{amount}|" + "|".join(
        str(value) for value in dataclasses.astuple(order)
    )
    done = claim_operation(conn, idempotency_key, request=request, clock=clock)
    if done is not None:
        return mandate_by_id(conn, authority, int(done.partition(":")[2]))
    now = clock()
    order.checked(deployment.today(now))
    check_positive(amount)
    own = _check_may_spend(conn, authority, deployment.today(now))
    account = holder_account(conn, deployment, payee)
    if account.code == own:
        raise InvalidRequest(f"{authority.code} cannot pay its own account")
    try:
        with conn.begin_nested():
            mandate_id = conn.execute(
                insert(mandates)
                .values(
                    authority_id=authority.id,
                    exercice=order.exercice,
                    bordereau=order.bordereau,
                    number=order.number,
                    chapitre=order.chapitre,
                    article=order.article,
                    fonction=order.fonction,
                    object=order.object,
                    payee_account_id=account.id,
                    amount=amount,
                    status="proposed",
                    proposed_by=proposer,
                    proposed_at=now,
                )
                .returning(mandates.c.id)
            ).scalar_one()
    except IntegrityError:
        raise DuplicateMandate(
            authority.code, order.exercice, order.bordereau, order.number
        ) from None
    finish_operation(conn, idempotency_key, f"mandate:{mandate_id}")
    return mandate_by_id(conn, authority, int(mandate_id))


def _decide(
    conn: Connection, authority: Authority, mandate_id: int, *, decider: int, **values: Any
) -> None:
    """Mark a proposed mandate decided by user ``decider``, who did not propose it.

    The update names the status it expects: of two people deciding at once, the second
    finds the mandate decided (PostgreSQL makes it wait for the first's row).
    """
    row = conn.execute(
        select(mandates.c.proposed_by).where(
            mandates.c.id == mandate_id, mandates.c.authority_id == authority.id
        )
    ).first()
    if row is None:
        raise UnknownMandate(authority.code, mandate_id)
    if int(row.proposed_by) == decider:
        raise SameProposer(mandate_id)
    changed = conn.execute(
        update(mandates)
        .where(mandates.c.id == mandate_id, mandates.c.status == "proposed")
        .values(decided_by=decider, **values)
    ).rowcount
    if changed != 1:
        raise MandateNotProposed(mandate_id, mandate_by_id(conn, authority, mandate_id).status)


def approve(
    conn: Connection,
    deployment: Deployment,
    authority: Authority,
    mandate_id: int,
    *,
    decider: int,
    idempotency_key: str,
    clock: Clock,
) -> Mandate:
    """Pay a proposed mandate from the authority's account, decided by user ``decider``.

    The payment and the mandate's new status are one transaction: a payment refused (the
    authority's account cannot pay it, the payee's is frozen) leaves the mandate proposed.
    Once per ``idempotency_key``: a retry gets the paid mandate and pays nothing again.
    """
    request = f"mandate-approval|{authority.id}|{mandate_id}"
    done = claim_operation(conn, idempotency_key, request=request, clock=clock)
    if done is not None:
        return mandate_by_id(conn, authority, mandate_id)
    now = clock()
    _decide(conn, authority, mandate_id, decider=decider, status="paid", decided_at=now)
    # Checked on the day it is paid: a convention withdrawn since the proposal stops it.
    own = _check_may_spend(conn, authority, deployment.today(now))
    mandate = mandate_by_id(conn, authority, mandate_id)
    order = Order(*(getattr(mandate, field.name) for field in dataclasses.fields(Order)))
    payment = TransferRequest.simple(
        own,
        mandate.payee,
        mandate.amount,
        kind=KIND,
        memo=order.memo(),
        reference=f"mandate:{mandate.id}",
    )
    paid = service.post_transfer(
        conn, payment, idempotency_key=f"{idempotency_key}/payment", clock=clock
    )
    conn.execute(update(mandates).where(mandates.c.id == mandate_id).values(transaction_id=paid.id))
    finish_operation(conn, idempotency_key, f"mandate:{mandate_id}")
    return mandate_by_id(conn, authority, mandate_id)


def reject(
    conn: Connection,
    authority: Authority,
    mandate_id: int,
    *,
    decider: int,
    reason: str,
    now: datetime,
) -> Mandate:
    """Reject a proposed mandate, saying why; nothing moves."""
    if not reason.strip():
        raise InvalidRequest("say why the mandate is rejected")
    check_plain_text(reason, "reason", max_length=_MAX_OBJECT)
    _decide(
        conn,
        authority,
        mandate_id,
        decider=decider,
        status="rejected",
        decided_at=now,
        refusal=reason,
    )
    return mandate_by_id(conn, authority, mandate_id)
