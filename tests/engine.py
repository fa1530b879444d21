"""A test driver of the posting engine: one database transaction per call.

It drives :mod:`monnaie_locale.ledger` directly, to set up the states the tests start
from and to model the ledger in property tests (``tests/store/test_ledger_stateful.py``).
No permission or currency rule is checked here: the product posts through
:mod:`monnaie_locale.acts`, and its tests go through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from monnaie_locale import journal
from monnaie_locale.clock import Clock, utc_now
from monnaie_locale.ledger import accounts, history, holds, posting, service
from monnaie_locale.model import (
    Account,
    AccountKind,
    AccountStatus,
    Hold,
    Transaction,
    TransferRequest,
)
from monnaie_locale.money import Currency
from monnaie_locale.store.database import Database

__all__ = ["Engine"]


class Engine:
    """The posting engine over one database, each call its own transaction."""

    def __init__(self, database: Database, *, clock: Clock = utc_now, auto_seal: bool = True):
        self.database = database
        self.clock = clock
        # On PostgreSQL, sealing after each commit keeps the journal current, as the CLI
        # does; off, transactions stay queued as a service leaves them for its
        # seal_journal job (see monnaie_locale.jobs). SQLite seals inside each commit.
        self.auto_seal = auto_seal

    # Accounts ---------------------------------------------------------------------

    def add_currency(self, currency: Currency) -> None:
        self.database.write(lambda conn: accounts.add_currency(conn, currency))

    def open_account(
        self,
        code: str,
        *,
        kind: AccountKind,
        currency: str,
        owner_ref: str | None = None,
        lower_limit: int | None = 0,
        upper_limit: int | None = None,
        display_name: str | None = None,
    ) -> Account:
        return self.database.write(
            lambda conn: accounts.open_account(
                conn,
                code,
                kind=kind,
                currency=currency,
                now=self.clock(),
                owner_ref=owner_ref,
                lower_limit=lower_limit,
                upper_limit=upper_limit,
                display_name=display_name,
            )
        )

    def account(self, code: str) -> Account:
        return self.database.read(lambda conn: accounts.get_account(conn, code))

    def set_status(self, code: str, status: AccountStatus) -> Account:
        return self.database.write(lambda conn: accounts.set_status(conn, code, status))

    # Moving money -------------------------------------------------------------------

    def transfer(
        self,
        debit: str,
        credit: str,
        amount: int,
        *,
        idempotency_key: str,
        kind: str = "transfer",
        memo: str = "",
    ) -> Transaction:
        """Move ``amount`` from ``debit`` to ``credit``."""
        request = TransferRequest.simple(debit, credit, amount, kind=kind, memo=memo)
        return self.post(request, idempotency_key=idempotency_key)

    def post(self, request: TransferRequest, *, idempotency_key: str) -> Transaction:
        """Post a transaction of any number of legs, balanced per currency."""
        result = self.database.write(
            lambda conn: service.post_transfer(
                conn, request, idempotency_key=idempotency_key, clock=self.clock
            )
        )
        self.after_commit()
        return result

    def batch(
        self, requests: Sequence[TransferRequest], *, idempotency_key: str
    ) -> list[Transaction]:
        """Post several transactions that succeed or fail together."""
        result = self.database.write(
            lambda conn: service.post_batch(
                conn, requests, idempotency_key=idempotency_key, clock=self.clock
            )
        )
        self.after_commit()
        return result

    def reverse(self, transaction_id: int, *, idempotency_key: str, memo: str = "") -> Transaction:
        """Correct a transaction with its exact opposite, linked to it (once)."""
        result = self.database.write(
            lambda conn: service.reverse(
                conn, transaction_id, idempotency_key=idempotency_key, clock=self.clock, memo=memo
            )
        )
        self.after_commit()
        return result

    # Holds --------------------------------------------------------------------------

    def place_hold(
        self,
        debit: str,
        credit: str,
        amount: int,
        *,
        idempotency_key: str,
        expires_at: datetime | None = None,
        memo: str = "",
    ) -> Hold:
        return self.database.write(
            lambda conn: service.place_hold(
                conn,
                debit=debit,
                credit=credit,
                amount=amount,
                idempotency_key=idempotency_key,
                clock=self.clock,
                expires_at=expires_at,
                memo=memo,
            )
        )

    def post_hold(
        self, hold_id: int, *, idempotency_key: str, amount: int | None = None
    ) -> Transaction:
        result = self.database.write(
            lambda conn: service.post_hold(
                conn, hold_id, idempotency_key=idempotency_key, clock=self.clock, amount=amount
            )
        )
        self.after_commit()
        return result

    def void_hold(self, hold_id: int) -> Hold:
        return self.database.write(lambda conn: service.void_hold(conn, hold_id, clock=self.clock))

    def expire_holds(self) -> list[Hold]:
        return self.database.write(lambda conn: holds.expire_holds(conn, now=self.clock()))

    def get_hold(self, hold_id: int) -> Hold:
        return self.database.read(lambda conn: holds.load_hold(conn, hold_id))

    # History ------------------------------------------------------------------------

    def transaction(self, transaction_id: int) -> Transaction:
        return self.database.read(lambda conn: posting.load_transaction(conn, transaction_id))

    def statement(
        self, code: str, *, cursor: str | None = None, limit: int = 100
    ) -> history.StatementPage:
        return self.database.read(
            lambda conn: history.statement(conn, code, cursor=cursor, limit=limit)
        )

    def balance_as_of(self, code: str, moment: datetime) -> int:
        return self.database.read(lambda conn: history.balance_as_of(conn, code, moment))

    # Journal ------------------------------------------------------------------------

    def seal_journal(self) -> int:
        """Seal every queued transaction; return how many were sealed."""
        return journal.seal_queue(self.database, clock=self.clock)

    def verify_journal(self, *, progress: journal.Progress | None = None) -> journal.Verification:
        return self.database.read(lambda conn: journal.verify(conn, progress=progress))

    def after_commit(self) -> None:
        """Seal the journal after a commit when this engine seals as it goes."""
        if self.auto_seal and self.database.is_postgres:
            self.database.write(lambda conn: journal.seal(conn, now=self.clock()))
