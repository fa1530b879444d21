"""A yearly statement (:mod:`monnaie_locale.authorities.year_statement`) as a PDF to file.

The page says whose statement it is (the régie or the authority, its account, the year,
the public accountant it pays into), the opening balance, then a table per kind of line
with its totals: for a régie, its quittances and its versements; for an authority, its
mandates paid and its other movements. It ends with the closing balance and the check
the public accountant makes, written out (opening + collected − paid in = closing). A
year not ended yet is marked as a statement so far.

Labels are French or English, as the accounts' statements' are
(:mod:`monnaie_locale.exports.statement_pdf`, whose library, font and encoding this
follows: Helvetica in Windows-1252, which covers French and the euro sign).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from fpdf import FPDF, XPos, YPos

from monnaie_locale.authorities.year_statement import YearStatement
from monnaie_locale.clock import zone_named
from monnaie_locale.exports.statement_pdf import StatementLang
from monnaie_locale.exports.statement_pdf import _printable as printable
from monnaie_locale.money import format_amount

__all__ = ["YEAR_LABELS", "year_statement_pdf"]

YEAR_LABELS: Mapping[StatementLang, Mapping[str, str]] = {
    "fr": {
        "title.regie": "État annuel de la régie de recettes",
        "title.authority": "Relevé annuel du compte de la collectivité",
        "regie": "Régie",
        "authority": "Collectivité",
        "account": "Compte",
        "year": "Exercice",
        "treasury": "Comptable public",
        "printed": "Édité le",
        "so_far": "Exercice en cours : état à la date d'édition",
        "opening": "Solde au 1er janvier",
        "closing": "Solde au 31 décembre",
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
        "check.regie": "Contrôle : {opening} + {collected} - {paid_in} = {closing}",
        "check.authority": "Contrôle : {opening} - {mandated} + {others} = {closing}",
        "reason.cap": "plafond",
        "reason.period": "périodique",
        "reason.asked": "demandé",
        "page": "Page {page}/{pages}",
        "date_format": "%d/%m/%Y",
        "time_format": "%d/%m/%Y %H:%M",
        "decimal": ",",
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
        "check.regie": "Check: {opening} + {collected} - {paid_in} = {closing}",
        "check.authority": "Check: {opening} - {mandated} + {others} = {closing}",
        "reason.cap": "cap",
        "reason.period": "periodic",
        "reason.asked": "asked",
        "page": "Page {page}/{pages}",
        "date_format": "%Y-%m-%d",
        "time_format": "%Y-%m-%d %H:%M",
        "decimal": ".",
    },
}

# (label, width in mm, alignment) on an A4 page with 15 mm margins (180 mm of width).
Column = tuple[str, float, str]
_QUITTANCES: Sequence[Column] = (
    ("number", 26, "L"),
    ("date", 28, "L"),
    ("object", 56, "L"),
    ("payer", 34, "L"),
    ("units", 18, "R"),
    ("euros", 18, "R"),
)
_VERSEMENTS: Sequence[Column] = (
    ("number", 26, "L"),
    ("date", 28, "L"),
    ("reason", 56, "L"),
    ("units", 24, "R"),
    ("fee", 22, "R"),
    ("euros", 24, "R"),
)
_MANDATES: Sequence[Column] = (
    ("exercice", 12, "L"),
    ("bordereau", 24, "L"),
    ("imputation", 26, "L"),
    ("object", 40, "L"),
    ("payee", 34, "L"),
    ("amount", 22, "R"),
    ("date", 22, "L"),
)
_OTHERS: Sequence[Column] = (
    ("date", 28, "L"),
    ("number", 18, "L"),
    ("counterparty", 40, "L"),
    ("memo", 54, "L"),
    ("debit", 20, "R"),
    ("credit", 20, "R"),
)
_ROW = 5.5


def year_statement_pdf(statement: YearStatement, *, lang: StatementLang = "fr") -> bytes:
    """The statement as a PDF file, labelled in ``lang``."""
    page = _YearPage(YEAR_LABELS[lang], statement)
    page.heading()
    if statement.kind == "regie":
        page.regie_tables()
    else:
        page.authority_tables()
    page.closing()
    return bytes(page.output())


class _YearPage(FPDF):
    """The statement's layout: a heading, tables whose header repeats, page numbers."""

    def __init__(self, labels: Mapping[str, str], statement: YearStatement) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.labels = labels
        self.statement = statement
        self.zone = zone_named(statement.zone)
        self.core_fonts_encoding = "cp1252"
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=False, margin=20)
        self.set_title(labels[f"title.{statement.kind}"])
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 5, self.labels["page"].format(page=self.page_no(), pages="{nb}"), align="C")

    def money(self, units: int) -> str:
        return format_amount(units, decimal_separator=self.labels["decimal"])

    def when(self, moment: datetime, *, hour: bool = True) -> str:
        fmt = self.labels["time_format" if hour else "date_format"]
        return moment.astimezone(self.zone).strftime(fmt)

    def heading(self) -> None:
        labels, s = self.labels, self.statement
        self.set_font("helvetica", style="B", size=14)
        self.cell(0, 9, printable(labels[f"title.{s.kind}"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        facts = [(labels["authority"], f"{s.authority_name} ({s.authority})")]
        if s.kind == "regie":
            facts.insert(0, (labels["regie"], f"{s.name} ({s.code})"))
        facts += [
            (labels["account"], f"{s.account} ({s.currency})"),
            (labels["year"], str(s.year)),
            (labels["treasury"], f"{s.treasury_name} {s.treasury_iban}".strip()),
            (labels["printed"], self.when(s.printed_at)),
        ]
        for name, value in facts:
            self.set_font("helvetica", style="B", size=10)
            self.cell(45, 6, printable(name))
            self.set_font("helvetica", size=10)
            self.multi_cell(0, 6, printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if not s.complete:
            self.set_font("helvetica", style="I", size=10)
            self.cell(0, 6, printable(labels["so_far"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self._total_line(labels["opening"], s.opening)

    def regie_tables(self) -> None:
        s, labels = self.statement, self.labels
        self.table(
            labels["quittances"],
            _QUITTANCES,
            [
                (
                    q.number,
                    self.when(q.issued_at),
                    q.object,
                    q.payer,
                    self.money(q.units),
                    self.money(q.euros),
                )
                for q in s.quittances
            ],
            ("", "", "", "", self.money(s.collected), self.money(s.collected_euros)),
        )
        self.table(
            labels["versements"],
            _VERSEMENTS,
            [
                (
                    v.number,
                    self.when(v.prepared_at),
                    labels.get(f"reason.{v.reason}", v.reason),
                    self.money(v.units),
                    self.money(v.fee),
                    self.money(v.euros),
                )
                for v in s.versements
            ],
            (
                "",
                "",
                "",
                self.money(s.paid_in),
                self.money(s.paid_in_fee),
                self.money(s.paid_in_euros),
            ),
        )

    def authority_tables(self) -> None:
        s, labels = self.statement, self.labels
        self.table(
            labels["mandates"],
            _MANDATES,
            [
                (
                    str(m.exercice),
                    f"{m.bordereau}/{m.number}",
                    "/".join(part for part in (m.chapitre, m.article, m.fonction) if part),
                    m.object,
                    m.payee,
                    self.money(m.amount),
                    self.when(m.paid_at, hour=False),
                )
                for m in s.mandates
            ],
            ("", "", "", "", "", self.money(s.mandated), ""),
        )
        self.table(
            labels["others"],
            _OTHERS,
            [
                (
                    self.when(o.created_at),
                    f"#{o.transaction_id}",
                    o.counterparty,
                    o.memo or o.kind,
                    self.money(-o.amount) if o.amount < 0 else "",
                    self.money(o.amount) if o.amount > 0 else "",
                )
                for o in s.others
            ],
            ("", "", "", "", self.money(s.others_debit), self.money(s.others_credit)),
        )

    def table(
        self,
        title: str,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        totals: Sequence[str],
    ) -> None:
        if self._no_room_for(4 * _ROW + 8):
            self.add_page()
        self.ln(3)
        self.set_font("helvetica", style="B", size=11)
        self.cell(0, 7, printable(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._header(columns)
        if not rows:
            self.set_font("helvetica", style="I", size=8.5)
            self.cell(0, _ROW, printable(self.labels["none"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for row in rows:
            if self._no_room_for(_ROW):
                self.add_page()
                self._header(columns)
            self._row(columns, row)
        self.set_font("helvetica", style="B", size=8.5)
        label = self.labels["total"].format(count=len(rows))
        self._row(columns, (label, *totals[1:]), border="T")

    def _header(self, columns: Sequence[Column]) -> None:
        self.set_font("helvetica", style="B", size=8.5)
        self.set_fill_color(230, 230, 230)
        for name, width, align in columns:
            self.cell(
                width, _ROW + 0.5, printable(self.labels[name]), border="B", align=align, fill=True
            )
        self.ln(_ROW + 0.5)
        self.set_font("helvetica", size=8.5)

    def _row(self, columns: Sequence[Column], cells: Sequence[str], *, border: str = "") -> None:
        for (_, width, align), text in zip(columns, cells, strict=True):
            self.cell(
                width, _ROW, self._fit(printable(text), width - 1.5), border=border, align=align
            )
        self.ln(_ROW)

    def _fit(self, text: str, width: float) -> str:
        """``text`` cut to ``width`` millimetres, ending with "…" if cut."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def _no_room_for(self, height: float) -> bool:
        return self.y + height > self.page_break_trigger

    def closing(self) -> None:
        s = self.statement
        if self._no_room_for(3 * _ROW + 10):
            self.add_page()
        self.ln(4)
        self._total_line(self.labels["closing"], s.closing)
        self.set_font("helvetica", size=9)
        amounts = {
            "opening": self.money(s.opening),
            "closing": self.money(s.closing),
            "collected": self.money(s.collected),
            "paid_in": self.money(s.paid_in),
            "mandated": self.money(s.mandated),
            "others": self.money(s.others_total),
        }
        check = self.labels[f"check.{s.kind}"].format(**amounts)
        self.cell(0, 6, printable(check), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _total_line(self, label: str, amount: int) -> None:
        self.set_font("helvetica", style="B", size=10.5)
        self.cell(120, 7, printable(label))
        self.cell(40, 7, self.money(amount), align="R")
        self.cell(20, 7, f" {self.statement.currency}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
