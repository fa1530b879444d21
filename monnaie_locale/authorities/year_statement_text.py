"""A yearly statement as text in French or English: its labels and its tables, for the
PDF (:mod:`monnaie_locale.authorities.year_statement_pdf`) and the command line's table
alike, so both show the same columns and the same totals.

Each table is a :class:`Section`: a title, the columns' label keys, the rows and the totals
row, every cell already written (amounts in the language's decimals, dates in the books'
zone). The CSV (:mod:`monnaie_locale.authorities.year_statement_csv`) keeps its own
English, language-free columns for scripts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from monnaie_locale.authorities.year_statement import YearStatement
from monnaie_locale.clock import zone_named
from monnaie_locale.money import format_amount

__all__ = ["AMOUNT_COLUMNS", "YEAR_LABELS", "Lang", "Section", "Writer", "sections"]

Lang = Literal["fr", "en"]

YEAR_LABELS: Mapping[Lang, Mapping[str, str]] = {
    "fr": {
        "title.regie": "État annuel de la régie de recettes",
        "title.authority": "Relevé annuel du compte de la collectivité",
        "regie": "Régie",
        "authority": "Collectivité",
        "account": "Compte",
        "year": "Exercice",
        "treasury": "Comptable public",
        "printed": "Édité le",
        "so_far": "Exercice en cours : état à la date d'édition",
        "opening": "Solde au 1er janvier",
        "closing": "Solde au 31 décembre",
        "in_transit": "dont versements préparés, en cours de paiement au Trésor",
        "quittances": "Quittances",
        "versements": "Versements au comptable public",
        "mandates": "Mandats payés",
        "others": "Autres mouvements",
        "number": "Numéro",
        "date": "Date",
        "object": "Objet",
        "payer": "Payeur",
        "units": "Unités",
        "euros": "Euros",
        "reason": "Motif",
        "fee": "Commission",
        "exercice": "Exerc.",
        "bordereau": "Bordereau",
        "imputation": "Imputation",
        "payee": "Bénéficiaire",
        "amount": "Montant",
        "counterparty": "Contrepartie",
        "memo": "Libellé",
        "debit": "Débit",
        "credit": "Crédit",
        "total": "Total ({count})",
        "none": "Aucune ligne sur l'exercice.",
        "check.regie": (
            "Contrôle : {opening} - {transit_opening} + {collected} - {paid_in} = "
            "{closing} - {transit_closing}"
        ),
        "check.authority": "Contrôle : {opening} - {mandated} + {others} = {closing}",
        "reason.cap": "plafond",
        "reason.period": "périodique",
        "reason.asked": "demandé",
        "page": "Page {page}/{pages}",
        "date_format": "%d/%m/%Y",
        "time_format": "%d/%m/%Y %H:%M",
        "decimal": ",",
        "colon": " : ",
    },
    "en": {
        "title.regie": "Yearly statement of the régie de recettes",
        "title.authority": "Yearly statement of the authority's account",
        "regie": "Régie",
        "authority": "Local authority",
        "account": "Account",
        "year": "Year",
        "treasury": "Public accountant",
        "printed": "Printed on",
        "so_far": "Year in progress: the statement as of printing",
        "opening": "Balance on 1 January",
        "closing": "Balance on 31 December",
        "in_transit": "of which versements prepared, being paid to the Trésor",
        "quittances": "Quittances (receipts)",
        "versements": "Versements to the public accountant",
        "mandates": "Mandates paid",
        "others": "Other movements",
        "number": "Number",
        "date": "Date",
        "object": "Object",
        "payer": "Payer",
        "units": "Units",
        "euros": "Euros",
        "reason": "Reason",
        "fee": "Fee",
        "exercice": "Year",
        "bordereau": "Bordereau",
        "imputation": "Imputation",
        "payee": "Payee",
        "amount": "Amount",
        "counterparty": "Counterparty",
        "memo": "Memo",
        "debit": "Debit",
        "credit": "Credit",
        "total": "Total ({count})",
        "none": "No line in the year.",
        "check.regie": (
            "Check: {opening} - {transit_opening} + {collected} - {paid_in} = "
            "{closing} - {transit_closing}"
        ),
        "check.authority": "Check: {opening} - {mandated} + {others} = {closing}",
        "reason.cap": "cap",
        "reason.period": "periodic",
        "reason.asked": "asked",
        "page": "Page {page}/{pages}",
        "date_format": "%Y-%m-%d",
        "time_format": "%Y-%m-%d %H:%M",
        "decimal": ".",
        "colon": ": ",
    },
}

# The columns holding amounts: right-aligned wherever they are shown.
AMOUNT_COLUMNS = frozenset({"units", "euros", "fee", "amount", "debit", "credit"})


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    columns: tuple[str, ...]  # keys of YEAR_LABELS
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[str, ...]  # its first cell says how many rows


class Writer:
    """Amounts and moments of ``statement`` as its readers write them in ``lang``."""

    def __init__(self, statement: YearStatement, lang: Lang) -> None:
        self.labels = YEAR_LABELS[lang]
        self.zone = zone_named(statement.zone)

    def money(self, units: int) -> str:
        return format_amount(units, decimal_separator=self.labels["decimal"])

    def when(self, moment: datetime, *, hour: bool = True) -> str:
        fmt = self.labels["time_format" if hour else "date_format"]
        return moment.astimezone(self.zone).strftime(fmt)


def sections(statement: YearStatement, lang: Lang) -> list[Section]:
    """The statement's tables: a régie's quittances and versements, or an authority's
    mandates and other movements."""
    w = Writer(statement, lang)
    if statement.kind == "regie":
        return [_quittances(statement, w), _versements(statement, w)]
    return [_mandates(statement, w), _others(statement, w)]


def _section(
    w: Writer, title: str, columns: tuple[str, ...], rows: Sequence[tuple[str, ...]], *totals: str
) -> Section:
    count = w.labels["total"].format(count=len(rows))
    return Section(w.labels[title], columns, tuple(rows), (count, *totals))


def _quittances(s: YearStatement, w: Writer) -> Section:
    rows = [
        (q.number, w.when(q.issued_at), q.object, q.payer, w.money(q.units), w.money(q.euros))
        for q in s.quittances
    ]
    columns = ("number", "date", "object", "payer", "units", "euros")
    return _section(
        w, "quittances", columns, rows, "", "", "", w.money(s.collected), w.money(s.collected_euros)
    )


def _versements(s: YearStatement, w: Writer) -> Section:
    rows = [
        (
            v.number,
            w.when(v.prepared_at),
            w.labels.get(f"reason.{v.reason}", v.reason),
            w.money(v.units),
            w.money(v.fee),
            w.money(v.euros),
        )
        for v in s.versements
    ]
    columns = ("number", "date", "reason", "units", "fee", "euros")
    paid = (w.money(s.paid_in), w.money(s.paid_in_fee), w.money(s.paid_in_euros))
    return _section(w, "versements", columns, rows, "", "", *paid)


def _mandates(s: YearStatement, w: Writer) -> Section:
    rows = [
        (
            str(m.exercice),
            f"{m.bordereau}/{m.number}",
            "/".join(part for part in (m.chapitre, m.article, m.fonction) if part),
            m.object,
            m.payee,
            w.money(m.amount),
            w.when(m.paid_at, hour=False),
        )
        for m in s.mandates
    ]
    columns = ("exercice", "bordereau", "imputation", "object", "payee", "amount", "date")
    return _section(w, "mandates", columns, rows, "", "", "", "", w.money(s.mandated), "")


def _others(s: YearStatement, w: Writer) -> Section:
    rows = [
        (
            w.when(o.created_at),
            f"#{o.transaction_id}",
            o.counterparty,
            o.memo or o.kind,
            w.money(-o.amount) if o.amount < 0 else "",
            w.money(o.amount) if o.amount > 0 else "",
        )
        for o in s.others
    ]
    columns = ("date", "number", "counterparty", "memo", "debit", "credit")
    totals = (w.money(s.others_debit), w.money(s.others_credit))
    return _section(w, "others", columns, rows, "", "", "", *totals)
