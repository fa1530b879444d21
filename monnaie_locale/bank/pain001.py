"""Writing SEPA credit transfer files (ISO 20022 pain.001.001.03) for reconversion payouts.

When businesses reconvert units into euros, the association pays them from the reserve
account by SEPA transfer. Rather than typing each transfer into the bank's website, it uploads
one pain.001 file: a group header, one payment information block for the debtor (the
association's reserve account) and one transaction per payout.

The file is built here with the standard library rather than with `sepaxml`'s builder, because
the output must be reproducible: `sepaxml` draws random message and payment-information ids and
stamps the current clock, while a payout file is part of the audit trail and must be rebuilt
byte for byte from the same payouts, message id and dates. The XSD that `sepaxml` ships is used
to validate every file before it leaves.

Text fields are brought into the SEPA character set (Latin letters without accents, digits and
``/ - ? : ( ) . , ' +`` and space), since French banks refuse or garble anything else.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from importlib import resources

import xmlschema
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from monnaie_locale.bank.errors import InvalidPayout, SchemaViolation
from monnaie_locale.bank.iban import validate_account
from monnaie_locale.money import format_amount

PAIN001_SCHEMA = "pain.001.001.03"
_NS = f"urn:iso:std:iso:20022:tech:xsd:{PAIN001_SCHEMA}"

# EPC limits: 999,999,999.99 EUR per transfer; 35 characters for ids, 70 for names,
# 140 for the unstructured remittance.
_MAX_CENTS = 99_999_999_999
_ID = re.compile(r"[A-Za-z0-9/\-?:().,'+]{1,35}")
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]+")
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "&": "+", "’": "'", "«": "", "»": ""}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Debtor:
    """The account the payouts are paid from: the association's reserve account."""

    name: str
    iban: str
    bic: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Payout:
    """One transfer to a creditor. `end_to_end_id` comes back in the creditor's statement."""

    end_to_end_id: str
    creditor_name: str
    creditor_iban: str
    creditor_bic: str | None
    amount_cents: int
    remittance: str


