"""``mlc reserve``: the coverage report and bank statement imports, on SQLite and PostgreSQL.

A scheduled job relies on the exit codes: 1 when the reserve falls short or a discrepancy
shows, 2 when a statement is refused (and then nothing is written).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, Table, func, select

from cli.commands.reserve import _as_of
from cli.context import RunContext
from cli.deployment_settings import load_deployment
from cli.messages import Messages
from monnaie_locale import reserve
from monnaie_locale.deployment import Deployment
from monnaie_locale.store import Database
from monnaie_locale.store.tables_operations import bank_lines, bank_statements
from tests.bank_files import DIGITAL_IBAN, Entry, camt053
from tests.cli.conftest import Mlc, run_process
from tests.cli.test_operations_convert import balance
from tests.engine import Engine
from tests.support import snapshot

pytest_plugins = ["tests.cli.test_operations_convert"]

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank"
CAMT_IBAN = "FR7642559100000800244561756"
CSV_HEADER = "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"


def imported(database: Database) -> tuple[int, int]:
    """How many statements and statement lines the books hold."""

    def count(conn: Connection, table: Table) -> int:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    return database.read(lambda conn: (count(conn, bank_statements), count(conn, bank_lines)))


def statement_csv(path: Path, *rows: str) -> Path:
    path.write_bytes((CSV_HEADER + "".join(row + "\r\n" for row in rows)).encode("cp1252"))
    return path


@pytest.fixture
def converted(mlc: Mlc, deployment: Deployment) -> Mlc:
    """Alice converted 50 euros by card: 50 units circulate, 50 euros back them."""
    args = ("convert", "card", "alice", "50", "--payment-ref", "pi_1", "--key", "card-1")
    assert mlc(*args).exit_code == 0
    return mlc


# The report ---------------------------------------------------------------------------


def test_the_json_report_is_the_books_own_report_and_exits_0_when_covered(
    converted: Mlc, database: Database
) -> None:
    result = converted("reserve", "report", "--format", "json")

    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    expected = database.read(
        lambda conn: reserve.to_data(reserve.reserve_report(conn, load_deployment_for(converted)))
    )
    assert shown == json.loads(json.dumps(expected))
    assert shown["circulation"]["total"] == 5000
    assert shown["reserve"]["total"] == 5000


def unbacked_units(database: Database) -> None:
    """10 units issued with no euro behind them, as only a hand in the database can now."""
    Engine(database).transfer("issuance", "alice", 1000, idempotency_key="unbacked")


def load_deployment_for(mlc: Mlc) -> Deployment:
    """The deployment the CLI builds for this database, by the CLI's own rule."""
    return load_deployment(RunContext(database_url=mlc.url, messages=Messages("en")))


