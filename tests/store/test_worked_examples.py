"""The worked entries of the domain, posted through the ledger core and checked leg by leg.

Each test posts one entry of the proposed account plan (numbered as in the domain notes)
and asserts every posting (account, currency, debit or credit) and every balance it
changes. ``dr`` and ``cr`` write legs the way an accountant reads them: a debit is a
negative posting, a credit a positive one. Entries that need earlier ones (a payment
needs a conversion first) post those through the same helpers.
"""

from __future__ import annotations

import pytest

from monnaie_locale.errors import InsufficientFunds
from monnaie_locale.model import AccountKind, HoldStatus, Leg, Transaction, TransferRequest
from tests.engine import Engine
from tests.support import snapshot

Entry = dict[str, tuple[str, int]]


def dr(currency: str, amount: int) -> tuple[str, int]:
    return (currency, -amount)


def cr(currency: str, amount: int) -> tuple[str, int]:
    return (currency, amount)


def entry(transaction: Transaction) -> Entry:
    """The transaction's postings as account -> (currency, signed amount)."""
    return {p.account: (p.currency, p.amount) for p in transaction.postings}


def balances(ledger: Engine, *codes: str) -> dict[str, int]:
    return {code: ledger.account(code).balance for code in codes}


def assert_stored(ledger: Engine, transaction: Transaction, expected: Entry) -> None:
    """The transaction as returned and as read back both carry exactly ``expected``."""
    assert entry(transaction) == expected
    assert entry(ledger.transaction(transaction.id)) == expected
    assert all(total == 0 for total in transaction.sums().values())


@pytest.fixture
def books(ledger: Engine) -> Engine:
    """The ledger with the proposed account plan open."""
    mlc_accounts = {
        "alice": AccountKind.MEMBER,
        "bob": AccountKind.MEMBER,
        "carol": AccountKind.MEMBER,
        "bakery": AccountKind.BUSINESS,
        "town:regie-pool": AccountKind.AUTHORITY,
        "association:fees": AccountKind.ASSOCIATION,
        "association:demurrage": AccountKind.ASSOCIATION,
        "reconversion:pending": AccountKind.SYSTEM,
        "notes:vault": AccountKind.SYSTEM,
        "notes:office:3": AccountKind.SYSTEM,
        "notes:circulation": AccountKind.SYSTEM,
    }
    for code, kind in mlc_accounts.items():
        ledger.open_account(code, kind=kind, currency="MLC")
    # Euro assets and expenses are debit-normal: they read negative and never go above 0.
    euro_accounts = {
        "association:operating": AccountKind.ASSOCIATION,
        "association:losses": AccountKind.ASSOCIATION,
        "reserve:notes": AccountKind.ASSOCIATION,
        "office:3:till": AccountKind.EXCHANGE_OFFICE,
        "transit": AccountKind.SYSTEM,
    }
    for code, kind in euro_accounts.items():
        ledger.open_account(code, kind=kind, currency="EUR", lower_limit=None, upper_limit=0)
    return ledger


# Entries as helpers, so later entries can build on earlier ones ------------------------


def convert(ledger: Engine, member: str, amount: int, *, key: str) -> Transaction:
    """Entry 1: euros by bank transfer into the reserve, the same amount issued to a member."""
    request = TransferRequest(
        legs=(
            Leg("reserve:digital", -amount),
            Leg("external", amount),
            Leg("issuance", -amount),
            Leg(member, amount),
        ),
        kind="conversion",
        memo=f"conversion by {member}",
    )
    return ledger.post(request, idempotency_key=key)


def print_and_deliver_notes(ledger: Engine, amount: int) -> Transaction:
    """Entry 3: notes printed into the vault, then handed to office 3."""
    ledger.transfer("issuance", "notes:vault", amount, idempotency_key="print", kind="printing")
    return ledger.transfer(
        "notes:vault", "notes:office:3", amount, idempotency_key="deliver", kind="notes_delivery"
    )


