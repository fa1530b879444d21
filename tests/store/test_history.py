"""Reading the past: statements page by page with cursors, and balances as of a moment."""

from __future__ import annotations

import base64
import math
from datetime import datetime, timedelta, timezone
from itertools import pairwise

import pytest

from monnaie_locale.errors import InvalidRequest, UnknownAccount
from monnaie_locale.ledger.history import StatementLine
from monnaie_locale.model import AccountKind, Transaction
from tests.conftest import SteppingClock
from tests.engine import Engine


@pytest.fixture
def members(ledger: Engine) -> Engine:
    for code in ("alice", "bob"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    return ledger


def post_history(ledger: Engine, count: int) -> list[Transaction]:
    """``count`` transactions touching alice (a funding, then payments back and forth),
    with bob also paid by issuance in between so his postings interleave with hers."""
    posted = [ledger.transfer("issuance", "alice", 10000, idempotency_key="fund")]
    for n in range(1, count):
        ledger.transfer("issuance", "bob", 100 + n, idempotency_key=f"bob-{n}")
        debit, credit = ("alice", "bob") if n % 2 else ("bob", "alice")
        posted.append(
            ledger.transfer(debit, credit, 10 * n, idempotency_key=f"t-{n}", memo=f"line {n}")
        )
    return posted


def walk(ledger: Engine, code: str, *, limit: int) -> list[list[StatementLine]]:
    pages: list[list[StatementLine]] = []
    cursor: str | None = None
    while True:
        page = ledger.statement(code, cursor=cursor, limit=limit)
        pages.append(list(page.lines))
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize(("count", "limit"), [(7, 3), (6, 3), (5, 10), (1, 1)])
def test_walking_statement_pages_yields_every_posting_once_newest_first(
    members: Engine, count: int, limit: int
) -> None:
    posted = post_history(members, count)
    alice_postings = [p for tx in posted for p in tx.postings if p.account == "alice"]

    pages = walk(members, "alice", limit=limit)

    assert len(pages) == math.ceil(count / limit)
    assert all(len(page) == limit for page in pages[:-1])
    walked = [line.posting for page in pages for line in page]
    assert walked == list(reversed(alice_postings))


def test_statement_lines_carry_the_transaction_and_a_running_balance(members: Engine) -> None:
    posted = post_history(members, 4)

    lines = walk(members, "alice", limit=100)[0]

    assert [(line.kind, line.memo) for line in lines[:3]] == [
        ("transfer", "line 3"),
        ("transfer", "line 2"),
        ("transfer", "line 1"),
    ]
    assert lines[0].posting.balance_after == members.account("alice").balance
    for newer, older in pairwise(lines):
        assert newer.posting.balance_after - newer.posting.amount == older.posting.balance_after
    assert [line.posting.transaction_id for line in lines] == [tx.id for tx in reversed(posted)]


def test_statement_of_an_account_without_postings_is_one_empty_page(members: Engine) -> None:
    page = members.statement("alice")
    assert (page.lines, page.next_cursor) == ((), None)


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        base64.urlsafe_b64encode(b"x12").decode(),
        base64.urlsafe_b64encode(b"pnine").decode(),
        "",
    ],
)
def test_statement_refuses_a_cursor_it_did_not_give(members: Engine, cursor: str) -> None:
    post_history(members, 3)
    with pytest.raises(InvalidRequest):
        members.statement("alice", cursor=cursor)


@pytest.mark.parametrize("limit", [0, -1, 501])
def test_statement_page_size_is_bounded(members: Engine, limit: int) -> None:
    with pytest.raises(InvalidRequest):
        members.statement("alice", limit=limit)


def test_statement_of_an_unknown_account_is_refused(members: Engine) -> None:
    with pytest.raises(UnknownAccount):
        members.statement("nobody")


def test_balance_as_of_a_moment_is_the_balance_after_the_last_earlier_posting(
    members: Engine, clock: SteppingClock
) -> None:
    first = members.transfer("issuance", "alice", 5000, idempotency_key="a")
    clock.advance(timedelta(hours=1))
    second = members.transfer("alice", "bob", 1200, idempotency_key="b")
    clock.advance(timedelta(hours=1))
    third = members.transfer("issuance", "alice", 300, idempotency_key="c")
    half_hour = timedelta(minutes=30)

    expected = {
        first.created_at - half_hour: 0,
        first.created_at: 5000,
        first.created_at + half_hour: 5000,
        second.created_at - timedelta(microseconds=1): 5000,
        second.created_at: 3800,
        second.created_at + half_hour: 3800,
        third.created_at + half_hour: 4100,
    }
    actual = {moment: members.balance_as_of("alice", moment) for moment in expected}

    assert actual == expected
    assert members.balance_as_of("bob", second.created_at - half_hour) == 0
    assert members.balance_as_of("bob", second.created_at + half_hour) == 1200


def test_balance_as_of_reads_any_time_zone_as_the_same_instant(
    members: Engine, clock: SteppingClock
) -> None:
    first = members.transfer("issuance", "alice", 5000, idempotency_key="a")
    clock.advance(timedelta(hours=1))
    members.transfer("alice", "bob", 1200, idempotency_key="b")
    paris = timezone(timedelta(hours=1))
    between = (first.created_at + timedelta(minutes=30)).astimezone(paris)

    assert members.balance_as_of("alice", between) == 5000


def test_balance_as_of_a_naive_datetime_is_refused(members: Engine) -> None:
    members.transfer("issuance", "alice", 5000, idempotency_key="a")
    with pytest.raises(InvalidRequest):
        members.balance_as_of("alice", datetime(2026, 11, 2, 12, 0))
