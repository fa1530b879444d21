"""Reserve attestation: a bank statement recorded in the journal, carried by checkpoints,
and checked offline against the bank's own file.

The journal tests run on SQLite and PostgreSQL; the verifier's own tests need no database.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from monnaie_locale import journal
from monnaie_locale.bank import parse_camt053
from monnaie_locale.deployment import RESERVE_DIGITAL, RESERVE_NOTES
from monnaie_locale.ledger.records import RESERVE_STATEMENT
from monnaie_locale.operations import bank_accounts
from monnaie_locale.operations.reconciliation import Reconciliation, import_statement_file
from monnaie_locale.operations.reserve_statements import Unrecorded, recorded
from monnaie_locale.payments.keys import SigningKey
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts, postings, transactions
from monnaie_locale.store.tables import journal as journal_table
from monnaie_locale.transparency import checkpoints, statements, tree
from monnaie_locale.verify.checkpoint import Checkpoint, Statement, parse_checkpoint
from monnaie_locale.verify.note import open_note
from monnaie_locale.verify.reserve import (
    check_statement,
    coverage,
    information,
    read_closing_balances,
)
from tests.bank_files import DIGITAL_IBAN, NOTES_IBAN, OPERATING_IBAN, Entry, camt053, csv_export
from tests.conftest import SteppingClock
from tests.operations.conftest import Books, make_books, make_deployment

FIXTURE = Path(__file__).parent.parent / "fixtures" / "bank" / "camt053_001_02_statement.xml"
FIXTURE_CLOSING = 1121751  # the file's CLBD: 11217.51 EUR on 2026-11-03
ORIGIN = "ledger.example.org/test"
NOW = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def books(database: Database, clock: SteppingClock) -> Books:
    """Books whose digital reserve is the settings' account, and a notes account entered
    with the fixture file's IBAN."""
    made = make_books(database, clock, make_deployment(reserve_iban=DIGITAL_IBAN))
    for name, role, iban in (
        ("fonds", "reserve_digital", DIGITAL_IBAN),
        ("especes", "reserve_notes", NOTES_IBAN),
        ("courant", "operating", OPERATING_IBAN),
    ):
        made.plain(bank_accounts.add_bank_account, name=name, role=role, iban=iban, actor="marie")
    return made


def import_file(books: Books, content: bytes, file_format: str = "camt053") -> Reconciliation:
    (result,) = books.plain(
        import_statement_file, deployment=books.deployment, content=content, file_format=file_format
    )
    return result


def statement_of(iban: str, *, opening: int, closed: date, name: str) -> bytes:
    entries = (Entry(2500, "DON", f"{name}-1", closed),)
    return camt053(
        iban=iban,
        statement_id=name,
        opening=opening,
        opened=date(2026, 11, 1),
        closed=closed,
        entries=entries,
    )


def sealed(books: Books) -> None:
    """Seal what PostgreSQL queued (SQLite seals each transaction as it commits)."""
    journal.seal_queue(books.database, clock=books.clock)


def make_checkpoint(books: Books, key: SigningKey) -> checkpoints.StoredCheckpoint:
    sealed(books)
    tree.extend_all(books.database.write, now=NOW)
    return books.write(
        lambda conn: checkpoints.make_checkpoint(
            conn, books.deployment, key=key, origin=ORIGIN, now=NOW
        )
    )


def records(books: Books) -> list[tuple[str, str | None, int]]:
    """Each record's memo, reference and number of postings."""

    def read(conn: Connection) -> list[tuple[str, str | None, int]]:
        count = (
            select(func.count())
            .where(postings.c.transaction_id == transactions.c.id)
            .scalar_subquery()
        )
        rows = conn.execute(
            select(transactions.c.memo, transactions.c.reference, count)
            .where(transactions.c.kind == RESERVE_STATEMENT)
            .order_by(transactions.c.id)
        ).all()
        return [(row[0], row[1], int(row[2])) for row in rows]

    return books.read(read)


def journal_size(books: Books) -> int:
    return books.read(
        lambda conn: int(conn.execute(select(func.count()).select_from(journal_table)).scalar_one())
    )


# Recorded in the journal -----------------------------------------------------------------


