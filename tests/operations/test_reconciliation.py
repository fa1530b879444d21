"""Bank reconciliation: statement lines matched to conversion orders and payouts, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, Table, func, select

from monnaie_locale.bank import BankStatement, StatementLine, fingerprint
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.operations import conversion, notes, offices, payouts, reconversion
from monnaie_locale.operations.errors import MalformedBankFile
from monnaie_locale.operations.reconciliation import (
    Reconciliation,
    import_statement,
    import_statement_file,
)
from monnaie_locale.store import Database
from monnaie_locale.store.tables_operations import bank_lines, bank_statements
from tests.conftest import SteppingClock
from tests.operations.conftest import (
    BAKERY_IBAN,
    RESERVE_IBAN,
    Books,
    make_books,
    make_deployment,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank"
CSV_HEADER = "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"


def line(amount: int, remittance: str, bank_reference: str, **extra: str) -> StatementLine:
    return StatementLine(
        booking_date=date(2026, 11, 3),
        amount_cents=amount,
        remittance=remittance,
        bank_reference=bank_reference,
        end_to_end_id=extra.get("end_to_end_id"),
    )


def statement(*lines: StatementLine, closing: int | None = None, name: str = "S1") -> BankStatement:
    return BankStatement(
        statement_id=name,
        account_iban=RESERVE_IBAN,
        currency="EUR",
        lines=lines,
        fingerprint=fingerprint(name.encode() + repr(lines).encode()),
        closing_balance_cents=closing,
        closing_date=date(2026, 11, 3) if closing is not None else None,
    )


def import_(books: Books, item: BankStatement) -> Reconciliation:
    return books.plain(import_statement, deployment=books.deployment, statement=item)


def order(books: Books, account: str, amount: int, key: str) -> str:
    made = books.run(
        conversion.order_conversion, account=account, amount=amount, idempotency_key=key
    )
    assert made.reference is not None
    return made.reference


def imported_rows(books: Books) -> tuple[int, int]:
    def count(conn: Connection, table: Table) -> int:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    return books.read(lambda conn: (count(conn, bank_statements), count(conn, bank_lines)))


def test_an_incoming_transfer_credits_the_order_with_its_reference_and_amount(
    books: Books,
) -> None:
    reference = order(books, "alice", 5000, "o1")

    result = import_(
        books,
        statement(
            line(5000, f"VIR SEPA RECU /DE ALICE MARTIN /MOTIF CONV {reference}", "B1"),
            closing=5000,
        ),
    )

    assert [(m.matched_kind, m.amount) for m in result.matched] == [("conversion", 5000)]
    assert result.unmatched == ()
    assert books.balance("alice") == 5000
    credited = books.read(conversion.order_by_reference, reference)
    assert (credited.status, credited.bank_reference) == ("credited", "B1")
    assert (result.closing_balance, result.ledger_balance, result.difference) == (5000, 5000, 0)
    assert books.report().coverage == 1


def test_importing_the_same_statement_twice_changes_nothing(books: Books) -> None:
    reference = order(books, "alice", 5000, "o1")
    item = statement(line(5000, f"CONV {reference}", "B1"), line(700, "DON", "B2"), closing=5700)
    import_(books, item)
    before = (books.posting_count(), imported_rows(books), books.report())

    again = import_(books, item)

    assert again.already_imported
    assert (books.posting_count(), imported_rows(books), books.report()) == before
    assert len(again.matched) == 1 and len(again.unmatched) == 1


def test_a_line_seen_in_an_earlier_overlapping_export_is_skipped(books: Books) -> None:
    reference = order(books, "alice", 5000, "o1")
    first = line(5000, f"CONV {reference}", "B1")
    import_(books, statement(first, name="S1"))

    result = import_(books, statement(first, line(300, "DON", "B9"), name="S2"))

    assert result.skipped_lines == 1
    assert [u.line_id for u in result.unmatched] == ["ref:B9"]
    assert books.balance("alice") == 5000


def test_an_amount_that_differs_from_the_order_is_left_unmatched_with_the_reason(
    books: Books,
) -> None:
    reference = order(books, "alice", 5000, "o1")

    result = import_(books, statement(line(4000, f"CONV {reference}", "B1")))

    assert result.matched == ()
    assert "expects 50.00" in result.unmatched[0].note
    assert books.read(conversion.order_by_reference, reference).status == "pending"
    assert books.posting_count() == 0


def test_lines_without_a_reference_the_books_await_are_listed_unmatched(books: Books) -> None:
    result = import_(
        books,
        statement(line(3500, "VIR SEPA RECU /DE BOULANGERIE /REF RF18539007547034", "B1")),
    )

    assert [(u.amount, u.note) for u in result.unmatched] == [
        (3500, "no reference the books await")
    ]


def prepare_payouts(books: Books) -> tuple[reconversion.Reconversion, reconversion.Reconversion]:
    books.run(
        conversion.convert_by_card,
        account="bakery",
        amount=20000,
        payment_reference="PSP-1",
        idempotency_key="c1",
    )
    requests = [
        books.run(
            reconversion.request_reconversion,
            account="bakery",
            amount=amount,
            creditor_name="Boulangerie du Port",
            iban=BAKERY_IBAN,
            idempotency_key=f"r{amount}",
        )
        for amount in (10000, 4000)
    ]
    batch = books.run(
        payouts.validate_batch,
        request_ids=[r.id for r in requests],
        validated_by="treasurer",
        idempotency_key="b1",
    )
    books.run(payouts.export_batch, batch_id=batch.id, execution_date=date(2026, 11, 3))
    first, second = (books.read(reconversion.load_reconversion, r.id) for r in requests)
    return first, second


def test_outgoing_payouts_are_matched_by_their_end_to_end_id(books: Books) -> None:
    first, second = prepare_payouts(books)

    result = import_(
        books,
        statement(
            line(-9500, "Reconversion", "P1", end_to_end_id=f"MLC-RC-{first.id}"),
            line(-3800, "Reconversion", "P2", end_to_end_id=f"MLC-RC-{second.id}"),
            closing=20000 - 9500 - 3800,
        ),
    )

    assert sorted((m.matched_kind, m.matched_id) for m in result.matched) == [
        ("reconversion", first.id),
        ("reconversion", second.id),
    ]
    assert books.read(reconversion.load_reconversion, first.id).bank_reference == "P1"
    assert books.read(payouts.load_batch, first.batch_id).status == "paid"
    assert result.difference == 0
    assert books.report().coverage == 1


def test_a_batch_paid_as_one_remittance_is_matched_by_its_message_id(books: Books) -> None:
    first, second = prepare_payouts(books)

    result = import_(
        books,
        statement(line(-13300, f"REMISE VIREMENTS SEPA MLC-PAYOUT-{first.batch_id}", "P1")),
    )

    assert [(m.matched_kind, m.matched_id) for m in result.matched] == [
        ("payout_batch", first.batch_id)
    ]
    assert books.read(reconversion.load_reconversion, second.id).status == "paid"
    assert books.balance("bakery") == 6000


def test_a_payout_line_with_the_wrong_amount_pays_nothing(books: Books) -> None:
    first, _ = prepare_payouts(books)

    result = import_(
        books, statement(line(-9400, "Reconversion", "P1", end_to_end_id=f"MLC-RC-{first.id}"))
    )

    assert result.matched == ()
    assert "94.00" in result.unmatched[0].note
    assert books.read(reconversion.load_reconversion, first.id).status == "batched"


def test_a_till_deposit_is_received_by_its_reference(books: Books) -> None:
    books.run(notes.print_notes, bundle={1000: 4}, idempotency_key="p1")
    books.run(notes.deliver_notes, office="3", bundle={1000: 4}, idempotency_key="d1")
    books.run(notes.sell_notes, office="3", bundle={1000: 2}, idempotency_key="s1")
    deposit = books.run(offices.bank_till, office="3", amount=2000, idempotency_key="t1")

    result = import_(books, statement(line(2000, f"VERSEMENT ESPECES {deposit.reference}", "V1")))

    assert [(m.matched_kind, m.matched_id) for m in result.matched] == [
        ("till_deposit", deposit.id)
    ]
    assert books.balances("reserve:notes", "transit") == {"reserve:notes": -2000, "transit": 0}


def test_the_closing_balance_is_compared_with_the_digital_reserve(books: Books) -> None:
    result = import_(books, statement(line(1000, "DON", "B1"), closing=1000))

    assert (result.closing_balance, result.ledger_balance, result.difference) == (1000, 0, 1000)
    assert "closes at 10.00" in books.report().discrepancies[-1]


def test_a_statement_of_another_account_is_refused(books: Books) -> None:
    other = BankStatement(
        statement_id="X",
        account_iban=BAKERY_IBAN,
        currency="EUR",
        lines=(),
        fingerprint="x",
    )

    with pytest.raises(InvalidRequest):
        import_(books, other)
    assert imported_rows(books) == (0, 0)


def csv_file(*rows: str) -> bytes:
    return (CSV_HEADER + "".join(row + "\r\n" for row in rows)).encode("cp1252")


def test_a_french_csv_export_is_imported_and_matched(books: Books) -> None:
    reference = order(books, "bob", 120000, "o1")
    content = csv_file(
        f"02/11/2026;02/11/2026;VIR SEPA RECU /DE BOB DURAND /MOTIF CONV {reference};R1;;1 200,00",
        "03/11/2026;03/11/2026;COTISATION OFFRE ASSOCIATIVE;R2;3,60;",
    )

    results = books.plain(
        import_statement_file, deployment=books.deployment, content=content, file_format="csv"
    )

    assert [m.matched_kind for m in results[0].matched] == ["conversion"]
    assert [u.amount for u in results[0].unmatched] == [-360]
    assert books.balance("bob") == 120000


def test_a_malformed_csv_is_refused_with_its_line_and_nothing_is_imported(books: Books) -> None:
    reference = order(books, "bob", 5000, "o1")
    content = csv_file(
        f"02/11/2026;02/11/2026;CONV {reference};R1;;50,00",
        "03/11/2026;03/11/2026;DON;R2;;12,345",
    )

    with pytest.raises(MalformedBankFile) as caught:
        books.plain(
            import_statement_file, deployment=books.deployment, content=content, file_format="csv"
        )

    assert caught.value.location.startswith("line 3")
    assert imported_rows(books) == (0, 0)
    assert books.posting_count() == 0


def test_a_camt053_statement_from_a_french_bank_is_matched_and_checked(
    database: Database, clock: SteppingClock
) -> None:
    books = make_books(database, clock, make_deployment(reserve_iban="FR7642559100000800244561756"))
    reference = order(books, "alice", 5000, "o1")
    content = (FIXTURES / "camt053_001_02_statement.xml").read_bytes()
    content = content.replace(b"MLC-7Q4K2P", reference.encode())

    (result,) = books.plain(
        import_statement_file, deployment=books.deployment, content=content, file_format="camt053"
    )

    assert [(m.matched_kind, m.amount) for m in result.matched] == [("conversion", 5000)]
    assert len(result.unmatched) == 5
    assert result.closing_balance == 1121751
    assert result.difference == 1121751 - 5000
    assert books.balance("alice") == 5000


def test_a_malformed_camt053_is_refused_naming_the_element(books: Books) -> None:
    content = (FIXTURES / "camt053_bad_amount.xml").read_bytes()

    with pytest.raises(MalformedBankFile) as caught:
        books.plain(
            import_statement_file,
            deployment=books.deployment,
            content=content,
            file_format="camt053",
        )

    assert "Amt" in caught.value.location
    assert imported_rows(books) == (0, 0)
