"""What an exchange office's counter reads: the offices one works at, what an office holds
now, and the account a customer names.

The counter's screen (the web's ``/guichet``) shows these before each act; the acts that
move money (:mod:`~monnaie_locale.acts.notes`, :mod:`~monnaie_locale.acts.conversions`,
:mod:`~monnaie_locale.acts.offices`) check again for themselves. An office operator reads
the offices whose till or note stock they hold; the association's operators and
administrators, and the auditor, read every open office.

==================  ======================================================================
Act                 Who may do it
==================  ======================================================================
counter_offices     office operators (their offices), the association's operators,
                    administrators and auditors (every open office)
office_desk         the same, for one of those offices: its till's cash, its notes
find_holders        the same: the holders' accounts whose code or name holds the words
==================  ======================================================================
"""

from __future__ import annotations

from monnaie_locale.acting import Context, act, check_office
from monnaie_locale.auth.roles import OFFICE_STAFF, Role
from monnaie_locale.deployment import office_notes, office_till, offices_in_books
from monnaie_locale.ledger.account_search import find_holder_accounts
from monnaie_locale.model import Account
from monnaie_locale.operations import offices
from monnaie_locale.operations.offices import OfficeDesk

__all__ = ["COUNTER_READERS", "counter_offices", "find_holders", "office_desk"]

# Who reads a counter: those who work at one, and the auditor, who reads everything.
COUNTER_READERS = (*OFFICE_STAFF, Role.AUDITOR)


def _works_at(ctx: Context, office: str) -> bool:
    if ctx.actor.role != Role.OFFICE_OPERATOR:
        return True
    return bool({office_till(office), office_notes(office)} & ctx.actor.accounts)


@act(*COUNTER_READERS)
def counter_offices(ctx: Context) -> tuple[str, ...]:
    """The open offices the actor works at (reads, for the auditor), in order."""
    return tuple(office for office in ctx.read(offices_in_books) if _works_at(ctx, office))


@act(*COUNTER_READERS)
def office_desk(ctx: Context, office: str) -> OfficeDesk:
    """The till's cash and the note stock of ``office``, now."""
    if ctx.actor.role == Role.OFFICE_OPERATOR:
        check_office(ctx.actor, office)
    return ctx.read(lambda conn: offices.office_desk(conn, ctx.deployment, office))


@act(*COUNTER_READERS)
def find_holders(ctx: Context, query: str, *, limit: int = 20) -> list[Account]:
    """The holders' open accounts whose code or name holds every word of ``query``.

    The roles reading a counter read every account (a customer is anyone), so nothing
    found is hidden from them.
    """
    return ctx.read(lambda conn: find_holder_accounts(conn, query, limit=limit))
