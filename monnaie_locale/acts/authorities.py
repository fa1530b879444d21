"""Local authorities: setting a town up (the authority, its régies, the convention, the
tariffs, who works there) and reading what is set up.

The association sets an authority up: it records the authority and its treasury, opens
its régies (each collecting into an account of its own, opened in the same transaction),
records each version of the convention and grants the duties
(:mod:`monnaie_locale.authorities.duties`). A régisseur adds the tariffs of their régie.
The people of a town read only where a duty places them: an authority's own page to
anyone with a duty there, a régie's to anyone with a duty at it or town-wide. A code a
reader has no duty at is refused as one they may not read, whether it exists or not, so
no one probes which towns there are.

==================  ==================================================================
Act                 Who may do it
==================  ==================================================================
create_authority    the association's operators and administrators
create_regie        the same
record_convention   the same: a new version, in force from its day
grant_duty          the same, to a user with the role authority_agent
revoke_duty         the same
add_tariff          the same, and the régie's régisseur
list_authorities    authority agents (where they hold a duty), the association, the
                    auditor
get_authority       the same: its régies and the convention in force today
list_conventions    the same: every version
list_duties         the same: who holds which duty there
my_regies           the same: the régies the actor may read
get_regie           an agent with any duty at the régie or town-wide, the association,
                    the auditor
list_tariffs        the régie's régisseur and mandataires, the town's finance officer
                    and public accountant, the association, the auditor
==================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth.roles import OPERATORS, Role
from monnaie_locale.authorities import duties, registry, staff
from monnaie_locale.authorities.errors import (
    DuplicateAuthority,
    DuplicateRegie,
    NotYourRegie,
    UnknownAuthority,
    UnknownRegie,
)
from monnaie_locale.authorities.registry import Authority, Convention, Regie, Tariff
from monnaie_locale.authorities.staff import DutyHeld
from monnaie_locale.bank.iban import validate_bic, validate_iban
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.account_opening import open_managed_account
from monnaie_locale.store.tables_authorities import DUTIES

__all__ = [
    "READERS",
    "SETTERS",
    "TARIFF_READERS",
    "AuthorityView",
    "add_tariff",
    "authority_account",
    "create_authority",
    "create_regie",
    "fee_bps",
    "get_authority",
    "get_regie",
    "grant_duty",
    "list_authorities",
    "list_conventions",
    "list_duties",
    "list_tariffs",
    "my_regies",
    "record_convention",
    "regie_account",
    "revoke_duty",
]

T = TypeVar("T")

# Setting a town up is the association's decision.
SETTERS = OPERATORS
# Who may read a town: its people (as their duties say), the association, the auditor.
READERS = (Role.AUTHORITY_AGENT, Role.AUDITOR, *OPERATORS)
# Who reads a régie's tariffs: its counter, and those who check what it collected.
TARIFF_READERS = (*duties.COUNTER, *duties.FINANCE_READERS)


@dataclass(frozen=True, slots=True)
class AuthorityView:
    """An authority with its régies and the version of its convention in force today."""

    authority: Authority
    regies: list[Regie]
    convention: Convention | None


def authority_account(code: str) -> str:
    """The code of the account an authority's own is opened as."""
    return f"authority:{code}"


def regie_account(code: str) -> str:
    """The code of the account a régie collects into, opened with it."""
    return f"authority:regie-{code}"


def fee_bps(percent: str) -> int:
    """A reconversion fee written as a percentage ("0", "1,5", "2.25 %") in basis points."""
    text = percent.strip().removesuffix("%").strip().replace(",", ".")
    try:
        bps = Decimal(text) * 100
    except InvalidOperation:
        raise InvalidRequest(f"a fee is a percentage such as 0 or 1,5, not {percent!r}") from None
    if bps != bps.to_integral_value() or not 0 <= bps <= 10_000:
        raise InvalidRequest(
            f"a fee is a percentage from 0 to 100 with at most two decimals, not {percent!r}"
        )
    return int(bps)


def _reading(
    ctx: Context, lookup: Callable[[Connection], T], where: str, allowed: tuple[str, ...]
) -> Callable[[Connection], T]:
    """``lookup``, an unknown code refused as one the actor may not read unless the actor
    oversees every authority (who learns it is unknown)."""

    def found(conn: Connection) -> T:
        try:
            return lookup(conn)
        except (UnknownAuthority, UnknownRegie):
            if ctx.actor.moves_any_account or ctx.actor.sees_all_accounts:
                raise
            raise NotYourRegie(where, allowed) from None

    return found


