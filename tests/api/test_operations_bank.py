"""Bank statement import through the API: upload, reconcile, refuse; on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from monnaie_locale.auth import Role
from monnaie_locale.store import Database
from tests.api.helpers import refused
from tests.api.operations_support import BONUS_BPS, Ops, make_ops
from tests.conftest import SteppingClock

# The operation routers are not mounted yet: the OpenAPI checks (body examples, the list of
# money-moving operations) must first cover them.
pytestmark = pytest.mark.skip(reason="currency-operation routes not mounted in the app yet")

OPERATOR = Role.ASSOCIATION_OPERATOR
URL = "/v1/bank/statements"
CSV_HEADER = "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    yield from make_ops(database, clock)


def csv_file(*rows: str) -> bytes:
    return (CSV_HEADER + "".join(row + "\r\n" for row in rows)).encode("cp1252")


def upload(ops: Ops, content: bytes, file_format: str = "csv") -> httpx.Response:
    response: httpx.Response = ops.client.post(
        URL,
        files={"file": ("statement.csv", content, "text/csv")},
        data={"format": file_format},
        headers=ops.auth(OPERATOR),
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


def test_the_same_statement_twice_is_recognised_and_changes_nothing(ops: Ops) -> None:
    order = ops.post(Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": "10"})
    content = csv_file(f"02/11/2026;02/11/2026;CONV {order.json()['reference']};R1;;10,00")
    assert upload(ops, content).status_code == 200

    again = upload_again_unchanged(ops, content)

    assert again["already_imported"] is True


def upload_again_unchanged(ops: Ops, content: bytes) -> dict[str, object]:
    """Upload again and check the books did not move."""
    before = ops.balance("alice")
    response = upload(ops, content)
    assert response.status_code == 200, response.text
    assert ops.balance("alice") == before
    [result] = response.json()
    assert isinstance(result, dict)
    return result


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
    refused(ops.database, status, code, lambda: upload(ops, content, file_format))


def test_a_statement_without_its_file_is_refused(ops: Ops) -> None:
    response = ops.client.post(URL, data={"format": "csv"}, headers=ops.auth(OPERATOR))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
