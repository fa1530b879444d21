"""The local authorities, their régies, the régies' tariffs and the conventions.

Plain functions on a connection, inside the caller's transaction: the acts of
:mod:`monnaie_locale.acts.authorities` check who may call them. A convention is never
changed: a new version takes effect from its own day, and :func:`convention_on` finds the
one in force on a day, as the currency's rules are found (:mod:`monnaie_locale.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, insert, select
from sqlalchemy.exc import IntegrityError

from monnaie_locale.authorities.errors import (
    DuplicateAuthority,
    DuplicateRegie,
    NoConvention,
    UnknownAuthority,
    UnknownRegie,
)
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest, UnknownAccount
from monnaie_locale.model import AccountKind, check_positive
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_authorities import (
    AUTHORITY_KINDS,
    authorities,
    conventions,
    regie_tariffs,
    regies,
)

__all__ = [
    "Authority",
    "Convention",
    "Regie",
    "Tariff",
    "add_tariff",
    "authority_by_code",
    "authority_by_id",
    "cap_of",
    "convention_on",
    "convention_required",
    "create_authority",
    "create_regie",
    "list_authorities",
    "list_conventions",
    "list_regies",
    "record_convention",
    "regie_by_account",
    "regie_by_code",
    "tariffs_of",
]


@dataclass(frozen=True, slots=True)
class Authority:
    id: int
    code: str
    name: str
    kind: str
    account: str | None  # its own account's code, if it has one
    treasury_name: str
    treasury_iban: str
    treasury_bic: str | None


@dataclass(frozen=True, slots=True)
class Regie:
    id: int
    code: str
    name: str
    authority_id: int
    authority: str  # the authority's code
    account_id: int
    account: str  # the code of the account it collects into
    cash_cap: int
    names_payers: bool


@dataclass(frozen=True, slots=True)
class Convention:
    id: int
    authority_id: int
    effective_from: date
    reconversion_fee_bps: int
    payin_days: int
    cash_cap: int | None
    may_spend: bool
    reference: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class Tariff:
    id: int
    regie_id: int
    label: str
    amount: int
    active: bool


def _authority_query() -> Select[Any]:
    return select(
        authorities.c.id,
        authorities.c.code,
        authorities.c.name,
        authorities.c.kind,
        accounts.c.code.label("account"),
        authorities.c.treasury_name,
        authorities.c.treasury_iban,
        authorities.c.treasury_bic,
    ).select_from(authorities.outerjoin(accounts, accounts.c.id == authorities.c.account_id))


def _authority(row: Row) -> Authority:  # type: ignore[type-arg]
    return Authority(*row)


def _regie_query() -> Select[Any]:
    return select(
        regies.c.id,
        regies.c.code,
        regies.c.name,
        regies.c.authority_id,
        authorities.c.code.label("authority"),
        regies.c.account_id,
        accounts.c.code.label("account"),
        regies.c.cash_cap,
        regies.c.names_payers,
    ).select_from(
        regies.join(authorities, authorities.c.id == regies.c.authority_id).join(
            accounts, accounts.c.id == regies.c.account_id
        )
    )


def _regie(row: Row) -> Regie:  # type: ignore[type-arg]
    return Regie(
        id=int(row.id),
        code=row.code,
        name=row.name,
        authority_id=int(row.authority_id),
        authority=row.authority,
        account_id=int(row.account_id),
        account=row.account,
        cash_cap=int(row.cash_cap),
        names_payers=bool(row.names_payers),
    )


def _account_id(conn: Connection, code: str, *, kind: AccountKind) -> int:
    row = conn.execute(
        select(accounts.c.id, accounts.c.kind).where(accounts.c.code == code)
    ).first()
    if row is None:
        raise UnknownAccount(code)
    if row.kind != kind:
        raise InvalidRequest(f"account {code} is a {row.kind} account, not an {kind} account")
    return int(row.id)


def create_authority(
    conn: Connection,
    code: str,
    *,
    name: str,
    kind: str,
    treasury_name: str,
    treasury_iban: str,
    treasury_bic: str | None,
    account: str | None,
    now: datetime,
) -> Authority:
    """Record an authority; ``account`` is its own (authority) account, if it has one.

    The IBAN and BIC are checked by the caller (:mod:`monnaie_locale.bank.iban`).
    """
    if kind not in AUTHORITY_KINDS:
        raise InvalidRequest(f"kind must be one of {', '.join(AUTHORITY_KINDS)}, not {kind!r}")
    account_id = None if account is None else _account_id(conn, account, kind=AccountKind.AUTHORITY)
    try:
        with conn.begin_nested():
            conn.execute(
                insert(authorities).values(
                    code=code,
                    name=name,
                    kind=kind,
                    account_id=account_id,
                    treasury_name=treasury_name,
                    treasury_iban=treasury_iban,
                    treasury_bic=treasury_bic,
                    created_at=now,
                )
            )
    except IntegrityError:
        raise DuplicateAuthority(code) from None
    return authority_by_code(conn, code)


def authority_by_code(conn: Connection, code: str) -> Authority:
    row = conn.execute(_authority_query().where(authorities.c.code == code)).first()
    if row is None:
        raise UnknownAuthority(code)
    return _authority(row)


def authority_by_id(conn: Connection, authority_id: int) -> Authority:
    row = conn.execute(_authority_query().where(authorities.c.id == authority_id)).first()
    if row is None:
        raise UnknownAuthority(str(authority_id))
    return _authority(row)


def list_authorities(conn: Connection) -> list[Authority]:
    return [
        _authority(row) for row in conn.execute(_authority_query().order_by(authorities.c.code))
    ]


def create_regie(
    conn: Connection,
    authority: str,
    code: str,
    *,
    name: str,
    account: str,
    cash_cap: int,
    names_payers: bool,
    now: datetime,
) -> Regie:
    """Record a régie of ``authority`` collecting into ``account`` (an authority account).

    ``cash_cap`` is the montant maximum de l'encaisse fixed by the act creating it.
    """
    check_positive(cash_cap)
    owner = authority_by_code(conn, authority)
    account_id = _account_id(conn, account, kind=AccountKind.AUTHORITY)
    try:
        with conn.begin_nested():
            conn.execute(
                insert(regies).values(
                    authority_id=owner.id,
                    code=code,
                    name=name,
                    account_id=account_id,
                    cash_cap=cash_cap,
                    names_payers=names_payers,
                    created_at=now,
                )
            )
    except IntegrityError:
        raise DuplicateRegie(code) from None
    return regie_by_code(conn, code)


def regie_by_code(conn: Connection, code: str) -> Regie:
    row = conn.execute(_regie_query().where(regies.c.code == code)).first()
    if row is None:
        raise UnknownRegie(code)
    return _regie(row)


def regie_by_account(conn: Connection, account_id: int) -> Regie | None:
    """The régie collecting into account ``account_id``, or None for any other account."""
    row = conn.execute(_regie_query().where(regies.c.account_id == account_id)).first()
    return None if row is None else _regie(row)


def list_regies(conn: Connection, authority_id: int | None = None) -> list[Regie]:
    query = _regie_query().order_by(regies.c.code)
    if authority_id is not None:
        query = query.where(regies.c.authority_id == authority_id)
    return [_regie(row) for row in conn.execute(query)]


def add_tariff(conn: Connection, regie: Regie, *, label: str, amount: int, now: datetime) -> Tariff:
    """A tariff of the régie's counter: its label is the quittance's object."""
    check_positive(amount)
    try:
        with conn.begin_nested():
            tariff_id = conn.execute(
                insert(regie_tariffs)
                .values(regie_id=regie.id, label=label, amount=amount, active=True, created_at=now)
                .returning(regie_tariffs.c.id)
            ).scalar_one()
    except IntegrityError:
        raise InvalidRequest(f"the régie {regie.code} has a tariff {label!r} already") from None
    return Tariff(int(tariff_id), regie.id, label, amount, True)


def tariffs_of(conn: Connection, regie: Regie) -> list[Tariff]:
    """The régie's active tariffs, by label."""
    rows = conn.execute(
        select(
            regie_tariffs.c.id,
            regie_tariffs.c.regie_id,
            regie_tariffs.c.label,
            regie_tariffs.c.amount,
            regie_tariffs.c.active,
        )
        .where(regie_tariffs.c.regie_id == regie.id, regie_tariffs.c.active.is_(True))
        .order_by(regie_tariffs.c.label)
    )
    return [
        Tariff(int(r.id), int(r.regie_id), r.label, int(r.amount), bool(r.active)) for r in rows
    ]