def sell_notes(ledger: Engine, amount: int) -> Transaction:
    """Entry 4: a buyer pays cash at office 3's till and takes notes into circulation."""
    request = TransferRequest(
        legs=(
            Leg("office:3:till", -amount),
            Leg("external", amount),
            Leg("notes:office:3", -amount),
            Leg("notes:circulation", amount),
        ),
        kind="notes_sale",
    )
    return ledger.post(request, idempotency_key="sell-notes")


HOLDERS = (
    *("alice", "bob", "carol", "bakery", "town:regie-pool"),
    *("association:fees", "association:demurrage", "reconversion:pending"),
)


def circulation(ledger: Engine) -> int:
    """Units in the public's hands: digital holder balances plus notes in circulation."""
    return sum(balances(ledger, *HOLDERS, "notes:circulation").values())


# 1, 2 -------------------------------------------------------------------------------


def test_conversion_by_transfer_fills_the_reserve_and_issues_as_many_units(books: Engine) -> None:
    tx = convert(books, "alice", 5000, key="conv")

    assert_stored(
        books,
        tx,
        {
            "reserve:digital": dr("EUR", 5000),
            "external": cr("EUR", 5000),
            "issuance": dr("MLC", 5000),
            "alice": cr("MLC", 5000),
        },
    )
    assert balances(books, "reserve:digital", "external", "issuance", "alice") == {
        "reserve:digital": -5000,
        "external": 5000,
        "issuance": -5000,
        "alice": 5000,
    }
    assert -books.account("reserve:digital").balance == circulation(books)
    assert books.verify_journal().ok


def test_conversion_bonus_is_funded_by_the_association_so_the_reserve_covers_it(
    books: Engine,
) -> None:
    books.transfer("association:operating", "external", 10000, idempotency_key="own-euros")
    amount = 5000
    bonus = amount * 3 // 100
    request = TransferRequest(
        legs=(
            Leg("reserve:digital", -(amount + bonus)),
            Leg("external", amount),
            Leg("association:operating", bonus),
            Leg("issuance", -(amount + bonus)),
            Leg("alice", amount + bonus),
        ),
        kind="conversion",
        memo="conversion with 3 % bonus",
    )
    tx = books.post(request, idempotency_key="conv-bonus")

    assert_stored(
        books,
        tx,
        {
            "reserve:digital": dr("EUR", amount + bonus),
            "external": cr("EUR", amount),
            "association:operating": cr("EUR", bonus),
            "issuance": dr("MLC", amount + bonus),
            "alice": cr("MLC", amount + bonus),
        },
    )
    assert books.account("alice").balance == 5150
    assert books.account("association:operating").balance == -10000 + bonus
    assert -books.account("reserve:digital").balance == circulation(books) == 5150
    assert books.verify_journal().ok


# 3, 4, 5, 9, 12: paper notes and offices ---------------------------------------------


def test_notes_delivered_to_an_office_create_no_circulation(books: Engine) -> None:
    tx = print_and_deliver_notes(books, 50000)

    assert_stored(books, tx, {"notes:vault": dr("MLC", 50000), "notes:office:3": cr("MLC", 50000)})
    assert balances(books, "issuance", "notes:vault", "notes:office:3") == {
        "issuance": -50000,
        "notes:vault": 0,
        "notes:office:3": 50000,
    }
    assert circulation(books) == 0
    assert books.verify_journal().ok


def test_notes_bought_with_cash_enter_circulation_and_the_till(books: Engine) -> None:
    print_and_deliver_notes(books, 50000)
    tx = sell_notes(books, 2000)

    assert_stored(
        books,
        tx,
        {
            "office:3:till": dr("EUR", 2000),
            "external": cr("EUR", 2000),
            "notes:office:3": dr("MLC", 2000),
            "notes:circulation": cr("MLC", 2000),
        },
    )
    assert balances(books, "office:3:till", "notes:office:3", "notes:circulation") == {
        "office:3:till": -2000,
        "notes:office:3": 48000,
        "notes:circulation": 2000,
    }
    assert circulation(books) == 2000 == -books.account("office:3:till").balance