def _authority(ctx: Context, conn: Connection, code: str, allowed: tuple[str, ...]) -> Authority:
    authority = _reading(ctx, lambda c: registry.authority_by_code(c, code), code, allowed)(conn)
    duties.check_authority_duty(conn, ctx.actor, authority, allowed, reading=True)
    return authority


def _regie(
    ctx: Context, conn: Connection, code: str, allowed: tuple[str, ...], *, reading: bool
) -> Regie:
    regie = _reading(ctx, lambda c: registry.regie_by_code(c, code), code, allowed)(conn)
    duties.check_regie_duty(conn, ctx.actor, regie, allowed, reading=reading)
    return regie


@act(
    *SETTERS,
    logged=Logged(
        target="code",
        fields=("name", "kind", "treasury_name", "treasury_iban", "treasury_bic", "own_account"),
    ),
)
def create_authority(
    ctx: Context,
    code: str,
    *,
    name: str,
    kind: str,
    treasury_name: str,
    treasury_iban: str,
    treasury_bic: str | None = None,
    own_account: bool = False,
) -> Authority:
    """Record a local authority and where its régies pay in (the public accountant's
    account at the Trésor); with ``own_account``, open its account ``authority:<code>``."""
    iban = validate_iban(treasury_iban)
    bic = None if not treasury_bic else validate_bic(treasury_bic)

    def work(conn: Connection) -> Authority:
        if any(a.code == code for a in registry.list_authorities(conn)):
            raise DuplicateAuthority(code)  # before its account is opened, or refused
        account = authority_account(code) if own_account else None
        if account is not None:
            open_managed_account(
                conn,
                ctx.deployment,
                account,
                kind=AccountKind.AUTHORITY,
                role=ctx.actor.role,
                now=ctx.clock(),
                display_name=name,
            )
        return registry.create_authority(
            conn,
            code,
            name=name,
            kind=kind,
            treasury_name=treasury_name,
            treasury_iban=iban,
            treasury_bic=bic,
            account=account,
            now=ctx.clock(),
        )

    return ctx.write(work)


@act(
    *SETTERS,
    logged=Logged(target="code", fields=("authority", "name", "cash_cap", "names_payers")),
)
def create_regie(
    ctx: Context,
    authority: str,
    code: str,
    *,
    name: str,
    cash_cap: int,
    names_payers: bool = False,
) -> Regie:
    """Open a régie of ``authority``: its account ``authority:regie-<code>``, in the local
    unit, and the régie collecting into it, with its montant maximum de l'encaisse."""

    def work(conn: Connection) -> Regie:
        registry.authority_by_code(conn, authority)
        if any(r.code == code for r in registry.list_regies(conn)):
            raise DuplicateRegie(code)
        open_managed_account(
            conn,
            ctx.deployment,
            regie_account(code),
            kind=AccountKind.AUTHORITY,
            role=ctx.actor.role,
            now=ctx.clock(),
            display_name=name,
        )
        return registry.create_regie(
            conn,
            authority,
            code,
            name=name,
            account=regie_account(code),
            cash_cap=cash_cap,
            names_payers=names_payers,
            now=ctx.clock(),
        )

    return ctx.write(work)


@act(
    *SETTERS,
    logged=Logged(
        target="authority",
        fields=(
            "effective_from",
            "reconversion_fee_bps",
            "payin_days",
            "cash_cap",
            "may_spend",
            "reference",
        ),
    ),
)
def record_convention(
    ctx: Context,
    authority: str,
    *,
    effective_from: date,
    reconversion_fee_bps: int,
    payin_days: int,
    cash_cap: int | None = None,
    may_spend: bool = False,
    reference: str = "",
) -> Convention:
    """A new version of the convention with ``authority``, in force from its day on.

    A version is never changed; one already recorded for that day is refused.
    """

    def work(conn: Connection) -> Convention:
        return registry.record_convention(
            conn,
            registry.authority_by_code(conn, authority),
            effective_from=effective_from,
            reconversion_fee_bps=reconversion_fee_bps,
            payin_days=payin_days,
            cash_cap=cash_cap,
            may_spend=may_spend,
            reference=reference,
            by=ctx.actor.name,
            now=ctx.clock(),
        )

    return ctx.write(work)


