"""Which account of the French chart of accounts (PCG) each ledger account goes to.

The FEC names accounts by number. A rule matches a ledger account's code with a
shell-style pattern (``reserve:*``), optionally only in one currency, and gives the
account number and label; an *auxiliary* rule also names the ledger account itself as
the auxiliary account (``CompAuxNum``), the way a customer ledger hangs under 411. The
first matching rule wins; accounts no pattern matches fall back on their kind.

The default plan below is a proposal for the association's accountant, who adjusts it
with a CSV file (``pattern,number,label[,auxiliary][,currency]``) whose rules are tried
before the defaults.

======================  ========  ================================================  ===
pattern                 currency  number and label                                  aux
======================  ========  ================================================  ===
reserve:digital         EUR       512100 Banque - fonds de garantie numérique
reserve:notes           EUR       512200 Banque - fonds de garantie billets
reserve:*               EUR       512000 Banque - fonds de garantie                 yes
office:*                EUR       530000 Caisses des comptoirs                      yes
transit                 EUR       580000 Virements internes
external                EUR       471000 Contrepartie extérieure des euros
association:losses                658000 Charges diverses de gestion courante
association:*           EUR       512300 Banque - compte de fonctionnement          yes
issuance                          471100 Émission de monnaie locale
notes:*                           471200 Billets de monnaie locale                  yes
reconversion:*                    471300 Reconversions en attente                   yes
association:fees                  706000 Commissions de reconversion
association:demurrage             758000 Produits de la fonte
(kind) member                     467100 Adhérents - comptes en monnaie locale      yes
(kind) business                   467200 Prestataires - comptes en monnaie locale   yes
(kind) authority                  467300 Collectivités - comptes en monnaie locale  yes
(kind) exchange_office            467400 Comptoirs de change                        yes
(kind) association                471900 Monnaie locale de l'association            yes
(kind) system                     471000 Comptes techniques                         yes
======================  ========  ================================================  ===
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from monnaie_locale.errors import InvalidRequest
from monnaie_locale.exports.source import AccountInfo
from monnaie_locale.model import AccountKind

__all__ = ["DEFAULT_RULES", "KIND_RULES", "AccountMap", "AccountRule", "MappedAccount"]


@dataclass(frozen=True, slots=True)
class MappedAccount:
    """The FEC's four account columns for one ledger account."""

    number: str
    label: str
    aux_number: str = ""
    aux_label: str = ""


@dataclass(frozen=True, slots=True)
class AccountRule:
    pattern: str
    number: str
    label: str
    auxiliary: bool = False
    currency: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[1-9][0-9]{2,}", self.number):
            raise InvalidRequest(
                f"account number {self.number!r} must be digits of the chart of accounts "
                "(at least three, not starting with 0)"
            )
        if not self.label.strip():
            raise InvalidRequest(f"account number {self.number} needs a label")

    def matches(self, account: AccountInfo) -> bool:
        if self.currency is not None and self.currency != account.currency:
            return False
        return fnmatchcase(account.code, self.pattern)


DEFAULT_RULES: tuple[AccountRule, ...] = (
    AccountRule("reserve:digital", "512100", "Banque - fonds de garantie numérique", False, "EUR"),
    AccountRule("reserve:notes", "512200", "Banque - fonds de garantie billets", False, "EUR"),
    AccountRule("reserve:*", "512000", "Banque - fonds de garantie", True, "EUR"),
    AccountRule("office:*", "530000", "Caisses des comptoirs", True, "EUR"),
    AccountRule("transit", "580000", "Virements internes", False, "EUR"),
    AccountRule("external", "471000", "Contrepartie extérieure des euros", False, "EUR"),
    AccountRule("association:losses", "658000", "Charges diverses de gestion courante", False),
    AccountRule("association:*", "512300", "Banque - compte de fonctionnement", True, "EUR"),
    AccountRule("issuance", "471100", "Émission de monnaie locale"),
    AccountRule("notes:*", "471200", "Billets de monnaie locale", True),
    AccountRule("reconversion:*", "471300", "Reconversions en attente", True),
    AccountRule("association:fees", "706000", "Commissions de reconversion"),
    AccountRule("association:demurrage", "758000", "Produits de la fonte"),
)

KIND_RULES: dict[AccountKind, AccountRule] = {
    AccountKind.MEMBER: AccountRule("*", "467100", "Adhérents - comptes en monnaie locale", True),
    AccountKind.BUSINESS: AccountRule(
        "*", "467200", "Prestataires - comptes en monnaie locale", True
    ),
    AccountKind.AUTHORITY: AccountRule(
        "*", "467300", "Collectivités - comptes en monnaie locale", True
    ),
    AccountKind.EXCHANGE_OFFICE: AccountRule("*", "467400", "Comptoirs de change", True),
    AccountKind.ASSOCIATION: AccountRule("*", "471900", "Monnaie locale de l'association", True),
    AccountKind.SYSTEM: AccountRule("*", "471000", "Comptes techniques", True),
}


class AccountMap:
    """Ledger accounts to FEC accounts, by the first matching rule, then by kind."""

    def __init__(self, rules: tuple[AccountRule, ...] = DEFAULT_RULES) -> None:
        self.rules = rules
        self._cache: dict[int, MappedAccount] = {}

    @classmethod
    def with_overrides(cls, csv_text: str) -> AccountMap:
        """The defaults, preceded by the rules of a CSV ``pattern,number,label[,aux][,cur]``."""
        extra = []
        reader = csv.reader(io.StringIO(csv_text))
        for line, values in enumerate(reader, start=1):
            if not values or values[0].strip().lower() in ("", "pattern"):
                continue
            if len(values) < 3:
                raise InvalidRequest(f"line {line}: write pattern,number,label[,aux][,currency]")
            auxiliary = len(values) > 3 and values[3].strip().lower() in ("yes", "oui", "1", "true")
            currency = values[4].strip() or None if len(values) > 4 else None
            try:
                extra.append(
                    AccountRule(
                        values[0].strip(), values[1].strip(), values[2].strip(), auxiliary, currency
                    )
                )
            except InvalidRequest as exc:
                raise InvalidRequest(f"line {line}: {exc.message}") from exc
        return cls((*extra, *DEFAULT_RULES))

    def lookup(self, account: AccountInfo) -> MappedAccount:
        found = self._cache.get(account.id)
        if found is None:
            rule = next((r for r in self.rules if r.matches(account)), KIND_RULES[account.kind])
            aux_label = account.owner_ref or account.code
            found = MappedAccount(
                number=rule.number,
                label=rule.label,
                aux_number=account.code if rule.auxiliary else "",
                aux_label=aux_label if rule.auxiliary else "",
            )
            self._cache[account.id] = found
        return found
