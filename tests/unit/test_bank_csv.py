"""CSV bank exports: French layout, encodings, line numbers in errors, amounts never floats."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monnaie_locale.bank import (
    FRENCH_BANK,
    CsvFormat,
    MalformedStatement,
    StatementEncodingError,
    StatementLine,
    decimal_to_cents,
    parse_csv_statement,
)
from monnaie_locale.money import format_amount

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank"
HEADER = "Date;Date de valeur;Libellé;Référence;Débit;Crédit"
SIGNED = CsvFormat(
    date_column="date", label_column="label", amount_column="amount", bank_reference_column="id"
)


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _french(*rows: str) -> bytes:
    return "\r\n".join((HEADER, *rows)).encode("cp1252")


def _malformed(content: bytes, **kwargs: object) -> MalformedStatement:
    with pytest.raises(MalformedStatement) as caught:
        parse_csv_statement(content, **kwargs)  # type: ignore[arg-type]
    return caught.value


def _format_french(cents: int, separator: str) -> str:
    units, fraction = divmod(abs(cents), 100)
    grouped = f"{units:,}".replace(",", separator)
    return f"{'-' if cents < 0 else ''}{grouped},{fraction:02d}"


def test_french_export_lines_amounts_and_signs() -> None:
    statement = parse_csv_statement(
        _fixture("releve_francais.csv"), account_iban="FR76 4255 9100 0008 0024 4561 756"
    )
    assert statement.account_iban == "FR7642559100000800244561756"
    assert [line.amount_cents for line in statement.lines] == [
        5_000, 12_000, 3_500, -132_956, -360, 100_000, 2_000, 2_000,
    ]  # fmt: skip
    assert statement.total_cents == -8_816
    assert statement.opening_balance_cents is None


def test_french_export_reads_dates_labels_and_references() -> None:
    lines = parse_csv_statement(_fixture("releve_francais.csv")).lines
    alice = lines[0]
    assert alice.booking_date == date(2026, 11, 2)
    assert alice.remittance == "VIR SEPA RECU /DE ALICE MARTIN /MOTIF CONV MLC-7Q4K2P Alice Martin"
    assert alice.line_id == "ref:2026110200001"
    # cp1252 accents and the em dash come through, a quoted ';' stays in the label.
    assert lines[4].remittance == "COTISATION OFFRE ASSOCIATIVE — FRAIS"
    assert lines[5].remittance == "VIR SEPA RECU /DE LA GONETTE; ASSO /MOTIF SUBVENTION 2026"
    assert lines[5].value_date == date(2026, 11, 5)
    assert lines[6].remittance == "VERSEMENT ESPÈCES COMPTOIR N°3 (20 €)"


def test_identical_lines_without_reference_get_distinct_ids_stable_across_imports() -> None:
    first = parse_csv_statement(_fixture("releve_francais.csv")).lines
    again = parse_csv_statement(_fixture("releve_francais.csv")).lines
    assert first[6].line_id != first[7].line_id
    assert [line.line_id for line in first] == [line.line_id for line in again]


def test_utf8_with_bom_reads_the_same_lines_as_cp1252() -> None:
    cp1252 = parse_csv_statement(_fixture("releve_francais.csv"))
    utf8 = parse_csv_statement(_fixture("releve_francais_utf8_bom.csv"))
    assert utf8.lines == cp1252.lines
    assert utf8.fingerprint != cp1252.fingerprint  # different bytes, different file


def test_utf8_without_bom_is_detected_instead_of_garbled() -> None:
    error = _malformed(_fixture("releve_utf8_sans_bom.csv"))
    assert isinstance(error, StatementEncodingError)
    assert error.location == "line 1"
    assert error.expected_encoding == "cp1252"
    assert "utf-8" in error.reason


def test_cp1252_file_read_as_utf8_names_the_line_of_the_bad_byte() -> None:
    content = b"date,label,amount,id\n2026-11-02,ok,1.00,A\n2026-11-03,caf\xe9,2.00,B\n"
    error = _malformed(content, csv_format=SIGNED)
    assert isinstance(error, StatementEncodingError)
    assert error.location == "line 3"
    assert "0xE9" in error.reason


def test_bad_amount_names_line_and_column() -> None:
    error = _malformed(_fixture("releve_montant_invalide.csv"))
    assert error.location == "line 4, column 'Crédit'"
    assert "'35,O0'" in error.reason


def test_three_decimals_are_refused() -> None:
    error = _malformed(_fixture("releve_trois_decimales.csv"))
    assert error.location == "line 3, column 'Crédit'"
    assert "3 decimals" in error.reason


def test_missing_column_is_named() -> None:
    error = _malformed(_fixture("releve_colonne_manquante.csv"))
    assert error.location == "line 1, column 'Crédit'"
    assert "missing column 'Crédit'" in error.reason


def test_wrong_delimiter_is_hinted() -> None:
    csv_format = dataclasses.replace(FRENCH_BANK, delimiter=",")
    error = _malformed(_fixture("releve_francais.csv"), csv_format=csv_format)
    assert error.location == "line 1, column 'Date'"
    assert "delimiter ','" in error.reason


def test_bad_date_names_line_and_expected_format() -> None:
    error = _malformed(_french("02/11/2026;;ok;R1;;1,00", "2026-11-03;;ko;R2;;2,00"))
    assert error.location == "line 3, column 'Date'"
    assert "DD/MM/YYYY" in error.reason


def test_debit_and_credit_both_filled_or_both_empty_is_refused() -> None:
    both = _malformed(_french("02/11/2026;;x;R1;1,00;2,00"))
    assert both.location == "line 2, column 'Débit/Crédit'"
    neither = _malformed(_french("02/11/2026;;x;R1;1,00;", "02/11/2026;;y;R2;;"))
    assert neither.location == "line 3, column 'Débit/Crédit'"


def test_debit_written_with_or_without_minus_is_money_out() -> None:
    lines = parse_csv_statement(
        _french("02/11/2026;;a;R1;12,50;", "02/11/2026;;b;R2;-12,50;")
    ).lines
    assert [line.amount_cents for line in lines] == [-1_250, -1_250]


def test_signed_amount_column_with_point_decimals_and_preamble() -> None:
    csv_format = dataclasses.replace(SIGNED, skip_lines=2)
    content = (
        b"Compte FR7642559100000800244561756\nPeriode 2026-11\n"
        b"Date,Label,Amount,Id\n2026-11-02,in,50.5,A1\n\n2026-11-03,out,-3,A2\n2026-11-04,x,1.2.3,A3\n"
    )
    error = _malformed(content, csv_format=csv_format)
    assert error.location == "line 7, column 'amount'"
    lines = parse_csv_statement(content.rsplit(b"2026-11-04", 1)[0], csv_format=csv_format).lines
    assert [(line.amount_cents, line.bank_reference) for line in lines] == [
        (5_050, "A1"),
        (-300, "A2"),
    ]


def test_empty_file_reports_every_missing_column_from_the_first() -> None:
    assert _malformed(b"").location == "line 1, column 'Date'"


def test_format_needs_one_amount_or_a_debit_and_credit_pair() -> None:
    with pytest.raises(ValueError, match="amount_column"):
        CsvFormat(date_column="d", label_column="l", debit_column="debit")
    with pytest.raises(ValueError, match="amount_column"):
        CsvFormat(
            date_column="d",
            label_column="l",
            amount_column="a",
            debit_column="x",
            credit_column="y",
        )
    with pytest.raises(LookupError):
        dataclasses.replace(FRENCH_BANK, encoding="klingon")


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1 234,56", 123_456),
        ("-12,50", -1_250),
        ("+7,5", 750),
        ("0,01", 1),
        ("1\u202f000", 100_000),
    ],
)
def test_french_amounts(text: str, cents: int) -> None:
    assert decimal_to_cents(text, decimal_separator=",", thousands_separators=" \u202f") == cents


@pytest.mark.parametrize("text", ["12,", ",5", "1e3", "12 34,00", "1 2345,00", "١٢,٠٠", "nan", ""])
def test_not_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        decimal_to_cents(text, decimal_separator=",", thousands_separators=" ")


def test_a_line_refuses_a_float_amount() -> None:
    with pytest.raises(TypeError):
        StatementLine(booking_date=date(2026, 11, 2), amount_cents=12.5)  # type: ignore[arg-type]


@given(
    cents=st.integers(min_value=-(10**13), max_value=10**13),
    separator=st.sampled_from(["", " ", "\u00a0", "\u202f"]),
)
def test_french_decimal_strings_parse_back_to_the_same_cents(cents: int, separator: str) -> None:
    text = _format_french(cents, separator)
    parsed = decimal_to_cents(
        text, decimal_separator=",", thousands_separators=FRENCH_BANK.thousands_separators
    )
    assert parsed == cents


@given(cents=st.integers(min_value=-(10**11), max_value=10**11))
def test_french_amount_in_a_csv_row_parses_back_to_the_same_cents(cents: int) -> None:
    text = _format_french(abs(cents), "\u00a0")
    row = f"02/11/2026;;x;R1;{text};" if cents < 0 else f"02/11/2026;;x;R1;;{text}"
    (line,) = parse_csv_statement(_french(row)).lines
    assert line.amount_cents == cents


@given(cents=st.integers(min_value=-(10**15), max_value=10**15))
def test_iso_decimal_round_trip(cents: int) -> None:
    # ISO 20022 amounts are written by the one amount formatter, dot-separated.
    assert decimal_to_cents(format_amount(cents)) == cents
