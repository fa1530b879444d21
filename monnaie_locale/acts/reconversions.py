"""Reconversions and their payouts: the acts that turn units back into euros.

A holder requests a reconversion: the units are held, the fee of the account's category
is fixed. The association validates requests into a payout batch (if the digital reserve
can pay them all), exports the batch as a pain.001 file for its bank, and marks the
payouts paid once the bank has made them: the held units are then destroyed and the
euros leave the reserve. A request not yet in a batch may be cancelled. Who may reconvert
at all (businesses; authorities and members as the deployment says) is the rule of
:mod:`monnaie_locale.operations.reconversion`; these acts add who may ask for it.

====================  ====================================================================
Act                   Who may do it
====================  ====================================================================
request_reconversion  a holder, for an account they hold (operators: for any holder)
reconversion_quote    the same: what a request would cost and pay out today (nothing
                      is written)
get_reconversion      anyone, for a request from an account they hold (readers of every
                      account: any)
cancel_reconversion   a holder, for a request from an account they hold (operators: any)
list_reconversions    those who read the association's reports (auditors, operators,
                      administrators)
holder_reconversions  anyone, for an account they may read: its requests and their status
validate_batch        the association's operators and administrators, recorded as the
                      batch's validator
get_batch             those who read the association's reports
export_batch          the association's operators and administrators
mark_paid             the association's operators and administrators
mark_batch_paid       the association's operators and administrators
====================  ====================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import EVERYONE, HOLDERS, OPERATORS, REPORT_READERS
from monnaie_locale.clock import day_in
from monnaie_locale.operations import payouts, reconversion
from monnaie_locale.operations.payouts import PayoutBatch
from monnaie_locale.operations.reconversion import Reconversion, ReconversionQuote

__all__ = [
    "cancel_reconversion",
    "export_batch",
    "get_batch",
    "get_reconversion",
    "holder_reconversions",
    "list_reconversions",
    "mark_batch_paid",
    "mark_paid",
    "reconversion_quote",
    "request_reconversion",
    "validate_batch",
]


@act(*HOLDERS)
def request_reconversion(
    ctx: Context,
    account: str,
    amount: int,
    *,
    creditor_name: str,
    iban: str,
    bic: str | None = None,
    key: str,
) -> Reconversion:
    """Hold ``amount`` on ``account`` for a payout to ``iban``, once per ``key``."""
    ctx.actor.check_move_from(account)
    return ctx.operate(
        reconversion.request_reconversion,
        key=key,
        account=account,
        amount=amount,
        creditor_name=creditor_name,
        iban=iban,
        bic=bic,
    )


@act(*HOLDERS)
def reconversion_quote(ctx: Context, account: str, amount: int) -> ReconversionQuote:
    """The fee and the euros a request of ``amount`` from ``account`` would fix now, under
    today's rules: what :func:`request_reconversion` would charge, refused alike."""
    ctx.actor.check_move_from(account)
    return ctx.read(
        lambda conn: reconversion.quote_reconversion(
            conn, ctx.deployment, account=account, amount=amount, clock=ctx.clock
        )
    )


@act(*EVERYONE)
def get_reconversion(ctx: Context, request_id: int) -> Reconversion:
    """One request, seen by those who may read its account."""
    found = ctx.read(lambda conn: reconversion.load_reconversion(conn, request_id))
    ctx.actor.check_read(found.account)
    return found


@act(*HOLDERS)
def cancel_reconversion(ctx: Context, request_id: int) -> Reconversion:
    """Release the units of a request not yet in a payout batch."""

    def cancel(conn: Connection) -> Reconversion:
        # Checked in the transaction that cancels: a request's account never changes, and
        # an unknown request is "not found" before it is anyone's.
        found = reconversion.load_reconversion(conn, request_id)
        ctx.actor.check_move_from(found.account)
        return reconversion.cancel_reconversion(conn, request_id=request_id, clock=ctx.clock)

    return ctx.write(cancel)


@act(*REPORT_READERS)
def list_reconversions(ctx: Context, *, status: str | None = None) -> list[Reconversion]:
    """Every request, or those with ``status``, oldest first."""
    return ctx.read(lambda conn: reconversion.list_reconversions(conn, status=status))


@act(*EVERYONE)
def holder_reconversions(ctx: Context, account: str) -> list[Reconversion]:
    """The requests from ``account``, oldest first: what its holder asked, and where each is."""
    ctx.actor.check_read(account)
    return ctx.read(lambda conn: reconversion.list_reconversions(conn, account=account))


@act(*OPERATORS)
def validate_batch(ctx: Context, request_ids: Sequence[int], *, key: str) -> PayoutBatch:
    """Put requests in a batch to pay, if the digital reserve can pay them all.

    The actor is recorded as the batch's validator: who validated is who acted.
    """
    return ctx.operate(
        payouts.validate_batch, key=key, request_ids=request_ids, validated_by=ctx.actor.name
    )


@act(*REPORT_READERS)
def get_batch(ctx: Context, batch_id: int) -> PayoutBatch:
    """One payout batch."""
    return ctx.read(lambda conn: payouts.load_batch(conn, batch_id))


@act(*OPERATORS)
def export_batch(
    ctx: Context,
    batch_id: int,
    *,
    execution_date: date | None = None,
    deliver: Callable[[bytes], object] | None = None,
) -> bytes:
    """The batch's pain.001 file for the bank, paid on ``execution_date`` (default: today).

    The batch is marked exported. ``deliver``, when given, gets the file inside the
    transaction that marks it: if delivering fails (a full disk), the batch stays as it
    was. Exporting again returns the same file for the same execution date.
    """
    day = day_in(ctx.clock(), ctx.deployment.zone) if execution_date is None else execution_date

    def export(conn: Connection) -> bytes:
        content = payouts.export_batch(
            conn, ctx.deployment, batch_id=batch_id, execution_date=day, clock=ctx.clock
        )
        if deliver is not None:
            deliver(content)
        return content

    return ctx.write(export)


@act(*OPERATORS)
def mark_paid(
    ctx: Context, request_id: int, *, bank_reference: str, key: str | None = None
) -> Reconversion:
    """Book one payout the bank made: the held units are destroyed, the euros leave.

    Marking again with the same ``bank_reference`` returns the paid request and moves
    nothing; ``key``, when given, is the caller's idempotency key (see
    :meth:`~monnaie_locale.acting.Context.write_settlement`).
    """

    def mark(conn: Connection) -> Reconversion:
        return payouts.mark_paid(
            conn,
            ctx.deployment,
            request_id=request_id,
            bank_reference=bank_reference,
            clock=ctx.clock,
        )

    request = f"reconversion_paid|{request_id}|{bank_reference}"
    return ctx.write_settlement(mark, key=key, request=request)


@act(*OPERATORS)
def mark_batch_paid(
    ctx: Context, batch_id: int, *, bank_reference: str, key: str | None = None
) -> PayoutBatch:
    """Book every payout of a batch the bank paid as one debit; again, moves nothing."""

    def mark(conn: Connection) -> PayoutBatch:
        return payouts.mark_batch_paid(
            conn, ctx.deployment, batch_id=batch_id, bank_reference=bank_reference, clock=ctx.clock
        )

    request = f"batch_paid|{batch_id}|{bank_reference}"
    return ctx.write_settlement(mark, key=key, request=request)
