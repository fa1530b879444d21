"""What the régisseur's web space shows a person: where they land, which buttons they get.

The régies' own acts (:mod:`monnaie_locale.acts.regie_counter`,
:mod:`monnaie_locale.acts.versements`) check every duty themselves; the pages only need to
know beforehand whether to offer a form that the act would refuse, and whether a person
signing in works at a régie at all. Both answers come from the duties
(:mod:`monnaie_locale.authorities.duties`) and are never what grants anything.

=================  =====================================================================
Act                Who may do it
=================  =====================================================================
works_at_regies    anyone, about themselves: an authority agent with a counter duty
                   (régisseur, mandataire) or the finance officer's
desk_rights        the authority's people and the association's, about one régie
=================  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import EVERYONE, Role
from monnaie_locale.authorities.duties import duties_of
from monnaie_locale.authorities.registry import regie_by_code

__all__ = ["REGIE_PEOPLE", "DeskRights", "desk_rights", "works_at_regies"]

# Who has a use for the régies' pages: the authorities' agents, and the association's
# people who oversee every authority (the auditor reads).
REGIE_PEOPLE = (Role.AUTHORITY_AGENT, Role.ASSOCIATION_OPERATOR, Role.AUDITOR, Role.ADMIN)
# The duties that make the régies' space someone's home page.
_HOME_DUTIES = frozenset({"regisseur", "mandataire", "finance"})


@dataclass(frozen=True, slots=True)
class DeskRights:
    """Which of a régie's forms to offer the actor."""

    sells: bool  # the counter: régisseur and mandataires
    pays_in: bool  # the versement: the régisseur alone


@act(*EVERYONE)
def works_at_regies(ctx: Context) -> bool:
    """Whether the actor is an authority agent with a counter or finance duty."""
    user_id = ctx.actor.user_id
    if ctx.actor.role != Role.AUTHORITY_AGENT or user_id is None:
        return False
    return any(duty.duty in _HOME_DUTIES for duty in ctx.read(lambda c: duties_of(c, user_id)))


@act(*REGIE_PEOPLE)
def desk_rights(ctx: Context, regie: str) -> DeskRights:
    """The forms of régie ``regie`` the actor's duties let them use.

    The association's operators and administrators act at every régie; the auditor and
    an authority's finance officer or accountant read only.
    """
    if ctx.actor.moves_any_account:
        return DeskRights(sells=True, pays_in=True)
    return ctx.read(lambda conn: _rights(conn, ctx, regie))


def _rights(conn: Connection, ctx: Context, code: str) -> DeskRights:
    found = regie_by_code(conn, code)
    user_id = ctx.actor.user_id
    held = (
        set()
        if user_id is None
        else {duty.duty for duty in duties_of(conn, user_id) if duty.regie_id == found.id}
    )
    return DeskRights(sells=bool(held & {"regisseur", "mandataire"}), pays_in="regisseur" in held)