_CONVENTION_COLUMNS = (
    conventions.c.id,
    conventions.c.authority_id,
    conventions.c.effective_from,
    conventions.c.reconversion_fee_bps,
    conventions.c.payin_days,
    conventions.c.cash_cap,
    conventions.c.may_spend,
    conventions.c.reference,
    conventions.c.created_at,
    conventions.c.created_by,
)


def _convention(row: Row) -> Convention:  # type: ignore[type-arg]
    values = list(row)
    values[6] = bool(values[6])
    values[8] = as_utc(values[8])  # SQLite hands back the stamp without its zone
    return Convention(*values)


def record_convention(
    conn: Connection,
    authority: Authority,
    *,
    effective_from: date,
    reconversion_fee_bps: int,
    payin_days: int,
    cash_cap: int | None,
    may_spend: bool,
    reference: str,
    by: str,
    now: datetime,
) -> Convention:
    """A new version of the convention with ``authority``, in force from ``effective_from``.

    Versions are never changed: one already recorded for that day is refused.
    """
    if not 0 <= reconversion_fee_bps <= 10_000:
        raise InvalidRequest("the reconversion fee is between 0 and 10000 basis points")
    if not 1 <= payin_days <= 31:
        raise InvalidRequest("a régie pays in at least monthly: every 1 to 31 days")
    if cash_cap is not None:
        check_positive(cash_cap)
    try:
        with conn.begin_nested():
            conn.execute(
                insert(conventions).values(
                    authority_id=authority.id,
                    effective_from=effective_from,
                    reconversion_fee_bps=reconversion_fee_bps,
                    payin_days=payin_days,
                    cash_cap=cash_cap,
                    may_spend=may_spend,
                    reference=reference,
                    created_at=now,
                    created_by=by,
                )
            )
    except IntegrityError:
        raise InvalidRequest(
            f"a version of the convention with {authority.code} takes effect on "
            f"{effective_from.isoformat()} already; record the new one from another day"
        ) from None
    found = convention_on(conn, authority, effective_from)
    assert found is not None
    return found


