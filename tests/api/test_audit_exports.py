"""Journal verification and the streamed exports: the FEC, the plain-text journal and
an account's CSV statement; and the streaming itself, which holds a few chunks at most."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import BinaryIO, TextIO
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Connection, text

from api import streaming
from monnaie_locale.auth import Role
from monnaie_locale.exports import FEC_COLUMNS, FEC_ENCODING, STATEMENT_COLUMNS
from monnaie_locale.exports.statement_rows import statement_window
from monnaie_locale.money import parse_amount
from monnaie_locale.store import Database
from tests.api.conftest import ALICE_FUNDS, World
from tests.api.helpers import assert_problem, refused

TRANSACTIONS = 3  # alice's funding, and the two payments of ``books``


@pytest.fixture
def books(world: World) -> World:
    """Two payments after alice's funding, one with a memo that could break a FEC line."""
    world.ledger.transfer("alice", "bob", 2_000, idempotency_key="rent", memo="loyer")
    world.ledger.transfer(
        "alice", "bakery", 1_250, idempotency_key="bread", memo="pain | café € œuf"
    )
    # Sealed now, so that the server's background sealer has nothing left to change.
    world.ledger.seal_journal()
    return world


def get(world: World, path: str, role: Role = Role.AUDITOR, **params: str) -> httpx.Response:
    response: httpx.Response = world.client.get(path, headers=world.auth(role), params=params)
    return response


# Journal verification ----------------------------------------------------------------------


def test_whole_books_verify(books: World) -> None:
    response = get(books, "/v1/audit/journal")

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ok"] is True
    assert (report["entries"], report["unsealed"]) == (TRANSACTIONS, 0)
    assert report["postings"] == 2 * TRANSACTIONS
    assert report["first_discrepancy"] is None
    assert (report["discrepancy_count"], report["discrepancies"]) == (0, [])


def test_a_memo_changed_behind_the_ledgers_back_is_found_with_its_sequence(
    books: World,
) -> None:
    def tamper(conn: Connection) -> tuple[int, int]:
        if books.database.is_postgres:
            conn.execute(text("ALTER TABLE transactions DISABLE TRIGGER transactions_immutable"))
        else:
            conn.execute(text("DROP TRIGGER transactions_no_update"))
        target, sequence = conn.execute(
            text("SELECT transaction_id, seq FROM journal ORDER BY seq DESC LIMIT 1")
        ).one()
        conn.execute(text("UPDATE transactions SET memo = 'loyer.' WHERE id = :t"), {"t": target})
        return int(target), int(sequence)

    target, sequence = books.database.write(tamper)

    report = get(books, "/v1/audit/journal", Role.ASSOCIATION_OPERATOR).json()

    assert report["ok"] is False
    assert report["first_discrepancy"]["sequence"] == sequence
    assert f"transaction {target}" in report["first_discrepancy"]["reason"]
    assert report["discrepancy_count"] == len(report["discrepancies"]) >= 1


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICE_OPERATOR, Role.MERCHANT_OWNER])
def test_verification_is_for_auditors_and_the_association(books: World, role: Role) -> None:
    refused(books.database, 403, "role_forbidden", lambda: get(books, "/v1/audit/journal", role))


# The FEC -----------------------------------------------------------------------------------


def fec_lines(response: httpx.Response, separator: str = "|") -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == f"text/plain; charset={FEC_ENCODING}"
    body = response.content.decode(FEC_ENCODING)
    assert body.endswith("\r\n")
    lines = [line.split(separator) for line in body.split("\r\n")[:-1]]
    assert lines[0] == list(FEC_COLUMNS)
    assert all(len(line) == len(FEC_COLUMNS) for line in lines), "a line has not 18 columns"
    return lines[1:]


def minor(text: str) -> int:
    return parse_amount(text) if text else 0


