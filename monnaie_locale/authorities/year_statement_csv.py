"""A yearly statement (:mod:`monnaie_locale.authorities.year_statement`) as one CSV file.

One file holds the whole year, a row per line with its ``section`` first, so a spreadsheet
filter on that column gives each table: ``statement`` (who and which year), ``opening``,
``quittance``, ``versement``, ``mandate``, ``movement`` (the authority's other movements),
``total`` (one per table, ``object`` naming it) and ``closing``; a régie's
``opening_in_transit`` and ``closing_in_transit`` say how much of the balance was held
for versements prepared but not yet paid to the Trésor (none: no such row). The columns are stable
and named in English, as the accounts' statements' are, so a formula or a script keeps
working whatever the language::

    section, number, date, object, party, exercice, chapitre, article, fonction,
    debit, credit, fee, euros, balance, currency

Units leaving the account are debits, units coming in credits; ``fee`` and ``euros`` are
a versement's split (and a quittance's euro part); ``balance`` is filled on the opening
and closing rows. Dates are ISO 8601 in the books' zone. Text typed by people (objects,
payers' names) that starts like a formula is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime

from monnaie_locale.authorities.year_statement import YearStatement
from monnaie_locale.clock import zone_named
from monnaie_locale.money import format_amount

__all__ = ["YEAR_STATEMENT_COLUMNS", "year_statement_csv"]

YEAR_STATEMENT_COLUMNS = (
    "section",
    "number",
    "date",
    "object",
    "party",
    "exercice",
    "chapitre",
    "article",
    "fonction",
    "debit",
    "credit",
    "fee",
    "euros",
    "balance",
    "currency",
)

Row = dict[str, str]
_Money = Callable[[int], str]
# The columns holding text typed by people (a CSV injection's way in).
_TYPED = frozenset({"number", "object", "party", "chapitre", "article", "fonction"})


def year_statement_csv(
    statement: YearStatement, *, delimiter: str = ";", decimal_separator: str = ","
) -> bytes:
    """The statement as CSV in UTF-8 (French spreadsheets expect ``;`` and ``,``)."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, YEAR_STATEMENT_COLUMNS, delimiter=delimiter, lineterminator="\n", restval=""
    )
    writer.writeheader()

    def money(units: int) -> str:
        return format_amount(units, decimal_separator=decimal_separator)

    for row in _rows(statement, money):
        # Amounts may start with "-"; only what people typed is guarded.
        writer.writerow({k: _cell(v) if k in _TYPED else v for k, v in row.items()})
    return out.getvalue().encode("utf-8")


def _rows(statement: YearStatement, money: _Money) -> Iterator[Row]:
    zone = zone_named(statement.zone)

    def day(moment: datetime) -> str:
        return moment.astimezone(zone).isoformat(timespec="seconds")

    currency = statement.currency
    yield {
        "section": "statement",
        "number": statement.code,
        "object": statement.name,
        "party": statement.authority_name,
        "exercice": str(statement.year),
        "currency": currency,
    }
    yield {
        "section": "opening",
        "date": f"{statement.year}-01-01",
        "balance": money(statement.opening),
        "currency": currency,
    }
    if statement.in_transit_opening:
        yield {
            "section": "opening_in_transit",
            "date": f"{statement.year}-01-01",
            "balance": money(statement.in_transit_opening),
            "currency": currency,
        }
    for q in statement.quittances:
        yield {
            "section": "quittance",
            "number": q.number,
            "date": day(q.issued_at),
            "object": q.object,
            "party": q.payer,
            "credit": money(q.units),
            "euros": money(q.euros),
            "currency": currency,
        }
    for v in statement.versements:
        yield {
            "section": "versement",
            "number": v.number,
            "date": day(v.prepared_at),
            "object": v.reason,
            "party": statement.treasury_name,
            "debit": money(v.units),
            "fee": money(v.fee),
            "euros": money(v.euros),
            "currency": currency,
        }
    for m in statement.mandates:
        yield {
            "section": "mandate",
            "number": f"{m.bordereau}/{m.number}",
            "date": day(m.paid_at),
            "object": m.object,
            "party": m.payee,
            "exercice": str(m.exercice),
            "chapitre": m.chapitre,
            "article": m.article,
            "fonction": m.fonction,
            "debit": money(m.amount),
            "currency": currency,
        }
    for o in statement.others:
        yield {
            "section": "movement",
            "number": str(o.transaction_id),
            "date": day(o.created_at),
            "object": o.memo or o.kind,
            "party": o.counterparty,
            "debit": money(-o.amount) if o.amount < 0 else "",
            "credit": money(o.amount) if o.amount > 0 else "",
            "currency": currency,
        }
    yield from _totals(statement, money)
    yield {
        "section": "closing",
        "date": f"{statement.year}-12-31",
        "balance": money(statement.closing),
        "currency": currency,
    }
    if statement.in_transit_closing:
        yield {
            "section": "closing_in_transit",
            "date": f"{statement.year}-12-31",
            "balance": money(statement.in_transit_closing),
            "currency": currency,
        }


def _totals(statement: YearStatement, money: _Money) -> Iterator[Row]:
    currency = statement.currency
    if statement.kind == "regie":
        yield {
            "section": "total",
            "object": "quittances",
            "credit": money(statement.collected),
            "euros": money(statement.collected_euros),
            "currency": currency,
        }
        yield {
            "section": "total",
            "object": "versements",
            "debit": money(statement.paid_in),
            "fee": money(statement.paid_in_fee),
            "euros": money(statement.paid_in_euros),
            "currency": currency,
        }
        return
    yield {
        "section": "total",
        "object": "mandates",
        "debit": money(statement.mandated),
        "currency": currency,
    }
    yield {
        "section": "total",
        "object": "movements",
        "debit": money(statement.others_debit),
        "credit": money(statement.others_credit),
        "currency": currency,
    }


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
