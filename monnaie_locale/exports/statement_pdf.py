"""An account's statement as a PDF: a period's movements between two balances, to print or file.

The page says whose account it is (code, kind, holder), the period, the opening balance,
every movement (date, reference, counterparty, memo, debit or credit, running balance;
under a reconversion, its gross amount, fee and payout) and the closing balance, with the
period's debit and credit totals, all read from the holder's side
(:mod:`monnaie_locale.sides`): the reserve's statement reads what the bank holds. Labels
are French or English. The holder's name is the one the caller gives, else the account's
display name.

Which movements, and the opening balance: those of
:mod:`monnaie_locale.exports.statement_rows`, the same as the CSV statement's for the same
period, so opening balance plus movements is, to the cent, the closing balance the ledger
holds after the last one. The rows are read a chunk at a time and never sit in memory
together; the PDF library keeps the finished pages until it writes the file, which a
single account's statement can afford.

The PDF uses the standard Helvetica font in the Windows-1252 encoding, which covers French
(and the euro sign); other characters of a memo are written in their closest form, or
``?``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import BinaryIO, Literal

from fpdf import FPDF, XPos, YPos
from sqlalchemy import Connection

from monnaie_locale.clock import as_utc
from monnaie_locale.exports.source import CHUNK, Progress
from monnaie_locale.exports.statement_rows import (
    Movement,
    StatementWindow,
    statement_movements,
    statement_window,
)
from monnaie_locale.money import format_amount
from monnaie_locale.sides import holder_side

# The window and its movements are named here too, for callers that only write PDFs.
__all__ = [
    "LABELS",
    "Movement",
    "StatementLang",
    "StatementSummary",
    "StatementWindow",
    "statement_movements",
    "statement_pdf",
    "statement_window",
]

StatementLang = Literal["fr", "en"]

LABELS: Mapping[StatementLang, Mapping[str, str]] = {
    "fr": {
        "title": "Relevé de compte",
        "account": "Compte",
        "kind": "Type",
        "currency": "Devise",
        "holder": "Titulaire",
        "owner": "Référence du titulaire",
        "period": "Période",
        "from_to": "du {start} au {end}",
        "since": "depuis le {start}",
        "until": "jusqu'au {end}",
        "all": "depuis l'ouverture",
        "printed": "Édité le",
        "opening": "Solde d'ouverture",
        "closing": "Solde de clôture",
        "totals": "Totaux de la période",
        "date": "Date",
        "reference": "Référence",
        "memo": "Libellé",
        "counterparty": "Contrepartie",
        "reconversion": "Reconversion : brut {gross}, commission {fee}, versé {payout} EUR",
        "debit": "Débit",
        "credit": "Crédit",
        "balance": "Solde",
        "none": "Aucun mouvement sur la période.",
        "page": "Page {page}/{pages}",
        "movements": "{count} mouvement(s)",
        "date_format": "%d/%m/%Y",
        "time_format": "%d/%m/%Y %H:%M",
        "kind.member": "adhérent",
        "kind.business": "prestataire",
        "kind.authority": "collectivité",
        "kind.association": "association",
        "kind.exchange_office": "comptoir de change",
        "kind.system": "compte système",
    },
    "en": {
        "title": "Account statement",
        "account": "Account",
        "kind": "Kind",
        "currency": "Currency",
        "holder": "Holder",
        "owner": "Holder reference",
        "period": "Period",
        "from_to": "from {start} to {end}",
        "since": "since {start}",
        "until": "until {end}",
        "all": "since the account was opened",
        "printed": "Printed on",
        "opening": "Opening balance",
        "closing": "Closing balance",
        "totals": "Totals for the period",
        "date": "Date",
        "reference": "Reference",
        "memo": "Memo",
        "counterparty": "Counterparty",
        "reconversion": "Reconversion: gross {gross}, fee {fee}, paid out {payout} EUR",
        "debit": "Debit",
        "credit": "Credit",
        "balance": "Balance",
        "none": "No movement in the period.",
        "page": "Page {page}/{pages}",
        "movements": "{count} movement(s)",
        "date_format": "%Y-%m-%d",
        "time_format": "%Y-%m-%d %H:%M",
        "kind.member": "member",
        "kind.business": "business",
        "kind.authority": "local authority",
        "kind.association": "association",
        "kind.exchange_office": "exchange office",
        "kind.system": "system account",
    },
}


@dataclass(frozen=True, slots=True)
class StatementSummary:
    account: str
    currency: str
    opening: int
    closing: int
    debit: int  # total of the debits, positive
    credit: int
    movements: int


def statement_pdf(
    conn: Connection,
    window: StatementWindow,
    out: BinaryIO,
    *,
    lang: StatementLang = "fr",
    holder: str | None = None,
    zone: tzinfo = UTC,
    printed_at: datetime,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> StatementSummary:
    """Write the statement of ``window`` as a PDF to ``out``; return its totals."""
    page = _StatementPage(
        LABELS[lang],
        currency=window.account.currency,
        decimal_separator="," if lang == "fr" else ".",
        zone=zone,
    )
    page.heading(window, holder=holder, printed_at=printed_at)
    sign = holder_side(1, window.account)
    balance, debit, credit, written = sign * window.opening, 0, 0, 0
    for movement in statement_movements(conn, window, chunk=chunk, progress=progress):
        page.movement(movement, sign=sign)
        balance = sign * movement.balance_after
        amount = sign * movement.amount
        if amount < 0:
            debit -= amount
        else:
            credit += amount
        written += 1
    summary = StatementSummary(
        account=window.account.code,
        currency=window.account.currency,
        opening=sign * window.opening,
        closing=balance,
        debit=debit,
        credit=credit,
        movements=written,
    )
    page.closing(summary)
    out.write(bytes(page.output()))
    return summary


# Column widths in millimetres on an A4 page with 15 mm margins (180 mm of width).
_COLUMNS = (("date", 28, "L"), ("reference", 18, "L"), ("counterparty", 24, "L"),
            ("memo", 50, "L"), ("debit", 19, "R"), ("credit", 19, "R"),
            ("balance", 22, "R"))  # fmt: skip
_ROW = 5.5


class _StatementPage(FPDF):
    """The statement's layout: a heading, a table whose header repeats, page numbers."""

    def __init__(
        self, labels: Mapping[str, str], *, currency: str, decimal_separator: str, zone: tzinfo
    ) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.labels = labels
        self.currency = currency
        self._char_widths: dict[str, float] = {}  # in the table's font, which never changes
        self.decimal_separator = decimal_separator
        self.zone = zone
        self.core_fonts_encoding = "cp1252"
        self.set_margins(15, 15, 15)
        # Rows are placed by hand, so the table header can repeat on each new page.
        self.set_auto_page_break(auto=False, margin=20)
        self.set_title(labels["title"])
        self.add_page()

    def _no_room_for(self, height: float) -> bool:
        # will_page_break() answers False whenever automatic breaks are off.
        return self.y + height > self.page_break_trigger

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        # fpdf writes the page count in place of {nb} once the document is complete.
        self.cell(0, 5, self.labels["page"].format(page=self.page_no(), pages="{nb}"), align="C")

    def money(self, minor_units: int) -> str:
        return format_amount(minor_units, decimal_separator=self.decimal_separator)

    def heading(self, window: StatementWindow, *, holder: str | None, printed_at: datetime) -> None:
        labels, account = self.labels, window.account
        self.set_font("helvetica", style="B", size=15)
        self.cell(0, 9, labels["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font("helvetica", size=10)
        facts = [
            (labels["account"], account.code),
            (labels["kind"], labels.get(f"kind.{account.kind}", str(account.kind))),
            (labels["currency"], account.currency),
        ]
        name = holder or account.display_name
        if name:
            facts.append((labels["holder"], name))
        if account.owner_ref:
            facts.append((labels["owner"], account.owner_ref))
        facts.append((labels["period"], self._period(window.start, window.end)))
        when = as_utc(printed_at).astimezone(self.zone).strftime(labels["time_format"])
        facts.append((labels["printed"], when))
        for name, value in facts:
            self.set_font("helvetica", style="B", size=10)
            self.cell(48, 6, _printable(name))
            self.set_font("helvetica", size=10)
            self.multi_cell(0, 6, _printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)
        self._total_line(labels["opening"], holder_side(window.opening, window.account))
        self.ln(2)
        self._table_header()
        if window.count == 0:
            self.set_font("helvetica", style="I", size=9)
            self.cell(0, _ROW, labels["none"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _period(self, start: date | None, end: date | None) -> str:
        fmt = self.labels["date_format"]
        if start is not None and end is not None:
            return self.labels["from_to"].format(start=start.strftime(fmt), end=end.strftime(fmt))
        if start is not None:
            return self.labels["since"].format(start=start.strftime(fmt))
        if end is not None:
            return self.labels["until"].format(end=end.strftime(fmt))
        return self.labels["all"]

    def _table_header(self) -> None:
        self.set_font("helvetica", style="B", size=8.5)
        self.set_fill_color(230, 230, 230)
        for name, width, align in _COLUMNS:
            self.cell(width, _ROW + 0.5, self.labels[name], border="B", align=align, fill=True)
        self.ln(_ROW + 0.5)
        self.set_font("helvetica", size=8.5)

    def movement(self, movement: Movement, *, sign: int = 1) -> None:
        split = movement.reconversion
        if self._no_room_for(_ROW * (2 if split else 1)):
            self.add_page()
            self._table_header()
        when = movement.created_at.astimezone(self.zone).strftime(self.labels["time_format"])
        reference = movement.reference or f"#{movement.transaction_id}"
        amount = sign * movement.amount
        cells = (
            when,
            reference,
            movement.counterparty,
            movement.memo or movement.kind,
            self.money(-amount) if amount < 0 else "",
            self.money(amount) if amount > 0 else "",
            self.money(sign * movement.balance_after),
        )
        for (_, width, align), text in zip(_COLUMNS, cells, strict=True):
            self.cell(width, _ROW, self._fit(_printable(text), width - 2), align=align)
        self.ln(_ROW)
        if split is not None:
            # The units given back, the association's fee and the euros wired, on a line.
            said = self.labels["reconversion"].format(
                gross=self.money(split.gross),
                fee=self.money(split.fee),
                payout=self.money(split.payout),
            )
            indent = sum(width for _, width, _ in _COLUMNS[:2])
            self.cell(indent, _ROW, "")
            self.set_font("helvetica", style="I", size=8)
            self.cell(0, _ROW, _printable(said))
            self.set_font("helvetica", size=8.5)
            self.ln(_ROW)

    def _fit(self, text: str, width: float) -> str:
        """``text`` cut to ``width`` millimetres in the current font, ending with "…" if cut."""
        full = self._width(text)
        if full <= width:
            return text
        # Cut in proportion first, so a long memo costs a few measures, not one per character.
        text = text[: max(1, int(len(text) * width / full))]
        while text and self._width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def _width(self, text: str) -> float:
        """The width of ``text`` in the table's font, from widths measured once per character.

        Measuring whole strings through the library costs more than the rest of a row.
        """
        total = 0.0
        for char in text:
            width = self._char_widths.get(char)
            if width is None:
                width = self._char_widths[char] = self.get_string_width(char)
            total += width
        return total

    def closing(self, summary: StatementSummary) -> None:
        if self._no_room_for(3 * _ROW + 10):
            self.add_page()
        self.ln(1)
        self.set_font("helvetica", style="B", size=8.5)
        widths = [width for _, width, _ in _COLUMNS]
        label = f"{self.labels['totals']} ({self.labels['movements']})".format(
            count=summary.movements
        )
        self.cell(sum(widths[:4]), _ROW, label, border="T")
        self.cell(widths[4], _ROW, self.money(summary.debit), border="T", align="R")
        self.cell(widths[5], _ROW, self.money(summary.credit), border="T", align="R")
        self.cell(widths[6], _ROW, "", border="T")
        self.ln(_ROW + 3)
        self._total_line(self.labels["closing"], summary.closing)

    def _total_line(self, label: str, amount: int) -> None:
        self.set_font("helvetica", style="B", size=10.5)
        self.cell(120, 7, label)
        self.cell(40, 7, self.money(amount), align="R")
        self.cell(20, 7, f" {self.currency}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _printable(text: str) -> str:
    """``text`` as Windows-1252 can write it: compatible forms, then ``?`` for the rest."""
    flat = " ".join(unicodedata.normalize("NFKC", text).split())
    return flat.encode("cp1252", errors="replace").decode("cp1252")