def test_the_fec_has_18_columns_and_its_debits_equal_its_credits(books: World) -> None:
    response = get(books, "/v1/exports/fec")

    rows = fec_lines(response)
    column = {name: index for index, name in enumerate(FEC_COLUMNS)}
    debit = sum(minor(row[column["Debit"]]) for row in rows)
    credit = sum(minor(row[column["Credit"]]) for row in rows)
    assert debit == credit == ALICE_FUNDS + 2_000 + 1_250
    by_entry: dict[str, int] = defaultdict(int)
    for row in rows:
        by_entry[row[column["EcritureNum"]]] += minor(row[column["Debit"]])
        by_entry[row[column["EcritureNum"]]] -= minor(row[column["Credit"]])
    assert sorted(by_entry, key=int) == [str(n) for n in range(1, TRANSACTIONS + 1)]
    assert set(by_entry.values()) == {0}, "an écriture does not balance"
    assert all(row[column["EcritureDate"]] == "20261102" for row in rows)
    bread = [row for row in rows if "pain" in row[column["EcritureLib"]]]
    assert {row[column["EcritureLib"]] for row in bread} == {"pain café € œuf"}
    assert response.headers["content-disposition"] == 'attachment; filename="FEC.txt"'


def test_the_fec_may_be_tab_separated_and_cut_to_a_period(books: World) -> None:
    whole_day = get(books, "/v1/exports/fec", separator="tab", **{"from": "2026-11-02"})
    assert len(fec_lines(whole_day, "\t")) == 2 * TRANSACTIONS

    before = get(books, "/v1/exports/fec", **{"from": "2026-01-01", "to": "2026-11-01"})
    assert fec_lines(before) == []
    assert before.headers["content-disposition"] == 'attachment; filename="FEC20261101.txt"'


def test_dates_are_written_in_the_time_zone_asked(books: World) -> None:
    # 09:00 UTC on 2 November is still 1 November in Honolulu.
    rows = fec_lines(get(books, "/v1/exports/fec", timezone="Pacific/Honolulu"))
    assert {row[FEC_COLUMNS.index("EcritureDate")] for row in rows} == {"20261101"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-12-31", "to": "2026-01-01"}, "invalid_request"),
        ({"timezone": "Mars/Olympus_Mons"}, "invalid_request"),
        ({"from": "yesterday"}, "validation_failed"),
        ({"separator": "comma"}, "validation_failed"),
        ({"journal_code": "A B"}, "validation_failed"),
    ],
    ids=["period-backwards", "unknown-zone", "bad-date", "bad-separator", "bad-journal-code"],
)
def test_bad_fec_parameters_are_refused_before_any_byte(
    books: World, params: dict[str, str], code: str
) -> None:
    refused(books.database, 422, code, lambda: get(books, "/v1/exports/fec", **params))


ACCOUNTANTS_PLAN = [
    {"pattern": "bakery", "number": "411100", "label": "Boulangerie", "auxiliary": True},
    {"pattern": "issuance", "number": "471500", "label": "Émission", "currency": "MLC"},
    # Never matches: the books hold no euro issuance, so the default applies.
    {"pattern": "alice", "number": "467900", "label": "Adhérents euros", "currency": "EUR"},
]


def post_fec(
    world: World, rules: object, role: Role = Role.AUDITOR, **params: str
) -> httpx.Response:
    response: httpx.Response = world.client.post(
        "/v1/exports/fec", headers=world.auth(role), params=params, json={"rules": rules}
    )
    return response


def test_the_fec_follows_the_accountants_own_plan_before_the_default(books: World) -> None:
    rows = fec_lines(post_fec(books, ACCOUNTANTS_PLAN, Role.ASSOCIATION_OPERATOR))

    column = {name: index for index, name in enumerate(FEC_COLUMNS)}
    accounts = {
        (row[column["CompteNum"]], row[column["CompteLib"]], row[column["CompAuxNum"]])
        for row in rows
    }
    assert accounts == {
        ("411100", "Boulangerie", "bakery"),
        ("471500", "Émission", ""),
        ("467100", "Adhérents - comptes en monnaie locale", "alice"),
        ("467100", "Adhérents - comptes en monnaie locale", "bob"),
    }
    debit = sum(minor(row[column["Debit"]]) for row in rows)
    assert debit == sum(minor(row[column["Credit"]]) for row in rows) == ALICE_FUNDS + 3_250


