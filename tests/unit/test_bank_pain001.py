"""SEPA credit transfer files for reconversion payouts: valid pain.001.001.03, reproducible."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest

from monnaie_locale.bank import (
    Debtor,
    InvalidBic,
    InvalidIban,
    InvalidPayout,
    Payout,
    SchemaViolation,
    build_pain001,
    validate_pain001,
)

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
ASSOCIATION = Debtor(
    name="Association Monnaie Locale du Pays",
    iban="FR76 4255 9100 0008 0024 4561 756",
    bic="CCOPFRPPXXX",
)
BAKERY = Payout(
    end_to_end_id="RECONV-2026-0001",
    creditor_name="Boulangerie du Port — Hélène & Fils",
    creditor_iban="fr76 1558 9297 0100 1987 6543 225",
    creditor_bic="CMBRFR2B",
    amount_cents=9_500,
    remittance="Reconversion MLC n°1 (100 unités, frais 5 %)",
)
BOOKSHOP = Payout(
    end_to_end_id="RECONV-2026-0002",
    creditor_name="Librairie des Arceaux",
    creditor_iban="FR7630003012340005001234509",
    creditor_bic=None,
    amount_cents=123_456,
    remittance="Reconversion MLC RECONV-2026-0002",
)


def _build(*payouts: Payout, debtor: Debtor = ASSOCIATION) -> bytes:
    return build_pain001(
        list(payouts) or [BAKERY, BOOKSHOP],
        debtor=debtor,
        message_id="MLC-PAYOUT-2026-11-02",
        execution_date=date(2026, 11, 3),
        created_at=datetime(2026, 11, 2, 18, 30, 5, 123456),
    )


def _text(root: ET.Element, path: str) -> list[str]:
    return [el.text or "" for el in root.iterfind(path, NS)]


def test_file_validates_against_the_xsd() -> None:
    validate_pain001(_build())


def test_group_header_counts_and_sums_the_payouts() -> None:
    root = ET.fromstring(_build())
    assert _text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId") == ["MLC-PAYOUT-2026-11-02"]
    assert _text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm") == ["2026-11-02T18:30:05"]
    assert _text(root, ".//p:NbOfTxs") == ["2", "2"]
    assert _text(root, ".//p:CtrlSum") == ["1329.56", "1329.56"]


def test_payment_information_pays_from_the_reserve_account() -> None:
    info = ET.fromstring(_build()).find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info is not None
    assert _text(info, "p:ReqdExctnDt") == ["2026-11-03"]
    assert _text(info, "p:DbtrAcct/p:Id/p:IBAN") == ["FR7642559100000800244561756"]
    assert _text(info, "p:DbtrAgt/p:FinInstnId/p:BIC") == ["CCOPFRPPXXX"]
    assert _text(info, "p:PmtTpInf/p:SvcLvl/p:Cd") == ["SEPA"]


def test_each_payout_is_a_transaction_with_amount_in_euros() -> None:
    root = ET.fromstring(_build())
    tx = ".//p:CdtTrfTxInf"
    assert _text(root, f"{tx}/p:PmtId/p:EndToEndId") == ["RECONV-2026-0001", "RECONV-2026-0002"]
    assert _text(root, f"{tx}/p:Amt/p:InstdAmt") == ["95.00", "1234.56"]
    assert [el.get("Ccy") for el in root.iterfind(f"{tx}/p:Amt/p:InstdAmt", NS)] == ["EUR"] * 2
    assert _text(root, f"{tx}/p:CdtrAcct/p:Id/p:IBAN") == [
        "FR7615589297010019876543225",
        "FR7630003012340005001234509",
    ]
    # A creditor without BIC gets no agent block: SEPA routes on the IBAN alone.
    assert _text(root, f"{tx}/p:CdtrAgt/p:FinInstnId/p:BIC") == ["CMBRFR2B"]


def test_text_is_brought_into_the_sepa_character_set() -> None:
    root = ET.fromstring(_build())
    assert _text(root, ".//p:Cdtr/p:Nm")[0] == "Boulangerie du Port Helene + Fils"
    assert _text(root, ".//p:RmtInf/p:Ustrd")[0] == "Reconversion MLC n 1 (100 unites, frais 5 )"


def test_debtor_without_bic_is_marked_not_provided() -> None:
    root = ET.fromstring(_build(BAKERY, debtor=dataclasses.replace(ASSOCIATION, bic=None)))
    assert _text(root, ".//p:DbtrAgt/p:FinInstnId/p:Othr/p:Id") == ["NOTPROVIDED"]


def test_same_payouts_build_the_same_bytes() -> None:
    assert _build() == _build()


def test_invalid_creditor_iban_is_refused_before_any_file() -> None:
    bad = dataclasses.replace(BOOKSHOP, creditor_iban="FR7630003012340005001234508")
    with pytest.raises(InvalidIban) as caught:
        _build(BAKERY, bad)
    assert caught.value.value == "FR7630003012340005001234508"


def test_invalid_debtor_bic_is_refused() -> None:
    with pytest.raises(InvalidBic):
        _build(BAKERY, debtor=dataclasses.replace(ASSOCIATION, bic="CCOPFR"))


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"amount_cents": 0}, "between 1 and"),
        ({"amount_cents": -9_500}, "between 1 and"),
        ({"amount_cents": 95.0}, "whole cents"),
        ({"end_to_end_id": "RECONV 2026"}, "SEPA characters"),
        ({"end_to_end_id": "/RECONV"}, "SEPA characters"),
        ({"end_to_end_id": "R" * 36}, "1-35"),
        ({"remittance": "x" * 141}, "140"),
        ({"creditor_name": "¤¤"}, "no name"),
    ],
)
def test_payout_that_cannot_be_sent_is_refused(change: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidPayout, match=fragment):
        _build(dataclasses.replace(BAKERY, **change))  # type: ignore[arg-type]


def test_duplicate_end_to_end_id_is_refused() -> None:
    with pytest.raises(InvalidPayout, match="twice") as caught:
        _build(BAKERY, dataclasses.replace(BOOKSHOP, end_to_end_id=BAKERY.end_to_end_id))
    assert caught.value.end_to_end_id == "RECONV-2026-0001"


def test_empty_payout_list_and_bad_message_id_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        build_pain001(
            [],
            debtor=ASSOCIATION,
            message_id="M",
            execution_date=date(2026, 11, 3),
            created_at=datetime(2026, 11, 2),
        )
    with pytest.raises(ValueError, match="message id"):
        build_pain001(
            [BAKERY],
            debtor=ASSOCIATION,
            message_id="MSG 1",
            execution_date=date(2026, 11, 3),
            created_at=datetime(2026, 11, 2),
        )


def test_validation_reports_the_path_of_a_violation() -> None:
    tampered = _build().replace(b"<ChrgBr>SLEV</ChrgBr>", b"<ChrgBr>FREE</ChrgBr>")
    with pytest.raises(SchemaViolation) as caught:
        validate_pain001(tampered)
    assert caught.value.schema == "pain.001.001.03"
    assert "ChrgBr" in caught.value.reason


def test_validation_refuses_dtds_and_malformed_xml() -> None:
    with pytest.raises(SchemaViolation, match="DTD"):
        validate_pain001(b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>')
    with pytest.raises(SchemaViolation, match="well-formed"):
        validate_pain001(b"<Document>")