def test_office_banks_its_till_through_transit_as_one_linked_batch(books: Engine) -> None:
    print_and_deliver_notes(books, 50000)
    sell_notes(books, 2000)
    to_transit = TransferRequest.simple("transit", "office:3:till", 2000, kind="cash_pickup")
    to_bank = TransferRequest.simple("reserve:notes", "transit", 2000, kind="cash_deposit")

    pickup, deposit = books.batch([to_transit, to_bank], idempotency_key="bank-till")

    assert_stored(books, pickup, {"transit": dr("EUR", 2000), "office:3:till": cr("EUR", 2000)})
    assert_stored(books, deposit, {"reserve:notes": dr("EUR", 2000), "transit": cr("EUR", 2000)})
    assert pickup.batch is not None and pickup.batch == deposit.batch
    assert balances(books, "office:3:till", "transit", "reserve:notes") == {
        "office:3:till": 0,
        "transit": 0,
        "reserve:notes": -2000,
    }


def test_notes_deposited_into_a_digital_account_move_their_euros_to_the_digital_reserve(
    books: Engine,
) -> None:
    print_and_deliver_notes(books, 50000)
    sell_notes(books, 2000)
    books.batch(
        [
            TransferRequest.simple("transit", "office:3:till", 2000),
            TransferRequest.simple("reserve:notes", "transit", 2000),
        ],
        idempotency_key="bank-till",
    )
    request = TransferRequest(
        legs=(
            Leg("notes:circulation", -2000),
            Leg("bob", 2000),
            Leg("reserve:digital", -2000),
            Leg("reserve:notes", 2000),
        ),
        kind="notes_deposit",
    )
    tx = books.post(request, idempotency_key="deposit-notes")

    assert_stored(
        books,
        tx,
        {
            "notes:circulation": dr("MLC", 2000),
            "bob": cr("MLC", 2000),
            "reserve:digital": dr("EUR", 2000),
            "reserve:notes": cr("EUR", 2000),
        },
    )
    assert balances(books, "bob", "notes:circulation", "reserve:digital", "reserve:notes") == {
        "bob": 2000,
        "notes:circulation": 0,
        "reserve:digital": -2000,
        "reserve:notes": 0,
    }
    assert circulation(books) == 2000
    assert books.verify_journal().ok


def test_a_till_short_of_cash_is_booked_as_a_loss(books: Engine) -> None:
    print_and_deliver_notes(books, 50000)
    sell_notes(books, 2000)

    tx = books.transfer("association:losses", "office:3:till", 200, idempotency_key="count")

    assert_stored(
        books, tx, {"association:losses": dr("EUR", 200), "office:3:till": cr("EUR", 200)}
    )
    assert balances(books, "association:losses", "office:3:till") == {
        "association:losses": -200,
        "office:3:till": -1800,
    }


# 6, 7, 10, 11: payments between holders ---------------------------------------------


def test_qr_payment_moves_units_from_the_payer_to_the_merchant(books: Engine) -> None:
    convert(books, "alice", 5000, key="conv")

    tx = books.transfer("alice", "bakery", 1250, idempotency_key="pay", kind="payment")

    assert_stored(books, tx, {"alice": dr("MLC", 1250), "bakery": cr("MLC", 1250)})
    assert balances(books, "alice", "bakery") == {"alice": 3750, "bakery": 1250}
    assert {p.account: p.balance_after for p in tx.postings} == {"alice": 3750, "bakery": 1250}