def build_pain001(
    payouts: Sequence[Payout],
    *,
    debtor: Debtor,
    message_id: str,
    execution_date: date,
    created_at: datetime,
    validate: bool = True,
) -> bytes:
    """Return the pain.001.001.03 document paying `payouts` from `debtor`, UTF-8 encoded.

    Every IBAN and BIC is validated first (`InvalidIban`, `InvalidBic`); a payout that cannot
    be sent raises `InvalidPayout`; the result is checked against the XSD (`SchemaViolation`).
    """
    if not payouts:
        raise ValueError("a credit transfer file needs at least one payout")
    _check_id(message_id, what="message id")
    debtor_iban, debtor_bic = validate_account(debtor.iban, bic=debtor.bic)
    payouts = _checked(payouts)
    total = sum(p.amount_cents for p in payouts)

    # Tags are written unqualified under a default xmlns: ElementTree's own namespace
    # handling cannot mix a default namespace with the unqualified Ccy attribute.
    document = ET.Element("Document", xmlns=_NS)
    initiation = _sub(document, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message_id)
    _sub(header, "CreDtTm", created_at.replace(microsecond=0).isoformat())
    _sub(header, "NbOfTxs", str(len(payouts)))
    _sub(header, "CtrlSum", format_amount(total))
    _sub(_sub(header, "InitgPty"), "Nm", _sepa_text(debtor.name, limit=70))

    info = _sub(initiation, "PmtInf")
    _sub(info, "PmtInfId", message_id)
    _sub(info, "PmtMtd", "TRF")
    _sub(info, "BtchBookg", "true")
    _sub(info, "NbOfTxs", str(len(payouts)))
    _sub(info, "CtrlSum", format_amount(total))
    _sub(_sub(_sub(info, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    _sub(info, "ReqdExctnDt", execution_date.isoformat())
    _sub(_sub(info, "Dbtr"), "Nm", _sepa_text(debtor.name, limit=70))
    _sub(_sub(_sub(info, "DbtrAcct"), "Id"), "IBAN", debtor_iban)
    _agent(_sub(info, "DbtrAgt"), debtor_bic)
    _sub(info, "ChrgBr", "SLEV")
    for payout in payouts:
        _transaction(info, payout)

    content: bytes = ET.tostring(document, encoding="utf-8", xml_declaration=True)
    if validate:
        validate_pain001(content)
    return content


def validate_pain001(content: bytes) -> None:
    """Raise `SchemaViolation` unless `content` validates against the pain.001.001.03 XSD."""
    # Parsed first with the same guards as statements: the file may come from elsewhere.
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ET.ParseError) as exc:
        raise SchemaViolation(
            PAIN001_SCHEMA, f"not a well-formed, DTD-free XML file: {exc}"
        ) from exc
    error = next(_schema().iter_errors(root), None)
    if error is not None:
        raise SchemaViolation(PAIN001_SCHEMA, f"{error.path}: {error.reason}")


@cache
def _schema() -> xmlschema.XMLSchema:
    # Loading the XSD takes a moment: once per process is enough.
    source = resources.files("sepaxml").joinpath("schemas", f"{PAIN001_SCHEMA}.xsd")
    return xmlschema.XMLSchema(source.read_text(encoding="utf-8"))


def _transaction(info: ET.Element, payout: Payout) -> None:
    tx = _sub(info, "CdtTrfTxInf")
    _sub(_sub(tx, "PmtId"), "EndToEndId", payout.end_to_end_id)
    amount = _sub(_sub(tx, "Amt"), "InstdAmt", format_amount(payout.amount_cents))
    amount.set("Ccy", "EUR")
    if payout.creditor_bic is not None:  # optional since SEPA went IBAN-only
        _agent(_sub(tx, "CdtrAgt"), payout.creditor_bic)
    _sub(_sub(tx, "Cdtr"), "Nm", _sepa_text(payout.creditor_name, limit=70))
    _sub(_sub(_sub(tx, "CdtrAcct"), "Id"), "IBAN", payout.creditor_iban)
    remittance = _sepa_text(payout.remittance, limit=None)
    if remittance:
        _sub(_sub(tx, "RmtInf"), "Ustrd", remittance)


def _agent(parent: ET.Element, bic: str | None) -> None:
    institution = _sub(parent, "FinInstnId")
    if bic is None:
        _sub(_sub(institution, "Othr"), "Id", "NOTPROVIDED")
    else:
        _sub(institution, "BIC", bic)


def _checked(payouts: Sequence[Payout]) -> tuple[Payout, ...]:
    """Check every payout, and return them with IBAN and BIC in compact form."""
    seen: set[str] = set()
    checked = []
    for payout in payouts:
        _check_id(payout.end_to_end_id, what="end-to-end id", payout=payout)
        if payout.end_to_end_id in seen:
            raise InvalidPayout(payout.end_to_end_id, "the end-to-end id is used twice")
        seen.add(payout.end_to_end_id)
        if type(payout.amount_cents) is not int or not 0 < payout.amount_cents <= _MAX_CENTS:
            raise InvalidPayout(
                payout.end_to_end_id,
                f"amount must be whole cents between 1 and {_MAX_CENTS}, "
                f"got {payout.amount_cents!r}",
            )
        if len(_sepa_text(payout.remittance, limit=None)) > 140:
            raise InvalidPayout(payout.end_to_end_id, "remittance is over 140 characters")
        if not _sepa_text(payout.creditor_name, limit=70):
            raise InvalidPayout(payout.end_to_end_id, "the creditor has no name")
        iban, bic = validate_account(payout.creditor_iban, bic=payout.creditor_bic)
        checked.append(replace(payout, creditor_iban=iban, creditor_bic=bic))
    return tuple(checked)


def _check_id(value: str, *, what: str, payout: Payout | None = None) -> None:
    # EPC rule: SEPA characters without spaces, no leading or trailing '/', no '//'.
    edges_ok = not value.startswith("/") and not value.endswith("/") and "//" not in value
    if _ID.fullmatch(value) and edges_ok:
        return
    reason = f"{what} {value!r} must be 1-35 SEPA characters without spaces, '//' or edge '/'"
    if payout is None:
        raise ValueError(reason)
    raise InvalidPayout(payout.end_to_end_id, reason)


def _sepa_text(value: str, *, limit: int | None) -> str:
    """Transliterate to the SEPA character set: 'Crédit Coopératif' -> 'Credit Cooperatif'."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    text = " ".join(_NOT_SEPA.sub(" ", plain).split())
    # A name longer than the field is cut, as the bank would; remittance is checked instead.
    return text[:limit].rstrip() if limit else text


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child
