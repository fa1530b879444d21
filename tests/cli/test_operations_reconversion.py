"""``mlc reconversion`` on SQLite and PostgreSQL: requests, batches, pain.001, payment."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from monnaie_locale.bank.pain001 import validate_pain001
from monnaie_locale.deployment import Deployment
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.store import Database
from tests.cli.conftest import Mlc
from tests.cli.test_operations_convert import balance
from tests.support import snapshot

pytest_plugins = ["tests.cli.test_operations_convert"]

BAKERY_IBAN = "FR1420041010050500013M02606"


@pytest.fixture
def funded(mlc: Mlc, deployment: Deployment) -> Mlc:
    """The bakery holds 200 units bought by card, so the digital reserve holds 200 euros."""
    args = ("convert", "card", "bakery", "200", "--payment-ref", "pi_1", "--key", "card-1")
    assert mlc(*args).exit_code == 0
    return mlc


def request(mlc: Mlc, amount: str = "150", key: str = "r-1") -> int:
    done = mlc.json("reconversion", "request", "bakery", amount, "--name", "Boulangerie Dupont",
                    "--iban", BAKERY_IBAN, "--key", key)  # fmt: skip
    return int(done["id"])


def test_a_request_holds_the_units_and_is_listed(funded: Mlc, database: Database) -> None:
    request_id = request(funded)

    listed = funded.json("reconversion", "list", "--status", "requested")

    assert [item["id"] for item in listed] == [request_id]
    assert listed[0]["amount"] == 15000
    assert listed[0]["fee"] + listed[0]["payout"] == 15000
    assert balance(database, "bakery") == 20000


def test_a_validated_batch_is_exported_as_a_valid_pain001_and_paid(
    funded: Mlc, database: Database, tmp_path: Path
) -> None:
    request_id = request(funded)
    payout = funded.json("reconversion", "list")[0]["payout"]
    batch = funded.json("reconversion", "batch", "validate", str(request_id), "--key", "batch-1")
    target = tmp_path / "virements.xml"

    exported = funded("reconversion", "batch", "export", str(batch["id"]), str(target))

    assert exported.exit_code == 0, exported.output
    content = target.read_bytes()
    validate_pain001(content)
    assert BAKERY_IBAN.encode() in content
    assert f"{payout // 100}.{payout % 100:02d}".encode() in content
    reserve_before = balance(database, "reserve:digital")

    paid = funded("reconversion", "paid", str(request_id), "--bank-ref", "BANK-9")

    assert paid.exit_code == 0, paid.output
    assert balance(database, "bakery") == 5000
    assert balance(database, "reserve:digital") == reserve_before + payout
    assert funded.json("reconversion", "list")[0]["status"] == "paid"


def test_a_request_with_an_invalid_iban_is_refused_and_writes_nothing(
    funded: Mlc, database: Database
) -> None:
    before = snapshot(database)
    result = funded("reconversion", "request", "bakery", "10", "--name", "Dupont",
                    "--iban", "FR00 1234", "--key", "r-1")  # fmt: skip
    assert result.exit_code == 2
    assert snapshot(database) == before
    assert funded.json("reconversion", "list") == []


def test_exporting_over_an_existing_file_is_refused_and_leaves_the_file_alone(
    funded: Mlc, database: Database, tmp_path: Path
) -> None:
    request_id = request(funded)
    batch = funded.json("reconversion", "batch", "validate", str(request_id), "--key", "batch-1")
    target = tmp_path / "virements.xml"
    target.write_text("keep me")

    result = funded("reconversion", "batch", "export", str(batch["id"]), str(target))

    assert result.exit_code == 2
    assert target.read_text() == "keep me"
    assert funded.json("reconversion", "list")[0]["status"] == "batched"


def test_a_batch_of_an_unknown_request_is_refused_and_writes_nothing(
    funded: Mlc, database: Database
) -> None:
    before = snapshot(database)
    result = funded("reconversion", "batch", "validate", "999", "--key", "b-1")
    assert result.exit_code == 2
    assert snapshot(database) == before


def test_cancelling_a_request_releases_the_units(funded: Mlc, database: Database) -> None:
    request_id = request(funded)

    cancelled = funded.json("reconversion", "cancel", str(request_id))

    assert cancelled["status"] == "cancelled"
    assert database.read(lambda conn: get_account(conn, "bakery").held) == 0


def statement_rows(mlc: Mlc, code: str, tmp_path: Path) -> list[dict[str, str]]:
    target = tmp_path / f"{code.replace(':', '-')}.csv"
    result = mlc("export", "statement", code, "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(target.open(encoding="utf-8", newline="")))


def test_statements_name_the_counterparty_and_split_a_paid_reconversion(
    funded: Mlc, database: Database, tmp_path: Path
) -> None:
    """The bakery converted 200 € by card, then reconverted 150 at the 5 % fee:
    request: MLC Dr bakery 150 / Cr reconversion:pending 150 (the hold, posted when paid);
    paid: MLC Dr reconversion:pending 150 / Cr issuance 142.50 / Cr association:fees 7.50,
    EUR Dr external 142.50 / Cr reserve:digital 142.50."""
    assert funded("accounts", "rename", "bakery", "Boulangerie Dupont").exit_code == 0
    request_id = request(funded)
    batch = funded.json("reconversion", "batch", "validate", str(request_id), "--key", "batch-1")
    exported = funded("reconversion", "batch", "export", str(batch["id"]), str(tmp_path / "v.xml"))
    assert exported.exit_code == 0, exported.output
    assert funded("reconversion", "paid", str(request_id), "--bank-ref", "BANK-9").exit_code == 0

    bakery = statement_rows(funded, "bakery", tmp_path)
    (held,) = [row for row in bakery if row["kind"] == "reconversion_hold"]
    assert (held["debit"], held["counterparty"]) == ("150.00", "reconversion:pending")
    assert (held["gross"], held["fee"], held["payout"]) == ("150.00", "7.50", "142.50")
    assert bakery[-1]["balance"] == "50.00"

    # The reserve's statement reads what the bank holds: 200 in, 142.50 out, 57.50 left.
    reserve = statement_rows(funded, "reserve:digital", tmp_path)
    assert [(row["credit"], row["debit"], row["balance"]) for row in reserve] == [
        ("200.00", "", "200.00"),
        ("", "142.50", "57.50"),
    ]
    assert balance(database, "reserve:digital") == -5750  # the ledger's own sign
    assert reserve[0]["counterparty"] == "external"

    pdf = funded("export", "statement", "bakery", "--format", "pdf")
    assert pdf.exit_code == 0, pdf.output
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.stdout_bytes)).pages)
    assert "Reconversion: gross 150.00, fee 7.50, paid out 142.50 EUR" in text


def test_a_payment_line_names_the_payee_by_its_display_name(
    funded: Mlc, deployment: Deployment, tmp_path: Path
) -> None:
    assert funded("accounts", "rename", "bakery", "Boulangerie Dupont").exit_code == 0
    paid = funded("transfer", "bakery", "alice", "12,50", "--key", "pay-1")
    assert paid.exit_code == 0, paid.output

    (line,) = statement_rows(funded, "alice", tmp_path)
    assert (line["credit"], line["counterparty"]) == ("12.50", "Boulangerie Dupont")