def test_an_imported_camt053_is_recorded_in_the_journal_and_the_journal_verifies(
    books: Books,
) -> None:
    content = FIXTURE.read_bytes()
    digest = hashlib.sha256(content).hexdigest()

    result = import_file(books, content)

    assert result.recorded is not None and result.unrecorded is None
    memo = f"statement {RESERVE_NOTES} 2026-11-03 {FIXTURE_CLOSING} {digest}"
    assert records(books) == [(memo, "20261103-0214", 0)]
    sealed(books)
    checked = books.read(journal.verify)
    assert checked.ok, checked.discrepancies
    assert checked.unsealed == 0
    entry = books.read(
        lambda conn: conn.execute(
            select(journal_table.c.seq).where(journal_table.c.transaction_id == result.recorded)
        ).scalar_one()
    )
    assert entry == journal_size(books)  # sealed last, after the lines' bookings


def test_a_statement_imported_twice_records_nothing_the_second_time(books: Books) -> None:
    content = FIXTURE.read_bytes()
    import_file(books, content)
    sealed(books)
    before = (records(books), journal_size(books))

    again = import_file(books, content)
    sealed(books)

    assert again.already_imported
    assert (again.recorded, again.unrecorded) == (None, None)
    assert (records(books), journal_size(books)) == before


def test_a_statement_without_a_closing_balance_records_nothing_and_says_so(
    books: Books,
) -> None:
    content = csv_export(Entry(2500, "DON", "B1", date(2026, 11, 3)))

    result = import_file(books, content, file_format="csv")

    assert result.closing_balance is None
    assert (result.recorded, result.unrecorded) == (None, Unrecorded.NO_CLOSING_BALANCE)
    assert records(books) == []


def test_the_operating_accounts_statement_is_not_the_reserves_and_records_nothing(
    books: Books,
) -> None:
    content = statement_of(OPERATING_IBAN, opening=0, closed=date(2026, 11, 3), name="OP-1")

    result = import_file(books, content)

    assert (result.recorded, result.unrecorded) == (None, Unrecorded.NOT_RESERVE)
    assert records(books) == []


def test_a_record_carrying_a_posting_is_refused_by_the_database(books: Books) -> None:
    def forge(conn: Connection) -> None:
        ids = dict(
            conn.execute(
                select(accounts.c.code, accounts.c.id).where(
                    accounts.c.code.in_([RESERVE_DIGITAL, RESERVE_NOTES])
                )
            ).all()
        )
        # A balanced pair: only the record's kind refuses it. Postings first, then the
        # header, the order in which SQLite checks a header (PostgreSQL checks at COMMIT).
        for code, amount in ((RESERVE_DIGITAL, 100), (RESERVE_NOTES, -100)):
            conn.execute(
                insert(postings).values(
                    transaction_id=999,
                    account_id=ids[code],
                    currency="EUR",
                    amount=amount,
                    balance_after=amount,
                    created_at=NOW,
                )
            )
        conn.execute(
            insert(transactions).values(id=999, kind=RESERVE_STATEMENT, memo="", created_at=NOW)
        )

    with pytest.raises(DBAPIError, match="moves no money"):
        books.write(forge)
    assert records(books) == []


def test_a_transaction_of_another_kind_still_needs_postings_on_sqlite(books: Books) -> None:
    if books.database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL checks balance per posting; it never required postings")

    with pytest.raises(DBAPIError, match="does not balance"):
        books.write(
            lambda conn: conn.execute(
                text(
                    "INSERT INTO transactions (id, kind, memo, created_at) "
                    "VALUES (999, 'transfer', '', '2026-11-05 09:00:00')"
                )
            )
        )


# What the checkpoint carries -------------------------------------------------------------


def test_attested_gives_the_statement_once_the_tree_holds_its_record(books: Books) -> None:
    content = FIXTURE.read_bytes()
    import_file(books, content)
    sealed(books)
    expected = Statement(
        RESERVE_NOTES, date(2026, 11, 3), FIXTURE_CLOSING, hashlib.sha256(content).hexdigest()
    )

    assert books.read(statements.attested) == ()  # the tree does not hold it yet
    tree.extend_all(books.database.write, now=NOW)

    assert books.read(statements.attested) == (expected,)


