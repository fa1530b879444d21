"""Bank statement import through the API: upload, reconcile, refuse; on both engines."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from monnaie_locale.auth import Role
from monnaie_locale.store import Database
from tests.api.operations_support import BONUS_BPS, RESERVE_IBAN, Ops, make_ops
from tests.bank_files import Entry, camt053
from tests.conftest import SteppingClock

OPERATOR = Role.ASSOCIATION_OPERATOR
URL = "/v1/bank/statements"
CSV_HEADER = "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    yield from make_ops(database, clock)


def csv_file(*rows: str) -> bytes:
    return (CSV_HEADER + "".join(row + "\r\n" for row in rows)).encode("cp1252")


def upload(
    ops: Ops, content: bytes, file_format: str = "csv", *, key: str = "statement"
) -> httpx.Response:
    response: httpx.Response = ops.client.post(
        URL,
        files={"file": ("statement.csv", content, "text/csv")},
        data={"format": file_format},
        headers=ops.auth(OPERATOR, key),
    )
    return response


def test_a_statement_credits_the_conversion_order_it_pays(ops: Ops) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "120"})
    reference = order.json()["reference"]
    content = csv_file(
        f"02/11/2026;02/11/2026;VIR SEPA RECU /DE ALICE /MOTIF CONV {reference};R1;;120,00",
        "03/11/2026;03/11/2026;DON ANONYME;R2;;7,00",
    )

    response = upload(ops, content)

    assert response.status_code == 200, response.text
    [result] = response.json()
    assert [(m["matched_kind"], m["amount"]) for m in result["matched"]] == [
        ("conversion", "120.00")
    ]
    assert [m["amount"] for m in result["unmatched"]] == ["7.00"]
    assert ops.balance("alice") == 12_000 + 12_000 * BONUS_BPS // 10_000


@pytest.mark.parametrize("key", ["statement", "another-key"], ids=["retried", "new-key"])
def test_the_same_statement_twice_is_recognised_and_changes_nothing(ops: Ops, key: str) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "10"})
    content = csv_file(f"02/11/2026;02/11/2026;CONV {order.json()['reference']};R1;;10,00")
    first = upload(ops, content, key="statement")
    assert first.status_code == 200, first.text

    again = upload_again_unchanged(ops, content, key=key)

    assert again["already_imported"] is True
    assert again["matched"] == first.json()[0]["matched"]


def upload_again_unchanged(ops: Ops, content: bytes, *, key: str) -> dict[str, object]:
    """Upload again and check the books did not move."""
    before = ops.balance("alice")
    response = upload(ops, content, key=key)
    assert response.status_code == 200, response.text
    assert ops.balance("alice") == before
    [result] = response.json()
    assert isinstance(result, dict)
    return result


def test_a_key_used_for_another_statement_is_refused_and_imports_nothing(ops: Ops) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "10"})
    assert upload(ops, csv_file("02/11/2026;02/11/2026;DON;R1;;5,00")).status_code == 200
    content = csv_file(f"03/11/2026;03/11/2026;CONV {order.json()['reference']};R2;;10,00")

    ops.unchanged(409, "idempotency_conflict", lambda: upload(ops, content))

    assert ops.balance("alice") == 0


@pytest.mark.parametrize(
    ("content", "file_format", "status", "code"),
    [
        (b"not;a;statement\r\n1;2;3\r\n", "csv", 422, "malformed_bank_file"),
        (b"<Document>broken", "camt053", 422, "malformed_bank_file"),
        (b"", "pdf", 422, "validation_failed"),
    ],
    ids=["csv-without-its-columns", "broken-xml", "unknown-format"],
)
def test_a_file_that_cannot_be_read_is_refused_and_imports_nothing(
    ops: Ops, content: bytes, file_format: str, status: int, code: str
) -> None:
    ops.unchanged(status, code, lambda: upload(ops, content, file_format))


def test_a_statement_without_its_file_is_refused(ops: Ops) -> None:
    response = ops.client.post(URL, data={"format": "csv"}, headers=ops.auth(OPERATOR, "k"))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


def test_a_statement_without_an_idempotency_key_is_refused(ops: Ops) -> None:
    content = csv_file("02/11/2026;02/11/2026;DON;R1;;5,00")
    body = ops.unchanged(
        422,
        "validation_failed",
        lambda: ops.client.post(
            URL,
            files={"file": ("statement.csv", content, "text/csv")},
            data={"format": "csv"},
            headers=ops.auth(OPERATOR),
        ),
    )
    assert "Idempotency-Key" in str(body["errors"])


def test_a_camt053_statement_is_recorded_in_the_journal_and_the_auditor_lists_it(
    ops: Ops,
) -> None:
    content = camt053(
        iban=RESERVE_IBAN,
        statement_id="R-1",
        opening=1_000,
        opened=date(2026, 11, 1),
        closed=date(2026, 11, 2),
        entries=(Entry(700, "DON", "B1", date(2026, 11, 2)),),
    )
    response = upload(ops, content, "camt053")
    assert response.status_code == 200, response.text
    [result] = response.json()

    listed = ops.get(Role.AUDITOR, "/v1/reserve/attestations")

    assert listed.status_code == 200, listed.text
    [attestation] = listed.json()
    assert result["unrecorded"] is None
    assert attestation["transaction_id"] == result["recorded"]
    assert (attestation["account"], attestation["closing_date"]) == (
        "reserve:digital",
        "2026-11-02",
    )
    assert attestation["closing_balance"] == "17.00"
    assert attestation["file_sha256"] == hashlib.sha256(content).hexdigest()
    assert attestation["statement_id"] == "R-1"


def test_a_csv_export_without_a_closing_balance_is_not_recorded_and_says_why(ops: Ops) -> None:
    response = upload(ops, csv_file("02/11/2026;02/11/2026;DON;R1;;5,00"))

    [result] = response.json()
    assert (result["recorded"], result["unrecorded"]) == (None, "no_closing_balance")
    assert ops.get(Role.AUDITOR, "/v1/reserve/attestations").json() == []