def convention_on(conn: Connection, authority: Authority, on: date) -> Convention | None:
    """The version of the convention with ``authority`` in force on day ``on``, if any."""
    row = conn.execute(
        select(*_CONVENTION_COLUMNS)
        .where(conventions.c.authority_id == authority.id, conventions.c.effective_from <= on)
        .order_by(conventions.c.effective_from.desc())
        .limit(1)
    ).first()
    return None if row is None else _convention(row)


def convention_required(conn: Connection, authority: Authority, on: date) -> Convention:
    """:func:`convention_on`, refused (:class:`NoConvention`) when there is none."""
    found = convention_on(conn, authority, on)
    if found is None:
        raise NoConvention(authority.code, on)
    return found


def list_conventions(conn: Connection, authority: Authority) -> list[Convention]:
    """Every version of the convention with ``authority``, oldest first."""
    rows = conn.execute(
        select(*_CONVENTION_COLUMNS)
        .where(conventions.c.authority_id == authority.id)
        .order_by(conventions.c.effective_from)
    )
    return [_convention(row) for row in rows]


def cap_of(regie: Regie, convention: Convention | None) -> int:
    """The encaisse the régie may hold: its own cap, or the convention's if lower."""
    if convention is None or convention.cash_cap is None:
        return regie.cash_cap
    return min(regie.cash_cap, convention.cash_cap)
