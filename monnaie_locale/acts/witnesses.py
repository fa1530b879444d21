"""Witnesses of the published log: registering them, their cosignatures, the forks they prove.

Whoever keeps a witness (a town hall, another association, a member) runs ``mlc
witness`` and gives the association its verifier key; the association registers it.
From then on the witness needs no account: its cosignature is its credential, checked
against the key registered, and a fork is proven by the service's own signatures.

==================  ===========================================================================
Act                 Who may do it
==================  ===========================================================================
list_witnesses      anyone, without an actor: the witnesses' names and keys are public, so
                    that anyone can verify the cosigned checkpoints
register_witness    the association's operators and administrators, logged
accept_cosignature  anyone, without an actor: only a registered witness's valid cosignature
                    of a checkpoint the service signed is kept
report_fork         anyone, without an actor: only two checkpoints the deployment signed
                    that cannot both be true raise the alarm
==================  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth.roles import OPERATORS
from monnaie_locale.clock import Clock
from monnaie_locale.store.database import Database
from monnaie_locale.transparency import forks, witnesses
from monnaie_locale.transparency.forks import Fork
from monnaie_locale.transparency.witnesses import Accepted, Witness
from monnaie_locale.verify.note import NoteKey

__all__ = [
    "Accepted",
    "Fork",
    "Witness",
    "accept_cosignature",
    "list_witnesses",
    "register_witness",
    "report_fork",
]


def list_witnesses(database: Database) -> list[Witness]:
    """The registered witnesses, oldest first. No actor: they are public."""
    return database.read(witnesses.list_witnesses)


@act(*OPERATORS, logged=Logged(target="name", fields=("vkey",)))
def register_witness(ctx: Context, name: str, vkey: str) -> Witness:
    """Register the witness ``name`` by the verifier key ``mlc witness init`` printed."""
    return ctx.write(
        lambda conn: witnesses.register(
            conn, name, vkey, added_by=ctx.actor.subject, now=ctx.clock()
        )
    )


def accept_cosignature(database: Database, note: str | bytes, *, clock: Clock) -> Accepted:
    """Keep the registered witnesses' cosignatures in ``note``. No actor: the signature is
    the credential (see :func:`monnaie_locale.transparency.witnesses.accept_cosignature`)."""
    return database.write(lambda conn: witnesses.accept_cosignature(conn, note, now=clock()))


def report_fork(
    database: Database,
    notes: tuple[str, str],
    *,
    keys: Sequence[NoteKey],
    proof: Sequence[bytes] | None,
    clock: Clock,
) -> Fork:
    """Raise the fork alarm when ``notes`` prove it, signed by ``keys`` (the deployment's).
    No actor: the evidence speaks (see :func:`monnaie_locale.transparency.forks.report_fork`)."""

    def report(conn: Connection) -> Fork:
        return forks.report_fork(conn, notes, keys=keys, proof=proof, now=clock())

    return database.write(report)
