"""PDF statements: read back from the PDF itself, every movement is there, the running
balance holds row by row, and opening balance plus movements is the closing balance."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from monnaie_locale.exports.statement_pdf import statement_pdf
from monnaie_locale.exports.statement_rows import statement_window
from monnaie_locale.money import format_amount, parse_amount
from tests.cli.conftest import Mlc
from tests.conftest import SteppingClock
from tests.engine import Engine

AMOUNT = r"-?[0-9]+[.,][0-9]{2}"
# A movement as the PDF's text gives it back: date, time, reference, counterparty (the
# tests' accounts are named by codes, without spaces), memo, one amount (the debit or the
# credit: the other cell is empty) and the balance after it.
ROW = re.compile(
    rf"^(?P<day>[0-9/-]{{10}}) [0-9]{{2}}:[0-9]{{2}} (?P<ref>\S+) (?P<counterparty>\S+) "
    rf"(?P<memo>.*?) "
    rf"(?P<amount>{AMOUNT}) (?P<balance>{AMOUNT})$"
)


def pdf_text(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(data)).pages
    return [line for page in pages for line in page.extract_text().splitlines()]


def cents(text: str) -> int:
    return parse_amount(text)


def labelled(lines: list[str], label: str) -> int:
    """The amount on the line that starts with ``label`` (an opening or closing balance)."""
    (found,) = [line for line in lines if line.startswith(label)]
    match = re.search(rf"({AMOUNT})\s+MLC$", found)
    assert match is not None, found
    return cents(match.group(1))


def movements(lines: list[str]) -> list[re.Match[str]]:
    return [match for line in lines if (match := ROW.match(line))]


@pytest.fixture
def months(books: Engine, clock: SteppingClock) -> Engine:
    """Alice's account over three days: movements before, during and after the 3rd."""
    for day, amount, memo in ((1, 200, "marché"), (1, 150, "livres"), (2, 75, "café")):
        clock.advance(timedelta(days=day))
        books.transfer("alice", "bakery", amount, idempotency_key=f"m-{memo}", memo=memo)
    books.transfer("bob", "alice", 120, idempotency_key="m-back", memo="remboursement")
    return books


