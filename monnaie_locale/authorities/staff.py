"""The duties held at an authority, named: who holds which, where, since when.

:mod:`monnaie_locale.authorities.duties` grants, revokes and checks duties by user id;
the people who set a town up name users by their username and take a duty back by the
number its listing shows. This module reads duties that way, inside the caller's
transaction; the acts of :mod:`monnaie_locale.acts.authorities` check who may.

MonnaieLocaleError
├── NotFound
│   └── UnknownDuty          no duty with this number at this authority
└── InvalidRequest
    └── NotAnAgent           a duty is granted only to a user with the role authority_agent
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Select, delete, select

from monnaie_locale.auth.errors import UnknownUser
from monnaie_locale.auth.roles import Role
from monnaie_locale.authorities.registry import Authority
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest, NotFound
from monnaie_locale.store.tables_auth import users
from monnaie_locale.store.tables_authorities import authority_duties, regies

__all__ = ["DutyHeld", "NotAnAgent", "UnknownDuty", "agent_id", "duties_at", "remove_duty"]


class UnknownDuty(NotFound):
    """Raised when no duty at the authority has this number."""

    code = "unknown_duty"

    def __init__(self, authority: str, duty_id: int) -> None:
        super().__init__(
            f"no duty {duty_id} at {authority}; `mlc authority duty list {authority}` shows them"
        )
        self.authority = authority
        self.duty_id = duty_id


class NotAnAgent(InvalidRequest):
    """Raised when a duty is granted to a user whose role is not ``authority_agent``."""

    code = "not_an_authority_agent"

    def __init__(self, username: str, role: str) -> None:
        super().__init__(
            f"{username} has the role {role}: duties at an authority go to users with the "
            "role authority_agent; create one with `mlc users create --role authority_agent`"
        )
        self.username = username
        self.role = role


@dataclass(frozen=True, slots=True)
class DutyHeld:
    id: int
    username: str
    authority: str  # the authority's code
    regie: str | None  # the régie's code, for a counter duty
    duty: str
    granted_at: datetime


def _query(authority: Authority) -> Select:  # type: ignore[type-arg]
    return (
        select(
            authority_duties.c.id,
            users.c.username,
            regies.c.code.label("regie"),
            authority_duties.c.duty,
            authority_duties.c.granted_at,
        )
        .select_from(
            authority_duties.join(users, users.c.id == authority_duties.c.user_id).outerjoin(
                regies, regies.c.id == authority_duties.c.regie_id
            )
        )
        .where(authority_duties.c.authority_id == authority.id)
    )


def duties_at(conn: Connection, authority: Authority, duty_id: int | None = None) -> list[DutyHeld]:
    """The duties held at ``authority`` (only number ``duty_id``, if given), by user."""
    query = _query(authority)
    if duty_id is not None:
        query = query.where(authority_duties.c.id == duty_id)
    rows = conn.execute(query.order_by(users.c.username, authority_duties.c.id))
    return [
        DutyHeld(
            id=int(row.id),
            username=row.username,
            authority=authority.code,
            regie=row.regie,
            duty=row.duty,
            granted_at=as_utc(row.granted_at),
        )
        for row in rows
    ]


def agent_id(conn: Connection, username: str) -> int:
    """The id of user ``username``, refused unless their role is ``authority_agent``."""
    row = conn.execute(select(users.c.id, users.c.role).where(users.c.username == username)).first()
    if row is None:
        raise UnknownUser(username)
    if row.role != Role.AUTHORITY_AGENT:
        raise NotAnAgent(username, str(row.role))
    return int(row.id)


def remove_duty(conn: Connection, authority: Authority, duty_id: int) -> DutyHeld:
    """Take duty ``duty_id`` of ``authority`` back; the duty as it was."""
    found = duties_at(conn, authority, duty_id)
    if not found:
        raise UnknownDuty(authority.code, duty_id)
    conn.execute(delete(authority_duties).where(authority_duties.c.id == duty_id))
    return found[0]
