"""Who works for a local authority, and at which of its régies.

A user with the role ``authority_agent`` acts for an authority only through the duties
granted to them here, each scoped:

- ``regisseur``: the régisseur of one régie (collects, prepares its versements);
- ``mandataire``: collects at one régie's counter on the régisseur's behalf;
- ``finance``: the authority's finance officer, who sees all its régies;
- ``ordonnateur``: the ordonnateur's agent, who proposes the authority's expenses;
- ``comptable``: the public accountant, who approves them and receives the statements.

One person may hold several duties; the separation of ordonnateur and comptable is kept
act by act (a mandate is never decided by the person who proposed it), not by refusing
the grant. The association's operators and administrators, and the auditor for reading,
act for every authority without a duty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from monnaie_locale.auth.principal import Principal
from monnaie_locale.authorities.errors import NotYourRegie
from monnaie_locale.authorities.registry import Authority, Regie
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.store.tables_authorities import DUTIES, authority_duties, regies

__all__ = [
    "COUNTER",
    "FINANCE_READERS",
    "Duty",
    "check_authority_duty",
    "check_regie_duty",
    "duties_of",
    "grant_duty",
    "regies_of",
    "revoke_duty",
]

# Who stands at a régie's counter, and who reads what it collected.
COUNTER = ("regisseur", "mandataire")
FINANCE_READERS = ("finance", "comptable")


@dataclass(frozen=True, slots=True)
class Duty:
    user_id: int
    authority_id: int
    regie_id: int | None
    duty: str


def grant_duty(
    conn: Connection,
    user_id: int,
    authority: Authority,
    duty: str,
    *,
    regie: Regie | None,
    now: datetime,
) -> Duty:
    """Give user ``user_id`` a duty at ``authority`` (at ``regie`` for a counter duty)."""
    if duty not in DUTIES:
        raise InvalidRequest(f"a duty is one of {', '.join(DUTIES)}, not {duty!r}")
    if (duty in COUNTER) != (regie is not None):
        raise InvalidRequest(
            f"the duty {duty} is held at "
            + ("one régie: name it" if duty in COUNTER else "the whole authority: name no régie")
        )
    if regie is not None and regie.authority_id != authority.id:
        raise InvalidRequest(f"the régie {regie.code} is not one of {authority.code}'s")
    regie_id = None if regie is None else regie.id
    try:
        with conn.begin_nested():
            conn.execute(
                insert(authority_duties).values(
                    user_id=user_id,
                    authority_id=authority.id,
                    regie_id=regie_id,
                    duty=duty,
                    granted_at=now,
                )
            )
    except IntegrityError:
        pass  # granted already: granting again changes nothing
    return Duty(user_id, authority.id, regie_id, duty)


def revoke_duty(
    conn: Connection, user_id: int, authority: Authority, duty: str, *, regie: Regie | None
) -> bool:
    """Take a duty back; False if the user did not hold it."""
    condition = [
        authority_duties.c.user_id == user_id,
        authority_duties.c.authority_id == authority.id,
        authority_duties.c.duty == duty,
    ]
    condition.append(
        authority_duties.c.regie_id.is_(None)
        if regie is None
        else authority_duties.c.regie_id == regie.id
    )
    return conn.execute(delete(authority_duties).where(*condition)).rowcount > 0


def duties_of(conn: Connection, user_id: int) -> list[Duty]:
    rows = conn.execute(
        select(
            authority_duties.c.user_id,
            authority_duties.c.authority_id,
            authority_duties.c.regie_id,
            authority_duties.c.duty,
        )
        .where(authority_duties.c.user_id == user_id)
        .order_by(authority_duties.c.id)
    )
    return [Duty(int(r[0]), int(r[1]), None if r[2] is None else int(r[2]), r[3]) for r in rows]


def _oversees(actor: Principal, *, reading: bool) -> bool:
    """The association acts for every authority; the auditor reads every one."""
    return actor.moves_any_account or (reading and actor.sees_all_accounts)


def check_regie_duty(
    conn: Connection, actor: Principal, regie: Regie, duties: tuple[str, ...], *, reading: bool
) -> None:
    """Refuse ``actor`` unless they hold one of ``duties`` at ``regie``.

    An authority-wide duty among ``duties`` (``finance``, ``comptable``) counts at each of
    the authority's régies.
    """
    if _oversees(actor, reading=reading):
        return
    if actor.user_id is not None:
        for duty in duties_of(conn, actor.user_id):
            if duty.duty not in duties or duty.authority_id != regie.authority_id:
                continue
            if duty.regie_id is None or duty.regie_id == regie.id:
                return
    raise NotYourRegie(regie.code, duties)


def check_authority_duty(
    conn: Connection,
    actor: Principal,
    authority: Authority,
    duties: tuple[str, ...],
    *,
    reading: bool,
) -> None:
    """Refuse ``actor`` unless they hold one of ``duties`` at ``authority`` itself."""
    if _oversees(actor, reading=reading):
        return
    if actor.user_id is not None:
        for duty in duties_of(conn, actor.user_id):
            if duty.duty in duties and duty.authority_id == authority.id:
                return
    raise NotYourRegie(authority.code, duties)


def regies_of(conn: Connection, actor: Principal) -> list[int] | None:
    """The ids of the régies ``actor`` may read, or None for all of them."""
    if _oversees(actor, reading=True):
        return None
    if actor.user_id is None:
        return []
    found: set[int] = set()
    for duty in duties_of(conn, actor.user_id):
        if duty.regie_id is not None:
            found.add(duty.regie_id)
        else:
            found.update(
                int(r)
                for r in conn.execute(
                    select(regies.c.id).where(regies.c.authority_id == duty.authority_id)
                ).scalars()
            )
    return sorted(found)