def test_units_issued_without_euros_make_the_report_exit_1(
    converted: Mlc, database: Database
) -> None:
    unbacked_units(database)

    result = converted("reserve", "report", "--format", "json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)["circulation"]["total"] == 6000
    assert "ALERT" in result.stderr


def test_the_csv_report_has_a_header_and_a_coverage_row(converted: Mlc) -> None:
    result = converted("reserve", "report", "--format", "csv")

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["section", "item", "value"]
    assert ["coverage", "ratio", "100.00%"] in rows


def test_the_table_report_speaks_french(converted: Mlc) -> None:
    result = converted("reserve", "report", lang="fr")
    assert result.exit_code == 0, result.output
    assert "couverture" in result.stdout
    assert "100,00 %" in result.stdout


def test_a_report_as_of_a_day_before_the_conversion_shows_nothing_circulating(
    converted: Mlc,
) -> None:
    shown = json.loads(
        converted("reserve", "report", "--as-of", "2000-01-01", "--format", "json").stdout
    )
    assert shown["circulation"]["total"] == 0


@pytest.mark.parametrize("value", ["31/10/2026", "2026-13-01", "yesterday"])
def test_a_bad_as_of_date_is_refused(converted: Mlc, value: str) -> None:
    result = converted("reserve", "report", "--as-of", value)
    assert result.exit_code == 2
    assert value in result.stderr


# Bank statements ----------------------------------------------------------------------


@pytest.fixture
def ordered(mlc: Mlc, deployment: Deployment) -> str:
    """Alice's pending order of 50 euros by bank transfer; its reference."""
    done = mlc.json("convert", "transfer-order", "alice", "50", "--key", "order-1")
    return str(done["reference"])


def test_a_csv_statement_credits_the_order_it_names(
    mlc: Mlc, database: Database, ordered: str, tmp_path: Path
) -> None:
    file = statement_csv(tmp_path / "releve.csv",
                         f"02/11/2026;02/11/2026;VIR SEPA CONV {ordered};R1;;50,00",
                         "03/11/2026;03/11/2026;FRAIS TENUE DE COMPTE;R2;3,60;")  # fmt: skip

    result = mlc("reserve", "import-statement", str(file), "--format", "csv")

    assert result.exit_code == 0, result.output
    assert "conversion" in result.stdout
    assert balance(database, "alice") == 5000
    assert imported(database) == (1, 2)


def test_a_dry_run_shows_the_matches_and_writes_nothing(
    mlc: Mlc, database: Database, ordered: str, tmp_path: Path
) -> None:
    file = statement_csv(tmp_path / "releve.csv", f"02/11/2026;02/11/2026;CONV {ordered};R1;;50,00")
    before = snapshot(database)

    shown = mlc.json("reserve", "import-statement", str(file), "--format", "csv", "--dry-run")

    assert shown["dry_run"] is True
    assert [m["matched_kind"] for m in shown["statements"][0]["matched"]] == ["conversion"]
    assert snapshot(database) == before
    assert imported(database) == (0, 0)


def test_a_statement_imported_twice_is_refused_the_second_time(
    mlc: Mlc, database: Database, ordered: str, tmp_path: Path
) -> None:
    file = statement_csv(tmp_path / "releve.csv", f"02/11/2026;02/11/2026;CONV {ordered};R1;;50,00")
    assert mlc("reserve", "import-statement", str(file), "--format", "csv").exit_code == 0
    before, rows = snapshot(database), imported(database)

    again = mlc("reserve", "import-statement", str(file), "--format", "csv")

    assert again.exit_code == 2
    assert "already imported" in again.stderr
    assert snapshot(database) == before
    assert imported(database) == rows


def test_a_line_dated_in_the_future_is_refused_naming_it(
    mlc: Mlc, database: Database, ordered: str, tmp_path: Path
) -> None:
    file = statement_csv(tmp_path / "releve.csv",
                         f"02/11/2026;02/11/2026;CONV {ordered};R1;;50,00",
                         "02/11/2099;02/11/2099;DON;R2;;10,00")  # fmt: skip
    before = snapshot(database)

    result = mlc("reserve", "import-statement", str(file), "--format", "csv")

    assert result.exit_code == 2
    assert "line 2" in result.stderr
    assert "2099-11-02" in result.stderr
    assert snapshot(database) == before
    assert imported(database) == (0, 0)


def test_a_malformed_camt053_is_refused_naming_the_element(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    before = snapshot(database)
    result = mlc("reserve", "import-statement", str(FIXTURES / "camt053_bad_amount.xml"))
    assert result.exit_code == 2
    assert "Amt" in result.stderr
    assert snapshot(database) == before
    assert imported(database) == (0, 0)


def test_a_statement_of_another_account_is_refused(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    before = snapshot(database)
    result = mlc("reserve", "import-statement", str(FIXTURES / "camt053_001_02_statement.xml"))
    assert result.exit_code == 2
    assert CAMT_IBAN in result.stderr
    assert snapshot(database) == before
    assert imported(database) == (0, 0)


def test_a_missing_file_is_refused(mlc: Mlc, deployment: Deployment, tmp_path: Path) -> None:
    result = mlc("reserve", "import-statement", str(tmp_path / "absent.xml"))
    assert result.exit_code == 2
    assert "absent.xml" in result.stderr


def test_a_camt053_whose_closing_balance_differs_from_the_books_is_imported_and_exits_1(
    mlc: Mlc, database: Database, ordered: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLC_RESERVE_IBAN", CAMT_IBAN)
    content = (FIXTURES / "camt053_001_02_statement.xml").read_bytes()
    file = tmp_path / "releve.xml"
    file.write_bytes(content.replace(b"MLC-7Q4K2P", ordered.encode()))

    result = mlc("reserve", "import-statement", str(file))

    assert result.exit_code == 1
    assert "11217.51" in result.stdout
    assert balance(database, "alice") == 5000
    assert imported(database)[0] == 1


def test_a_scheduled_job_sees_exit_1_from_a_real_process(
    converted: Mlc, database: Database
) -> None:
    assert run_process(["--database", converted.url, "reserve", "report"]).returncode == 0
    unbacked_units(database)

    job = run_process(["--database", converted.url, "--lang", "en", "reserve", "report"])

    assert job.returncode == 1
    assert "ALERT" in job.stderr


def test_operations_after_the_statement_s_closing_date_leave_the_report_at_exit_0(
    mlc: Mlc, database: Database, ordered: str, tmp_path: Path
) -> None:
    # The bank saw the transfer yesterday; the statement is imported, and booked, today.
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    file = tmp_path / "releve.xml"
    file.write_bytes(
        camt053(
            iban=DIGITAL_IBAN,
            statement_id="N-HIER",
            opening=0,
            opened=yesterday,
            closed=yesterday,
            entries=(Entry(5000, f"VIR SEPA CONV {ordered}", "R1", yesterday),),
        )
    )
    imported_now = mlc("reserve", "import-statement", str(file), "--json")
    # Then, after the closing date, more euros come in: a card conversion.
    card = ("convert", "card", "bakery", "30", "--payment-ref", "pi_9", "--key", "card-9")
    assert mlc(*card).exit_code == 0

    result = mlc("reserve", "report", "--format", "json")
    bank_report = mlc("bank", "report", "reserve", "--json")

    assert imported_now.exit_code == 0, imported_now.output
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["discrepancies"] == []
    found = json.loads(bank_report.stdout)
    assert bank_report.exit_code == 0, bank_report.output
    assert (found["statement_balance"], found["ledger_balance"], found["booked_after"]) == (
        5000,
        0,
        5000,
    )
    assert found["difference"] == 0
    assert balance(database, "reserve:digital") == -8000  # the books now: 50 + 30


def test_as_of_a_day_means_its_end_in_the_deployment_s_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    # Paris is at UTC+1 after 25 October 2026: the 31st ends at 23:00 UTC, not midnight.
    assert _as_of(None, "2026-10-31", paris) == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # type: ignore[arg-type]
    # A moment without a zone is read in the deployment's; one with a zone keeps it.
    assert _as_of(None, "2026-07-14T12:00", paris) == datetime(2026, 7, 14, 10, 0, tzinfo=UTC)  # type: ignore[arg-type]
    assert _as_of(None, "2026-07-14T12:00+00:00", paris) == datetime(  # type: ignore[arg-type]
        2026, 7, 14, 12, 0, tzinfo=UTC
    )


# The statements recorded in the journal ---------------------------------------------------


def test_an_imported_statement_is_recorded_in_the_journal_and_listed_for_the_auditor(
    mlc: Mlc, deployment: Deployment, tmp_path: Path
) -> None:
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    content = camt053(
        iban=DIGITAL_IBAN,
        statement_id="R-HIER",
        opening=12_345,
        opened=yesterday,
        closed=yesterday,
        entries=(Entry(-345, "FRAIS", "F1", yesterday),),
    )
    file = tmp_path / "releve.xml"
    file.write_bytes(content)

    result = mlc("reserve", "import-statement", str(file), "--json")
    listed = mlc.json("reserve", "attestations")
    table = mlc("reserve", "attestations", lang="fr")

    assert result.exit_code == 1, result.output  # 120.00 at the bank, nothing in the books
    (statement,) = json.loads(result.stdout)["statements"]
    assert statement["unrecorded"] is None
    (attestation,) = listed["attestations"]
    assert attestation == {
        "account": "reserve:digital",
        "closing_date": yesterday.isoformat(),
        "closing_balance": 12_000,
        "file_sha256": hashlib.sha256(content).hexdigest(),
        "statement_id": "R-HIER",
        "transaction_id": statement["recorded"],
        "journal_seq": attestation["journal_seq"],
        "recorded_at": attestation["recorded_at"],
    }
    assert isinstance(attestation["journal_seq"], int)  # sealed, on PostgreSQL too
    assert table.exit_code == 0, table.output
    assert "Relevés bancaires consignés au journal" in table.stdout
    assert hashlib.sha256(content).hexdigest() in table.stdout
    assert "120,00" in table.stdout


def test_a_statement_without_a_closing_balance_says_it_is_not_recorded(
    mlc: Mlc, deployment: Deployment, tmp_path: Path
) -> None:
    file = statement_csv(tmp_path / "releve.csv", "02/11/2026;02/11/2026;DON;B1;;7,00")

    result = mlc("reserve", "import-statement", str(file), "--format", "csv", lang="fr")

    assert result.exit_code == 0, result.output
    assert "consigné au journal" in result.stdout
    assert "non\u00a0: le relevé ne donne pas de solde de clôture" in result.stdout
    assert mlc.json("reserve", "attestations") == {"attestations": []}
    assert "Aucun relevé bancaire" in mlc("reserve", "attestations", lang="fr").stdout
