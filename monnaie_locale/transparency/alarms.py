"""Transparency alarms: what proves the log was not kept append-only, kept until read.

An alarm is raised when the service finds something it must not sign over, or a witness
brings proof of a fork:

* ``tree_refused``: the journal cannot join the tree (an entry the service did not seal,
  or the journal shorter than the tree: see :class:`~monnaie_locale.transparency.tree.TreeRefused`);
* ``inconsistent``: the tree no longer gives the root a checkpoint signed
  (:class:`~monnaie_locale.transparency.checkpoints.Inconsistent`);
* ``fork``: two signed checkpoints that cannot both be true (the witnesses' module).

Each one is written to ``transparency_alarms`` and logged at CRITICAL, so both the
association's dashboard ("À traiter") and whoever watches the logs see it. It stays
there until someone of the association acknowledges it: acknowledging says it was read,
it does not make the finding go away. The checkpoint job finds the same problem at
every run; :func:`raise_once` writes it the first time only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from monnaie_locale.clock import as_utc
from monnaie_locale.store.tables_transparency import transparency_alarms
from monnaie_locale.transparency.errors import AlarmAcknowledged, UnknownAlarm

__all__ = [
    "KINDS",
    "MAX_LIMIT",
    "Alarm",
    "acknowledge",
    "by_id",
    "list_alarms",
    "raise_alarm",
    "raise_once",
    "unacknowledged",
]

log = logging.getLogger("monnaie_locale.transparency")

KINDS = ("tree_refused", "inconsistent", "fork")
MAX_LIMIT = 500


@dataclass(frozen=True)
class Alarm:
    """One alarm: what was found, the evidence, and who read it (if anyone did)."""

    id: int
    raised_at: datetime
    kind: str
    detail: str
    evidence: str | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


def _alarm(row: Any) -> Alarm:
    return Alarm(
        id=int(row.id),
        raised_at=as_utc(row.raised_at),
        kind=row.kind,
        detail=row.detail,
        evidence=row.evidence,
        acknowledged_at=None if row.acknowledged_at is None else as_utc(row.acknowledged_at),
        acknowledged_by=row.acknowledged_by,
    )


def raise_alarm(
    conn: Connection, kind: str, detail: str, evidence: str | None, now: datetime
) -> Alarm:
    """Write an alarm and log it at CRITICAL; the alarm as kept."""
    if kind not in KINDS:
        raise ValueError(f"an alarm is one of {', '.join(KINDS)}, not {kind!r}")
    alarm_id = conn.execute(
        insert(transparency_alarms)
        .values(raised_at=now, kind=kind, detail=detail, evidence=evidence)
        .returning(transparency_alarms.c.id)
    ).scalar_one()
    log.critical("transparency alarm %s (%s): %s", alarm_id, kind, detail)
    return Alarm(int(alarm_id), now, kind, detail, evidence, None, None)


def raise_once(
    conn: Connection, kind: str, detail: str, evidence: str | None, now: datetime
) -> Alarm | None:
    """:func:`raise_alarm`, unless an alarm of ``kind`` says ``detail`` already (None then).

    Acknowledged or not: the same finding, met again at the next run, is the same alarm.
    """
    found = conn.execute(
        select(transparency_alarms.c.id).where(
            transparency_alarms.c.kind == kind, transparency_alarms.c.detail == detail
        )
    ).first()
    if found is not None:
        return None
    return raise_alarm(conn, kind, detail, evidence, now)


def by_id(conn: Connection, alarm_id: int) -> Alarm:
    row = conn.execute(
        select(transparency_alarms).where(transparency_alarms.c.id == alarm_id)
    ).first()
    if row is None:
        raise UnknownAlarm(alarm_id)
    return _alarm(row)


def list_alarms(
    conn: Connection, *, include_acknowledged: bool = True, limit: int = 100
) -> list[Alarm]:
    """The alarms, newest first; ``limit`` at most (:data:`MAX_LIMIT`)."""
    query = select(transparency_alarms).order_by(transparency_alarms.c.id.desc())
    if not include_acknowledged:
        query = query.where(transparency_alarms.c.acknowledged_at.is_(None))
    rows = conn.execute(query.limit(max(1, min(limit, MAX_LIMIT)))).all()
    return [_alarm(row) for row in rows]


def unacknowledged(conn: Connection) -> int:
    """How many alarms nobody has acknowledged yet."""
    counted = select(func.count()).where(transparency_alarms.c.acknowledged_at.is_(None))
    return int(conn.execute(counted).scalar_one())


def acknowledge(conn: Connection, alarm_id: int, *, by: str, now: datetime) -> Alarm:
    """Record that ``by`` read alarm ``alarm_id``; refused when someone did already."""
    current = by_id(conn, alarm_id)
    if current.acknowledged_by is not None:
        raise AlarmAcknowledged(alarm_id, current.acknowledged_by)
    conn.execute(
        update(transparency_alarms)
        .where(
            transparency_alarms.c.id == alarm_id,
            transparency_alarms.c.acknowledged_at.is_(None),
        )
        .values(acknowledged_at=now, acknowledged_by=by[:120])
    )
    return by_id(conn, alarm_id)
