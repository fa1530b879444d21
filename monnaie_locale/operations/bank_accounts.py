"""The association's bank accounts: which IBAN stands for which ledger account.

Each bank account has a role, and the role names the ledger account its statements are
compared with:

=================  ========================  ==============================================
Role               Ledger account            What goes through it
=================  ========================  ==============================================
reserve_digital    ``reserve:digital``       conversions by transfer, reconversion payouts
reserve_notes      ``reserve:notes``         the offices' cash, paid in at the bank
operating          ``association:operating`` the association's own euros
=================  ========================  ==============================================

One account per role, so that each ledger account is compared with one bank's statements.
The IBAN (and the BIC, when given) is checked when the account is entered, never later at
payout time: a mistyped IBAN is refused then, with what to fix, and nothing is written.

Without any account entered, the deployment's ``MLC_RESERVE_IBAN`` (and ``MLC_RESERVE_BIC``)
stand for the digital reserve's account, as they did before accounts were data: see
:func:`reserve_account`. ``mlc init`` enters that account in the table when it is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.bank import InvalidBic, InvalidIban, validate_bic, validate_iban
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.deployment import (
    ASSOCIATION_OPERATING,
    RESERVE_DIGITAL,
    RESERVE_NOTES,
    Deployment,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import check_plain_text
from monnaie_locale.operations.bank_errors import (
    DuplicateBankAccount,
    InvalidBankDetails,
    UnknownBankAccount,
)
from monnaie_locale.store.tables_bank import bank_accounts

__all__ = [
    "LEDGER_ACCOUNTS",
    "RESERVE_DIGITAL_ROLE",
    "BankAccount",
    "add_bank_account",
    "change_bank_account",
    "get_bank_account",
    "list_bank_accounts",
    "reserve_account",
    "seed_from_settings",
]

RESERVE_DIGITAL_ROLE = "reserve_digital"
# The ledger account each role's statements are compared with.
LEDGER_ACCOUNTS: dict[str, str] = {
    RESERVE_DIGITAL_ROLE: RESERVE_DIGITAL,
    "reserve_notes": RESERVE_NOTES,
    "operating": ASSOCIATION_OPERATING,
}
# The name the settings' account takes when it is entered, or stands in for a missing one.
SETTINGS_NAME = "reserve"


@dataclass(frozen=True, slots=True)
class BankAccount:
    """One of the association's bank accounts. ``id`` is ``None`` for the account the
    settings describe while no account is entered."""

    id: int | None
    name: str
    role: str
    iban: str
    bic: str | None
    updated_at: datetime | None = None
    updated_by: str = ""

    @property
    def ledger_account(self) -> str:
        return LEDGER_ACCOUNTS[self.role]


def _of(row: Any) -> BankAccount:
    return BankAccount(
        id=int(row.id),
        name=row.name,
        role=row.role,
        iban=row.iban,
        bic=row.bic,
        updated_at=as_utc(row.updated_at),
        updated_by=row.updated_by,
    )


def list_bank_accounts(conn: Connection) -> list[BankAccount]:
    """Every bank account entered, by name."""
    rows = conn.execute(select(bank_accounts).order_by(bank_accounts.c.name)).all()
    return [_of(row) for row in rows]


def get_bank_account(conn: Connection, name: str) -> BankAccount:
    """The bank account named ``name``; :class:`UnknownBankAccount` otherwise."""
    row = conn.execute(select(bank_accounts).where(bank_accounts.c.name == name)).first()
    if row is None:
        raise UnknownBankAccount(name)
    return _of(row)


def find_by_iban(conn: Connection, iban: str) -> BankAccount | None:
    row = conn.execute(select(bank_accounts).where(bank_accounts.c.iban == iban)).first()
    return None if row is None else _of(row)


def find_by_role(conn: Connection, role: str) -> BankAccount | None:
    row = conn.execute(select(bank_accounts).where(bank_accounts.c.role == role)).first()
    return None if row is None else _of(row)


def any_entered(conn: Connection) -> bool:
    return conn.execute(select(bank_accounts.c.id).limit(1)).first() is not None


def reserve_account(conn: Connection, deployment: Deployment) -> BankAccount | None:
    """The digital reserve's bank account: the one entered, else the settings' one, if any.

    Payout files are debited from it.
    """
    entered = find_by_role(conn, RESERVE_DIGITAL_ROLE)
    if entered is not None:
        return entered
    if any_entered(conn) or deployment.reserve_iban is None:
        return None
    return settings_account(deployment)


def settings_account(deployment: Deployment) -> BankAccount:
    """The account ``MLC_RESERVE_IBAN`` describes, as the settings give it."""
    assert deployment.reserve_iban is not None
    return BankAccount(
        id=None,
        name=SETTINGS_NAME,
        role=RESERVE_DIGITAL_ROLE,
        iban=deployment.reserve_iban,
        bic=deployment.reserve_bic,
    )


def _checked(name: str | None, role: str | None) -> None:
    if name is not None:
        try:
            check_plain_text(name, "name", max_length=60)
        except InvalidRequest as exc:
            raise InvalidBankDetails("name", name, exc.message) from exc
        if not name.strip():
            raise InvalidBankDetails("name", name, "give the account a name")
    if role is not None and role not in LEDGER_ACCOUNTS:
        raise InvalidBankDetails("role", role, f"the roles are {', '.join(LEDGER_ACCOUNTS)}")


def _iban(value: str) -> str:
    try:
        return validate_iban(value)
    except InvalidIban as exc:
        raise InvalidBankDetails("IBAN", value, exc.reason) from exc


def _bic(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return validate_bic(value)
    except InvalidBic as exc:
        raise InvalidBankDetails("BIC", value, exc.reason) from exc


def _unique(conn: Connection, *, exclude: int | None, **fields: str) -> None:
    for field, value in fields.items():
        query = select(bank_accounts.c.name).where(bank_accounts.c[field] == value)
        if exclude is not None:
            query = query.where(bank_accounts.c.id != exclude)
        other = conn.execute(query).scalar()
        if other is not None:
            raise DuplicateBankAccount(field, value, str(other))


def add_bank_account(
    conn: Connection,
    *,
    name: str,
    role: str,
    iban: str,
    bic: str | None = None,
    actor: str,
    clock: Clock,
) -> BankAccount:
    """Enter a bank account, its IBAN and BIC checked; nothing is written if one fails."""
    _checked(name, role)
    compact_iban, compact_bic = _iban(iban), _bic(bic)
    _unique(conn, exclude=None, name=name, role=role, iban=compact_iban)
    now = clock()
    conn.execute(
        insert(bank_accounts).values(
            name=name,
            role=role,
            iban=compact_iban,
            bic=compact_bic,
            created_at=now,
            updated_at=now,
            updated_by=actor,
        )
    )
    return get_bank_account(conn, name)


def change_bank_account(
    conn: Connection,
    name: str,
    *,
    iban: str | None = None,
    bic: str | None = None,
    new_name: str | None = None,
    actor: str,
    clock: Clock,
) -> BankAccount:
    """Change a bank account's IBAN, BIC or name, each checked as when it was entered.

    Its role stays: a statement already imported was compared with that role's ledger
    account. An empty ``bic`` removes the BIC.
    """
    current = get_bank_account(conn, name)
    _checked(new_name, None)
    values: dict[str, Any] = {}
    if iban is not None:
        values["iban"] = _iban(iban)
    if bic is not None:
        values["bic"] = _bic(bic)
    if new_name is not None:
        values["name"] = new_name
    unique = {k: v for k, v in values.items() if k in ("iban", "name")}
    _unique(conn, exclude=current.id, **unique)
    if values:
        conn.execute(
            update(bank_accounts)
            .where(bank_accounts.c.id == current.id)
            .values(**values, updated_at=clock(), updated_by=actor)
        )
    return get_bank_account(conn, new_name or name)


def seed_from_settings(conn: Connection, deployment: Deployment, *, clock: Clock) -> bool:
    """Enter the settings' reserve account when no account is entered yet; whether it did."""
    if deployment.reserve_iban is None or any_entered(conn):
        return False
    add_bank_account(
        conn,
        name=SETTINGS_NAME,
        role=RESERVE_DIGITAL_ROLE,
        iban=deployment.reserve_iban,
        bic=deployment.reserve_bic,
        actor="init",
        clock=clock,
    )
    return True
