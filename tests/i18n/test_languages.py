"""Which language a run, a page or a request speaks: French unless told otherwise."""

from __future__ import annotations

import pytest

from monnaie_locale.i18n import Messages, choose_language, language_from, preferred_language


@pytest.mark.parametrize(
    ("option", "environ", "expected"),
    [
        ("en", {"MLC_LANG": "fr"}, "en"),
        (None, {"MLC_LANG": "en", "LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"LANG": "en_GB.UTF-8"}, "en"),
        (None, {"LANG": "C.UTF-8"}, "fr"),
        (None, {}, "fr"),
    ],
)
def test_the_language_comes_from_option_then_mlc_lang_then_lang(
    option: str | None, environ: dict[str, str], expected: str
) -> None:
    assert language_from(option, environ) == expected


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("en", "fr", "en"),
        ("de", "en-GB,en;q=0.9,fr;q=0.5", "en"),
        (None, "fr-FR,en;q=0.5", "fr"),
        (None, "de-DE", "fr"),
        (None, None, "fr"),
    ],
)
def test_a_page_speaks_the_query_then_the_preferred_language_then_french(
    query: str | None, accept: str | None, expected: str
) -> None:
    assert choose_language(query=query, accept_language=accept) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("en;q=0.2, fr;q=0.8", "fr"), ("en-US", "en"), ("de, *", None), (None, None), ("", None)],
)
def test_the_preferred_language_is_none_when_the_header_names_neither(
    accept: str | None, expected: str | None
) -> None:
    assert preferred_language(accept) == expected


def test_amounts_are_written_with_the_language_s_decimal_separator() -> None:
    assert Messages("fr").decimal_separator == ","
    assert Messages("en").decimal_separator == "."


def test_a_missing_key_is_an_error_not_a_raw_key_on_screen() -> None:
    with pytest.raises(KeyError):
        Messages("fr")("no.such.key")