def test_the_latest_statement_per_account_goes_by_closing_day_then_import_order(
    books: Books,
) -> None:
    newer = statement_of(DIGITAL_IBAN, opening=0, closed=date(2026, 11, 3), name="D-2")
    older = statement_of(DIGITAL_IBAN, opening=0, closed=date(2026, 11, 2), name="D-1")
    same_day = statement_of(DIGITAL_IBAN, opening=100, closed=date(2026, 11, 3), name="D-3")
    notes = FIXTURE.read_bytes()
    for content in (newer, older, notes):
        import_file(books, content)
    sealed(books)
    tree.extend_all(books.database.write, now=NOW)

    first = books.read(statements.attested)
    assert [(s.account, s.day, s.closing) for s in first] == [
        (RESERVE_DIGITAL, date(2026, 11, 3), 2500),
        (RESERVE_NOTES, date(2026, 11, 3), FIXTURE_CLOSING),
    ]
    assert first[0].file_hash == hashlib.sha256(newer).hexdigest()

    import_file(books, same_day)
    sealed(books)
    tree.extend_all(books.database.write, now=NOW)

    assert books.read(statements.attested)[0].file_hash == hashlib.sha256(same_day).hexdigest()
    assert len(books.read(recorded)) == 4


def test_a_checkpoint_made_after_the_import_carries_the_statement_line(books: Books) -> None:
    content = FIXTURE.read_bytes()
    key = SigningKey.generate()
    import_file(books, content)

    made = make_checkpoint(books, key)

    opened, _ = open_note(made.note, [checkpoints.note_key(ORIGIN, key)])
    carried = parse_checkpoint(opened.text)
    digest = hashlib.sha256(content).hexdigest()
    assert f"statement {RESERVE_NOTES} 2026-11-03 {FIXTURE_CLOSING} {digest}\n" in opened.text
    assert carried.statements == (
        Statement(RESERVE_NOTES, date(2026, 11, 3), FIXTURE_CLOSING, digest),
    )
    # The record is in the tree the checkpoint signs.
    seq = books.read(
        lambda conn: conn.execute(
            select(journal_table.c.seq)
            .join(transactions, transactions.c.id == journal_table.c.transaction_id)
            .where(transactions.c.kind == RESERVE_STATEMENT)
        ).scalar_one()
    )
    assert seq <= carried.size


# The offline check, against a checkpoint the service signed ------------------------------


def signed_checkpoint(books: Books, content: bytes) -> Checkpoint:
    import_file(books, content)
    return make_checkpoint(books, SigningKey.generate()).checkpoint


def test_the_verifier_accepts_the_banks_true_file(books: Books) -> None:
    content = FIXTURE.read_bytes()
    checkpoint = signed_checkpoint(books, content)

    assert check_statement(checkpoint, content) == []
    said = information(checkpoint, content)
    assert f"the file is the statement of {RESERVE_NOTES} closing on 2026-11-03" in said


def test_the_verifier_refuses_the_file_with_one_byte_changed(books: Books) -> None:
    content = FIXTURE.read_bytes()
    checkpoint = signed_checkpoint(books, content)
    changed = content.replace(b"11217.51", b"11217.61", 1)
    assert changed != content

    problems = check_statement(checkpoint, changed)

    assert len(problems) == 1
    assert hashlib.sha256(changed).hexdigest() in problems[0]
    assert "none of the checkpoint's 1 statement lines" in problems[0]


def test_the_verifier_refuses_a_file_whose_closing_balance_is_not_the_lines(
    books: Books,
) -> None:
    content = FIXTURE.read_bytes()
    checkpoint = signed_checkpoint(books, content)
    # A file that says another closing balance, on a line that carries its hash: the
    # line's figure must be read from the file, not taken on trust.
    crafted = content.replace(b'<Amt Ccy="EUR">11217.51</Amt>', b'<Amt Ccy="EUR">9999.99</Amt>', 1)
    (line,) = checkpoint.statements
    forged = replace(
        checkpoint,
        statements=(replace(line, file_hash=hashlib.sha256(crafted).hexdigest()),),
    )

    problems = check_statement(forged, crafted)

    assert problems == [
        f"the checkpoint's statement line for {RESERVE_NOTES} says 11217.51 on 2026-11-03; "
        "the file's closing balance is 9999.99 on 2026-11-03"
    ]