def test_refund_is_a_new_transfer_that_names_the_payment_it_refunds(books: Engine) -> None:
    convert(books, "alice", 5000, key="conv")
    payment = books.transfer("alice", "bakery", 1250, idempotency_key="pay", kind="payment")
    request = TransferRequest(
        legs=(Leg("bakery", -250), Leg("alice", 250)),
        kind="refund",
        memo="two croissants returned",
        reference=f"transaction:{payment.id}",
    )

    refund = books.post(request, idempotency_key="refund")

    assert_stored(books, refund, {"bakery": dr("MLC", 250), "alice": cr("MLC", 250)})
    stored = books.transaction(refund.id)
    assert (stored.kind, stored.memo, stored.reference) == (
        "refund",
        "two croissants returned",
        f"transaction:{payment.id}",
    )
    assert stored.reverses is None  # a refund is not a reversal: the payment stands
    assert balances(books, "alice", "bakery") == {"alice": 4000, "bakery": 1000}
    newest = books.statement("alice", limit=1).lines[0]
    assert (newest.posting.transaction_id, newest.reference) == (refund.id, stored.reference)


def test_regie_collects_a_public_fee_from_a_member(books: Engine) -> None:
    convert(books, "alice", 5000, key="conv")

    tx = books.transfer("alice", "town:regie-pool", 800, idempotency_key="pool", kind="regie")

    assert_stored(books, tx, {"alice": dr("MLC", 800), "town:regie-pool": cr("MLC", 800)})
    assert balances(books, "alice", "town:regie-pool") == {"alice": 4200, "town:regie-pool": 800}


def test_demurrage_moves_one_percent_of_a_balance_to_the_association(books: Engine) -> None:
    convert(books, "carol", 30000, key="conv")
    rate_percent = 1
    melt = books.account("carol").balance * rate_percent // 100

    tx = books.transfer("carol", "association:demurrage", melt, idempotency_key="fonte")

    assert_stored(books, tx, {"carol": dr("MLC", 300), "association:demurrage": cr("MLC", 300)})
    assert balances(books, "carol", "association:demurrage") == {
        "carol": 29700,
        "association:demurrage": 300,
    }
    assert circulation(books) == 30000  # demurrage moves units, it destroys none


# 8: reconversion, two-phase -------------------------------------------------------------


def test_reconversion_holds_then_pays_out_and_keeps_the_reserve_covering_circulation(
    books: Engine,
) -> None:
    convert(books, "bakery", 10000, key="conv")
    request = books.place_hold(
        "bakery", "reconversion:pending", 10000, idempotency_key="reconv-request"
    )
    bakery = books.account("bakery")
    assert (bakery.balance, bakery.held, bakery.available) == (10000, 10000, 0)
    assert books.account("reconversion:pending").balance == 0

    accepted = books.post_hold(request.id, idempotency_key="reconv-accept")

    assert_stored(
        books,
        accepted,
        {"bakery": dr("MLC", 10000), "reconversion:pending": cr("MLC", 10000)},
    )
    assert books.get_hold(request.id).status is HoldStatus.POSTED
    assert books.get_hold(request.id).transaction_id == accepted.id
    bakery = books.account("bakery")
    assert (bakery.balance, bakery.held) == (0, 0)

    fee = 10000 * 5 // 100
    paid = 10000 - fee
    payout = TransferRequest(
        legs=(
            Leg("reconversion:pending", -10000),
            Leg("issuance", paid),
            Leg("association:fees", fee),
            Leg("external", -paid),
            Leg("reserve:digital", paid),
        ),
        kind="reconversion",
        memo="95 € wired to the bakery",
    )
    tx = books.post(payout, idempotency_key="reconv-pay")

    assert_stored(
        books,
        tx,
        {
            "reconversion:pending": dr("MLC", 10000),
            "issuance": cr("MLC", 9500),
            "association:fees": cr("MLC", 500),
            "external": dr("EUR", 9500),
            "reserve:digital": cr("EUR", 9500),
        },
    )
    assert balances(books, "reconversion:pending", "association:fees", "issuance") == {
        "reconversion:pending": 0,
        "association:fees": 500,
        "issuance": -500,
    }
    assert -books.account("reserve:digital").balance == circulation(books) == 500
    assert books.verify_journal().ok


