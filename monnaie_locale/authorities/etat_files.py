"""An état de versement as CSV and as PDF, for the public accountant.

The CSV has stable English columns, ``line, regie, versement, date, quittance, object,
payer, units, euros``, one ``quittance`` line each, then a ``total`` line (the units and
the euros paid at the counter), a ``fee`` line (the convention's fee, in ``units``) and a
``paid_in`` line (the euros wired to the Trésor, in ``units``: each unit is a euro).
Amounts have a ``.`` and two decimals; dates are ISO 8601 in the deployment's zone. A
payer's name or an object starting like a formula is written after an apostrophe, as the
statements do. The PDF, in French (the public accountant's language), lays the same out
with the library and font of :mod:`monnaie_locale.exports.statement_pdf`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from fpdf import FPDF, XPos, YPos

from monnaie_locale.authorities.etat import Etat
from monnaie_locale.exports.statement_pdf import _printable
from monnaie_locale.money import format_amount

__all__ = ["CSV_COLUMNS", "etat_csv", "etat_pdf"]

CSV_COLUMNS = ("line", "regie", "versement", "date", "quittance", "object", "payer", "units",
               "euros")  # fmt: skip
_FORMULA = ("=", "+", "-", "@")


def _plain(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def _csv_lines(etat: Etat) -> Iterator[tuple[str, ...]]:
    code, label, zone = etat.regie.code, etat.versement.label, etat.zone
    for q in etat.quittances:
        yield ("quittance", code, label, q.issued_at.astimezone(zone).isoformat(), q.label,
               _plain(q.object), _plain(q.payer_name), format_amount(q.units),
               format_amount(q.euros))  # fmt: skip
    day = etat.versement.prepared_at.astimezone(zone).isoformat()
    yield ("total", code, label, day, "", "", "", format_amount(etat.units),
           format_amount(etat.counter_euros))  # fmt: skip
    yield ("fee", code, label, day, "", "", "", format_amount(etat.fee), "")
    yield ("paid_in", code, label, day, "", "", "", format_amount(etat.euros_paid), "")


def etat_csv(etat: Etat) -> bytes:
    """The état as CSV, UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_lines(etat))
    return out.getvalue().encode("utf-8")


# Column widths in millimetres on an A4 page with 15 mm margins (180 mm of width).
_COLUMNS = (("N° quittance", 26, "L"), ("Date", 28, "L"), ("Objet", 56, "L"),
            ("Payeur", 30, "L"), ("Unités", 20, "R"), ("Euros", 20, "R"))  # fmt: skip
_ROW = 5.5


def _money(minor_units: int) -> str:
    return format_amount(minor_units, decimal_separator=",")


class _EtatPage(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = "cp1252"
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=False, margin=20)
        self.set_title(title)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 5, f"Page {self.page_no()}/{{nb}}", align="C")

    def fact(self, name: str, value: str) -> None:
        self.set_font("helvetica", style="B", size=10)
        self.cell(55, 6, _printable(name))
        self.set_font("helvetica", size=10)
        self.multi_cell(0, 6, _printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def header_row(self) -> None:
        self.set_font("helvetica", style="B", size=8.5)
        self.set_fill_color(230, 230, 230)
        for name, width, align in _COLUMNS:
            self.cell(width, _ROW + 0.5, _printable(name), border="B", align=align, fill=True)
        self.ln(_ROW + 0.5)
        self.set_font("helvetica", size=8.5)

    def row(self, cells: tuple[str, ...], *, border: str = "") -> None:
        if self.y + _ROW > self.page_break_trigger:
            self.add_page()
            self.header_row()
        for (_, width, align), text in zip(_COLUMNS, cells, strict=True):
            self.cell(width, _ROW, _printable(text)[:60], border=border, align=align)
        self.ln(_ROW)


def etat_pdf(etat: Etat) -> bytes:
    """The état as a PDF, in French."""
    versement, zone = etat.versement, etat.zone
    page = _EtatPage(f"État de versement {versement.label}")
    page.set_font("helvetica", style="B", size=15)
    page.cell(0, 9, _printable(f"État de versement n° {versement.label}"),
              new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    page.ln(2)
    page.fact("Collectivité", f"{etat.authority.name} ({etat.authority.code})")
    page.fact("Régie", f"{etat.regie.name} ({etat.regie.code})")
    page.fact("Date du versement", versement.prepared_at.astimezone(zone).strftime("%d/%m/%Y"))
    page.fact("Préparé par", versement.prepared_by)
    page.fact("Comptable public", f"{etat.authority.treasury_name}, {etat.authority.treasury_iban}")
    page.fact("Édité le", etat.read_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"))
    page.ln(3)
    page.header_row()
    for q in etat.quittances:
        page.row((q.label, q.issued_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"), q.object,
                  q.payer_name, _money(q.units), _money(q.euros)))  # fmt: skip
    count = f"Total ({len(etat.quittances)} quittance(s))"
    page.set_font("helvetica", style="B", size=8.5)
    page.row((count, "", "", "", _money(etat.units), _money(etat.counter_euros)), border="T")
    page.ln(3)
    page.fact("Unités encaissées", _money(etat.units))
    page.fact("Commission (convention)", _money(etat.fee))
    page.fact("Euros versés au Trésor", _money(etat.euros_paid))
    return bytes(page.output())
