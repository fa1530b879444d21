"""Reading ISO 20022 camt.053 bank-to-customer statements (versions 001.02 to 001.08).

A camt.053 file holds one `Stmt` per account and period: its balances (`Bal`, typed OPBD or
PRCD for the opening, CLBD for the closing) and its entries (`Ntry`). An entry is what moved
the balance; it may carry several transaction details (`TxDtls`) when the bank booked a batch
in one amount, as it does for a batch of outgoing transfers. Each detail with its own amount
becomes one `StatementLine`, so each reconversion payout can be matched on its own; the
details must then add up to the entry.

Only booked entries (status BOOK) are read: pending and information-only entries do not move
the balance. The parse checks that opening + lines = closing, so a file whose lines and
balances disagree is refused rather than imported.

The XML is parsed with defusedxml: a DTD, entity declarations and external references are
refused, since a statement never needs them and they are the way XML bombs get in.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from monnaie_locale.bank.errors import InvalidIban, MalformedStatement
from monnaie_locale.bank.iban import normalise, validate_iban
from monnaie_locale.bank.statement import (
    BankStatement,
    StatementLine,
    decimal_to_cents,
    fingerprint,
    number_occurrences,
)

_NAMESPACE = re.compile(r"\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0[2-8]\}Document")
_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD",)


class _Reader:
    """Element access in one namespace, raising `MalformedStatement` with the element path."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def qualified(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{tag}" for tag in path.split("/"))

    def opt(self, parent: Element, path: str) -> Element | None:
        return parent.find(self.qualified(path))

    def all(self, parent: Element, path: str) -> list[Element]:
        return parent.findall(self.qualified(path))

    def text(self, parent: Element, path: str) -> str | None:
        found = self.opt(parent, path)
        text = found.text.strip() if found is not None and found.text else ""
        return text or None

    def req(self, parent: Element, path: str, *, at: str) -> Element:
        found = self.opt(parent, path)
        if found is None:
            raise MalformedStatement(f"{at}/{path}", "required element is missing")
        return found

    def req_text(self, parent: Element, path: str, *, at: str) -> str:
        text = self.text(parent, path)
        if text is None:
            raise MalformedStatement(f"{at}/{path}", "required element is missing or empty")
        return text


def parse_camt053(content: bytes) -> tuple[BankStatement, ...]:
    """Parse a camt.053 file into one `BankStatement` per `Stmt`, all or nothing.

    Raises `MalformedStatement` naming the element at fault.
    """
    root = _parse_xml(content)
    if _NAMESPACE.fullmatch(root.tag) is None:
        raise MalformedStatement(
            "Document", f"root element {root.tag!r} is not a camt.053.001.02-08 Document"
        )
    reader = _Reader(root.tag[1:].partition("}")[0])
    body = reader.req(root, "BkToCstmrStmt", at="Document")
    statements = reader.all(body, "Stmt")
    if not statements:
        raise MalformedStatement("BkToCstmrStmt/Stmt", "the file holds no statement")
    digest = fingerprint(content)
    return tuple(
        _statement(
            reader, stmt, at="Stmt" if len(statements) == 1 else f"Stmt[{index}]", digest=digest
        )
        for index, stmt in enumerate(statements, start=1)
    )


def _parse_xml(content: bytes) -> Element:
    try:
        return fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise MalformedStatement("Document", f"DTDs and entities are refused ({exc})") from exc
    except ParseError as exc:
        line, column = exc.position
        raise MalformedStatement(f"line {line}, column {column}", f"not XML: {exc}") from exc


def _statement(reader: _Reader, stmt: Element, *, at: str, digest: str) -> BankStatement:
    statement_id = reader.req_text(stmt, "Id", at=at)
    iban_text = reader.text(stmt, "Acct/Id/IBAN")
    try:
        iban = validate_iban(iban_text) if iban_text else None
    except InvalidIban as exc:
        raise MalformedStatement(f"{at}/Acct/Id/IBAN", exc.reason) from exc
    opening, closing, currency = _balances(reader, stmt, at=at)
    lines: list[StatementLine] = []
    for index, entry in enumerate(reader.all(stmt, "Ntry"), start=1):
        lines.extend(_entry(reader, entry, at=f"{at}/Ntry[{index}]"))
    statement = BankStatement(
        statement_id=statement_id,
        account_iban=iban,
        currency=reader.text(stmt, "Acct/Ccy") or currency or "EUR",
        lines=number_occurrences(lines),
        fingerprint=digest,
        opening_balance_cents=opening[0] if opening else None,
        opening_date=opening[1] if opening else None,
        closing_balance_cents=closing[0] if closing else None,
        closing_date=closing[1] if closing else None,
    )
    _check_balances(statement, at=at)
    return statement


def _balances(
    reader: _Reader, stmt: Element, *, at: str
) -> tuple[tuple[int, date] | None, tuple[int, date] | None, str | None]:
    opening = closing = None
    currency = None
    for index, bal in enumerate(reader.all(stmt, "Bal"), start=1):
        here = f"{at}/Bal[{index}]"
        code = reader.text(bal, "Tp/CdOrPrtry/Cd")
        if code not in _OPENING + _CLOSING:
            continue  # intermediate or available balances say nothing the lines don't
        amount = _signed_amount(reader, bal, at=here)
        currency = _currency(reader, bal, at=here)
        when = _date(reader, bal, "Dt", at=here)
        if code in _OPENING:
            opening = (amount, when)
        else:
            closing = (amount, when)
    return opening, closing, currency


