"""Exports: the FEC for the accountant, a journal hledger re-checks, account statements."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monnaie_locale import exports
from monnaie_locale.deployment import Deployment
from monnaie_locale.exports import account_name
from monnaie_locale.exports.source import ExportTransaction, iter_transactions
from monnaie_locale.exports.statement import statement_csv
from monnaie_locale.exports.statement_rows import statement_movements, statement_window
from monnaie_locale.model import AccountKind, Leg, TransferRequest
from monnaie_locale.money import Currency, format_amount, parse_amount
from monnaie_locale.store import Database
from tests.cli.conftest import Mlc, run_process
from tests.conftest import SteppingClock
from tests.engine import Engine

pytest_plugins = ["tests.cli.test_operations_convert"]

# The order the law (LPF art. A47 A-1) gives, typed from the text, not from the code.
LEGAL_COLUMNS = [
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
]  # fmt: skip
COMMA_AMOUNT = re.compile(r"[0-9]+,[0-9]{2}")


@pytest.fixture
def busy_books(books: Engine) -> Engine:
    """The books, plus accents, a character ISO-8859-15 lacks, a hold and a reversal."""
    books.transfer("alice", "bakery", 480, idempotency_key="x-1", memo="Café crème € → ﬁn")
    wrong = books.transfer("bob", "bakery", 100, idempotency_key="x-2", memo="erreur")
    books.reverse(wrong.id, idempotency_key="x-3")
    hold = books.place_hold("alice", "bakery", 700, idempotency_key="x-4")
    books.post_hold(hold.id, idempotency_key="x-5", amount=500)
    return books


def cents(text: str) -> int:
    return parse_amount(text)


def read_fec(path: Path) -> tuple[bytes, list[list[str]]]:
    raw = path.read_bytes()
    lines = raw.decode("iso-8859-15").splitlines()
    return raw, [line.split("|") for line in lines]


def test_fec_has_the_18_legal_columns_in_order(
    mlc: Mlc, busy_books: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "FEC.txt"
    result = mlc("export", "fec", str(path))
    assert result.exit_code == 0, result.output
    _, rows = read_fec(path)
    assert rows[0] == LEGAL_COLUMNS
    assert all(len(row) == 18 for row in rows)
    postings = sum(len(t.postings) for t in _all_transactions(busy_books))
    assert len(rows) - 1 == postings


def test_fec_is_encoded_in_iso_8859_15(mlc: Mlc, busy_books: Engine, tmp_path: Path) -> None:
    path = tmp_path / "FEC.txt"
    assert mlc("export", "fec", str(path)).exit_code == 0
    raw, rows = read_fec(path)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Café crème €".encode("iso-8859-15") in raw  # é is 0xE9 and € is 0xA4 there
    labels = {row[LEGAL_COLUMNS.index("EcritureLib")] for row in rows[1:]}
    assert "Café crème € ? fin" in labels  # the arrow has no form there; the ligature does


def test_fec_debits_equal_credits_in_each_entry_and_in_total(
    mlc: Mlc, busy_books: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "FEC.txt"
    assert mlc("export", "fec", str(path)).exit_code == 0
    _, rows = read_fec(path)
    debit_at, credit_at = LEGAL_COLUMNS.index("Debit"), LEGAL_COLUMNS.index("Credit")
    per_entry: dict[tuple[str, str], int] = defaultdict(int)
    total_debit = total_credit = 0
    for row in rows[1:]:
        assert COMMA_AMOUNT.fullmatch(row[debit_at]) and COMMA_AMOUNT.fullmatch(row[credit_at])
        debit, credit = cents(row[debit_at]), cents(row[credit_at])
        assert (debit == 0) != (credit == 0)
        per_entry[row[0], row[2]] += debit - credit
        total_debit += debit
        total_credit += credit
    assert total_debit == total_credit > 0
    assert set(per_entry.values()) == {0}


def test_fec_numbers_entries_without_gaps_and_writes_dates_as_yyyymmdd(
    mlc: Mlc, busy_books: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "FEC.txt"
    assert mlc("export", "fec", str(path)).exit_code == 0
    _, rows = read_fec(path)
    # Numbered per journal: within each, 1, 2, 3... in order and without gaps.
    by_journal: dict[str, list[int]] = defaultdict(list)
    for row in rows[1:]:
        by_journal[row[0]].append(int(row[2]))
    entries = 0
    for numbers in by_journal.values():
        assert numbers == sorted(numbers)
        assert sorted(set(numbers)) == list(range(1, len(set(numbers)) + 1))
        entries += len(set(numbers))
    assert entries == len(_all_transactions(busy_books))
    # Conversions by bank go to BQ1; payments, holds and reversals between holders to ML.
    assert set(by_journal) == {"BQ1", "ML"}
    for row in rows[1:]:
        for column in ("EcritureDate", "PieceDate", "ValidDate"):
            # The test clock runs on 2 November 2026, 09:00 UTC: 10:00 in Paris.
            assert row[LEGAL_COLUMNS.index(column)] == "20261102"


def test_fec_gives_the_local_unit_as_a_currency_amount(
    mlc: Mlc, busy_books: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "FEC.txt"
    assert mlc("export", "fec", str(path)).exit_code == 0
    _, rows = read_fec(path)
    for row in rows[1:]:
        amount, currency = row[16], row[17]
        if currency:
            assert currency == "MLC"
            assert cents(amount) == cents(row[11]) + cents(row[12])
        else:
            assert amount == ""
    reserve = [row for row in rows[1:] if row[4] == "512100"]  # reserve:digital, in euros
    assert reserve
    assert {row[17] for row in reserve} == {""}
    assert {row[17] for row in rows[1:]} == {"", "MLC"}


def test_fec_outside_the_period_has_only_its_header(
    mlc: Mlc, busy_books: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "FEC.txt"
    result = mlc("export", "fec", str(path), "--from", "2026-11-03", "--tab")
    assert result.exit_code == 0, result.output
    lines = path.read_bytes().decode("iso-8859-15").splitlines()
    assert lines[0] == "\t".join(LEGAL_COLUMNS)
    # Nothing of the period itself: only the balances carried forward to its first day.
    rows = [line.split("\t") for line in lines[1:]]
    assert rows and {(row[0], row[2], row[3]) for row in rows} == {("AN", "1", "20261103")}
    assert sum(cents(row[11]) for row in rows) == sum(cents(row[12]) for row in rows)


def test_fec_uses_the_accountants_map_before_the_defaults(
    mlc: Mlc, busy_books: Engine, tmp_path: Path
) -> None:
    mapping = tmp_path / "plan.csv"
    mapping.write_text("pattern,number,label,aux\nbakery,401100,Fournisseur boulangerie,no\n")
    path = tmp_path / "FEC.txt"
    assert mlc("export", "fec", str(path), "--accounts-map", str(mapping)).exit_code == 0
    _, rows = read_fec(path)
    bakery = [row for row in rows[1:] if row[5] == "Fournisseur boulangerie"]
    assert bakery
    assert {row[4] for row in bakery} == {"401100"}
    assert {row[6] for row in bakery} == {""}


def test_fec_refuses_a_bad_account_map_and_writes_no_file(
    mlc: Mlc, busy_books: Engine, tmp_path: Path
) -> None:
    mapping = tmp_path / "plan.csv"
    mapping.write_text("bakery,ABC,Fournisseur\n")
    path = tmp_path / "FEC.txt"
    result = mlc("export", "fec", str(path), "--accounts-map", str(mapping))
    assert result.exit_code == 2
    assert "line 1" in result.stderr
    assert not path.exists()


def test_fec_refuses_a_bad_date(mlc: Mlc, busy_books: Engine, tmp_path: Path) -> None:
    result = mlc("export", "fec", str(tmp_path / "f.txt"), "--from", "02/11/2026")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def _all_transactions(ledger: Engine) -> list[ExportTransaction]:
    with ledger.database.reading() as conn:
        return list(iter_transactions(conn))


def hledger_or_skip() -> str:
    found = shutil.which("hledger")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("hledger is required in CI: install the Debian package hledger")
        pytest.skip("hledger is not installed (apt-get install hledger); CI runs this test")
    return found


def hledger_balances(hledger: str, journal: Path) -> dict[str, int]:
    done = subprocess.run(
        [hledger, "-f", str(journal), "balance", "--flat", "--no-total", "-O", "csv"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["account", "balance"]
    balances = {}
    for name, amount in rows[1:]:
        number = amount.split()[0]
        balances[name] = -cents(number[1:]) if number.startswith("-") else cents(number)
    return balances


def test_hledger_reads_the_journal_and_finds_the_ledgers_balances(
    mlc: Mlc, busy_books: Engine, database: Database, tmp_path: Path
) -> None:
    hledger = hledger_or_skip()
    busy_books.add_currency(Currency(code="SOL2", name="sol", symbol="S"))
    busy_books.open_account("sol:a", kind=AccountKind.SYSTEM, currency="SOL2", lower_limit=None)
    busy_books.open_account("sol:b", kind=AccountKind.MEMBER, currency="SOL2")
    busy_books.transfer("sol:a", "sol:b", 999, idempotency_key="sol")
    path = tmp_path / "books.journal"
    result = mlc("export", "journal", str(path), "--assertions")
    assert result.exit_code == 0, result.output
    found = hledger_balances(hledger, path)
    expected = {
        account_name(a["code"]): -a["balance"]  # plain-text accounting counts debits positive
        for a in mlc.json("accounts", "list", "--limit", "1000")["accounts"]
        if a["balance"]
    }
    assert found == expected


def test_hledger_rejects_the_journal_when_a_balance_assertion_is_false(
    mlc: Mlc, busy_books: Engine, tmp_path: Path
) -> None:
    hledger = hledger_or_skip()
    path = tmp_path / "books.journal"
    assert mlc("export", "journal", str(path), "--assertions").exit_code == 0
    text = path.read_text(encoding="utf-8")
    broken = re.sub(r"= -37\.50 MLC", "= -37.51 MLC", text, count=1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    done = subprocess.run(
        [hledger, "-f", str(path), "balance"], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0


def ledger_or_skip() -> str:
    found = shutil.which("ledger")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Ledger is required in CI: install the Debian package ledger")
        pytest.skip("Ledger is not installed (apt-get install ledger); CI runs this test")
    return found


def run_tool(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    # Both tools write what --strict finds to standard error, some of it as warnings only.
    assert done.stderr == "", done.stderr
    return done.stdout


def ledger_balances(ledger: str, journal: Path) -> dict[str, int]:
    listed = run_tool(
        ledger, "-f", str(journal), "--strict", "--pedantic", "balance", "--flat", "--no-total",
        "--format", "%(account)\\t%(quantity(display_total))\\n",
    )  # fmt: skip
    return {
        name: parse_amount(number.removeprefix("-")) * (-1 if number.startswith("-") else 1)
        for name, number in (line.split("\t") for line in listed.splitlines())
    }


def test_the_journal_of_the_associations_operations_passes_both_tools_strict_checks(
    mlc: Mlc, deployment: Deployment, tmp_path: Path
) -> None:
    hledger, ledger = hledger_or_skip(), ledger_or_skip()
    done = [
        mlc("convert", "cash", "alice", "30", "--office", "centre", "--key", "cash-1"),
        mlc("transfer", "alice", "bakery", "12,50", "--key", "pay-1", "--memo", "pain; café"),
        mlc("notes", "print", "--notes", "10x20", "--key", "print-1"),
        mlc("notes", "deliver", "--office", "centre", "--notes", "5x20", "--key", "d-1"),
        mlc("notes", "sell", "--office", "centre", "--notes", "2x20", "--key", "s-1"),
    ]
    assert all(result.exit_code == 0 for result in done), [r.output for r in done]
    path = tmp_path / "books.journal"
    assert mlc("export", "journal", str(path), "--assertions").exit_code == 0

    run_tool(hledger, "-f", str(path), "check", "--strict")
    expected = {
        account_name(a["code"]): -a["balance"]  # plain-text accounting counts debits positive
        for a in mlc.json("accounts", "list", "--limit", "1000")["accounts"]
        if a["balance"]
    }
    assert hledger_balances(hledger, path) == expected
    assert ledger_balances(ledger, path) == expected


def test_the_journal_keeps_each_accounts_running_balance_in_order(busy_books: Engine) -> None:
    running: dict[str, int] = defaultdict(int)
    with busy_books.database.reading() as conn:
        for transaction in iter_transactions(conn, chunk=3):
            for posting in transaction.postings:
                running[posting.account.code] += posting.amount
                assert running[posting.account.code] == posting.balance_after


@pytest.mark.parametrize("chunk", [1, 2, 3, 1000])
def test_exports_read_every_transaction_once_whatever_the_chunk(
    busy_books: Engine, chunk: int
) -> None:
    busy_books.post(
        TransferRequest(
            legs=(Leg("alice", -100), Leg("bob", 40), Leg("bakery", 60)),
            memo="three legs, to span chunks",
        ),
        idempotency_key="three",
    )
    with busy_books.database.reading() as conn:
        ids = [(t.id, len(t.postings)) for t in iter_transactions(conn, chunk=chunk)]
        reference = [(t.id, len(t.postings)) for t in iter_transactions(conn, chunk=10_000)]
    assert ids == reference
    assert len({tid for tid, _ in ids}) == len(ids)


def test_statement_lists_postings_oldest_first_with_running_balance(
    mlc: Mlc, busy_books: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "alice.csv"
    result = mlc("export", "statement", "alice", "--format", "csv", "-o", str(path))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert list(rows[0]) == [
        "date", "transaction", "kind", "memo", "reference", "debit", "credit", "balance",
        "currency", "counterparty", "gross", "fee", "payout",
    ]  # fmt: skip
    assert rows[0]["credit"] == "50.00"
    # Alice's 50 units came from issuance (the conversion); she paid 12.50 to the bakery.
    assert rows[0]["counterparty"] == "issuance"
    assert rows[1]["debit"] == "12.50"
    assert rows[1]["memo"] == "pain"
    assert rows[1]["counterparty"] == "bakery"
    assert (rows[1]["gross"], rows[1]["fee"], rows[1]["payout"]) == ("", "", "")
    assert rows[-1]["balance"] == format_amount(busy_books.account("alice").balance)
    assert rows[0]["date"].startswith("2026-11-02T10:00")


def test_statement_in_french_uses_semicolons_and_decimal_commas(mlc: Mlc, books: Engine) -> None:
    result = mlc("export", "statement", "bob", lang="fr")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("date;transaction;")
    assert lines[1].endswith(";3,00;3,00;MLC;bakery;;;")


def test_statement_defuses_memos_a_spreadsheet_would_run_as_formulas(
    mlc: Mlc, books: Engine
) -> None:
    books.transfer("alice", "bob", 100, idempotency_key="formula", memo='=HYPERLINK("x")')
    result = mlc("export", "statement", "bob")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[-1]["memo"] == '\'=HYPERLINK("x")'


def test_statement_of_an_unknown_account_is_refused(mlc: Mlc, books: Engine) -> None:
    result = mlc("export", "statement", "nobody")
    assert result.exit_code == 2
    other = mlc("export", "statement", "alice", "--format", "xlsx")
    assert other.exit_code == 2
    assert "csv, pdf" in other.stderr


# A statement's period -----------------------------------------------------------------------

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def week(books: Engine, clock: SteppingClock) -> Engine:
    """Alice pays bob each day from 3 to 6 November at 09:00 UTC (the books are of the 2nd)."""
    for day in (3, 4, 5, 6):
        clock.advance(timedelta(days=1))
        books.transfer("alice", "bob", 10 * day, idempotency_key=f"day-{day}", memo=f"j{day}")
    return books


def signed(row: dict[str, str]) -> int:
    """The row's movement, positive when it credits the account (as in the ledger)."""
    return cents(row["credit"]) if row["credit"] else -cents(row["debit"])


