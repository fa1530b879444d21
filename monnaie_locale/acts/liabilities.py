"""Proofs of liabilities: a holder checks that their balance is counted in a checkpoint.

Each checkpoint commits to a Merkle sum tree over every digital balance (see
:mod:`monnaie_locale.transparency.liabilities`); a proof gives a holder their leaves,
each one's salt (their secret for that checkpoint) and path, which anyone checks
against the checkpoint's signed ``liabilities`` line with
:func:`monnaie_locale.verify.sumtree.verify_proof`, offline or in the wallet's page.

A proof shows the holder's balance and partial sums of other balances: a holder gets the
proofs of the accounts they hold, the association and its auditors every account's.

================  ===========================================================================
Act               Who may do it
================  ===========================================================================
liability_proof   a member, a shop's owner or an authority's agent, for an account they hold;
                  the auditors, the association's operators and administrators, for any
counted           a member or an authority's agent holding one account (the wallet): the
                  latest checkpoint, its signed note and key, and that account's proof
================  ===========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import Connection

from monnaie_locale.acting import Context, Signing, act
from monnaie_locale.acts.wallet import WALLET_HOLDERS, held_account
from monnaie_locale.auth.roles import REPORT_READERS, Role
from monnaie_locale.errors import NotFound
from monnaie_locale.transparency import checkpoints, cosignatures, liability_proofs
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from monnaie_locale.transparency.liability_proofs import NoLiabilities, NoLiabilitiesYet
from monnaie_locale.verify.note import NoteKey, parse_note

__all__ = [
    "PROOF_READERS",
    "Counted",
    "NoLiabilities",
    "NoLiabilitiesYet",
    "counted",
    "liability_proof",
]

PROOF_READERS = (Role.MEMBER, Role.MERCHANT_OWNER, Role.AUTHORITY_AGENT, *REPORT_READERS)


def _checkpoint(conn: Connection, checkpoint_id: int | None) -> StoredCheckpoint:
    if checkpoint_id is None:
        found = checkpoints.latest(conn)
        if found is None:
            raise NoLiabilitiesYet()
        return found
    found = checkpoints.by_id(conn, checkpoint_id)
    if found is None:
        raise NoLiabilities(checkpoint_id)
    return found


@act(*PROOF_READERS)
def liability_proof(ctx: Context, account: str, *, checkpoint: int | None = None) -> dict[str, Any]:
    """The proof that ``account``'s balance is counted in the latest checkpoint, or in
    ``checkpoint``; the JSON :func:`monnaie_locale.verify.sumtree.verify_proof` reads."""
    ctx.actor.check_read(account)
    return ctx.read(
        lambda conn: liability_proofs.proof(conn, _checkpoint(conn, checkpoint), account)
    )


@dataclass(frozen=True)
class Counted:
    """What the wallet's page shows and its script checks.

    ``note`` is the latest checkpoint's signed note with the witnesses' cosignatures;
    ``vkey`` the verifier key of the deployment's key that signed it, when this process
    holds that key; ``proof`` the account's proof, or ``missing`` why there is none.
    """

    account: str
    checkpoint: StoredCheckpoint | None
    note: str = ""
    cosignatures: int = 0
    vkey: str | None = None
    proof: dict[str, Any] | None = None
    missing: NotFound | None = None

    @property
    def coverage_percent(self) -> Decimal | None:
        """Reserve / circulation as a percentage rounded down; None when none circulates."""
        if self.checkpoint is None or self.checkpoint.checkpoint.circulation == 0:
            return None
        cp = self.checkpoint.checkpoint
        percent = Decimal(cp.reserve_total * 100) / Decimal(cp.circulation)
        return percent.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _vkey(signing: Signing | None, stored: StoredCheckpoint) -> str | None:
    """The verifier key of the signature the service put on ``stored``, if it holds it."""
    if signing is None:
        return None
    origin = stored.checkpoint.origin
    ring = signing.keyring
    signed = {s.key_id for s in parse_note(stored.note).signatures if s.name == origin}
    for kid in ring.key_ids():
        public = ring.verification_key(kid)
        if public is not None and NoteKey(origin, public).key_id in signed:
            return NoteKey(origin, public).vkey
    return None


@act(*WALLET_HOLDERS)
def counted(ctx: Context, *, checkpoint: int | None = None, with_proof: bool = True) -> Counted:
    """The latest checkpoint (or ``checkpoint``) and the proof of the actor's wallet
    account in it; a checkpoint asked by id that does not exist is refused
    (:class:`NoLiabilities`)."""
    account = held_account(ctx.actor)

    def read(conn: Connection) -> Counted:
        try:
            stored = _checkpoint(conn, checkpoint)
        except NoLiabilitiesYet as none:
            return Counted(account, None, missing=none)
        lines = cosignatures.lines_for(conn, stored.id)
        proof, missing = None, None
        if with_proof:
            try:
                proof = liability_proofs.proof(conn, stored, account)
            except NotFound as refusal:
                missing = refusal
        return Counted(
            account,
            stored,
            note=stored.note + "".join(lines),
            cosignatures=len(lines),
            vkey=_vkey(ctx.signing, stored),
            proof=proof,
            missing=missing,
        )

    return ctx.read(read)