def test_the_posted_fec_takes_the_same_parameters_as_the_default_one(books: World) -> None:
    response = post_fec(books, ACCOUNTANTS_PLAN, separator="tab", to="2026-11-02")

    assert len(fec_lines(response, "\t")) == 2 * TRANSACTIONS
    assert response.headers["content-disposition"] == 'attachment; filename="FEC20261102.txt"'


@pytest.mark.parametrize(
    ("rules", "params", "code"),
    [
        ([{"pattern": "bakery", "number": "0411", "label": "Pain"}], {}, "validation_failed"),
        ([{"pattern": "bakery", "number": "411100", "label": "   "}], {}, "invalid_request"),
        ([{"pattern": "bakery", "number": "411100"}], {}, "validation_failed"),
        ([], {}, "validation_failed"),
        ("bakery,411100,Boulangerie", {}, "validation_failed"),
        (ACCOUNTANTS_PLAN, {"timezone": "Mars/Olympus_Mons"}, "invalid_request"),
        (ACCOUNTANTS_PLAN, {"from": "2026-12-31", "to": "2026-01-01"}, "invalid_request"),
    ],
    ids=[
        "number-from-0",
        "blank-label",
        "no-label",
        "no-rule",
        "csv-text",
        "unknown-zone",
        "period-backwards",
    ],
)
def test_a_bad_plan_is_refused_before_any_byte(
    books: World, rules: object, params: dict[str, str], code: str
) -> None:
    refused(books.database, 422, code, lambda: post_fec(books, rules, **params))


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MERCHANT_OWNER, Role.OFFICE_OPERATOR])
def test_the_posted_fec_is_for_auditors_and_the_association(books: World, role: Role) -> None:
    refused(books.database, 403, "role_forbidden", lambda: post_fec(books, ACCOUNTANTS_PLAN, role))


# The plain-text journal --------------------------------------------------------------------


def test_the_journal_balances_in_each_currency_and_may_assert_balances(books: World) -> None:
    response = get(books, "/v1/exports/journal.ledger", Role.ADMIN, assertions="true")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    journal = response.text
    assert "commodity MLC" in journal
    assert "(1) " in journal
    totals: dict[str, Decimal] = defaultdict(Decimal)
    postings = [line for line in journal.splitlines() if line.startswith("    ") and "=" in line]
    for line in postings:
        _account, amount, currency = line.split("=")[0].split()
        totals[currency] += Decimal(amount)
    assert len(postings) == 2 * TRANSACTIONS
    assert set(totals.values()) == {Decimal(0)}
    assert "= -67.50 MLC" in journal  # alice after both payments, with the journal's sign


def test_the_journal_without_assertions_has_none(books: World) -> None:
    journal = get(books, "/v1/exports/journal.ledger").text
    assert " = " not in journal
    assert "pain | café € œuf" in journal


def test_a_journal_in_an_unknown_zone_is_refused(books: World) -> None:
    refused(
        books.database,
        422,
        "invalid_request",
        lambda: get(books, "/v1/exports/journal.ledger", timezone="Nowhere/Town"),
    )


# An account's statement as CSV -------------------------------------------------------------


def statement_rows(response: httpx.Response, delimiter: str) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text), delimiter=delimiter))
    assert rows[0] == list(STATEMENT_COLUMNS)
    return rows[1:]


