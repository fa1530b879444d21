"""Amounts typed by people become integer minor units, or a clear refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monnaie_locale.errors import InvalidAmount, MonnaieLocaleError
from monnaie_locale.money import MAX_AMOUNT, Currency, format_amount, parse_amount


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12,50", 1250),
        ("12.50", 1250),
        ("12", 1200),
        ("0,5", 50),
        ("0.05", 5),
        ("0", 0),
        ("007,10", 710),
        (" 12,50 ", 1250),
    ],
)
def test_parse_amount_reads_comma_or_dot_decimals_as_cents(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    "text",
    ["12,505", "-3", "1e3", "", "NaN", "1 000", " ", "12.", ",5", "12,5,0", "+3", "12€", "٣"],
)
def test_parse_amount_refuses_anything_but_plain_decimals(text: str) -> None:
    with pytest.raises(InvalidAmount) as refused:
        parse_amount(text)

    assert refused.value.value == text
    assert "12,50" in refused.value.message  # the error shows what to type instead
    assert isinstance(refused.value, MonnaieLocaleError)
    assert refused.value.code == "invalid_amount"


def test_parse_amount_refuses_more_than_any_ledger_holds() -> None:
    largest = format_amount(MAX_AMOUNT)

    assert parse_amount(largest) == MAX_AMOUNT
    with pytest.raises(InvalidAmount):
        parse_amount(format_amount(MAX_AMOUNT + 1))


@pytest.mark.parametrize(
    ("cents", "text"),
    [(1250, "12.50"), (5, "0.05"), (0, "0.00"), (-5, "-0.05"), (-123456, "-1234.56")],
)
def test_format_amount_writes_two_decimals(cents: int, text: str) -> None:
    assert format_amount(cents) == text


def test_format_amount_uses_the_given_decimal_separator() -> None:
    assert format_amount(1250, decimal_separator=",") == "12,50"


@given(cents=st.integers(min_value=0, max_value=MAX_AMOUNT), separator=st.sampled_from(".,"))
def test_every_amount_survives_formatting_and_parsing(cents: int, separator: str) -> None:
    assert parse_amount(format_amount(cents, decimal_separator=separator)) == cents


@pytest.mark.parametrize(
    ("code", "exponent"), [("eu", 2), ("E", 2), ("EURO-LOCAL", 2), ("MLC", 0), ("MLC", 3)]
)
def test_currency_refuses_bad_codes_and_exponents(code: str, exponent: int) -> None:
    with pytest.raises(ValueError):
        Currency(code=code, name="n", symbol="s", exponent=exponent)


def test_currency_accepts_a_local_unit_code() -> None:
    assert Currency(code="EUSKO", name="eusko", symbol="eu").exponent == 2
