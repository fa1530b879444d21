"""The message catalogues: complete in both languages, in step with the source, compiled.

A key the source names but a catalogue lacks, a text left empty or fuzzy, a placeholder
one language forgets, a ``.mo`` older than its ``.po``: each fails here, so CI fails
before a user meets a raw key or a ``KeyError``.
"""

from __future__ import annotations

import gettext
import importlib
import io
import pkgutil
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import monnaie_locale
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.i18n import LANGUAGES, LOCALE_DIR, Messages
from monnaie_locale.i18n_extract import extract_keys
from monnaie_locale.model import AccountStatus

ROOT = Path(__file__).resolve().parents[2]
# The keywords `make catalogues` extracts with (BABEL_KEYWORDS in the Makefile).
KEYWORDS = {"messages": None}

# Core errors without an "error.<code>" entry: the CLI says "Refused: <message>" and the
# API keeps the error's own message. A code listed here that gains an entry fails the
# test below, so the list only shrinks.
FAMILY_ROOTS = {
    # Raised through their members, or with free text from the raiser.
    "error",
    "conflict",
    "not_found",
    "invalid_request",
    "forbidden",
    "bank_file_error",
    "payment_request_refused",
}
WORDED_BY_THE_RAISER = {
    # The message is a sentence the raiser composes (a reason, a rule), not fields.
    "weak_password",
    "operation_not_allowed",
    "invalid_notes",
    "invalid_payout",
    "invalid_payout_account",
    "invalid_iban",
    "invalid_bic",
    "malformed_statement",
    "statement_encoding",
    "schema_violation",
    "invalid_webhook_url",
    "webhook_destination_refused",
    "journal_broken",
}
PAYERS_READ_THE_PAGES = {
    # Refusals of the QR checkout: the payer reads them on the page (page.refusal.<code>).
    "amount_fixed",
    "amount_required",
    "credential_locked",
    "foreign_payment_request",
    "forged_payment_request",
    "invalid_credentials",
    "malformed_payment_request",
    "payee_unavailable",
    "payer_not_allowed",
    "payment_request_already_paid",
    "payment_request_cancelled",
    "payment_request_expired",
    "too_many_attempts",
    "unknown_payment_request",
    "unknown_signing_key",
}
FALLING_BACK = FAMILY_ROOTS | WORDED_BY_THE_RAISER | PAYERS_READ_THE_PAGES


def _po(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def _template() -> Catalog:
    with (LOCALE_DIR / "messages.pot").open("rb") as source:
        return read_po(source)


def _keys(catalog: Catalog) -> set[str]:
    return {message.id for message in catalog if message.id}


def _source_keys() -> dict[str, str]:
    """Every key the source names literally, with where it is named."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config, "babel.cfg")
    python = [(pattern, method) for pattern, method in method_map if pattern.endswith(".py")]
    return {
        key: f"{path}:{line}"
        for path, line, key, _, _ in extract_from_dir(ROOT, python, options_map, KEYWORDS)
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_text(language: str) -> None:
    untranslated = [
        message.id
        for message in _po(language)
        if message.id and (not message.string or message.fuzzy)
    ]
    assert untranslated == []


def test_both_languages_and_the_template_hold_the_same_keys() -> None:
    french, english, template = _keys(_po("fr")), _keys(_po("en")), _keys(_template())
    assert french - english == set() and english - french == set()
    assert template == french


def test_every_key_the_source_names_is_in_both_catalogues() -> None:
    used = _source_keys()
    assert "db.missing_file" in used  # the extraction sees the call sites
    for language in LANGUAGES:
        missing = {key: where for key, where in used.items() if not Messages(language).has(key)}
        assert missing == {}, language


def test_the_extraction_reads_literals_and_choices_between_them() -> None:
    source = b'run.messages("a.b", n=1)\nmessages("c" if x else "d")\nmessages(f"e.{x}")\n'
    found = [key for _, _, key, _ in extract_keys(io.BytesIO(source), ["messages"], [], {})]
    assert found == ["a.b", "c", "d"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_match_their_sources(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _po(language))
    compiled.seek(0)
    expected = vars(gettext.GNUTranslations(compiled))["_catalog"]
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.mo").open("rb") as committed:
        loaded = vars(gettext.GNUTranslations(committed))["_catalog"]
    stale = {key for key in expected.keys() | loaded.keys() if expected.get(key) != loaded.get(key)}
    assert stale == set(), "run `make catalogues`"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_each_translation_fills_the_same_fields() -> None:
    french = {message.id: message.string for message in _po("fr") if message.id}
    english = {message.id: message.string for message in _po("en") if message.id}
    differing = [key for key in french if _fields(french[key]) != _fields(english.get(key, ""))]
    assert differing == []


def _core_error_classes() -> list[type[MonnaieLocaleError]]:
    for module in pkgutil.walk_packages(monnaie_locale.__path__, "monnaie_locale."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[type[MonnaieLocaleError]] = []
    pending: list[type[MonnaieLocaleError]] = [MonnaieLocaleError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("monnaie_locale.")]


def test_every_core_error_has_its_words_or_is_listed_as_falling_back() -> None:
    codes = {cls.code for cls in _core_error_classes()}
    worded = {
        code for code in codes if all(Messages(lang).has(f"error.{code}") for lang in LANGUAGES)
    }
    assert codes - worded - FALLING_BACK == set(), "word them (error.<code>) or list them"
    assert worded & FALLING_BACK == set(), "worded now: take them off the list"
    assert FALLING_BACK - codes == set(), "no such error any more"


def test_every_account_status_has_its_words() -> None:
    for language in LANGUAGES:
        assert all(Messages(language).has(f"status.{status}") for status in AccountStatus)
