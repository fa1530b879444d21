"""An account's statement as a PDF: a period's movements between two balances, to print or file.

The page says whose account it is (code, kind, holder), the period, the opening balance,
every movement (date, reference, memo, debit or credit, running balance) and the closing
balance, with the period's debit and credit totals. Labels are French or English. The
holder's name is the one the caller gives, else the account's display name.

Which movements. The period is whole days in the given zone. The movements are the
account's postings from the first one dated in the period to the last one, by posting id:
the ledger's running balance follows posting ids, and a posting written in the middle of
the period with a clock a second behind still belongs between its neighbours. So the
opening balance is the first movement's balance before it, and the opening balance plus
the movements is, to the cent, the closing balance the ledger holds after the last one.

Postings are read ``chunk`` at a time by id, so the rows never sit in memory together;
the PDF library keeps the finished pages until it writes the file, which a single
account's statement can afford.

The PDF uses the standard Helvetica font in the Windows-1252 encoding, which covers French
(and the euro sign); other characters of a memo are written in their closest form, or
``?``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import BinaryIO, Literal

from fpdf import FPDF, XPos, YPos
from sqlalchemy import Connection, func, select
from sqlalchemy.sql.elements import ColumnElement

from monnaie_locale.clock import as_utc
from monnaie_locale.exports.source import CHUNK, Progress
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import Account
from monnaie_locale.money import format_amount
from monnaie_locale.store.tables import postings, transactions

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
class StatementWindow:
    """Which postings of ``account`` a statement covers, and the balance before them.

    ``first_id`` and ``last_id`` bound the movements (both None when there is none);
    ``count`` is how many there are.
    """

    account: Account
    start: date | None
    end: date | None
    opening: int
    first_id: int | None
    last_id: int | None
    count: int


@dataclass(frozen=True, slots=True)
class Movement:
    posting_id: int
    transaction_id: int
    created_at: datetime  # UTC
    kind: str
    memo: str
    reference: str | None
    amount: int  # positive credits the account, as in the ledger
    balance_after: int


@dataclass(frozen=True, slots=True)
class StatementSummary:
    account: str
    currency: str
    opening: int
    closing: int
    debit: int  # total of the debits, positive
    credit: int
    movements: int


def _bounds(
    start: date | None, end: date | None, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """The period as [from, until) instants in UTC; None leaves that side open."""
    since = None if start is None else datetime.combine(start, time.min, zone).astimezone(UTC)
    until = (
        None
        if end is None
        else datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    )
    return since, until


def statement_window(
    conn: Connection,
    account: str,
    *,
    start: date | None = None,
    end: date | None = None,
    zone: tzinfo = UTC,
) -> StatementWindow:
    """Find the statement's movements and opening balance (see the module's docstring)."""
    found = get_account(conn, account)
    since, until = _bounds(start, end, zone)
    mine = postings.c.account_id == found.id
    dated: list[ColumnElement[bool]] = [mine]
    if since is not None:
        dated.append(postings.c.created_at >= since)
    if until is not None:
        dated.append(postings.c.created_at < until)
    first_id, last_id = conn.execute(
        select(func.min(postings.c.id), func.max(postings.c.id)).where(*dated)
    ).one()
    if first_id is None:
        before = since if since is not None else until
        return StatementWindow(
            found, start, end, _balance_before(conn, found.id, before), None, None, 0
        )
    first = conn.execute(
        select(postings.c.amount, postings.c.balance_after).where(postings.c.id == first_id)
    ).one()
    count = conn.execute(
        select(func.count()).where(mine, postings.c.id.between(first_id, last_id))
    ).scalar_one()
    return StatementWindow(
        account=found,
        start=start,
        end=end,
        opening=first.balance_after - first.amount,
        first_id=int(first_id),
        last_id=int(last_id),
        count=int(count),
    )


def _balance_before(conn: Connection, account_id: int, moment: datetime | None) -> int:
    """The balance after the account's last posting dated before ``moment`` (all: None)."""
    query = select(postings.c.balance_after).where(postings.c.account_id == account_id)
    if moment is not None:
        query = query.where(postings.c.created_at < moment)
    balance = conn.execute(query.order_by(postings.c.id.desc()).limit(1)).scalar()
    return 0 if balance is None else int(balance)


def statement_movements(
    conn: Connection, window: StatementWindow, *, chunk: int = CHUNK
) -> Iterator[Movement]:
    """The window's movements in posting order, read ``chunk`` at a time."""
    if window.first_id is None or window.last_id is None:
        return
    after = window.first_id - 1
    while True:
        rows = conn.execute(
            select(
                postings.c.id,
                postings.c.transaction_id,
                postings.c.amount,
                postings.c.balance_after,
                postings.c.created_at,
                transactions.c.kind,
                transactions.c.memo,
                transactions.c.reference,
            )
            .join(transactions, transactions.c.id == postings.c.transaction_id)
            .where(
                postings.c.account_id == window.account.id,
                postings.c.id > after,
                postings.c.id <= window.last_id,
            )
            .order_by(postings.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            return
        for row in rows:
            yield Movement(
                posting_id=row.id,
                transaction_id=row.transaction_id,
                created_at=as_utc(row.created_at),
                kind=row.kind,
                memo=row.memo,
                reference=row.reference,
                amount=row.amount,
                balance_after=row.balance_after,
            )
        after = rows[-1].id


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
    balance, debit, credit, written = window.opening, 0, 0, 0
    for movement in statement_movements(conn, window, chunk=chunk):
        page.movement(movement)
        balance = movement.balance_after
        if movement.amount < 0:
            debit -= movement.amount
        else:
            credit += movement.amount
        written += 1
        if progress is not None and written % chunk == 0:
            progress(written)
    summary = StatementSummary(
        account=window.account.code,
        currency=window.account.currency,
        opening=window.opening,
        closing=balance,
        debit=debit,
        credit=credit,
        movements=written,
    )
    page.closing(summary)
    if progress is not None:
        progress(written)
    out.write(bytes(page.output()))
    return summary


# Column widths in millimetres on an A4 page with 15 mm margins (180 mm of width).
_COLUMNS = (("date", 29, "L"), ("reference", 28, "L"), ("memo", 55, "L"),
            ("debit", 22, "R"), ("credit", 22, "R"), ("balance", 24, "R"))  # fmt: skip
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
        self._total_line(labels["opening"], window.opening)
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

    def movement(self, movement: Movement) -> None:
        if self._no_room_for(_ROW):
            self.add_page()
            self._table_header()
        when = movement.created_at.astimezone(self.zone).strftime(self.labels["time_format"])
        reference = movement.reference or f"#{movement.transaction_id}"
        amount = movement.amount
        cells = (
            when,
            reference,
            movement.memo or movement.kind,
            self.money(-amount) if amount < 0 else "",
            self.money(amount) if amount > 0 else "",
            self.money(movement.balance_after),
        )
        for (_, width, align), text in zip(_COLUMNS, cells, strict=True):
            self.cell(width, _ROW, self._fit(_printable(text), width - 2), align=align)
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
        self.cell(sum(widths[:3]), _ROW, label, border="T")
        self.cell(widths[3], _ROW, self.money(summary.debit), border="T", align="R")
        self.cell(widths[4], _ROW, self.money(summary.credit), border="T", align="R")
        self.cell(widths[5], _ROW, "", border="T")
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