def test_a_csv_statement_holds_the_movements_of_its_period_alone(
    mlc: Mlc, week: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "alice.csv"
    result = mlc(
        "export", "statement", "alice", "--from", "2026-11-04", "--to", "2026-11-05",
        "-o", str(path),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert [row["memo"] for row in rows] == ["j4", "j5"]
    assert [row["date"][:10] for row in rows] == ["2026-11-04", "2026-11-05"]
    assert [row["debit"] for row in rows] == ["0.40", "0.50"]
    with week.database.reading() as conn:
        window = statement_window(
            conn, "alice", start=date(2026, 11, 4), end=date(2026, 11, 5), zone=PARIS
        )
    # Before the 4th: the conversion, the bread and the 3rd's payment.
    assert window.opening == 5000 - 1250 - 30
    assert cents(rows[0]["balance"]) - signed(rows[0]) == window.opening
    assert cents(rows[-1]["balance"]) == window.opening - 40 - 50
    assert window.count == len(rows)


def test_a_csv_period_open_on_one_side_runs_to_the_end_of_the_history(
    url: str, week: Engine
) -> None:
    # A real process, its output piped as a scheduled job's would be.
    done = run_process(
        ["--database", url, "--lang", "fr", "export", "statement", "alice", "--from",
         "2026-11-05"]
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    rows = list(csv.DictReader(io.StringIO(done.stdout), delimiter=";"))
    assert [row["memo"] for row in rows] == ["j5", "j6"]
    balance = format_amount(week.account("alice").balance, decimal_separator=",")
    assert rows[-1]["balance"] == balance


def test_a_csv_period_is_whole_days_in_the_given_zone(mlc: Mlc, week: Engine) -> None:
    # 09:00 UTC on the 5th is still the 4th, 23:00, in Honolulu.
    result = mlc(
        "export", "statement", "alice", "--from", "2026-11-04", "--to", "2026-11-04",
        "--timezone", "Pacific/Honolulu",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["memo"] for row in rows] == ["j5"]
    assert rows[0]["date"] == "2026-11-04T23:00:00-10:00"


def test_a_csv_period_without_movement_is_the_header_alone(mlc: Mlc, week: Engine) -> None:
    result = mlc("export", "statement", "alice", "--from", "2026-12-01")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [",".join(exports.STATEMENT_COLUMNS)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-11-05", "--to", "2026-11-01"), "Empty period"),
        (("--to", "5/11/2026"), "5/11/2026"),
        (("--holder", "Alice Martin"), "--format pdf"),
    ],
    ids=["empty-period", "bad-date", "holder"],
)
def test_a_bad_csv_period_is_refused_and_writes_no_file(
    mlc: Mlc, week: Engine, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = mlc("export", "statement", "alice", "-o", str(tmp_path / "alice.csv"), *args)

    assert result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("chunk", [1, 2, 3, 1000])
def test_a_csv_period_reads_the_same_rows_whatever_the_chunk(week: Engine, chunk: int) -> None:
    def written(size: int, seen: list[int]) -> str:
        out = io.StringIO()
        with week.database.reading() as conn:
            count = statement_csv(
                conn, "alice", out, start=date(2026, 11, 3), end=date(2026, 11, 5), zone=PARIS,
                chunk=size, progress=seen.append,
            )  # fmt: skip
        assert count == 3
        return out.getvalue()

    seen: list[int] = []
    assert written(chunk, seen) == written(10_000, [])
    # Once a chunk, and the whole period's count once, even when it fills the last chunk.
    assert seen == [min(n, 3) for n in range(chunk, 3 + chunk, chunk)]


def test_the_movement_reader_stops_at_the_windows_last_posting(week: Engine) -> None:
    with week.database.reading() as conn:
        window = statement_window(
            conn, "alice", start=date(2026, 11, 3), end=date(2026, 11, 4), zone=PARIS
        )
        memos = [movement.memo for movement in statement_movements(conn, window, chunk=1)]
    assert memos == ["j3", "j4"]


def test_a_statement_is_dated_in_the_deployment_s_zone_unless_told_another(
    mlc: Mlc, books: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The books were written on 2 November 2026 at 09:00 UTC: 04:00 in New York.
    monkeypatch.setenv("MLC_TIME_ZONE", "America/New_York")
    default = mlc("export", "statement", "bob").stdout.splitlines()
    assert default[1].startswith("2026-11-02T04:00:00-05:00,")
    told = mlc("export", "statement", "bob", "--timezone", "UTC").stdout.splitlines()
    assert told[1].startswith("2026-11-02T09:00:00+00:00,")
