"""The payout batch as a SEPA credit transfer file (pain.001.001.03)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from monnaie_locale.bank import validate_pain001
from monnaie_locale.operations import conversion, payouts, reconversion
from tests.operations.conftest import BAKERY_IBAN, RESERVE_IBAN, TOWN_IBAN, Books

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def exported(books: Books) -> tuple[bytes, payouts.PayoutBatch]:
    for account, key in (("bakery", "c1"), ("town:regie-pool", "c2")):
        books.run(
            conversion.convert_by_card,
            account=account,
            amount=20000,
            payment_reference=f"PSP-{key}",
            idempotency_key=key,
        )
    ids = [
        books.run(
            reconversion.request_reconversion,
            account="bakery",
            amount=10000,
            creditor_name="Boulangerie du Port",
            iban=BAKERY_IBAN,
            idempotency_key="r1",
        ).id,
        books.run(
            reconversion.request_reconversion,
            account="town:regie-pool",
            amount=5000,
            creditor_name="Régie piscine municipale",
            iban=TOWN_IBAN,
            idempotency_key="r2",
        ).id,
    ]
    batch = books.run(
        payouts.validate_batch, request_ids=ids, validated_by="treasurer", idempotency_key="b"
    )
    content = books.run(payouts.export_batch, batch_id=batch.id, execution_date=date(2026, 11, 4))
    return content, books.read(payouts.load_batch, batch.id)


def test_the_payout_file_validates_and_pays_each_request_its_payout(books: Books) -> None:
    content, batch = exported(books)

    validate_pain001(content)
    root = ET.fromstring(content)
    transfers = root.findall(".//p:CdtTrfTxInf", NS)
    paid = [
        (
            tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
            tx.findtext("p:Amt/p:InstdAmt", namespaces=NS),
            tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
        )
        for tx in transfers
    ]
    first, second = batch.request_ids
    assert paid == [
        (f"MLC-RC-{first}", "95.00", BAKERY_IBAN),
        (f"MLC-RC-{second}", "48.50", TOWN_IBAN),  # authorities pay 3 %
    ]
    assert root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "143.50"
    assert root.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == RESERVE_IBAN
    assert root.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) == batch.message_id
    assert batch.status == "exported"
    assert batch.total_payout == 14350


def test_exporting_a_batch_again_gives_the_same_file(books: Books) -> None:
    content, batch = exported(books)
    books.clock.advance(timedelta(hours=5))

    again = books.run(payouts.export_batch, batch_id=batch.id, execution_date=date(2026, 11, 4))

    assert again == content


def test_validating_a_batch_is_idempotent_by_key(books: Books) -> None:
    _, batch = exported(books)

    again = books.run(
        payouts.validate_batch,
        request_ids=list(batch.request_ids),
        validated_by="treasurer",
        idempotency_key="b",
    )

    assert again.id == batch.id