@act(*SETTERS, logged=Logged(target="authority", fields=("username", "duty", "regie")))
def grant_duty(
    ctx: Context, authority: str, username: str, duty: str, *, regie: str | None = None
) -> DutyHeld:
    """Give ``username`` (an authority agent) ``duty`` at ``authority``: at ``regie`` for
    a régisseur or a mandataire, town-wide for the others. Granted again, nothing changes."""

    def work(conn: Connection) -> DutyHeld:
        town = registry.authority_by_code(conn, authority)
        at = None if regie is None else registry.regie_by_code(conn, regie)
        user_id = staff.agent_id(conn, username)
        duties.grant_duty(conn, user_id, town, duty, regie=at, now=ctx.clock())
        (held,) = [
            found
            for found in staff.duties_at(conn, town)
            if (found.username, found.duty, found.regie) == (username, duty, regie)
        ]
        return held

    return ctx.write(work)


@act(*SETTERS, logged=Logged(target="authority", fields=("duty_id",)))
def revoke_duty(ctx: Context, authority: str, duty_id: int) -> DutyHeld:
    """Take back duty ``duty_id`` at ``authority`` (``list_duties`` numbers them)."""

    def work(conn: Connection) -> DutyHeld:
        return staff.remove_duty(conn, registry.authority_by_code(conn, authority), duty_id)

    return ctx.write(work)


@act(*SETTERS, Role.AUTHORITY_AGENT, logged=Logged(target="regie", fields=("label", "amount")))
def add_tariff(ctx: Context, regie: str, *, label: str, amount: int) -> Tariff:
    """Add a tariff to the régie's counter: its label is the quittance's object."""
    if not label.strip():
        raise InvalidRequest("a tariff has a label: what the quittance says was paid for")

    def work(conn: Connection) -> Tariff:
        found = _regie(ctx, conn, regie, ("regisseur",), reading=False)
        return registry.add_tariff(conn, found, label=label.strip(), amount=amount, now=ctx.clock())

    return ctx.write(work)


@act(*READERS)
def list_authorities(ctx: Context) -> list[Authority]:
    """The authorities the actor may read: every one for the association and the auditor,
    those where they hold a duty for an agent."""

    def read(conn: Connection) -> list[Authority]:
        every = registry.list_authorities(conn)
        if ctx.actor.moves_any_account or ctx.actor.sees_all_accounts:
            return every
        held = [] if ctx.actor.user_id is None else duties.duties_of(conn, ctx.actor.user_id)
        at = {duty.authority_id for duty in held}
        return [authority for authority in every if authority.id in at]

    return ctx.read(read)


@act(*READERS)
def get_authority(ctx: Context, code: str) -> AuthorityView:
    """An authority, its régies and the version of its convention in force today."""
    today = ctx.deployment.today(ctx.clock())

    def read(conn: Connection) -> AuthorityView:
        authority = _authority(ctx, conn, code, DUTIES)
        return AuthorityView(
            authority=authority,
            regies=registry.list_regies(conn, authority.id),
            convention=registry.convention_on(conn, authority, today),
        )

    return ctx.read(read)


@act(*READERS)
def list_conventions(ctx: Context, authority: str) -> list[Convention]:
    """Every version of the convention with ``authority``, oldest first."""
    return ctx.read(
        lambda conn: registry.list_conventions(conn, _authority(ctx, conn, authority, DUTIES))
    )


@act(*READERS)
def list_duties(ctx: Context, authority: str) -> list[DutyHeld]:
    """Who holds which duty at ``authority``, by username."""
    return ctx.read(lambda conn: staff.duties_at(conn, _authority(ctx, conn, authority, DUTIES)))


@act(*READERS)
def my_regies(ctx: Context) -> list[Regie]:
    """The régies the actor may read, by code: all for the association and the auditor."""

    def read(conn: Connection) -> list[Regie]:
        readable = duties.regies_of(conn, ctx.actor)
        every = registry.list_regies(conn)
        return every if readable is None else [r for r in every if r.id in set(readable)]

    return ctx.read(read)


@act(*READERS)
def get_regie(ctx: Context, code: str) -> Regie:
    """One régie, for anyone with a duty at it or town-wide."""
    return ctx.read(lambda conn: _regie(ctx, conn, code, DUTIES, reading=True))


@act(*READERS)
def list_tariffs(ctx: Context, regie: str) -> list[Tariff]:
    """The régie's active tariffs, by label."""

    def read(conn: Connection) -> list[Tariff]:
        return registry.tariffs_of(conn, _regie(ctx, conn, regie, TARIFF_READERS, reading=True))

    return ctx.read(read)
