"""The log of administrative acts: every change to the currency's set-up, who made it, when.

An act that changes how the currency is run rather than moving money (a user created or
disabled, an account opened or frozen, a rule, a bank account, an office, a closing of
the books, a rule of the chart) is declared with :class:`Logged` (``@act(...,
logged=Logged(...))``, see :mod:`monnaie_locale.acting`). Its row is then written by the
act's first write, in the same transaction, after the act's work: an act refused before
or during its work leaves none, and a row never tells of an act that did not happen.
An act that writes nothing (an import with problems, a dry run) leaves none either.

A row keeps only the arguments the declaration names (:attr:`Logged.fields`): what was
done is recorded, never a password nor a key's secret, whatever else the act is given.
Money-moving acts are not logged here: the journal records them.
"""

from __future__ import annotations

import enum
import inspect
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, insert, or_, select

from monnaie_locale.auth.principal import Principal
from monnaie_locale.clock import as_utc
from monnaie_locale.store.tables_admin_log import admin_acts

__all__ = [
    "LOGGED_ACTS",
    "MAX_LIMIT",
    "AdminAct",
    "Logged",
    "Pending",
    "list_acts",
]

T = TypeVar("T")

# The names of the acts declared logged, as the log writes them: a page offers them as a
# filter. Filled as the acts' modules are imported.
LOGGED_ACTS: set[str] = set()
MAX_LIMIT = 500
# A summary is short: a long text argument (an import's file) is never kept whole.
_TEXT = 200
_SUMMARY = 2000


@dataclass(frozen=True, slots=True)
class AdminAct:
    """One administrative act done: when, by whom (subject, name, role), what, to what."""

    id: int
    done_at: datetime
    actor: str
    actor_name: str
    role: str
    act: str
    target: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class Logged:
    """How an act is logged: the argument naming its ``target``, the arguments its
    summary keeps (``fields``, and nothing else), and what it adds from the result of the
    act's write (``written``, given that result), such as the id of a key just created."""

    target: str | None = None
    fields: tuple[str, ...] = ()
    written: Callable[[Any], Mapping[str, object]] | None = None

    def pending(
        self,
        name: str,
        function: Callable[..., Any],
        actor: Principal,
        clock: Callable[[], datetime],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Pending:
        """The row the act ``name`` called with ``args`` and ``kwargs`` will write."""
        bound = inspect.signature(function).bind(None, *args, **kwargs)
        bound.apply_defaults()
        given = bound.arguments
        target = "" if self.target is None else _text(_plain(given.get(self.target)))
        summary = {name: _plain(given.get(name)) for name in self.fields}
        return Pending(
            act=name, actor=actor, clock=clock, target=target, summary=summary, logged=self
        )


@dataclass
class Pending:
    """An act's row, waiting for the act's first write (:meth:`write_with`)."""

    act: str
    actor: Principal
    clock: Callable[[], datetime]
    target: str
    summary: dict[str, object]
    logged: Logged
    written: bool = field(default=False)

    def write_with(self, conn: Connection, work: Callable[[Connection], T]) -> T:
        """``work``'s result, the row written after it in the same transaction."""
        result = work(conn)
        summary = dict(self.summary)
        if self.logged.written is not None:
            summary.update({k: _plain(v) for k, v in self.logged.written(result).items()})
        text = json.dumps(summary, ensure_ascii=False, sort_keys=True)
        conn.execute(
            insert(admin_acts).values(
                done_at=self.clock(),
                actor=self.actor.subject,
                actor_name=self.actor.name[:200],
                role=str(self.actor.role),
                act=self.act,
                target=self.target,
                summary=text if len(text) <= _SUMMARY else json.dumps({"truncated": True}),
            )
        )
        return result


def _text(value: object) -> str:
    return "" if value is None else str(value)[:_TEXT]


def _plain(value: object) -> object:
    """``value`` as JSON holds it: a text cut short, a day as ISO, an enum by its value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value[:_TEXT]
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"{len(value)} bytes"
    if isinstance(value, Iterable):
        return [_plain(item) for item in list(value)[:50]]
    return _text(value)


def list_acts(
    conn: Connection,
    *,
    after_id: int = 0,
    before_id: int | None = None,
    limit: int = 100,
    actor: str | None = None,
    act: str | None = None,
    newest_first: bool = False,
) -> list[AdminAct]:
    """The acts whose id is between ``after_id`` and ``before_id`` (both excluded), by
    ``actor`` (their name or subject) and of ``act`` when given; ``limit`` at most
    (:data:`MAX_LIMIT`, and one)."""
    query = select(admin_acts).where(admin_acts.c.id > after_id)
    if before_id is not None:
        query = query.where(admin_acts.c.id < before_id)
    if actor:
        query = query.where(or_(admin_acts.c.actor_name == actor, admin_acts.c.actor == actor))
    if act:
        query = query.where(admin_acts.c.act == act)
    order = admin_acts.c.id.desc() if newest_first else admin_acts.c.id
    # One more than a page's most: a caller asks it to learn whether a next page exists.
    most = max(1, min(limit, MAX_LIMIT + 1))
    rows = conn.execute(query.order_by(order).limit(most)).mappings()
    return [
        AdminAct(
            id=row["id"],
            done_at=as_utc(row["done_at"]),
            actor=row["actor"],
            actor_name=row["actor_name"],
            role=row["role"],
            act=row["act"],
            target=row["target"],
            summary=json.loads(row["summary"]),
        )
        for row in rows
    ]