def test_a_holder_gets_their_whole_statement_as_a_french_csv(books: World) -> None:
    response = get(books, "/v1/accounts/alice/statement", Role.MEMBER, format="csv")

    rows = statement_rows(response, ";")
    credit, debit, balance = (STATEMENT_COLUMNS.index(c) for c in ("credit", "debit", "balance"))
    assert [row[credit] for row in rows] == ["100,00", "", ""]
    assert [row[debit] for row in rows] == ["", "20,00", "12,50"]
    assert [row[balance] for row in rows] == ["100,00", "80,00", "67,50"]
    assert 'filename="statement-alice.csv"' in response.headers["content-disposition"]


def test_the_csv_may_use_commas_and_decimal_points(books: World) -> None:
    response = get(
        books, "/v1/accounts/bakery/statement", Role.AUDITOR, format="csv", csv_style="en"
    )
    rows = statement_rows(response, ",")
    assert [row[STATEMENT_COLUMNS.index("credit")] for row in rows] == ["12.50"]


def test_the_json_statement_is_unchanged_by_the_csv_option(books: World) -> None:
    page = get(books, "/v1/accounts/alice/statement", Role.MEMBER).json()
    assert [line["amount"] for line in page["items"]] == ["-12.50", "-20.00", "100.00"]


@pytest.mark.parametrize(
    ("code", "role", "params", "status", "problem"),
    [
        ("nowhere", Role.ADMIN, {}, 404, "unknown_account"),
        ("bob", Role.MEMBER, {}, 403, "not_your_account"),
        ("alice", Role.MEMBER, {"timezone": "Nowhere/Town"}, 422, "invalid_request"),
        ("alice", Role.MEMBER, {"csv_style": "de"}, 422, "validation_failed"),
        ("alice", Role.MEMBER, {"from": "2026-11-05", "to": "2026-11-04"}, 422, "invalid_request"),
        ("alice", Role.MEMBER, {"from": "5/11/2026"}, 422, "validation_failed"),
        ("alice", Role.MEMBER, {"to": "2026-02-30"}, 422, "validation_failed"),
    ],
    ids=[
        "unknown-account",
        "not-held",
        "unknown-zone",
        "unknown-style",
        "empty-period",
        "bad-date",
        "no-such-day",
    ],
)
def test_csv_statement_refusals(
    books: World, code: str, role: Role, params: dict[str, str], status: int, problem: str
) -> None:
    refused(
        books.database,
        status,
        problem,
        lambda: get(books, f"/v1/accounts/{code}/statement", role, format="csv", **params),
    )


STATEMENT = "/v1/accounts/alice/statement"


def test_a_period_starting_after_it_ends_says_which_days(books: World) -> None:
    backwards = {"from": "2026-11-05", "to": "2026-11-04"}
    body = refused(
        books.database,
        422,
        "invalid_request",
        lambda: get(books, STATEMENT, Role.MEMBER, format="csv", **backwards),
    )
    assert "2026-11-05" in str(body["detail"]) and "2026-11-04" in str(body["detail"])


@pytest.fixture
def week(books: World) -> World:
    """Alice pays bob on 3, 4 and 5 November (the books are of the 2nd).

    The clock goes back to the 2nd afterwards: the callers' tokens last an hour.
    """
    for day in (3, 4, 5):
        books.clock.advance(timedelta(days=1))
        books.ledger.transfer("alice", "bob", 100 * day, idempotency_key=f"d{day}", memo=f"j{day}")
    books.clock.advance(timedelta(days=-3))
    books.ledger.seal_journal()
    return books


def csv_rows(world: World, **params: str) -> list[list[str]]:
    return statement_rows(get(world, STATEMENT, Role.MEMBER, format="csv", **params), ";")


