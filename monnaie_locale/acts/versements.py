"""A régie's versements: where it stands, paying in, and the état de versement.

The régisseur pays in what the régie collected (see
:mod:`monnaie_locale.authorities.versements`): the versement's units are held toward a
reconversion to the authority's account at the Trésor, which the association then batches
and pays as any reconversion (:mod:`monnaie_locale.acts.reconversions`).

=================  ======================================================================
Act                Who may do it
=================  ======================================================================
versement_due      the régie's régisseur and mandataires, the authority's finance officer
                   and public accountant, the association, the auditor
list_versements    the same
get_versement      the same
etat_de_versement  the same
prepare_versement  the régie's régisseur (not a mandataire), the association's operators
                   and administrators
due_versements     the same readers, each for the régies they read: those due now
=================  ======================================================================
"""

from __future__ import annotations

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.auth import Role
from monnaie_locale.auth.roles import OPERATORS
from monnaie_locale.authorities import versements
from monnaie_locale.authorities.duties import check_regie_duty, regies_of
from monnaie_locale.authorities.etat import Etat
from monnaie_locale.authorities.etat import etat_de_versement as build_etat
from monnaie_locale.authorities.etat_files import etat_csv, etat_pdf
from monnaie_locale.authorities.registry import Regie, regie_by_code
from monnaie_locale.authorities.versements import Versement, VersementDue

__all__ = [
    "Etat",
    "Versement",
    "VersementDue",
    "due_versements",
    "etat_csv",
    "etat_de_versement",
    "etat_pdf",
    "get_versement",
    "list_versements",
    "prepare_versement",
    "versement_due",
]

READERS = (Role.AUTHORITY_AGENT, Role.AUDITOR, *OPERATORS)
# Who reads a régie's versements: its counter, the authority's finance and accountant.
_READING_DUTIES = ("regisseur", "mandataire", "finance", "comptable")


def _readable(ctx: Context, conn: Connection, code: str) -> Regie:
    regie = regie_by_code(conn, code)
    check_regie_duty(conn, ctx.actor, regie, _READING_DUTIES, reading=True)
    return regie


@act(*READERS)
def versement_due(ctx: Context, regie: str) -> VersementDue:
    """The régie's encaisse, cap, last versement and the day the next is due, and why
    it is due now (``cap``, ``period``) or None."""
    today = ctx.deployment.today(ctx.clock())
    return ctx.read(
        lambda conn: versements.versement_due(
            conn, _readable(ctx, conn, regie), today=today, zone=ctx.deployment.zone
        )
    )


@act(*READERS)
def list_versements(ctx: Context, regie: str) -> list[Versement]:
    """The régie's versements, oldest first."""
    return ctx.read(lambda conn: versements.list_versements(conn, _readable(ctx, conn, regie)))


@act(*READERS)
def get_versement(ctx: Context, regie: str, versement_id: int) -> Versement:
    """One of the régie's versements."""
    return ctx.read(
        lambda conn: versements.load_versement(conn, _readable(ctx, conn, regie), versement_id)
    )


@act(*READERS)
def etat_de_versement(ctx: Context, regie: str, versement_id: int) -> Etat:
    """The état of one of the régie's versements: its quittances, totals, fee and euros;
    :func:`etat_csv` and :func:`etat_pdf` write it."""
    now = ctx.clock()
    return ctx.read(
        lambda conn: build_etat(
            conn,
            _readable(ctx, conn, regie),
            versement_id,
            zone=ctx.deployment.zone,
            now=now,
        )
    )


@act(Role.AUTHORITY_AGENT, *OPERATORS)
def prepare_versement(ctx: Context, regie: str, *, key: str) -> Versement:
    """Pay in every quittance of the régie not yet paid in, once per ``key``."""

    def prepare(conn: Connection) -> Versement:
        found = regie_by_code(conn, regie)
        check_regie_duty(conn, ctx.actor, found, ("regisseur",), reading=False)
        return versements.prepare_versement(
            conn,
            ctx.deployment,
            regie=found,
            prepared_by=ctx.actor.name,
            idempotency_key=ctx.key(key),
            clock=ctx.clock,
        )

    return ctx.write(prepare)


@act(*READERS)
def due_versements(ctx: Context) -> list[VersementDue]:
    """The régies the actor reads whose versement is due now (cap or period)."""
    today = ctx.deployment.today(ctx.clock())

    def read(conn: Connection) -> list[VersementDue]:
        return versements.due_versements(
            conn, today=today, zone=ctx.deployment.zone, regie_ids=regies_of(conn, ctx.actor)
        )

    return ctx.read(read)