# Corrections and linked batches ---------------------------------------------------------


def test_reversal_posts_the_exact_opposite_linked_to_the_original(books: Engine) -> None:
    convert(books, "alice", 5000, key="conv")
    payment = books.transfer("alice", "bakery", 1250, idempotency_key="pay")

    reversal = books.reverse(payment.id, idempotency_key="undo", memo="wrong shop")

    assert_stored(books, reversal, {"alice": cr("MLC", 1250), "bakery": dr("MLC", 1250)})
    stored = books.transaction(reversal.id)
    assert (stored.kind, stored.reverses, stored.memo) == ("reversal", payment.id, "wrong shop")
    assert balances(books, "alice", "bakery") == {"alice": 5000, "bakery": 0}
    assert entry(books.transaction(payment.id)) == {
        "alice": dr("MLC", 1250),
        "bakery": cr("MLC", 1250),
    }


def test_linked_batch_posts_every_transfer_together(books: Engine) -> None:
    convert(books, "alice", 5000, key="conv")
    requests = [
        TransferRequest.simple("alice", "bakery", 1000),
        TransferRequest.simple("alice", "bob", 1000),
        TransferRequest.simple("bob", "carol", 400),
    ]

    posted = books.batch(requests, idempotency_key="batch")

    assert [entry(tx) for tx in posted] == [
        {"alice": dr("MLC", 1000), "bakery": cr("MLC", 1000)},
        {"alice": dr("MLC", 1000), "bob": cr("MLC", 1000)},
        {"bob": dr("MLC", 400), "carol": cr("MLC", 400)},
    ]
    assert len({tx.batch for tx in posted}) == 1
    assert balances(books, "alice", "bakery", "bob", "carol") == {
        "alice": 3000,
        "bakery": 1000,
        "bob": 600,
        "carol": 400,
    }


def test_linked_batch_whose_third_transfer_overdraws_changes_nothing(books: Engine) -> None:
    convert(books, "alice", 5000, key="conv")
    before = snapshot(books.database)
    requests = [
        TransferRequest.simple("alice", "bakery", 1000),
        TransferRequest.simple("alice", "bob", 1000),
        TransferRequest.simple("alice", "carol", 3001),
    ]

    with pytest.raises(InsufficientFunds) as refused:
        books.batch(requests, idempotency_key="batch")

    assert (refused.value.account, refused.value.needed, refused.value.available) == (
        "alice",
        3001,
        3000,
    )
    assert snapshot(books.database) == before
    # The key was not spent by the refused batch: a corrected batch may use it.
    books.batch(requests[:2], idempotency_key="batch")
    assert books.account("alice").balance == 3000


def test_a_day_of_worked_entries_keeps_each_currency_at_zero_and_the_journal_intact(
    books: Engine,
) -> None:
    convert(books, "alice", 5000, key="conv-alice")
    convert(books, "carol", 30000, key="conv-carol")
    print_and_deliver_notes(books, 50000)
    sell_notes(books, 2000)
    books.transfer("alice", "bakery", 1250, idempotency_key="pay")
    books.transfer("alice", "town:regie-pool", 800, idempotency_key="pool")
    books.transfer("carol", "association:demurrage", 300, idempotency_key="fonte")
    books.transfer("association:losses", "office:3:till", 200, idempotency_key="count")

    totals: dict[str, int] = {}
    for code in (
        *("issuance", "alice", "bob", "carol", "bakery", "town:regie-pool"),
        *("association:fees", "association:demurrage", "reconversion:pending"),
        *("notes:vault", "notes:office:3", "notes:circulation"),
        *("external", "reserve:digital", "reserve:notes", "office:3:till", "transit"),
        *("association:operating", "association:losses"),
    ):
        account = books.account(code)
        totals[account.currency] = totals.get(account.currency, 0) + account.balance
    assert totals == {"MLC": 0, "EUR": 0}
    verification = books.verify_journal()
    assert verification.ok
    assert verification.entries == 9
