"""Several bank accounts, each statement reconciled with its own ledger account at its
closing date; lines matched by hand and unmatched; statements imported once."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from monnaie_locale.errors import UnknownTransaction
from monnaie_locale.operations import (
    bank_accounts,
    bank_reconciliation,
    conversion,
    notes,
    offices,
    payouts,
    reconversion,
)
from monnaie_locale.operations.bank_errors import (
    BankLineMatched,
    BankLineUnmatched,
    DuplicateBankAccount,
    InvalidBankDetails,
    NotOnBankAccount,
    UnknownBankAccount,
)
from monnaie_locale.operations.errors import WrongState
from monnaie_locale.operations.reconciliation import Reconciliation, import_statement_file
from monnaie_locale.store.tables_bank import bank_line_changes
from monnaie_locale.store.tables_operations import bank_lines
from tests.bank_files import DIGITAL_IBAN, NOTES_IBAN, OPERATING_IBAN, Entry, camt053, csv_export
from tests.operations.conftest import BAKERY_IBAN, Books
from tests.support import snapshot

NOV2, NOV3, NOV4 = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)
# The statements arrive, and are imported, two days after they close.
IMPORTED = datetime(2026, 11, 5, 8, 0, tzinfo=UTC)


def enter_accounts(books: Books) -> None:
    books.plain(
        bank_accounts.add_bank_account,
        name="fonds-numerique",
        role="reserve_digital",
        iban=DIGITAL_IBAN,
        bic="CCOPFRPP",
        actor="marie",
    )
    books.plain(
        bank_accounts.add_bank_account,
        name="fonds-billets",
        role="reserve_notes",
        iban=NOTES_IBAN,
        actor="marie",
    )


def import_file(
    books: Books, content: bytes, *, file_format: str = "camt053", account: str | None = None
) -> list[Reconciliation]:
    return books.plain(
        import_statement_file,
        deployment=books.deployment,
        content=content,
        file_format=file_format,
        account=account,
    )


def report(
    books: Books, account: str, statement: str | None = None
) -> bank_reconciliation.AccountReconciliation:
    return books.read(
        lambda conn: bank_reconciliation.account_reconciliation(
            conn, account=account, statement_id=statement
        )
    )


def cash_deposit(books: Books, amount: int) -> offices.TillDeposit:
    """Office 3 sells notes for cash and takes the cash to the bank (in transit)."""
    books.run(notes.print_notes, bundle={1000: 4}, idempotency_key="p1")
    books.run(notes.deliver_notes, office="3", bundle={1000: 4}, idempotency_key="d1")
    books.run(notes.sell_notes, office="3", bundle={1000: amount // 1000}, idempotency_key="s1")
    return books.run(offices.bank_till, office="3", amount=amount, idempotency_key="t1")


def order(books: Books, amount: int, key: str) -> str:
    made = books.run(
        conversion.order_conversion, account="alice", amount=amount, idempotency_key=key
    )
    assert made.reference is not None
    return made.reference


def test_each_account_reconciles_with_its_ledger_account_and_later_operations_change_nothing(
    books: Books,
) -> None:
    enter_accounts(books)
    reference = order(books, 5000, "o1")
    deposit = cash_deposit(books, 2000)
    books.clock.advance(IMPORTED - books.clock())
    digital = camt053(
        iban=DIGITAL_IBAN,
        statement_id="N-2026-11-03",
        opening=0,
        opened=NOV2,
        closed=NOV3,
        entries=(Entry(5000, f"VIR ALICE CONV {reference}", "D1", NOV3),),
    )
    cash = camt053(
        iban=NOTES_IBAN,
        statement_id="B-2026-11-03",
        opening=0,
        opened=NOV2,
        closed=NOV3,
        entries=(Entry(2000, f"VERSEMENT ESPECES {deposit.reference}", "B1", NOV3, NOV4),),
    )

    (on_digital,) = import_file(books, digital)
    (on_notes,) = import_file(books, cash)
    # Later, after both closing dates: another order credited, another sale of notes.
    later = order(books, 3000, "o2")
    books.run(conversion.credit_conversion_order, reference=later, amount=3000, bank_reference="X9")

    # The worked entries the lines booked: EUR Dr reserve:digital 50 / Cr external 50 with
    # MLC Dr issuance 50 / Cr alice 50; EUR Dr reserve:notes 20 / Cr transit 20.
    credited = books.read(conversion.order_by_reference, reference)
    assert books.postings_of(credited.transaction_batch) == {
        "reserve:digital": -5000,
        "external": 5000,
        "issuance": -5000,
        "alice": 5000,
    }
    assert books.balances("reserve:notes", "transit") == {"reserve:notes": -2000, "transit": 0}
    assert (on_digital.bank_account, on_digital.ledger_account) == (
        "fonds-numerique",
        "reserve:digital",
    )
    assert (on_notes.bank_account, on_notes.ledger_account) == ("fonds-billets", "reserve:notes")
    assert [m.matched_kind for m in on_notes.matched] == ["till_deposit"]
    for account, statement, balance in (
        ("fonds-numerique", "N-2026-11-03", 5000),
        ("fonds-billets", "B-2026-11-03", 2000),
    ):
        found = report(books, account, statement)
        # Booked on 5 November, seen by the bank on the 3rd: counted at the bank's date.
        assert (found.statement_balance, found.ledger_balance, found.booked_after) == (
            balance,
            0,
            balance,
        )
        assert found.difference == 0
        assert (found.unmatched_bank, found.unmatched_books) == ((), ())
    assert books.balance("reserve:digital") == -8000  # the books now, 30.00 more
    assert not [text for text in books.report().discrepancies if "bank statement" in text]


def test_the_books_at_the_closing_date_ignore_what_came_after(books: Books) -> None:
    enter_accounts(books)
    reference = order(books, 5000, "o1")
    statement = camt053(
        iban=DIGITAL_IBAN,
        statement_id="N1",
        opening=0,
        opened=NOV2,
        closed=NOV2,
        entries=(Entry(5000, f"CONV {reference}", "D1", NOV2),),
    )
    (imported,) = import_file(books, statement)  # on 2 November, the day it closes
    books.clock.advance(IMPORTED - books.clock())
    books.run(
        conversion.convert_by_card,
        account="bob",
        amount=7000,
        payment_reference="PSP-1",
        idempotency_key="c1",
    )

    found = report(books, "fonds-numerique")

    assert imported.difference == 0
    assert (found.ledger_balance, found.booked_after, found.difference) == (5000, 0, 0)
    assert found.as_of == datetime(2026, 11, 2, 23, 59, 59, 999999, tzinfo=UTC)


def test_lines_keep_the_bank_s_booking_and_value_dates(books: Books) -> None:
    enter_accounts(books)
    deposit = cash_deposit(books, 2000)
    content = csv_export(Entry(2000, f"VERSEMENT {deposit.reference}", "V1", NOV3, NOV4))

    (result,) = import_file(books, content, file_format="csv", account="fonds-billets")

    rows = books.read(
        lambda conn: conn.execute(
            select(bank_lines.c.booking_date, bank_lines.c.value_date, bank_lines.c.matched_kind)
        ).all()
    )
    assert [tuple(row) for row in rows] == [(NOV3, NOV4, "till_deposit")]
    assert result.bank_account == "fonds-billets"
    assert books.balance("reserve:notes") == -2000


def test_a_cash_deposit_on_the_digital_account_is_left_for_the_notes_account(
    books: Books,
) -> None:
    enter_accounts(books)
    deposit = cash_deposit(books, 2000)
    content = csv_export(Entry(2000, f"VERSEMENT {deposit.reference}", "V1", NOV3))

    (result,) = import_file(books, content, file_format="csv")  # the digital reserve's

    assert [line.remittance for line in result.unmatched] == [f"VERSEMENT {deposit.reference}"]
    assert books.balances("reserve:notes", "transit") == {"reserve:notes": 0, "transit": -2000}


def card_on_the_reserve(books: Books) -> int:
    """A card conversion of 15.00 for bob, and its transaction on reserve:digital."""
    made = books.run(
        conversion.convert_by_card,
        account="bob",
        amount=1500,
        payment_reference="PSP-9",
        idempotency_key="card",
    )
    assert books.postings_of(made.transaction_batch)["reserve:digital"] == -1500
    assert made.transaction_batch is not None
    return int(made.transaction_batch)


def test_a_line_is_matched_by_hand_then_unmatched_and_both_are_kept(books: Books) -> None:
    enter_accounts(books)
    transaction = card_on_the_reserve(books)
    content = camt053(
        iban=DIGITAL_IBAN,
        statement_id="N1",
        opening=0,
        opened=NOV2,
        closed=NOV3,
        entries=(Entry(1500, "REMISE CARTES PSP", "K1", NOV3),),
    )
    (imported,) = import_file(books, content)
    (line,) = imported.unmatched
    assert line.row_id is not None
    before = report(books, "fonds-numerique")
    assert [item.id for item in before.unmatched_bank] == [line.row_id]
    assert [item.transaction_id for item in before.unmatched_books] == [transaction]

    matched = books.plain(
        bank_reconciliation.match_line, line=line.row_id, transaction_id=transaction, actor="paul"
    )
    after = report(books, "fonds-numerique")
    unmatched = books.plain(bank_reconciliation.unmatch_line, line=line.row_id, actor="marie")

    assert (matched.matched_kind, matched.matched_id, matched.transactions) == (
        "transaction",
        transaction,
        (transaction,),
    )
    assert (after.unmatched_bank, after.unmatched_books, after.difference) == ((), (), 0)
    assert (unmatched.matched_kind, unmatched.transactions) == (None, ())
    assert [(c.action, c.transaction_id, c.actor) for c in unmatched.changes] == [
        ("match", transaction, "paul"),
        ("unmatch", None, "marie"),
    ]
    assert report(books, "fonds-numerique").unmatched_books == before.unmatched_books
    assert books.balance("reserve:digital") == -1500  # matching moves no money


def test_matching_by_hand_is_refused_when_it_cannot_be_right(books: Books) -> None:
    enter_accounts(books)
    transaction = card_on_the_reserve(books)
    paid = books.run(
        conversion.convert_by_card,
        account="alice",
        amount=900,
        payment_reference="PSP-1",
        idempotency_key="c1",
    )
    content = csv_export(
        Entry(1500, "REMISE CARTES", "K1", NOV3), Entry(900, "REMISE CARTES", "K2", NOV3)
    )
    (imported,) = import_file(books, content, file_format="csv")
    first, second = (line.row_id for line in imported.unmatched)
    assert first is not None and second is not None
    books.plain(bank_reconciliation.match_line, line=first, transaction_id=transaction, actor="p")
    payment = _member_payment(books)

    refusals = [
        # The line stands for a transaction already; unmatch it first.
        (BankLineMatched, dict(line=first, transaction_id=int(str(paid.transaction_batch)))),
        # Another line stands for that transaction.
        (WrongState, dict(line=second, transaction_id=transaction)),
        # alice pays bob in units: no euro moves on the reserve.
        (NotOnBankAccount, dict(line=second, transaction_id=payment)),
        (UnknownTransaction, dict(line=second, transaction_id=999_999)),
    ]
    before = snapshot(books.database)
    for error, fields in refusals:
        with pytest.raises(error):
            books.plain(bank_reconciliation.match_line, actor="p", **fields)
    with pytest.raises(BankLineUnmatched):
        books.plain(bank_reconciliation.unmatch_line, line=second, actor="p")
    assert snapshot(books.database) == before


def _member_payment(books: Books) -> int:
    """A payment between members: no euro moves, so no bank line can stand for it."""
    from monnaie_locale.ledger import service
    from monnaie_locale.model import TransferRequest

    written = books.write(
        lambda conn: service.post_transfer(
            conn,
            TransferRequest.simple("alice", "bob", 100, kind="transfer"),
            idempotency_key="pay",
            clock=books.clock,
        )
    )
    return written.id


def test_a_statement_imported_again_is_reported_and_books_nothing(books: Books) -> None:
    enter_accounts(books)
    reference = order(books, 5000, "o1")
    entries = (Entry(5000, f"CONV {reference}", "D1", NOV3),)
    first = camt053(
        iban=DIGITAL_IBAN, statement_id="N1", opening=0, opened=NOV2, closed=NOV3, entries=entries
    )
    (done,) = import_file(books, first)
    before = snapshot(books.database)

    (same_file,) = import_file(books, first)
    # The same statement exported again: another file, the same account and statement id.
    other_export = first.replace(b"<MsgId>M1</MsgId>", b"<MsgId>M2</MsgId>")
    (same_statement,) = import_file(books, other_export)

    assert not done.already_imported
    assert same_file.already_imported and same_statement.already_imported
    assert snapshot(books.database) == before
    assert books.balance("alice") == 5000


def test_an_invalid_iban_is_refused_when_entered_and_nothing_is_written(books: Books) -> None:
    before = snapshot(books.database)
    mistyped = DIGITAL_IBAN[:-1] + "8"

    with pytest.raises(InvalidBankDetails) as refused:
        books.plain(
            bank_accounts.add_bank_account,
            name="fonds",
            role="reserve_digital",
            iban=mistyped,
            actor="marie",
        )

    assert (refused.value.field, refused.value.value) == ("IBAN", mistyped)
    assert "mistyped" in refused.value.reason or "key" in refused.value.reason
    assert snapshot(books.database) == before


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (dict(name="x", role="reserve", iban=OPERATING_IBAN), InvalidBankDetails),
        (dict(name="x", role="operating", iban=OPERATING_IBAN, bic="NOPE"), InvalidBankDetails),
        (dict(name="", role="operating", iban=OPERATING_IBAN), InvalidBankDetails),
        (dict(name="x", role="reserve_digital", iban=OPERATING_IBAN), DuplicateBankAccount),
        (dict(name="x", role="operating", iban=NOTES_IBAN), DuplicateBankAccount),
        (dict(name="fonds-billets", role="operating", iban=OPERATING_IBAN), DuplicateBankAccount),
    ],
    ids=["unknown role", "bad bic", "no name", "role taken", "iban taken", "name taken"],
)
def test_a_bank_account_that_cannot_be_right_is_refused(
    books: Books, fields: dict[str, str], error: type[Exception]
) -> None:
    enter_accounts(books)
    before = snapshot(books.database)

    with pytest.raises(error):
        books.plain(bank_accounts.add_bank_account, actor="marie", **fields)

    assert snapshot(books.database) == before


def test_a_camt053_of_an_iban_no_account_has_is_refused(books: Books) -> None:
    enter_accounts(books)
    content = camt053(
        iban=OPERATING_IBAN, statement_id="O1", opening=0, opened=NOV2, closed=NOV3, entries=()
    )
    before = snapshot(books.database)

    with pytest.raises(UnknownBankAccount):
        import_file(books, content)
    assert snapshot(books.database) == before


def test_payout_files_are_debited_from_the_digital_reserve_s_entered_account(
    books: Books,
) -> None:
    books.plain(
        bank_accounts.add_bank_account,
        name="fonds-numerique",
        role="reserve_digital",
        iban=OPERATING_IBAN,  # not the settings' MLC_RESERVE_IBAN
        actor="marie",
    )
    books.run(
        conversion.convert_by_card,
        account="bakery",
        amount=20000,
        payment_reference="PSP-1",
        idempotency_key="c1",
    )
    request = books.run(
        reconversion.request_reconversion,
        account="bakery",
        amount=10000,
        creditor_name="Boulangerie du Port",
        iban=BAKERY_IBAN,
        idempotency_key="r1",
    )
    batch = books.run(
        payouts.validate_batch, request_ids=[request.id], validated_by="t", idempotency_key="b"
    )

    content = books.run(payouts.export_batch, batch_id=batch.id, execution_date=NOV4)

    namespace = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    debtor = ET.fromstring(content).findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=namespace)
    assert debtor == OPERATING_IBAN


def test_the_settings_reserve_iban_is_entered_once_as_the_digital_account(books: Books) -> None:
    seeded = books.plain(bank_accounts.seed_from_settings, deployment=books.deployment)
    again = books.plain(bank_accounts.seed_from_settings, deployment=books.deployment)

    (entered,) = books.read(bank_accounts.list_bank_accounts)
    assert (seeded, again) == (True, False)
    assert (entered.name, entered.role, entered.iban, entered.ledger_account) == (
        "reserve",
        "reserve_digital",
        DIGITAL_IBAN,
        "reserve:digital",
    )


def test_changing_an_account_checks_the_new_iban_and_keeps_who_changed_it(books: Books) -> None:
    enter_accounts(books)
    before = snapshot(books.database)
    with pytest.raises(InvalidBankDetails):
        books.plain(
            bank_accounts.change_bank_account, name="fonds-billets", iban="FR76", actor="paul"
        )
    assert snapshot(books.database) == before

    changed = books.plain(
        bank_accounts.change_bank_account,
        name="fonds-billets",
        iban=OPERATING_IBAN,
        bic="CCOPFRPP",
        actor="paul",
    )

    assert (changed.iban, changed.bic, changed.updated_by, changed.role) == (
        OPERATING_IBAN,
        "CCOPFRPP",
        "paul",
        "reserve_notes",
    )
    rows = books.read(lambda conn: conn.execute(select(bank_line_changes)).all())
    assert rows == []
