"""Small bank statement files for the tests: a camt.053 of one account, a French CSV export.

Written here rather than kept as fixtures so that each test shows the lines it reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Valid IBANs (check digits and RIB key): the digital reserve's and the notes account's.
DIGITAL_IBAN = "FR7630006000011234567890189"
NOTES_IBAN = "FR7642559100000800244561756"
OPERATING_IBAN = "FR1420041010050500013M02606"
CSV_HEADER = "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"


@dataclass(frozen=True)
class Entry:
    """One booked entry: ``amount`` in cents, positive in, negative out."""

    amount: int
    text: str
    reference: str
    booked: date
    value: date | None = None


def _money(cents: int) -> str:
    return f"{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _balance(code: str, cents: int, day: date) -> str:
    sign = "CRDT" if cents >= 0 else "DBIT"
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="EUR">{_money(cents)}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
        f"<Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>"
    )


def _entry(entry: Entry) -> str:
    sign = "CRDT" if entry.amount >= 0 else "DBIT"
    value = entry.value or entry.booked
    return (
        f'<Ntry><Amt Ccy="EUR">{_money(entry.amount)}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
        f"<Sts>BOOK</Sts><BookgDt><Dt>{entry.booked.isoformat()}</Dt></BookgDt>"
        f"<ValDt><Dt>{value.isoformat()}</Dt></ValDt>"
        f"<AcctSvcrRef>{entry.reference}</AcctSvcrRef>"
        f"<NtryDtls><TxDtls><RmtInf><Ustrd>{entry.text}</Ustrd></RmtInf></TxDtls></NtryDtls>"
        "</Ntry>"
    )


def camt053(
    *,
    iban: str,
    statement_id: str,
    opening: int,
    opened: date,
    closed: date,
    entries: tuple[Entry, ...],
) -> bytes:
    """A camt.053.001.02 statement of ``iban``; the closing balance is opening + entries."""
    closing = opening + sum(entry.amount for entry in entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        "<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-04T05:00:00</CreDtTm>"
        f"</GrpHdr><Stmt><Id>{statement_id}</Id>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f"{_balance('OPBD', opening, opened)}{_balance('CLBD', closing, closed)}"
        f"{''.join(_entry(entry) for entry in entries)}"
        "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def csv_export(*entries: Entry) -> bytes:
    """A French bank's CSV export (cp1252, ``;``, debit and credit columns)."""
    rows = []
    for entry in entries:
        amount = _money(entry.amount).replace(".", ",")
        debit, credit = ("", amount) if entry.amount >= 0 else (amount, "")
        value = entry.value or entry.booked
        rows.append(
            f"{entry.booked:%d/%m/%Y};{value:%d/%m/%Y};{entry.text};{entry.reference};"
            f"{debit};{credit}\r\n"
        )
    return (CSV_HEADER + "".join(rows)).encode("cp1252")
