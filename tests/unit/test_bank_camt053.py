"""camt.053 statements: balances, signed lines in cents, references, and all-or-nothing errors.

The main fixture is two days of the association's reserve account: two members' conversions,
a business's membership fee paid with a structured (RF) reference, a batch of two
reconversion payouts booked as one entry, bank fees, and a pending cash deposit.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from monnaie_locale.bank import BankStatement, MalformedStatement, parse_camt053

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank"
NS_02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def _content(name: str = "camt053_001_02_statement.xml") -> bytes:
    return (FIXTURES / name).read_bytes()


def _statement() -> BankStatement:
    (statement,) = parse_camt053(_content())
    return statement


def _malformed(content: bytes) -> MalformedStatement:
    with pytest.raises(MalformedStatement) as caught:
        parse_camt053(content)
    return caught.value


def _document(ntry: str, *, ns: str = NS_02, balances: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ns}"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-04T05:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><CreDtTm>2026-11-04T05:00:00</CreDtTm>
<Acct><Id><IBAN>FR7642559100000800244561756</IBAN></Id></Acct>{balances}{ntry}</Stmt>
</BkToCstmrStmt></Document>""".encode()


def test_statement_header_and_balances() -> None:
    statement = _statement()
    assert statement.statement_id == "20261103-0214"
    assert statement.account_iban == "FR7642559100000800244561756"
    assert statement.currency == "EUR"
    assert (statement.opening_balance_cents, statement.opening_date) == (
        1_234_567,
        date(2026, 11, 2),
    )
    assert (statement.closing_balance_cents, statement.closing_date) == (
        1_121_751,
        date(2026, 11, 3),
    )


def test_opening_plus_lines_equals_closing() -> None:
    statement = _statement()
    assert statement.total_cents == -112_816
    assert statement.opening_balance_cents is not None
    assert statement.opening_balance_cents + statement.total_cents == 1_121_751


def test_incoming_conversion_transfer_is_a_positive_line_with_its_remittance() -> None:
    alice = _statement().lines[0]
    assert alice.amount_cents == 5_000
    assert alice.booking_date == alice.value_date == date(2026, 11, 2)
    assert alice.remittance == "CONV MLC-7Q4K2P Alice Martin"
    assert alice.counterparty_name == "Alice Martin"
    assert alice.counterparty_iban == "FR7630004008230001234567819"
    assert alice.bank_reference == "2026110200001"
    assert alice.line_id == "ref:2026110200001"


def test_notprovided_end_to_end_id_means_none() -> None:
    alice, bob = _statement().lines[:2]
    assert alice.end_to_end_id is None
    assert bob.end_to_end_id == "BD-20261102-01"


def test_structured_creditor_reference_is_read_and_bank_label_fills_the_remittance() -> None:
    fee = _statement().lines[2]
    assert fee.amount_cents == 3_500
    assert fee.creditor_reference == "RF18539007547034"
    assert fee.remittance == "VIR SEPA RECU /DE BOULANGERIE DU PORT /REF RF18539007547034"
    assert fee.counterparty_name == "BOULANGERIE DU PORT"


def test_outgoing_batch_becomes_one_negative_line_per_payout() -> None:
    bakery, bookshop = _statement().lines[3:5]
    assert (bakery.amount_cents, bookshop.amount_cents) == (-9_500, -123_456)
    assert (bakery.end_to_end_id, bookshop.end_to_end_id) == (
        "RECONV-2026-0001",
        "RECONV-2026-0002",
    )
    # For money sent, the counterparty is the creditor.
    assert bakery.counterparty_name == "Boulangerie du Port"
    assert bookshop.counterparty_iban == "FR7630003012340005001234509"
    assert bakery.remittance == "Reconversion MLC RECONV-2026-0001"
    assert (bakery.line_id, bookshop.line_id) == ("ref:2026110300004/1", "ref:2026110300004/2")


def test_entry_without_details_keeps_the_bank_label() -> None:
    fees = _statement().lines[5]
    assert fees.amount_cents == -360
    assert fees.remittance == "COTISATION OFFRE ASSOCIATIVE"
    assert fees.counterparty_name is None


def test_pending_entries_are_not_read() -> None:
    statement = _statement()
    assert len(statement.lines) == 6
    assert all(line.booking_date <= date(2026, 11, 3) for line in statement.lines)


def test_fingerprint_is_the_digest_of_the_file_and_line_ids_are_unique() -> None:
    statement = _statement()
    assert statement.fingerprint == hashlib.sha256(_content()).hexdigest()
    assert len({line.line_id for line in statement.lines}) == len(statement.lines)
    assert parse_camt053(_content()) == (statement,)


def test_bad_amount_names_the_entry() -> None:
    error = _malformed(_content("camt053_bad_amount.xml"))
    assert error.location == "Stmt/Ntry[3]/Amt"
    assert "'35,00'" in error.reason


