"""Acting in the currency: who asks, through which books, under which rules.

Every act of the currency (see :mod:`monnaie_locale.acts`) is a function whose first
argument is a :class:`Context`. The act checks who may do it (its roles, declared with
:func:`act`, and what the actor holds), applies the currency's rules, opens its own
transaction through the context and returns a value. The edges (API routes, CLI
commands, pages) build one context per request or run, call one act and render what it
returns: the rules and the permissions are written once, here in the core.
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

import anyio.to_thread
from sqlalchemy import Connection

from monnaie_locale import journal
from monnaie_locale.admin_log import LOGGED_ACTS, Logged, Pending
from monnaie_locale.auth.errors import NotYourAccount, RoleForbidden
from monnaie_locale.auth.principal import Principal
from monnaie_locale.auth.roles import Role
from monnaie_locale.clock import Clock, utc_now
from monnaie_locale.deployment import Deployment, office_notes, office_till
from monnaie_locale.errors import OperationDateInFuture
from monnaie_locale.ledger.idempotency import claim_key
from monnaie_locale.payments.keys import KeyRing
from monnaie_locale.preview import Preview, rehearse
from monnaie_locale.store.database import Database

__all__ = ["Act", "Context", "Signing", "SigningKeys", "act", "check_office"]

T = TypeVar("T")
P = ParamSpec("P")


class Signing(Protocol):
    """The deployment's signing keys, as a process that has them hands them to its acts."""

    @property
    def keyring(self) -> KeyRing:
        """The active key signs payment requests, receipts and quittances."""

    @property
    def deployment_id(self) -> int:
        """The deployment a payment request names."""


@dataclass(frozen=True, slots=True)
class SigningKeys:
    """A :class:`Signing` of a key ring read from the settings (the CLI's, a test's)."""

    keyring: KeyRing
    deployment_id: int


@dataclass(frozen=True)
class Context:
    """One actor's access to the books: the database, the currency's rules, the clock.

    ``seal_after_commit`` is for a process with no background sealing (the CLI on
    PostgreSQL): each write is then followed by chaining the journal (see
    :mod:`monnaie_locale.journal`). SQLite chains inside each transaction already.

    ``logging`` is an administrative act's row, set by the act itself (see :class:`Act`):
    its first :meth:`write` writes it in the same transaction.

    ``signing`` is the deployment's keys, where the process has them: the acts that sign
    (a régie's quittances, a counter's payment request) use them.
    """

    database: Database
    actor: Principal
    deployment: Deployment
    clock: Clock = utc_now
    seal_after_commit: bool = False
    logging: Pending | None = dataclasses.field(default=None, compare=False, repr=False)
    signing: Signing | None = dataclasses.field(default=None, compare=False, repr=False)

    def key(self, idempotency_key: str) -> str:
        """The caller's idempotency key, kept apart from every other caller's.

        One caller can then never replay, or learn, the result another got with a key.
        """
        return f"{self.actor.subject}|{idempotency_key}"

    def write(self, work: Callable[[Connection], T]) -> T:
        """The result of ``work`` once its write transaction has committed."""
        pending = self.logging
        if pending is None or pending.written:
            result = self.database.write(work)
        else:
            # An administrative act's first write carries its row (monnaie_locale.admin_log).
            result = self.database.write(lambda conn: pending.write_with(conn, work))
            pending.written = True
        self._sealed()
        return result

    def check_day(self, on: date | None) -> date | None:
        """``on``, an operation's day, refused (:class:`OperationDateInFuture`) if it is
        after today in the books' zone. Closed periods are the posting path's to refuse."""
        if on is not None:
            today = self.deployment.today(self.clock())
            if on > today:
                raise OperationDateInFuture(on.isoformat(), today.isoformat())
        return on

    def operate(self, operation: Callable[..., T], *, key: str, **fields: Any) -> T:
        """:meth:`write` of one of the currency's operations under the actor's ``key``.

        An operation of :mod:`monnaie_locale.operations` takes the connection, the rules,
        its named ``fields``, the idempotency key (scoped to the actor, see :meth:`key`)
        and the clock; this is that call, so an act says only what is its own. A field
        ``on`` is the operation's day (see :meth:`check_day`).
        """
        self.check_day(fields.get("on"))
        scoped = self.key(key)
        return self.write(
            lambda conn: operation(
                conn, self.deployment, idempotency_key=scoped, clock=self.clock, **fields
            )
        )

    def preview(self, operation: Callable[..., T], **fields: Any) -> Preview[T]:
        """What :meth:`operate` of ``operation`` would return and post, with nothing kept.

        The operation runs with every one of its checks, under a fresh key of the
        actor's, in a transaction rolled back once its entries are read (see
        :mod:`monnaie_locale.preview`): a preview refused is an operation refused, and
        the key a confirmation will carry is left unclaimed.
        """
        self.check_day(fields.get("on"))
        scoped = self.key(f"preview|{secrets.token_urlsafe(12)}")
        return rehearse(
            self.database,
            lambda conn: operation(
                conn, self.deployment, idempotency_key=scoped, clock=self.clock, **fields
            ),
            key=scoped,
        )

    async def write_async(self, work: Callable[[Connection], T]) -> T:
        """:meth:`write` from a coroutine, joined to the group commit (see
        :mod:`monnaie_locale.store.group_commit`); on a worker thread where there is none."""
        if self.database.committer is not None:
            result = await self.database.write_in_loop(work)
        else:
            result = await anyio.to_thread.run_sync(self.database.write, work)
        if self.seal_after_commit:
            await anyio.to_thread.run_sync(self._sealed)
        return result

    def write_settlement(
        self, work: Callable[[Connection], T], *, key: str | None, request: str
    ) -> T:
        """:meth:`write` for a settlement, under the caller's idempotency ``key``.

        A settlement (crediting an order, booking a payout or a deposit the bank made,
        importing a statement) is retry-safe by the bank's own reference: done again, it
        finds itself done and moves nothing. The key adds what every money-moving call
        promises: a retry with the same key and ``request`` runs ``work`` again and gets
        the same record, and the same key with another request is refused
        (:class:`~monnaie_locale.errors.IdempotencyConflict`) before anything moves. The
        key is claimed in the transaction of ``work``, so a refused settlement claims
        nothing. Without a key (the CLI's settlements), the bank's reference alone keeps
        the settlement from being booked twice.
        """
        if key is None:
            return self.write(work)
        scoped = self.key(key)

        def settle(conn: Connection) -> T:
            claim_key(conn, scoped, fingerprint=f"settle|{request}", now=self.clock())
            return work(conn)

        return self.write(settle)

    def read(self, query: Callable[[Connection], T], *, replica: bool = False) -> T:
        """The result of ``query``, run in a read-only transaction; ``replica``: on the
        standby if there is one, for a report (see :mod:`monnaie_locale.store.database`)."""
        return self.database.read(query, replica=replica)

    async def read_async(self, query: Callable[[Connection], T]) -> T:
        """:meth:`read` from a coroutine; inline on SQLite, where a read never waits."""
        if self.database.is_sqlite:
            return self.database.read(query)
        return await anyio.to_thread.run_sync(self.database.read, query)

    def _sealed(self) -> None:
        if self.seal_after_commit and self.database.is_postgres:
            self.database.write(lambda conn: journal.seal(conn, now=self.clock()))


