"""A yearly statement (:mod:`monnaie_locale.authorities.year_statement`) as a PDF to file.

The page says whose statement it is (the régie or the authority, its account, the year,
the public accountant it pays into), the opening balance, then a table per kind of line
with its totals: for a régie, its quittances and its versements; for an authority, its
mandates paid and its other movements. It ends with the closing balance and the check
the public accountant makes, written out (opening + collected − paid in = closing). A
year not ended yet is marked as a statement so far.

Labels and tables are French or English, written by
:mod:`monnaie_locale.authorities.year_statement_text` as for the command line's table.
The page follows the accounts' statements (:mod:`monnaie_locale.exports.statement_pdf`):
the same library, Helvetica in Windows-1252, which covers French and the euro sign.
"""

from __future__ import annotations

from fpdf import FPDF, XPos, YPos

from monnaie_locale.authorities.year_statement import YearStatement
from monnaie_locale.authorities.year_statement_text import (
    AMOUNT_COLUMNS,
    Lang,
    Section,
    Writer,
    sections,
)

# The accounts' statements' way of writing any text in Windows-1252.
from monnaie_locale.exports.statement_pdf import _printable as printable

__all__ = ["year_statement_pdf"]

# Each table's column widths in mm on an A4 page with 15 mm margins (180 mm of width).
_WIDTHS: dict[tuple[str, ...], tuple[float, ...]] = {
    ("number", "date", "object", "payer", "units", "euros"): (26, 28, 56, 34, 18, 18),
    ("number", "date", "reason", "units", "fee", "euros"): (26, 28, 56, 24, 22, 24),
    ("exercice", "bordereau", "imputation", "object", "payee", "amount", "date"): (
        16, 24, 26, 36, 34, 22, 22,
    ),
    ("date", "number", "counterparty", "memo", "debit", "credit"): (28, 18, 40, 54, 20, 20),
}  # fmt: skip
_ROW = 5.5


def year_statement_pdf(statement: YearStatement, *, lang: Lang = "fr") -> bytes:
    """The statement as a PDF file, labelled in ``lang``."""
    page = _YearPage(statement, Writer(statement, lang))
    page.heading()
    for section in sections(statement, lang):
        page.section(section)
    page.closing()
    return bytes(page.output())


class _YearPage(FPDF):
    """The statement's layout: a heading, tables whose header repeats, page numbers."""

    def __init__(self, statement: YearStatement, writer: Writer) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.labels = writer.labels
        self.writer = writer
        self.statement = statement
        self.core_fonts_encoding = "cp1252"
        self.set_margins(15, 15, 15)
        # Rows are placed by hand, so a table's header can repeat on each new page.
        self.set_auto_page_break(auto=False, margin=20)
        self.set_title(self.labels[f"title.{statement.kind}"])
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        # fpdf writes the page count in place of {nb} once the document is complete.
        self.cell(0, 5, self.labels["page"].format(page=self.page_no(), pages="{nb}"), align="C")

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
            (labels["printed"], self.writer.when(s.printed_at)),
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
        self._in_transit(s.in_transit_opening)

    def section(self, section: Section) -> None:
        widths = _WIDTHS[section.columns]
        if self._no_room_for(4 * _ROW + 8):
            self.add_page()
        self.ln(3)
        self.set_font("helvetica", style="B", size=11)
        self.cell(0, 7, printable(section.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._header(section.columns, widths)
        if not section.rows:
            self.set_font("helvetica", style="I", size=8.5)
            self.cell(0, _ROW, printable(self.labels["none"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font("helvetica", size=8.5)
        for row in section.rows:
            if self._no_room_for(_ROW):
                self.add_page()
                self._header(section.columns, widths)
            self._row(section.columns, widths, row)
        self.set_font("helvetica", style="B", size=8.5)
        self._row(section.columns, widths, section.totals, border="T")

    def _header(self, columns: tuple[str, ...], widths: tuple[float, ...]) -> None:
        self.set_font("helvetica", style="B", size=8.5)
        self.set_fill_color(230, 230, 230)
        for name, width in zip(columns, widths, strict=True):
            align = "R" if name in AMOUNT_COLUMNS else "L"
            label = printable(self.labels[name])
            self.cell(width, _ROW + 0.5, label, border="B", align=align, fill=True)
        self.ln(_ROW + 0.5)
        self.set_font("helvetica", size=8.5)

    def _row(
        self,
        columns: tuple[str, ...],
        widths: tuple[float, ...],
        cells: tuple[str, ...],
        *,
        border: str = "",
    ) -> None:
        for name, width, text in zip(columns, widths, cells, strict=True):
            align = "R" if name in AMOUNT_COLUMNS else "L"
            fitted = self._fit(printable(text), width - 1.5)
            self.cell(width, _ROW, fitted, border=border, align=align)
        self.ln(_ROW)

    def _fit(self, text: str, width: float) -> str:
        """``text`` cut to ``width`` millimetres, ending with "…" if cut."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def _no_room_for(self, height: float) -> bool:
        # will_page_break() answers False whenever automatic breaks are off.
        return self.y + height > self.page_break_trigger

    def closing(self) -> None:
        s, money = self.statement, self.writer.money
        if self._no_room_for(3 * _ROW + 10):
            self.add_page()
        self.ln(4)
        self._total_line(self.labels["closing"], s.closing)
        self._in_transit(s.in_transit_closing)
        self.set_font("helvetica", size=9)
        check = self.labels[f"check.{s.kind}"].format(
            opening=money(s.opening),
            closing=money(s.closing),
            collected=money(s.collected),
            paid_in=money(s.paid_in),
            mandated=money(s.mandated),
            others=money(s.others_total),
            transit_opening=money(s.in_transit_opening),
            transit_closing=money(s.in_transit_closing),
        )
        self.cell(0, 6, printable(check), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _in_transit(self, units: int) -> None:
        if units:
            self.set_font("helvetica", style="I", size=9.5)
            self.cell(120, 6, printable(self.labels["in_transit"]))
            self.cell(
                40, 6, self.writer.money(units), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )

    def _total_line(self, label: str, amount: int) -> None:
        self.set_font("helvetica", style="B", size=10.5)
        self.cell(120, 7, printable(label))
        self.cell(40, 7, self.writer.money(amount), align="R")
        self.cell(20, 7, f" {self.statement.currency}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
