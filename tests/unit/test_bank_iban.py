"""IBAN and BIC validation: compact form on success, a reason saying what to fix on failure."""

from __future__ import annotations

import pytest

import monnaie_locale.bank as bank
from monnaie_locale.bank import (
    BankFileError,
    InvalidBic,
    InvalidIban,
    normalise,
    validate_account,
    validate_bic,
    validate_iban,
)

RESERVE_IBAN = "FR7642559100000800244561756"


def _with_iso_check_digits(country: str, bban: str) -> str:
    """Build an IBAN whose ISO 7064 check digits are right, whatever the BBAN holds."""
    digits = "".join(str(int(char, 36)) for char in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def test_normalise_removes_spaces_and_dashes_and_uppercases() -> None:
    assert normalise(" fr76 4255-9100\u00a00008 ") == "FR76425591000008"


def test_valid_iban_is_returned_in_compact_form() -> None:
    assert validate_iban("fr76 4255 9100 0008 0024 4561 756") == RESERVE_IBAN


def test_iban_with_a_mistyped_character_names_the_check_digits() -> None:
    with pytest.raises(InvalidIban) as caught:
        validate_iban("FR7642559100000800244561757")
    assert caught.value.value == "FR7642559100000800244561757"
    assert "check digits" in caught.value.reason


def test_iban_of_wrong_length_says_the_expected_length() -> None:
    with pytest.raises(InvalidIban, match="27 characters"):
        validate_iban("FR76425591000008002445617")


def test_iban_with_unknown_country_is_refused() -> None:
    with pytest.raises(InvalidIban, match="country code"):
        validate_iban("XX7642559100000800244561756")


def test_iban_with_punctuation_is_refused() -> None:
    with pytest.raises(InvalidIban, match="letters and digits"):
        validate_iban("FR76425591000008002445617@6")


def test_empty_iban_is_refused() -> None:
    with pytest.raises(InvalidIban, match="empty"):
        validate_iban("   ")


def test_french_iban_with_a_wrong_rib_key_is_refused_despite_iso_check_digits() -> None:
    # Same bank, branch and account as the reserve, RIB key 57 instead of 56.
    iban = _with_iso_check_digits("FR", "4255910000080024456175" + "7")
    with pytest.raises(InvalidIban, match="RIB key"):
        validate_iban(iban)


def test_valid_bic_in_8_or_11_characters() -> None:
    assert validate_bic("ccopfrpp") == "CCOPFRPP"
    assert validate_bic("CCOP FRPP XXX") == "CCOPFRPPXXX"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("CCOPFRP", "8 or 11"), ("CCOPXXPP", "country"), ("", "empty")],
)
def test_invalid_bic_says_what_to_fix(value: str, fragment: str) -> None:
    with pytest.raises(InvalidBic, match=fragment) as caught:
        validate_bic(value)
    assert caught.value.value == value


def test_validate_account_checks_iban_and_optional_bic() -> None:
    assert validate_account(RESERVE_IBAN, bic="CCOPFRPPXXX") == (RESERVE_IBAN, "CCOPFRPPXXX")
    assert validate_account(RESERVE_IBAN) == (RESERVE_IBAN, None)
    with pytest.raises(InvalidBic):
        validate_account(RESERVE_IBAN, bic="NOPE")


def test_every_bank_error_is_a_bank_file_error() -> None:
    for name in ("InvalidIban", "InvalidBic", "MalformedStatement", "InvalidPayout"):
        assert issubclass(getattr(bank, name), BankFileError)


def test_package_all_lists_every_public_name() -> None:
    public = {name for name in vars(bank) if not name.startswith("_")}
    modules = {"camt053", "csv_statement", "errors", "iban", "pain001", "statement"}
    assert set(bank.__all__) == public - modules