def test_a_csv_statement_of_a_period_holds_its_movements_alone(week: World) -> None:
    response = get(
        week, STATEMENT, Role.MEMBER, format="csv", **{"from": "2026-11-03", "to": "2026-11-04"}
    )
    period = statement_rows(response, ";")
    whole = csv_rows(week)

    memo, balance = STATEMENT_COLUMNS.index("memo"), STATEMENT_COLUMNS.index("balance")
    debit, credit = STATEMENT_COLUMNS.index("debit"), STATEMENT_COLUMNS.index("credit")
    assert [row[memo] for row in period] == ["j3", "j4"]
    assert period == whole[3:5]  # the same rows as in the whole statement, to the letter
    with week.database.reading() as conn:
        window = statement_window(
            conn, "alice", start=date(2026, 11, 3), end=date(2026, 11, 4),
            zone=ZoneInfo("Europe/Paris"),
        )  # fmt: skip
    first = period[0]
    moved = parse_amount(first[credit] or "0") - parse_amount(first[debit] or "0")
    assert parse_amount(first[balance]) - moved == window.opening == ALICE_FUNDS - 2_000 - 1_250
    assert parse_amount(whole[2][balance]) == window.opening  # the row before the period
    disposition = response.headers["content-disposition"]
    assert 'filename="statement-alice-from-2026-11-03-to-2026-11-04.csv"' in disposition


def test_a_csv_period_may_reach_into_the_future(week: World) -> None:
    whole = csv_rows(week)

    assert csv_rows(week, **{"from": "2026-11-04", "to": "2099-12-31"}) == whole[4:]
    assert csv_rows(week, to="2099-12-31") == whole
    assert csv_rows(week, **{"from": "2099-01-01"}) == []  # not started yet: the header alone


def test_the_json_statement_pages_by_cursor_not_by_period(week: World) -> None:
    refused(
        week.database,
        422,
        "invalid_request",
        lambda: get(week, STATEMENT, Role.MEMBER, **{"from": "2026-11-03"}),
    )


# Streaming ---------------------------------------------------------------------------------


class Export:
    """An export of ``lines`` lines of 100 bytes that tells how far it got."""

    def __init__(self, database: Database, lines: int, *, fail_after: int | None = None) -> None:
        self.database = database
        self.lines = lines
        self.fail_after = fail_after
        self.written = 0
        self.finished = threading.Event()

    def __call__(self, out: BinaryIO) -> None:
        try:
            with self.database.reading() as conn:
                assert conn.execute(text("SELECT 1")).scalar_one() == 1
            for number in range(self.lines):
                if number == self.fail_after:
                    raise RuntimeError("the disk is on fire")
                out.write(b"x" * 99 + b"\n")
                self.written += 100
        finally:
            self.finished.set()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(streaming, "CHUNK_BYTES", 1_000)
    return 1_000


def test_a_slow_reader_holds_the_export_back(database: Database, small_chunks: int) -> None:
    export = Export(database, 10_000)
    body = streaming.stream_binary(export)

    first = next(body)
    time.sleep(0.3)  # ample time for a producer that does not wait to run far ahead

    assert len(first) <= small_chunks
    assert export.written <= (streaming._DEPTH + 3) * small_chunks
    rest = b"".join(body)
    assert len(first) + len(rest) == 1_000_000
    assert export.finished.is_set()


def test_a_reader_that_leaves_stops_the_export(database: Database, small_chunks: int) -> None:
    export = Export(database, 10_000)
    body = streaming.stream_binary(export)
    next(body)

    body.close()

    assert export.finished.wait(timeout=5), "the export went on after its reader left"
    assert export.written < 1_000_000


def test_a_failing_export_cuts_the_stream_short(database: Database, small_chunks: int) -> None:
    body = streaming.stream_binary(Export(database, 100, fail_after=50))
    with pytest.raises(RuntimeError, match="on fire"):
        b"".join(body)


def test_text_is_encoded_as_asked() -> None:
    def export(out: TextIO) -> None:
        out.write("café €\n")

    body = b"".join(streaming.stream_text(export, encoding=FEC_ENCODING))
    assert body == "café €\n".encode(FEC_ENCODING)


def test_the_routes_answer_problems_not_streams_when_refused(world: World) -> None:
    response = get(world, "/v1/exports/fec", Role.MEMBER)
    assert_problem(response, 403, "role_forbidden")
