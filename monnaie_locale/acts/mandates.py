"""An authority's mandates: the ordonnateur's side proposes a payment, the comptable's pays
it (see :mod:`monnaie_locale.authorities.mandates`).

Only the town's own people propose and decide: the association's operators keep the books
for every authority but are not the town, so neither act admits them; they read.

==============  ==========================================================================
Act             Who may do it
==============  ==========================================================================
propose         an authority agent with the duty ``ordonnateur`` at the authority
approve         an authority agent with the duty ``comptable`` there, who did not propose
                the mandate (``SameProposer`` otherwise, even holding both duties)
reject          the same, saying why
list_mandates   the duties ``ordonnateur``, ``comptable`` and ``finance`` at the authority;
get_mandate     the association's operators and administrators; the auditor
==============  ==========================================================================
"""

from __future__ import annotations

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import REPORT_READERS, Role
from monnaie_locale.authorities import duties, mandates
from monnaie_locale.authorities.mandates import Mandate, Order
from monnaie_locale.authorities.registry import Authority, authority_by_code

__all__ = ["approve_mandate", "get_mandate", "list_mandates", "propose_mandate", "reject_mandate"]

TOWN_PEOPLE = (Role.AUTHORITY_AGENT,)
READERS = (Role.AUTHORITY_AGENT, *REPORT_READERS)
READING_DUTIES = ("ordonnateur", "comptable", "finance")


def _for(ctx: Context, conn: Connection, authority: str, duty: str) -> tuple[Authority, int]:
    """The authority, and the acting user's id, if they hold ``duty`` there."""
    found = authority_by_code(conn, authority)
    duties.check_authority_duty(conn, ctx.actor, found, (duty,), reading=False)
    # Only an authority agent gets here, and only with a duty: always a user of their own.
    assert ctx.actor.user_id is not None
    return found, ctx.actor.user_id


def _read(ctx: Context, conn: Connection, authority: str) -> Authority:
    found = authority_by_code(conn, authority)
    duties.check_authority_duty(conn, ctx.actor, found, READING_DUTIES, reading=True)
    return found


@act(*TOWN_PEOPLE)
def propose_mandate(
    ctx: Context,
    authority: str,
    *,
    payee: str,
    amount: int,
    exercice: int,
    bordereau: str,
    number: str,
    chapitre: str,
    article: str,
    fonction: str,
    object: str,
    key: str,
) -> Mandate:
    """Propose that ``authority`` pay ``amount`` to ``payee``; nothing moves until the
    comptable approves. Once per ``key``."""
    order = Order(exercice, bordereau, number, chapitre, article, fonction, object)
    scoped = ctx.key(key)

    def write(conn: Connection) -> Mandate:
        town, user_id = _for(ctx, conn, authority, "ordonnateur")
        return mandates.propose(
            conn,
            ctx.deployment,
            town,
            order,
            payee=payee,
            amount=amount,
            proposer=user_id,
            idempotency_key=scoped,
            clock=ctx.clock,
        )

    return ctx.write(write)


@act(*TOWN_PEOPLE)
def approve_mandate(ctx: Context, authority: str, mandate_id: int, *, key: str) -> Mandate:
    """Pay a proposed mandate from the authority's account; once per ``key``."""
    scoped = ctx.key(key)

    def write(conn: Connection) -> Mandate:
        town, user_id = _for(ctx, conn, authority, "comptable")
        return mandates.approve(
            conn,
            ctx.deployment,
            town,
            mandate_id,
            decider=user_id,
            idempotency_key=scoped,
            clock=ctx.clock,
        )

    return ctx.write(write)


@act(*TOWN_PEOPLE)
def reject_mandate(ctx: Context, authority: str, mandate_id: int, *, reason: str) -> Mandate:
    """Reject a proposed mandate, saying why; nothing moves."""

    def write(conn: Connection) -> Mandate:
        town, user_id = _for(ctx, conn, authority, "comptable")
        return mandates.reject(
            conn, town, mandate_id, decider=user_id, reason=reason, now=ctx.clock()
        )

    return ctx.write(write)


@act(*READERS)
def list_mandates(
    ctx: Context, authority: str, *, status: str | None = None, exercice: int | None = None
) -> list[Mandate]:
    """The authority's mandates, oldest first; only ``status`` or ``exercice`` if given."""
    return ctx.read(
        lambda conn: mandates.list_mandates(
            conn, _read(ctx, conn, authority), status=status, exercice=exercice
        )
    )


@act(*READERS)
def get_mandate(ctx: Context, authority: str, mandate_id: int) -> Mandate:
    """One of the authority's mandates."""
    return ctx.read(
        lambda conn: mandates.mandate_by_id(conn, _read(ctx, conn, authority), mandate_id)
    )
