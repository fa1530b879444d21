"""Memos, references and account codes are plain text: one line, no control characters.

The expected verdict is computed here from the Unicode character database, not from the
pattern the core uses, so the two have to agree for every character.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import (
    MAX_ACCOUNT_CODE,
    MAX_MEMO,
    MAX_REFERENCE,
    Leg,
    TransferRequest,
    check_account_code,
    check_display_name,
    check_plain_text,
)

# Typed from the Unicode list of explicit directional formatting characters (UAX #9).
DIRECTION_MARKS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# One of each family the core must refuse, by name.
REFUSED = {
    "NUL": "\x00",
    "tab": "\t",
    "line feed": "\n",
    "carriage return": "\r",
    "escape": "\x1b",
    "unit separator": "\x1f",
    "DEL": "\x7f",
    "next line": "\x85",
    "CSI": "\x9b",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "right-to-left override": "\u202e",
    "first strong isolate": "\u2068",
    "arabic letter mark": "\u061c",
    "lone surrogate": "\ud800",
}
ACCEPTED = [
    "",
    "bread and croissants",
    "Café crème, 2 × 1,20 €",
    "facture n°42 | TVA 5,5 %",
    "סופגניות",  # right-to-left letters are text; only the marks that reorder it are refused
    "パン屋さん 🥐",
    "a\u00a0b",  # a no-break space is a space, not a control
    "x" * 140,
]


def is_plain(text: str) -> bool:
    """The rule, from the character database: no Cc, Cs, Zl or Zp, no direction marks."""
    return not any(
        unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in DIRECTION_MARKS
        for char in text
    )


@pytest.mark.parametrize("text", ACCEPTED)
def test_plain_text_is_returned_as_it_is(text: str) -> None:
    assert check_plain_text(text, "memo", max_length=MAX_REFERENCE) == text


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_a_control_or_invisible_character_anywhere_is_refused(char: str) -> None:
    for text in (char, f"pain{char}", f"{char}pain", f"pain {char} beurre"):
        with pytest.raises(InvalidRequest) as refused:
            check_plain_text(text, "bank reference", max_length=MAX_REFERENCE)
        message = refused.value.message
        assert message.startswith("the bank reference holds a control or invisible character")
        assert f"U+{ord(char):04X}" in message
        assert "one line" in message


def test_the_message_names_the_character_without_printing_it() -> None:
    with pytest.raises(InvalidRequest) as refused:
        check_plain_text("red\x1b[31m", "memo", max_length=MAX_MEMO)
    assert "\x1b" not in refused.value.message
    assert "U+001B" in refused.value.message


def test_text_longer_than_the_limit_is_refused_and_the_limit_is_named() -> None:
    assert check_plain_text("m" * MAX_MEMO, "memo", max_length=MAX_MEMO) == "m" * MAX_MEMO
    with pytest.raises(InvalidRequest) as refused:
        check_plain_text("m" * (MAX_MEMO + 1), "memo", max_length=MAX_MEMO)
    assert refused.value.message == f"the memo is limited to {MAX_MEMO} characters"


@pytest.mark.parametrize("value", [None, 42, b"bytes"])
def test_a_value_that_is_not_text_is_refused(value: Any) -> None:
    with pytest.raises(InvalidRequest, match="the reference must be text"):
        check_plain_text(value, "reference", max_length=MAX_REFERENCE)


@given(st.text(alphabet=st.characters(codec=None), max_size=30))
def test_the_check_agrees_with_the_character_database_on_any_text(text: str) -> None:
    if is_plain(text):
        assert check_plain_text(text, "memo", max_length=MAX_MEMO) == text
    else:
        with pytest.raises(InvalidRequest):
            check_plain_text(text, "memo", max_length=MAX_MEMO)


@given(st.characters(codec=None))
def test_a_display_name_and_a_memo_refuse_the_same_characters(char: str) -> None:
    """The display name's older rule and the plain-text rule are one rule."""
    name = f"a{char}b"
    try:
        check_display_name(name)
    except InvalidRequest:
        name_refused = True
    else:
        name_refused = False
    try:
        check_plain_text(name, "memo", max_length=MAX_MEMO)
    except InvalidRequest:
        memo_refused = True
    else:
        memo_refused = False
    assert name_refused == memo_refused == (not is_plain(name))


# Account codes -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["alice", "town:regie-pool", "office:3:till", "café du port"])
def test_an_account_code_of_plain_text_is_accepted(code: str) -> None:
    assert check_account_code(code) == code


@pytest.mark.parametrize("code", ["", " alice", "alice ", "\talice", "x" * (MAX_ACCOUNT_CODE + 1)])
def test_an_empty_long_or_padded_account_code_is_refused(code: str) -> None:
    with pytest.raises(InvalidRequest, match="an account code is 1 to 120 characters"):
        check_account_code(code)


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_an_account_code_holding_a_control_character_is_refused(char: str) -> None:
    with pytest.raises(InvalidRequest, match="the account code holds a control"):
        check_account_code(f"ali{char}ce")


# Transfer requests -------------------------------------------------------------------------

LEGS = (Leg("alice", -100), Leg("bakery", 100))


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_a_transfer_request_refuses_a_memo_with_a_control_character(char: str) -> None:
    with pytest.raises(InvalidRequest, match="the memo holds a control"):
        TransferRequest(legs=LEGS, memo=f"bread{char}")
    with pytest.raises(InvalidRequest, match="the memo holds a control"):
        TransferRequest.simple("alice", "bakery", 100, memo=f"bread{char}")


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_a_transfer_request_refuses_a_reference_with_a_control_character(char: str) -> None:
    with pytest.raises(InvalidRequest, match="the reference holds a control"):
        TransferRequest(legs=LEGS, reference=f"VIR{char}42")


def test_a_transfer_request_refuses_a_kind_with_a_control_character() -> None:
    with pytest.raises(InvalidRequest, match="the kind holds a control"):
        TransferRequest(legs=LEGS, kind="payment\n")


def test_a_transfer_request_refuses_a_reference_longer_than_a_remittance_line() -> None:
    assert TransferRequest(legs=LEGS, reference="r" * MAX_REFERENCE).reference == "r" * 140
    with pytest.raises(InvalidRequest, match="the reference is limited to 140 characters"):
        TransferRequest(legs=LEGS, reference="r" * (MAX_REFERENCE + 1))


@pytest.mark.parametrize("text", ACCEPTED)
def test_a_transfer_request_keeps_plain_memos_and_references_as_given(text: str) -> None:
    request = TransferRequest(legs=LEGS, memo=text, reference=text or None)
    assert (request.memo, request.reference) == (text, text or None)
