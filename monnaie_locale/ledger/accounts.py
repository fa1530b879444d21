"""Opening, reading and changing the status of accounts and currencies."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from monnaie_locale.errors import (
    AccountClosed,
    AccountNotEmpty,
    Conflict,
    DuplicateAccount,
    InvalidRequest,
    UnknownAccount,
)
from monnaie_locale.ledger.fast_sql import FastCursor, prepared
from monnaie_locale.model import (
    MAX_REFERENCE,
    Account,
    AccountKind,
    AccountStatus,
    check_account_code,
    check_display_name,
    check_plain_text,
)
from monnaie_locale.money import Currency
from monnaie_locale.store.tables import accounts, currencies

__all__ = [
    "AccountRef",
    "account_from_row",
    "accounts_by_code",
    "add_currency",
    "get_account",
    "kinds_of",
    "list_accounts",
    "open_account",
    "read_this_transaction",
    "rename_account",
    "search_accounts",
    "set_status",
]


def add_currency(conn: Connection, currency: Currency) -> None:
    """Register ``currency`` unless it already is (same code)."""
    exists = conn.execute(
        select(currencies.c.code).where(currencies.c.code == currency.code)
    ).first()
    if exists is None:
        conn.execute(
            insert(currencies).values(
                code=currency.code,
                name=currency.name,
                symbol=currency.symbol,
                exponent=currency.exponent,
            )
        )


def open_account(
    conn: Connection,
    code: str,
    *,
    kind: AccountKind,
    currency: str,
    now: datetime,
    owner_ref: str | None = None,
    lower_limit: int | None = 0,
    upper_limit: int | None = None,
    display_name: str | None = None,
) -> Account:
    """Open an account with a zero balance.

    ``lower_limit`` 0 forbids overdraft; a negative limit grants credit; ``None`` leaves
    the account unbounded below (system accounts such as ``issuance``). ``display_name``
    is the holder's name as payers know it (see :func:`~monnaie_locale.model.check_display_name`).
    """
    check_display_name(display_name)
    check_account_code(code)
    if owner_ref is not None:
        check_plain_text(owner_ref, "owner reference", max_length=MAX_REFERENCE)
    if lower_limit is not None and lower_limit > 0:
        raise InvalidRequest("a lower limit above zero would refuse the first deposit")
    if upper_limit is not None and upper_limit < 0:
        raise InvalidRequest("an upper limit below zero would refuse the opening balance")
    known = conn.execute(select(currencies.c.code).where(currencies.c.code == currency)).first()
    if known is None:
        raise InvalidRequest(f"unknown currency {currency!r}; add it to the deployment first")
    try:
        with conn.begin_nested():
            new_id = conn.execute(
                insert(accounts)
                .values(
                    code=code,
                    kind=str(kind),
                    currency=currency,
                    status=str(AccountStatus.ACTIVE),
                    owner_ref=owner_ref,
                    lower_limit=lower_limit,
                    upper_limit=upper_limit,
                    balance=0,
                    held=0,
                    created_at=now,
                    display_name=display_name,
                )
                .returning(accounts.c.id)
            ).scalar_one()
    except IntegrityError as exc:
        raise DuplicateAccount(code) from exc
    return Account(
        id=new_id,
        code=code,
        kind=kind,
        currency=currency,
        status=AccountStatus.ACTIVE,
        owner_ref=owner_ref,
        lower_limit=lower_limit,
        upper_limit=upper_limit,
        balance=0,
        held=0,
        display_name=display_name,
    )


def account_from_row(row: Any) -> Account:
    return Account(
        id=row.id,
        code=row.code,
        kind=AccountKind(row.kind),
        currency=row.currency,
        status=AccountStatus(row.status),
        owner_ref=row.owner_ref,
        lower_limit=row.lower_limit,
        upper_limit=row.upper_limit,
        balance=row.balance,
        held=row.held,
        # Read by name, and absent from a row that did not select it: no reader depends
        # on where the column sits.
        display_name=row._mapping.get("display_name"),
    )


_ACCOUNT_COLUMNS = (
    accounts.c.id,
    accounts.c.code,
    accounts.c.kind,
    accounts.c.currency,
    accounts.c.status,
    accounts.c.owner_ref,
    accounts.c.lower_limit,
    accounts.c.upper_limit,
    accounts.c.balance,
    accounts.c.held,
    accounts.c.display_name,
)


def get_account(conn: Connection, code: str) -> Account:
    """The account named ``code``; :class:`UnknownAccount` if there is none."""
    row = conn.execute(select(*_ACCOUNT_COLUMNS).where(accounts.c.code == code)).first()
    if row is None:
        raise UnknownAccount(code)
    return account_from_row(row)


def accounts_by_code(conn: Connection, codes: Iterable[str]) -> dict[str, Account]:
    """The accounts named in ``codes``, all of which must exist."""
    wanted = set(codes)
    rows = conn.execute(select(*_ACCOUNT_COLUMNS).where(accounts.c.code.in_(wanted))).all()
    found = {row.code: account_from_row(row) for row in rows}
    for code in sorted(wanted - found.keys()):
        raise UnknownAccount(code)
    return found


def kinds_of(conn: Connection, *codes: str) -> dict[str, tuple[AccountKind, str]]:
    """The kind and currency of each account named, all of which must exist.

    Asked on every payment through the API (two codes), hence one statement rendered once
    and run on the driver's cursor (see monnaie_locale.ledger.fast_sql). The same
    statement reads what the posting engine needs of these accounts, kept for the rest
    of this transaction (see :func:`read_this_transaction`): a payment's transfer then
    asks the database nothing more about them.
    """
    if len(codes) == 2:
        statement = prepared(conn.dialect, "kinds_of_refs", _kinds_query)
        found = FastCursor(conn).run(statement, {"a": codes[0], "b": codes[1]}).fetchall()
    else:
        found = conn.execute(select(*_KINDS_COLUMNS).where(accounts.c.code.in_(codes))).all()
    rows = {}
    refs = {}
    for account_id, code, kind, currency, status in found:
        rows[code] = (AccountKind(kind), currency)
        refs[code] = AccountRef(account_id, currency, status)
    _remember(conn, refs)
    for code in sorted(set(codes) - rows.keys()):
        raise UnknownAccount(code)
    return rows


_KINDS_COLUMNS = (
    accounts.c.id,
    accounts.c.code,
    accounts.c.kind,
    accounts.c.currency,
    accounts.c.status,
)


def _kinds_query() -> Any:
    return select(*_KINDS_COLUMNS).where(accounts.c.code.in_([bindparam("a"), bindparam("b")]))


class AccountRef(NamedTuple):
    """What the posting engine needs of an account: its id and currency (which never
    change) and its status as read."""

    id: int
    currency: str
    status: str


# Kept in the DBAPI connection's info, tagged with the transaction (and savepoint) it was
# read in: a later transaction on the same pooled connection, or another savepoint of a
# SQLite group commit, finds another tag and reads again. Ids are never looked up from
# a state that a rollback could have undone since.
_READ = "mlc_accounts_read"


def _tag(conn: Connection) -> tuple[Any, Any]:
    return (conn.get_transaction(), conn.get_nested_transaction())


def _remember(conn: Connection, refs: dict[str, AccountRef]) -> None:
    tag = _tag(conn)
    if tag[0] is None:  # no transaction begun on this connection: nothing to tie them to
        conn.info.pop(_READ, None)
    else:
        conn.info[_READ] = (tag, refs)


def read_this_transaction(conn: Connection) -> dict[str, AccountRef]:
    """The accounts :func:`kinds_of` read in the current transaction and savepoint, by code.

    A status may have changed since: the balance update checks it again.
    """
    kept = conn.info.get(_READ)
    if kept is None:
        return {}
    tag, refs = kept
    current = _tag(conn)
    if current[0] is None or tag[0] is not current[0] or tag[1] is not current[1]:
        return {}
    return dict(refs)


def list_accounts(
    conn: Connection,
    *,
    kind: AccountKind | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[Account]:
    """Accounts in id order, ``limit`` at a time after ``after_id`` (a cursor)."""
    query = select(*_ACCOUNT_COLUMNS).where(accounts.c.id > after_id)
    if kind is not None:
        query = query.where(accounts.c.kind == str(kind))
    rows = conn.execute(query.order_by(accounts.c.id).limit(limit)).all()
    return [account_from_row(row) for row in rows]


def search_accounts(
    conn: Connection, text: str = "", *, kind: AccountKind | None = None, limit: int = 50
) -> list[Account]:
    """Accounts whose code, name or owner reference holds ``text``, by code; case and
    accents aside ("epicerie" finds "Épicerie du marché").

    Compared here rather than in SQL: SQLite's ``lower()`` knows no accented letter, and
    neither engine sets accents aside. Only the three short columns of each account are
    read to compare, in the ledger's few thousand accounts; then the ``limit`` found.
    """
    query = select(*_ACCOUNT_COLUMNS) if not text else select(accounts.c.code)
    if kind is not None:
        query = query.where(accounts.c.kind == str(kind))
    if not text:
        rows = conn.execute(query.order_by(accounts.c.code).limit(limit)).all()
        return [account_from_row(row) for row in rows]
    wanted = _folded(text)
    columns = (accounts.c.code, accounts.c.display_name, accounts.c.owner_ref)
    found: list[str] = []
    for code, *others in conn.execute(query.add_columns(*columns[1:]).order_by(accounts.c.code)):
        if any(value and wanted in _folded(value) for value in (code, *others)):
            found.append(code)
            if len(found) == limit:
                break
    held = accounts_by_code(conn, found)
    return [held[code] for code in found]


def _folded(text: str) -> str:
    """``text`` with its case and accents set aside, to compare."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def set_status(conn: Connection, code: str, status: AccountStatus) -> Account:
    """Freeze, reactivate or close an account. Closing needs a zero balance and no hold."""
    account = get_account(conn, code)
    if account.status is AccountStatus.CLOSED:
        raise AccountClosed(code)
    if status is AccountStatus.CLOSED and (account.balance or account.held):
        raise AccountNotEmpty(code, account.balance, account.held)
    # Conditional, so a payment committed since the read above cannot slip past the check.
    change = update(accounts).where(accounts.c.id == account.id, accounts.c.status != "closed")
    if status is AccountStatus.CLOSED:
        change = change.where(accounts.c.balance == 0, accounts.c.held == 0)
    if conn.execute(change.values(status=str(status)).returning(accounts.c.id)).first() is None:
        raise Conflict(f"account {code} changed meanwhile; read it again and retry")
    return get_account(conn, code)


def rename_account(conn: Connection, code: str, display_name: str | None) -> Account:
    """Change the name payers are shown for ``code``; ``None`` shows the code again.

    The name is checked as on opening (:func:`~monnaie_locale.model.check_display_name`).
    A closed account may be renamed too: its statements still carry its name.
    """
    check_display_name(display_name)
    renamed = conn.execute(
        update(accounts)
        .where(accounts.c.code == code)
        .values(display_name=display_name)
        .returning(accounts.c.id)
    ).first()
    if renamed is None:
        raise UnknownAccount(code)
    return get_account(conn, code)