def test_coverage_compares_each_reserve_account_with_its_statement(books: Books) -> None:
    content = FIXTURE.read_bytes()
    checkpoint = signed_checkpoint(books, content)
    figure = checkpoint.reserve[RESERVE_NOTES]

    assert coverage(checkpoint) == []  # nothing circulates, nothing is owed
    assert (
        f"{RESERVE_NOTES}: the checkpoint's reserve is {figure // 100}.{figure % 100:02d}, the "
        "bank's statement of 2026-11-03 closed at 11217.51"
    ) in "\n".join(information(checkpoint))


# The offline check, on its own -----------------------------------------------------------


def checkpoint_with(*lines: Statement, digital: int = 0, reserve: int = 0) -> Checkpoint:
    return Checkpoint(
        origin=ORIGIN,
        size=1,
        root=bytes(32),
        time=NOW,
        unit="MLC",
        issued=digital,
        digital=digital,
        paper=0,
        reserve={RESERVE_DIGITAL: reserve},
        statements=lines,
    )


def test_coverage_reports_circulation_above_the_reserve() -> None:
    assert coverage(checkpoint_with(digital=10_000, reserve=10_000)) == []

    problems = coverage(checkpoint_with(digital=10_001, reserve=10_000))

    assert problems == [
        "circulation 100.01 (digital 100.01, paper 0.00) exceeds the reserve 100.00 by 0.01"
    ]


def test_a_reserve_that_moved_since_the_statement_is_information_not_a_problem() -> None:
    line = Statement(RESERVE_DIGITAL, date(2026, 11, 3), 12_000, "a" * 64)
    checkpoint = checkpoint_with(line, digital=10_000, reserve=10_000)

    assert coverage(checkpoint) == []
    assert information(checkpoint) == [
        f"{RESERVE_DIGITAL}: the checkpoint's reserve is 100.00, the bank's statement of "
        "2026-11-03 closed at 120.00 (a difference of -20.00: payments after 2026-11-03 "
        "move the reserve)"
    ]


def test_a_csv_statement_is_checked_by_its_hash_alone_and_the_verifier_says_so() -> None:
    content = csv_export(Entry(2500, "DON", "B1", date(2026, 11, 3)))
    line = Statement(RESERVE_DIGITAL, date(2026, 11, 3), 2500, hashlib.sha256(content).hexdigest())
    checkpoint = checkpoint_with(line, reserve=2500)

    assert check_statement(checkpoint, content) == []
    assert check_statement(checkpoint, content + b"\r\n") != []
    said = "\n".join(information(checkpoint, content))
    assert "only its SHA-256 was checked" in said


def test_a_statement_file_declaring_a_document_type_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&a;</Document>'
    )
    line = Statement(RESERVE_DIGITAL, date(2026, 11, 3), 0, hashlib.sha256(bomb).hexdigest())

    (problem,) = check_statement(checkpoint_with(line), bomb)

    assert "document type" in problem


@given(
    opening=st.integers(min_value=-(10**9), max_value=10**9),
    moved=st.lists(st.integers(min_value=-(10**7), max_value=10**7).filter(bool), max_size=4),
)
def test_whatever_the_closing_balance_the_file_read_back_gives_the_same_cents(
    opening: int, moved: list[int]
) -> None:
    entries = tuple(
        Entry(amount, "X", f"R{i}", date(2026, 11, 3)) for i, amount in enumerate(moved)
    )
    content = camt053(
        iban=DIGITAL_IBAN,
        statement_id="P-1",
        opening=opening,
        opened=date(2026, 11, 1),
        closed=date(2026, 11, 3),
        entries=entries,
    )
    closing = opening + sum(moved)

    (read,) = read_closing_balances(content)
    (service,) = parse_camt053(content)

    assert (read.day, read.closing) == (date(2026, 11, 3), closing)
    assert service.closing_balance_cents == read.closing
    line = Statement(RESERVE_DIGITAL, read.day, closing, hashlib.sha256(content).hexdigest())
    assert check_statement(checkpoint_with(line), content) == []
    assert check_statement(checkpoint_with(replace(line, closing=closing + 1)), content) != []
