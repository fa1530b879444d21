"""Currency operations refuse references, names and memos that are not plain text.

A bank reference typed at the counter, a card payment's reference from a provider's
export, a creditor's name for the payout file: each is refused with
:class:`InvalidRequest` naming the field when it holds a control character, and the
operation leaves the books and its own records as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from monnaie_locale.bank import BankStatement, StatementLine, fingerprint
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.operations import conversion, offices, payouts, reconversion
from monnaie_locale.operations.funds import receive_association_funds
from monnaie_locale.operations.reconciliation import import_statement
from monnaie_locale.store.tables_operations import conversions, reconversions, till_deposits
from tests.operations.conftest import BAKERY_IBAN, RESERVE_IBAN, Books
from tests.support import snapshot

# A tab would shift the FEC's columns, a line break its lines; an escape sequence rewrites a
# terminal; U+202E reverses the text shown after it.
BAD = ["\t", "\r\n", "\x1b[2J", "\u202e"]


def records(books: Books) -> tuple[Any, ...]:
    """The operations' own rows, with every column that a refused call could have set."""
    return books.read(
        lambda conn: tuple(
            tuple(tuple(row) for row in conn.execute(select(table).order_by(table.c.id)))
            for table in (conversions, till_deposits, reconversions)
        )
    )


def refused(books: Books, field: str, attempt: Callable[[str], object]) -> None:
    """``attempt`` with each bad text is refused, names ``field`` and changes nothing."""
    for bad in BAD:
        before = (snapshot(books.database), records(books))
        with pytest.raises(InvalidRequest) as caught:
            attempt(bad)
        assert caught.value.message.startswith(f"the {field} holds a control")
        assert (snapshot(books.database), records(books)) == before


def card(books: Books, account: str, amount: int, key: str) -> None:
    books.run(
        conversion.convert_by_card,
        account=account,
        amount=amount,
        payment_reference=f"PSP-{key}",
        idempotency_key=key,
    )


def test_crediting_an_order_with_a_bad_bank_reference_is_refused(books: Books) -> None:
    order = books.run(
        conversion.order_conversion, account="alice", amount=5000, idempotency_key="o1"
    )
    assert order.reference is not None

    refused(
        books,
        "bank reference",
        lambda bad: books.run(
            conversion.credit_conversion_order,
            reference=order.reference,
            amount=5000,
            bank_reference=f"VIR{bad}0042",
        ),
    )
    assert books.read(conversion.load_conversion, order.id).status == "pending"


def test_a_card_conversion_with_a_bad_payment_reference_is_refused(books: Books) -> None:
    refused(
        books,
        "card payment reference",
        lambda bad: books.run(
            conversion.convert_by_card,
            account="alice",
            amount=5000,
            payment_reference=f"CB{bad}778",
            idempotency_key=f"c-{len(bad)}-{ord(bad[0])}",
        ),
    )
    assert books.balance("alice") == 0


def test_receiving_a_till_deposit_with_a_bad_bank_reference_is_refused(books: Books) -> None:
    books.run(
        conversion.convert_cash, office="3", account="alice", amount=3000, idempotency_key="cash"
    )
    deposit = books.run(offices.bank_till, office="3", amount=2000, idempotency_key="t1")

    refused(
        books,
        "bank reference",
        lambda bad: books.run(
            offices.receive_till_deposit, deposit_id=deposit.id, bank_reference=f"REM{bad}7"
        ),
    )
    assert (
        books.read(offices.load_till_deposit, books.deployment, deposit.id).status == "in_transit"
    )


def test_a_reconversion_to_a_creditor_name_with_a_control_character_is_refused(
    books: Books,
) -> None:
    card(books, "bakery", 10000, "c1")

    refused(
        books,
        "creditor name",
        lambda bad: books.run(
            reconversion.request_reconversion,
            account="bakery",
            amount=5000,
            creditor_name=f"Boulangerie{bad}du Port",
            iban=BAKERY_IBAN,
            idempotency_key=f"r-{len(bad)}-{ord(bad[0])}",
        ),
    )
    assert books.held("bakery") == 0


def test_marking_a_payout_paid_with_a_bad_bank_reference_is_refused(books: Books) -> None:
    card(books, "bakery", 10000, "c1")
    item = books.run(
        reconversion.request_reconversion,
        account="bakery",
        amount=5000,
        creditor_name="Boulangerie du Port",
        iban=BAKERY_IBAN,
        idempotency_key="r1",
    )
    batch = books.run(
        payouts.validate_batch, request_ids=[item.id], validated_by="treasurer", idempotency_key="b"
    )
    books.run(payouts.export_batch, batch_id=batch.id, execution_date=date(2026, 11, 4))

    refused(
        books,
        "bank reference",
        lambda bad: books.run(payouts.mark_paid, request_id=item.id, bank_reference=f"P{bad}1"),
    )
    refused(
        books,
        "bank reference",
        lambda bad: books.run(
            payouts.mark_batch_paid, batch_id=batch.id, bank_reference=f"P{bad}1"
        ),
    )
    assert books.read(reconversion.load_reconversion, item.id).status == "batched"


def test_association_funds_with_a_bad_memo_are_refused(books: Books) -> None:
    refused(
        books,
        "memo",
        lambda bad: books.write(
            lambda conn: receive_association_funds(
                conn,
                amount=1000,
                memo=f"cotisations{bad}2026",
                idempotency_key=f"f-{len(bad)}-{ord(bad[0])}",
                clock=books.clock,
            )
        ),
    )


def test_a_statement_line_with_a_bad_bank_reference_stays_unmatched_with_the_reason(
    books: Books,
) -> None:
    """Reconciliation books line by line: the bad line is left for a person, not the file."""
    order = books.run(
        conversion.order_conversion, account="alice", amount=5000, idempotency_key="o1"
    )
    lines = (
        StatementLine(
            booking_date=date(2026, 11, 3),
            amount_cents=5000,
            remittance=f"Conversion {order.reference}",
            bank_reference="VIR\t0042",
        ),
    )
    statement = BankStatement(
        statement_id="S1",
        account_iban=RESERVE_IBAN,
        currency="EUR",
        lines=lines,
        fingerprint=fingerprint(b"S1" + repr(lines).encode()),
    )

    result = books.plain(import_statement, deployment=books.deployment, statement=statement)

    assert result.matched == ()
    (unmatched,) = result.unmatched
    assert "the bank reference holds a control or invisible character (U+0009)" in unmatched.note
    assert books.read(conversion.load_conversion, order.id).status == "pending"
    assert books.balance("alice") == 0