def _entry(reader: _Reader, entry: Element, *, at: str) -> list[StatementLine]:
    status = reader.text(entry, "Sts/Cd") or reader.req_text(entry, "Sts", at=at)
    amount = _signed_amount(reader, entry, at=at)
    if status != "BOOK":
        return []
    bank_ref = reader.text(entry, "AcctSvcrRef")
    base = StatementLine(
        booking_date=_date(reader, entry, "BookgDt", at=at),
        value_date=_date(reader, entry, "ValDt", at=at) if reader.opt(entry, "ValDt") else None,
        amount_cents=amount,
        # French banks put their own label here ("VIR SEPA RECU /DE ..."): the fallback when
        # the payer gave no remittance text.
        remittance=reader.text(entry, "AddtlNtryInf") or "",
        bank_reference=bank_ref,
    )
    details = reader.all(entry, "NtryDtls/TxDtls")
    if len(details) <= 1:
        return [_line(reader, base, details[0])] if details else [base]
    lines = []
    for index, detail in enumerate(details, start=1):
        here = f"{at}/NtryDtls/TxDtls[{index}]"
        tx_ref = reader.text(detail, "Refs/AcctSvcrRef") or (
            f"{bank_ref}/{index}" if bank_ref else None
        )
        tx_amount = _detail_amount(reader, detail, entry, at=here)
        lines.append(
            _line(reader, replace(base, amount_cents=tx_amount, bank_reference=tx_ref), detail)
        )
    if sum(line.amount_cents for line in lines) != amount:
        raise MalformedStatement(
            f"{at}/NtryDtls", f"transaction amounts do not add up to the entry amount {amount}"
        )
    return lines


def _line(reader: _Reader, base: StatementLine, detail: Element) -> StatementLine:
    # The counterparty is whoever is on the other side: the debtor of money received,
    # the creditor of money sent.
    side = "Dbtr" if base.amount_cents >= 0 else "Cdtr"
    ustrd = [el.text.strip() for el in reader.all(detail, "RmtInf/Ustrd") if el.text]
    return replace(
        base,
        remittance=" ".join(ustrd) or base.remittance,
        creditor_reference=reader.text(detail, "RmtInf/Strd/CdtrRefInf/Ref"),
        end_to_end_id=_end_to_end(reader.text(detail, "Refs/EndToEndId")),
        counterparty_name=reader.text(detail, f"RltdPties/{side}/Nm")
        or reader.text(detail, f"RltdPties/{side}/Pty/Nm"),
        counterparty_iban=_compact(reader.text(detail, f"RltdPties/{side}Acct/Id/IBAN")),
    )


def _compact(iban: str | None) -> str | None:
    # Kept as the bank wrote it, only compacted: a payer's odd IBAN must not void a statement.
    return normalise(iban) if iban else None


def _end_to_end(value: str | None) -> str | None:
    # SEPA puts NOTPROVIDED where the payer gave no id: that is no id at all.
    return None if value == "NOTPROVIDED" else value


def _detail_amount(reader: _Reader, detail: Element, entry: Element, *, at: str) -> int:
    for path in ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"):
        found = reader.opt(detail, path)
        if found is not None:
            cents = _cents(found.text, at=f"{at}/{path}")
            indicator = reader.text(detail, "CdtDbtInd") or reader.text(entry, "CdtDbtInd")
            return _apply_sign(cents, indicator, at=f"{at}/CdtDbtInd")
    raise MalformedStatement(f"{at}/AmtDtls", "a batch transaction has no amount of its own")


def _signed_amount(reader: _Reader, parent: Element, *, at: str) -> int:
    cents = _cents(reader.req(parent, "Amt", at=at).text, at=f"{at}/Amt")
    return _apply_sign(cents, reader.text(parent, "CdtDbtInd"), at=f"{at}/CdtDbtInd")


def _cents(text: str | None, *, at: str) -> int:
    try:
        cents = decimal_to_cents(text or "")
    except ValueError as exc:
        raise MalformedStatement(at, str(exc)) from exc
    if cents < 0:
        raise MalformedStatement(at, "amounts are unsigned; CdtDbtInd gives the direction")
    return cents


def _apply_sign(cents: int, indicator: str | None, *, at: str) -> int:
    if indicator == "CRDT":
        return cents
    if indicator == "DBIT":
        return -cents
    if indicator is None:
        raise MalformedStatement(at, "required element is missing (CRDT or DBIT)")
    raise MalformedStatement(at, f"expected CRDT or DBIT, found {indicator!r}")


def _currency(reader: _Reader, parent: Element, *, at: str) -> str:
    return reader.req(parent, "Amt", at=at).get("Ccy") or "EUR"


def _date(reader: _Reader, parent: Element, tag: str, *, at: str) -> date:
    text = reader.text(parent, f"{tag}/Dt") or reader.text(parent, f"{tag}/DtTm")
    if text is None:
        raise MalformedStatement(f"{at}/{tag}", "expected a Dt or DtTm child")
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise MalformedStatement(f"{at}/{tag}", f"{text!r} is not a date") from exc


def _check_balances(statement: BankStatement, *, at: str) -> None:
    opening, closing = statement.opening_balance_cents, statement.closing_balance_cents
    if opening is None or closing is None:
        return
    if opening + statement.total_cents != closing:
        raise MalformedStatement(
            f"{at}/Bal",
            f"opening {opening} + entries {statement.total_cents} != closing {closing} (cents)",
        )
