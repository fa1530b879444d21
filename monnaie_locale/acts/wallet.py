"""The wallet: what a member (or an authority's agent) reads of the one account they hold.

A wallet is the account its holder pays from: a member's, or the authority account its
agent holds. A business's account is its owner's shop, read and moved through the shop's
acts; the roles that read every account have no wallet of their own. Each act finds the
actor's one held account itself, so a wallet never names an account it was given.

Its lines name their counterparty as a statement does (display names, else codes: see
:mod:`monnaie_locale.exports.statement_rows`), newest first.

==============  =========================================================================
Act             Who may do it
==============  =========================================================================
own_account     a member or an authority's agent holding one account: that account
overview        a member or an authority's agent holding one account: its balance, what
                is held, what is available, and its latest movements
history         the same: the movements of a period, filtered, a page at a time
recipient       the same: whom units sent to an account code would reach, by its shown
                name (members, businesses and authorities only)
orders          the same: their latest conversion orders by bank transfer
==============  =========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Literal

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.auth.errors import Forbidden, NotTransferable
from monnaie_locale.auth.principal import Principal
from monnaie_locale.auth.roles import Role
from monnaie_locale.errors import InvalidRequest, UnknownAccount
from monnaie_locale.exports.statement_rows import (
    Movement,
    latest_window,
    statement_movements,
    statement_window,
)
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import Account, AccountKind
from monnaie_locale.operations.conversion import Conversion, conversion_orders_of

__all__ = [
    "WALLET_HOLDERS",
    "HistoryPage",
    "NoWallet",
    "Overview",
    "Recipient",
    "held_account",
    "history",
    "orders",
    "overview",
    "own_account",
    "recipient",
]

# Those who pay from an account of their own; a shop's owner has the shop's pages.
WALLET_HOLDERS = (Role.MEMBER, Role.AUTHORITY_AGENT)
# Whom a wallet sends units to: other holders, never the association's inner accounts.
RECIPIENT_KINDS = frozenset({AccountKind.MEMBER, AccountKind.BUSINESS, AccountKind.AUTHORITY})
MAX_PER_PAGE = 100


class NoWallet(Forbidden):
    """Raised when the actor holds no account to pay from, or several."""

    code = "no_wallet"

    def __init__(self, held: int) -> None:
        super().__init__(
            "you hold no account to pay from; ask the association to link yours to your user"
            if held == 0
            else "you hold several accounts; the wallet shows one: ask the association"
        )
        self.held = held


def held_account(actor: Principal) -> str:
    """The one account ``actor`` holds; :class:`NoWallet` when none or several."""
    if len(actor.accounts) != 1:
        raise NoWallet(len(actor.accounts))
    return next(iter(actor.accounts))


@act(*WALLET_HOLDERS)
def own_account(ctx: Context) -> Account:
    """The actor's account: balance, held and available amounts."""
    code = held_account(ctx.actor)
    return ctx.read(lambda conn: get_account(conn, code))


@dataclass(frozen=True, slots=True)
class Overview:
    """The account as it stands, and its latest movements, newest first."""

    account: Account
    recent: tuple[Movement, ...]


@act(*WALLET_HOLDERS)
def overview(ctx: Context, *, recent: int = 10) -> Overview:
    """The actor's account and its ``recent`` latest movements."""
    code = held_account(ctx.actor)
    if not 0 <= recent <= MAX_PER_PAGE:
        raise InvalidRequest(f"a wallet shows 0 to {MAX_PER_PAGE} recent movements")

    def read(conn: Connection) -> Overview:
        account = get_account(conn, code)
        if recent == 0:
            return Overview(account, ())
        lines = tuple(statement_movements(conn, latest_window(conn, code, recent)))
        return Overview(account, lines[::-1])

    with ctx.database.reading() as conn:
        return read(conn)


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of the filtered movements, newest first; ``more`` when pages follow."""

    account: Account
    movements: tuple[Movement, ...]
    page: int
    more: bool


Direction = Literal["in", "out"] | None


def _kept(movement: Movement, direction: Direction, text: str) -> bool:
    if direction == "in" and movement.amount <= 0:
        return False
    if direction == "out" and movement.amount >= 0:
        return False
    if text:
        return text in movement.memo.casefold() or text in movement.counterparty.casefold()
    return True


@act(*WALLET_HOLDERS)
def history(
    ctx: Context,
    *,
    start: date | None,
    end: date | None,
    zone: tzinfo,
    direction: Direction = None,
    text: str = "",
    page: int = 1,
    per_page: int = 20,
) -> HistoryPage:
    """The movements from ``start`` to ``end`` (whole days in ``zone``), coming ``in`` or
    going ``out`` if asked, whose memo or counterparty holds ``text``; page ``page``.

    A holder's history is a few hundred lines a year: they are filtered as they are read.
    """
    code = held_account(ctx.actor)
    if start is not None and end is not None and start > end:
        raise InvalidRequest(f"the period starts ({start}) after it ends ({end})")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidRequest(f"pages start at 1 and hold 1 to {MAX_PER_PAGE} lines")
    wanted = text.strip().casefold()[:100]
    with ctx.database.reading() as conn:
        window = statement_window(conn, code, start=start, end=end, zone=zone)
        kept = [m for m in statement_movements(conn, window) if _kept(m, direction, wanted)]
    kept.reverse()
    first = (page - 1) * per_page
    return HistoryPage(
        account=window.account,
        movements=tuple(kept[first : first + per_page]),
        page=page,
        more=len(kept) > first + per_page,
    )


@dataclass(frozen=True, slots=True)
class Recipient:
    """Whom units sent to ``code`` reach: the name people know them by."""

    code: str
    name: str
    kind: AccountKind


@act(*WALLET_HOLDERS)
def recipient(ctx: Context, code: str) -> Recipient:
    """The holder of ``code`` as a payer is shown them, before sending anything.

    Only a member's, a business's or an authority's account receives from a wallet; the
    names shown are those the QR pay page shows anyone (display name, else the code).
    """
    held_account(ctx.actor)
    code = code.strip()
    if not code or len(code) > 120:
        raise UnknownAccount(code[:120])
    account = ctx.read(lambda conn: get_account(conn, code))
    if account.kind not in RECIPIENT_KINDS or account.currency != ctx.deployment.unit.code:
        raise NotTransferable(code)
    return Recipient(account.code, account.shown_name, account.kind)


@act(*WALLET_HOLDERS)
def orders(ctx: Context, *, limit: int = 20) -> list[Conversion]:
    """The actor's latest conversion orders by bank transfer, newest first."""
    code = held_account(ctx.actor)
    return ctx.read(lambda conn: conversion_orders_of(conn, code, limit=min(limit, 100)))