def test_three_decimals_are_refused_not_rounded() -> None:
    error = _malformed(_content("camt053_three_decimals.xml"))
    assert error.location == "Stmt/Ntry[2]/Amt"
    assert "3 decimals" in error.reason


def test_missing_credit_debit_indicator_names_the_element() -> None:
    error = _malformed(_content("camt053_missing_element.xml"))
    assert error.location == "Stmt/Ntry[2]/CdtDbtInd"
    assert "missing" in error.reason


def test_missing_statement_id_is_reported() -> None:
    content = _content().replace(b"<Id>20261103-0214</Id>", b"", 1)
    assert _malformed(content).location == "Stmt/Id"


def test_balances_that_disagree_with_the_lines_refuse_the_whole_file() -> None:
    content = _content().replace(b"11217.51", b"11217.52", 1)
    error = _malformed(content)
    assert error.location == "Stmt/Bal"
    assert "1121752" in error.reason


def test_batch_details_that_do_not_add_up_are_refused() -> None:
    content = _content().replace(b"1234.56</Amt>\n              </TxAmt>", b"1234.55</Amt></TxAmt>")
    error = _malformed(content)
    assert error.location == "Stmt/Ntry[4]/NtryDtls"


def test_negative_amount_is_refused_since_the_indicator_gives_the_sign() -> None:
    error = _malformed(_content().replace(b">50.00</Amt>", b">-50.00</Amt>", 1))
    assert error.location == "Stmt/Ntry[1]/Amt"


def test_dtd_and_entities_are_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&b;</Document>"""
    error = _malformed(bomb)
    assert error.location == "Document"
    assert "DTD" in error.reason


def test_a_file_that_is_not_xml_is_refused_with_its_position() -> None:
    error = _malformed(b"<Document><BkToCstmrStmt></Document>")
    assert error.location.startswith("line 1, column")


def test_latin1_bytes_in_a_utf8_file_are_refused_with_their_line() -> None:
    content = _content().replace(b"Alice Martin</Nm>", b"Alice Mart\xefn</Nm>", 1)
    error = _malformed(content)
    assert error.location.startswith("line 122, column")


def test_another_message_type_is_refused() -> None:
    content = _content().replace(b"camt.053.001.02", b"camt.052.001.02")
    error = _malformed(content)
    assert error.location == "Document"
    assert "camt.053" in error.reason


def test_version_08_layout_is_read() -> None:
    ntry = """<Ntry><Amt Ccy="EUR">42.10</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><DtTm>2026-11-02T10:15:00+01:00</DtTm></BookgDt>
<BkTxCd/><NtryDtls><TxDtls><Refs><EndToEndId>E2E-8</EndToEndId></Refs>
<Amt Ccy="EUR">42.10</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<RltdPties><Dbtr><Pty><Nm>Carol Petit</Nm></Pty></Dbtr></RltdPties>
<RmtInf><Ustrd>CONV MLC-8H2M4D</Ustrd><Ustrd>Carol Petit</Ustrd></RmtInf>
</TxDtls></NtryDtls></Ntry>"""
    (statement,) = parse_camt053(
        _document(ntry, ns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08")
    )
    (line,) = statement.lines
    assert line.amount_cents == 4_210
    assert line.booking_date == date(2026, 11, 2)
    assert line.counterparty_name == "Carol Petit"
    assert line.remittance == "CONV MLC-8H2M4D Carol Petit"
    assert statement.opening_balance_cents is None


def test_identical_lines_without_bank_reference_get_distinct_stable_ids() -> None:
    ntry = """<Ntry><Amt Ccy="EUR">20.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-11-05</Dt></BookgDt><BkTxCd/><AddtlNtryInf>VERSEMENT</AddtlNtryInf></Ntry>"""
    (first,) = parse_camt053(_document(ntry * 2))
    (again,) = parse_camt053(_document(ntry * 2))
    ids = [line.line_id for line in first.lines]
    assert len(set(ids)) == 2
    assert ids == [line.line_id for line in again.lines]
    assert all(line_id.startswith("sha256:") for line_id in ids)


def test_several_statements_in_one_file_are_indexed_in_error_paths() -> None:
    stmt = _content().split(b"<Stmt>")[1].split(b"</Stmt>")[0]
    broken = stmt.replace(b">50.00</Amt>", b">5O.00</Amt>", 1)
    content = _content().replace(b"</Stmt>", b"</Stmt><Stmt>" + broken + b"</Stmt>", 1)
    assert _malformed(content).location == "Stmt[2]/Ntry[1]/Amt"
    two = _content().replace(b"</Stmt>", b"</Stmt><Stmt>" + stmt + b"</Stmt>", 1)
    assert [s.statement_id for s in parse_camt053(two)] == ["20261103-0214"] * 2
