"""The chart of accounts: which account of the French PCG each ledger account goes to.

The association's books follow the PCG as adapted to associations by ANC regulation
2018-06. The FEC, the income statement and the balance sheet
(:mod:`monnaie_locale.books_report`) name accounts by number; the plain-text journal
names each ledger account's number and label beside it. A rule matches a ledger
account's code with a shell-style pattern (``reserve:*``), optionally only in one
currency, and gives the account number and label; an *auxiliary* rule also names the
ledger account itself as the auxiliary account (``CompAuxNum``), the way a customer
ledger hangs under 411. The first matching rule wins; accounts no pattern matches fall
back on their kind.

Mapped once, editable by the association: the built-in chart below is the default, and
the association's own rules, stored in the database (:mod:`monnaie_locale.chart`, ``mlc
chart set``), are tried before it. A FEC export may also be given one-off rules (a CSV
file, or the body of ``POST /v1/exports/fec``), tried before both, to try a rule out.

========================  ========  ==========================================  ===
pattern                   currency  number and label                            aux
========================  ========  ==========================================  ===
reserve:digital           EUR       512100 Banque - fonds de garantie numérique
reserve:notes             EUR       512200 Banque - fonds de garantie billets
reserve:*                 EUR       512000 Banque - fonds de garantie           yes
association:operating     EUR       512300 Banque - compte de fonctionnement
office:*                  EUR       530000 Caisses des comptoirs                yes
transit                   EUR       580000 Virements internes
association:losses        EUR       658100 Écarts de caisse et billets perdus
income:membership         EUR       756000 Cotisations
income:donations          EUR       754100 Dons manuels
income:grants             EUR       740000 Subventions d'exploitation
income:interest           EUR       768000 Autres produits financiers
income:reconversion_fees  EUR       706000 Commissions de reconversion
income:*                  EUR       758000 Produits divers de gestion courante
expense:bank_fees         EUR       627000 Services bancaires et assimilés
expense:card_fees         EUR       627800 Commissions sur paiements par carte
expense:bonus             EUR       657000 Aides financières - bonifications
expense:chargebacks       EUR       654000 Pertes sur créances irrécouvrables
expense:*                 EUR       658000 Charges diverses de gestion courante
external                            581000 Liaison - émission de monnaie locale
issuance                            581000 (the same)
notes:vault                         581000 (the same)
notes:office:*                      581000 (the same)
association:*             EUR       471000 Compte d'attente                     yes
association:*                       581000 (the same: the association's units)
notes:circulation                   467500 Billets en circulation
reconversion:*                      467600 Reconversions en attente             yes
(kind) member                       467100 Adhérents - monnaie locale           yes
(kind) business                     467200 Prestataires - monnaie locale        yes
(kind) authority                    467300 Collectivités - monnaie locale       yes
(kind) exchange_office              530000 Caisses des comptoirs                yes
(kind) association                  471000 Compte d'attente                     yes
(kind) system                       471000 Compte d'attente                     yes
========================  ========  ==========================================  ===

Why these accounts.

* The units people hold are the association's debt to them: 467x, one per kind of holder,
  with the account as auxiliary, plus the paper notes in the public's hands (467500) and
  the units of reconversions on their way to the bank (467600). Notes printed and unsold
  are no debt.
* One liaison account, 581000, a class 58 account (internal transfers) that nets to zero,
  takes everything of the issuing machinery: ``issuance`` (units created or destroyed),
  ``external`` (euros from or to the outside world), the unsold note stocks and the
  association's own units. The ledger pairs them in every entry: a conversion credits
  ``external`` with the euros that come in and debits ``issuance`` with the units that go
  out, a reconversion the reverse, a note sale credits ``external`` and debits the
  office's stock. So the liaison lines of an écriture cancel and what is left is its
  substance: the bank account debited, the holder's 467 credited.
* Where units are created or extinguished with no euros crossing from outside, the
  ledger adds a euro pair saying what it costs or earns: a conversion bonus debits
  ``expense:bonus`` and credits ``external`` (the units given cost the association that
  much); units paid to the association as a membership fee debit ``external`` and credit
  ``income:membership``, the fee kept on a reconversion credits
  ``income:reconversion_fees``, and notes lost from a stock (now presumed in the
  public's hands) debit ``association:losses``. The association's own units are claims
  on itself, not a debt: the reserve that backs them is its equity, earned through those
  income lines.
  A flow that credits or debits an association unit account must carry such a pair, or
  the liaison account stops netting to zero.
* Printing notes (``issuance`` to ``notes:vault``) and moving unsold notes between the
  vault and the offices touch the liaison account alone: the FEC leaves out an écriture
  whose lines all cancel per account (see :mod:`monnaie_locale.exports.fec`), so they
  add nothing to the books, as they add nothing to the association's wealth. The cost of
  printing is an invoice, booked as such (60x-62x), not the notes' face value.
* Conversion bonuses go to 657 "Aides financières" (ANC 2018-06): the association gives
  value to its members without consideration, in pursuit of its purpose of promoting the
  currency. It buys no good or service from a third party (so neither 60 nor 62), and the
  bonus is recurrent and of the ordinary business (so not 67).
* Income: membership fees 756, donations 754 (7541 dons manuels), operating grants 74,
  the reconversion fee 706 (a service the association sells to businesses), interest on
  the reserve 768. Expenses: bank services 627, card payment fees 6278, chargebacks
  654 (a receivable that will not be paid), cash missing or in excess at a till count
  and notes lost from a stock (presumed in circulation, so owed) 658100 (either sign:
  notes found again take the loss back), other 658.
* Accounts the chart does not know land in 471000 "Compte d'attente", where an
  accountant sees them, until the association maps them.
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

__all__ = [
    "DEFAULT_RULES",
    "KIND_RULES",
    "LIAISON",
    "SUSPENSE",
    "AccountMap",
    "AccountRule",
    "MappedAccount",
]


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


LIAISON = ("581000", "Liaison - émission de monnaie locale")
SUSPENSE = ("471000", "Compte d'attente")


def _rule(
    pattern: str, account: tuple[str, str], *, aux: bool = False, currency: str | None = None
) -> AccountRule:
    return AccountRule(pattern, account[0], account[1], aux, currency)


def _euro(pattern: str, number: str, label: str, *, aux: bool = False) -> AccountRule:
    return AccountRule(pattern, number, label, aux, "EUR")


DEFAULT_RULES: tuple[AccountRule, ...] = (
    # Banks, cash, internal transfers
    _euro("reserve:digital", "512100", "Banque - fonds de garantie numérique"),
    _euro("reserve:notes", "512200", "Banque - fonds de garantie billets"),
    _euro("reserve:*", "512000", "Banque - fonds de garantie", aux=True),
    _euro("association:operating", "512300", "Banque - compte de fonctionnement"),
    _euro("office:*", "530000", "Caisses des comptoirs", aux=True),
    _euro("transit", "580000", "Virements internes"),
    # Income (class 7) and expenses (class 6)
    _euro("association:losses", "658100", "Écarts de caisse et billets perdus"),
    _euro("income:membership", "756000", "Cotisations"),
    _euro("income:donations", "754100", "Dons manuels"),
    _euro("income:grants", "740000", "Subventions d'exploitation"),
    _euro("income:interest", "768000", "Autres produits financiers"),
    _euro("income:reconversion_fees", "706000", "Commissions de reconversion"),
    _euro("income:*", "758000", "Produits divers de gestion courante"),
    _euro("expense:bank_fees", "627000", "Services bancaires et assimilés"),
    _euro("expense:card_fees", "627800", "Commissions sur paiements par carte"),
    _euro("expense:bonus", "657000", "Aides financières - bonifications de conversion"),
    _euro("expense:chargebacks", "654000", "Pertes sur créances irrécouvrables"),
    _euro("expense:*", "658000", "Charges diverses de gestion courante"),
    # The issuing machinery: one liaison account that nets to zero in every entry
    _rule("external", LIAISON),
    _rule("issuance", LIAISON),
    _rule("notes:vault", LIAISON),
    _rule("notes:office:*", LIAISON),
    _rule("association:*", SUSPENSE, aux=True, currency="EUR"),
    _rule("association:*", LIAISON),
    # The units in the public's hands: the association's debt
    AccountRule("notes:circulation", "467500", "Billets de monnaie locale en circulation"),
    AccountRule("reconversion:*", "467600", "Reconversions en attente de paiement", True),
)

KIND_RULES: dict[AccountKind, AccountRule] = {
    AccountKind.MEMBER: AccountRule("*", "467100", "Adhérents - comptes en monnaie locale", True),
    AccountKind.BUSINESS: AccountRule(
        "*", "467200", "Prestataires - comptes en monnaie locale", True
    ),
    AccountKind.AUTHORITY: AccountRule(
        "*", "467300", "Collectivités - comptes en monnaie locale", True
    ),
    AccountKind.EXCHANGE_OFFICE: AccountRule("*", "530000", "Caisses des comptoirs", True),
    AccountKind.ASSOCIATION: _rule("*", SUSPENSE, aux=True),
    AccountKind.SYSTEM: _rule("*", SUSPENSE, aux=True),
}


class AccountMap:
    """Ledger accounts to chart accounts, by the first matching rule, then by kind.

    ``rules`` is the chart (the association's rules, then the built-in ones, see
    :meth:`with_chart`); ``one_off`` rules, given for one export only, are tried first.
    """

    def __init__(
        self,
        rules: tuple[AccountRule, ...] = DEFAULT_RULES,
        *,
        one_off: tuple[AccountRule, ...] = (),
    ) -> None:
        self.rules = rules
        self.one_off = one_off
        self._cache: dict[int, MappedAccount] = {}

    @classmethod
    def with_overrides(cls, csv_text: str) -> AccountMap:
        """The chart, preceded by one-off rules of a CSV ``pattern,number,label[,aux][,cur]``."""
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
        return cls(one_off=tuple(extra))

    def with_chart(self, association_rules: tuple[AccountRule, ...]) -> AccountMap:
        """This map with the association's stored rules tried before the built-in chart."""
        return AccountMap((*association_rules, *self.rules), one_off=self.one_off)

    def rule_for(self, account: AccountInfo) -> AccountRule:
        """The rule that maps ``account``: the first that matches, else its kind's."""
        for rule in (*self.one_off, *self.rules):
            if rule.matches(account):
                return rule
        return KIND_RULES[account.kind]

    def lookup(self, account: AccountInfo) -> MappedAccount:
        found = self._cache.get(account.id)
        if found is None:
            rule = self.rule_for(account)
            aux_label = account.owner_ref or account.code
            found = MappedAccount(
                number=rule.number,
                label=rule.label,
                aux_number=account.code if rule.auxiliary else "",
                aux_label=aux_label if rule.auxiliary else "",
            )
            self._cache[account.id] = found
        return found