class Act(Generic[P, T]):
    """An act of the currency, with the roles that may do it (see :func:`act`).

    An administrative act (``logged``) is logged as ``module.function``
    (:attr:`log_name`): its context carries the row its first write records.
    """

    def __init__(
        self,
        function: Callable[Concatenate[Context, P], T],
        roles: frozenset[Role],
        logged: Logged | None = None,
    ) -> None:
        functools.update_wrapper(self, function)
        self.function = function
        self.roles = roles
        self.logged = logged
        self.log_name = f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}"
        if logged is not None:
            LOGGED_ACTS.add(self.log_name)

    def __call__(self, ctx: Context, /, *args: P.args, **kwargs: P.kwargs) -> T:
        if ctx.actor.role not in self.roles:
            raise RoleForbidden(str(ctx.actor.role))
        if self.logged is not None:
            pending = self.logged.pending(
                self.log_name, self.function, ctx.actor, ctx.clock, args, kwargs
            )
            ctx = dataclasses.replace(ctx, logging=pending)
        return self.function(ctx, *args, **kwargs)


def act(
    *roles: Role, logged: Logged | None = None
) -> Callable[[Callable[Concatenate[Context, P], T]], Act[P, T]]:
    """Declare an act and the roles that may do it; others get :class:`RoleForbidden`.

    The roles are the act's to say: the API states them on its route from ``.roles``, so
    the OpenAPI document, the route and the act never disagree. ``logged`` declares an
    administrative act, recorded with its actor in the log of
    :mod:`monnaie_locale.admin_log` by the transaction that does it.
    """

    def declare(function: Callable[Concatenate[Context, P], T]) -> Act[P, T]:
        return Act(function, frozenset(roles), logged)

    return declare


def check_office(actor: Principal, office: str) -> None:
    """Refuse an actor who does not work at exchange office ``office``.

    An office operator acts for the offices whose till or note stock they hold; the
    association's operators and administrators act for every office.
    """
    if actor.moves_any_account:
        return
    if not {office_till(office), office_notes(office)} & actor.accounts:
        raise NotYourAccount(office_till(office))