def test_opening_plus_each_movement_is_the_closing_balance_read_from_the_pdf(
    mlc: Mlc, months: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "alice.pdf"
    result = mlc(
        "export", "statement", "alice", "--format", "pdf",
        "--from", "2026-11-03", "--to", "2026-11-05", "-o", str(path),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    lines = pdf_text(path.read_bytes())
    rows = movements(lines)
    assert [row["memo"] for row in rows] == ["marché", "livres"]
    opening, closing = labelled(lines, "Opening balance"), labelled(lines, "Closing balance")
    assert opening == 5000 - 1250  # the conversion and the bread, both on the 2nd
    balance = opening
    for row in rows:
        # The one amount shown is the debit or the credit: the balance says which.
        moved = cents(row["balance"]) - balance
        assert abs(moved) == cents(row["amount"])
        balance = cents(row["balance"])
    assert balance == closing == opening - 200 - 150
    assert "Totals for the period (2 movement(s)) 3.50 0.00" in lines


def test_a_statement_of_the_whole_history_ends_on_the_account_balance(
    mlc: Mlc, months: Engine
) -> None:
    result = mlc("export", "statement", "alice", "--format", "pdf")

    assert result.exit_code == 0, result.output
    lines = pdf_text(result.stdout_bytes)
    rows = movements(lines)
    assert [row["memo"] for row in rows] == [
        "Alice converts 50 € by bank transfer", "pain", "marché", "livres", "café",
        "remboursement",
    ]  # fmt: skip
    assert labelled(lines, "Opening balance") == 0
    assert labelled(lines, "Closing balance") == months.account("alice").balance
    assert [row["ref"] for row in rows][:2] == ["#1", "#2"]


def test_french_is_the_default_with_decimal_commas(mlc: Mlc, months: Engine) -> None:
    result = mlc("export", "statement", "alice", "--format", "pdf", lang="fr")

    assert result.exit_code == 0, result.output
    lines = pdf_text(result.stdout_bytes)
    assert lines[0] == "Relevé de compte"
    assert "Type adhérent" in lines
    assert "Référence du titulaire M-0001" in lines
    balance = months.account("alice").balance
    assert f"Solde de clôture {format_amount(balance, decimal_separator=',')}  MLC" in lines
    assert "Période depuis l'ouverture" in lines


def test_a_period_without_movement_opens_and_closes_on_the_balance_before_it(
    mlc: Mlc, months: Engine
) -> None:
    result = mlc(
        "export", "statement", "bakery", "--format", "pdf", "--from", "2026-12-01",
        "--holder", "Boulangerie Etcheverry",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    lines = pdf_text(result.stdout_bytes)
    balance = months.account("bakery").balance
    assert labelled(lines, "Opening balance") == labelled(lines, "Closing balance") == balance
    assert "No movement in the period." in lines
    assert "Holder Boulangerie Etcheverry" in lines
    assert movements(lines) == []


def test_rows_are_read_a_chunk_at_a_time_and_the_pages_carry_them_all(
    months: Engine, clock: SteppingClock
) -> None:
    for number in range(130):
        months.transfer("alice", "bob", 1, idempotency_key=f"many-{number}", memo=f"n°{number}")
    seen: list[int] = []
    out = io.BytesIO()
    with months.database.reading() as conn:
        window = statement_window(conn, "alice")
        summary = statement_pdf(
            conn, window, out, lang="en", printed_at=datetime.now(UTC), chunk=25,
            progress=seen.append,
        )  # fmt: skip

    assert seen == [25, 50, 75, 100, 125, 136]
    lines = pdf_text(out.getvalue())
    assert [row["memo"] for row in movements(lines)][-130:] == [f"n°{n}" for n in range(130)]
    assert summary.movements == window.count == 136
    assert summary.opening - summary.debit + summary.credit == summary.closing
    assert summary.closing == months.account("alice").balance
    assert "Page 2/" in "\n".join(lines)


def test_memos_outside_the_pdf_font_are_written_in_their_closest_form(
    mlc: Mlc, books: Engine
) -> None:
    long_memo = "Café crème € → ﬁn " + "très long libellé " * 10
    books.transfer("alice", "bob", 100, idempotency_key="odd", memo=long_memo)

    result = mlc("export", "statement", "bob", "--format", "pdf")

    assert result.exit_code == 0, result.output
    (row,) = [r for r in movements(pdf_text(result.stdout_bytes)) if r["amount"] == "1.00"]
    assert row["memo"].startswith("Café crème € ? fin très")
    assert row["memo"].endswith("…")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-11-05", "--to", "2026-11-01"), "Empty period"),
        (("--from", "5/11/2026"), "5/11/2026"),
        (("--timezone", "Mars/Olympus"), "Mars/Olympus"),
    ],
)
def test_a_bad_period_is_refused_and_writes_no_file(
    mlc: Mlc, books: Engine, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    path = tmp_path / "alice.pdf"
    result = mlc("export", "statement", "alice", "--format", "pdf", "-o", str(path), *args)

    assert result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_account_gets_no_pdf(mlc: Mlc, books: Engine, tmp_path: Path) -> None:
    path = tmp_path / "nobody.pdf"
    result = mlc("export", "statement", "nobody", "--format", "pdf", "-o", str(path))

    assert result.exit_code == 2
    assert "nobody" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_holder_option_belongs_to_pdf_statements(mlc: Mlc, books: Engine) -> None:
    result = mlc("export", "statement", "alice", "--holder", "Alice Martin")
    assert result.exit_code == 2
    assert "--format pdf" in result.stderr


def test_the_csv_of_a_period_opens_on_the_pdfs_opening_balance(
    mlc: Mlc, months: Engine, tmp_path: Path
) -> None:
    period = ("--from", "2026-11-03", "--to", "2026-11-05")
    pdf, table = tmp_path / "alice.pdf", tmp_path / "alice.csv"
    made = [
        mlc("export", "statement", "alice", "--format", "pdf", *period, "-o", str(pdf)),
        mlc("export", "statement", "alice", "--format", "csv", *period, "-o", str(table)),
    ]

    assert [result.exit_code for result in made] == [0, 0], [r.output for r in made]
    lines = pdf_text(pdf.read_bytes())
    rows = list(csv.DictReader(table.open(encoding="utf-8", newline="")))
    assert [row["memo"] for row in rows] == [row["memo"] for row in movements(lines)]
    first = rows[0]
    moved = cents(first["credit"]) if first["credit"] else -cents(first["debit"])
    assert cents(first["balance"]) - moved == labelled(lines, "Opening balance")
    assert cents(rows[-1]["balance"]) == labelled(lines, "Closing balance")


def test_the_period_is_whole_days_in_the_given_zone(mlc: Mlc, books: Engine) -> None:
    # Alice's two movements are on 2 November at 09:00 UTC: 10:00 in Paris, the same day,
    # but still 1 November, 23:00, in Honolulu.
    day = date(2026, 11, 2).isoformat()

    def on_that_day(zone: str) -> list[re.Match[str]]:
        result = mlc("export", "statement", "alice", "--format", "pdf", "--from", day,
                     "--to", day, "--timezone", zone)  # fmt: skip
        assert result.exit_code == 0, result.output
        return movements(pdf_text(result.stdout_bytes))

    assert len(on_that_day("Europe/Paris")) == 2
    assert on_that_day("Pacific/Honolulu") == []
