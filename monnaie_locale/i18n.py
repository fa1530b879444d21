"""The messages of every edge, in French by default and in English on request.

One gettext catalogue per language, ``locale/<lang>/LC_MESSAGES/messages.mo``, shared by
the CLI, the API's problem details and the payment pages. The msgids are stable keys
(``"db.missing_file"``, ``"error.insufficient_funds"``, ``"page.pay_title"``), never
English sentences: each language, English included, has its own text, and an error's
text is found from its ``code``. The texts are ``str.format`` templates filled by name.

The catalogues are edited as ``.po`` files and compiled with Babel (``make catalogues``);
at run time only the standard library's :mod:`gettext` reads the compiled ``.mo``, so
the command line starts without loading Babel. Tests check that both languages hold
every key the source names, with the same placeholders, and that the ``.mo`` files
match the ``.po`` files.

The language: the CLI's ``--lang``, else ``MLC_LANG``, else ``LANG``
(:func:`language_from`); a page's or a request's ``?lang=``, else its
``Accept-Language`` (:func:`choose_language`). French when nothing says otherwise.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.money import format_amount

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALE_DIR",
    "Language",
    "Messages",
    "choose_language",
    "describe",
    "language_from",
    "preferred_language",
]

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
DEFAULT_LANGUAGE: Language = "fr"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@functools.cache
def _catalogue(language: Language) -> Mapping[str, str]:
    """Every text of ``language`` by key, read once from its compiled catalogue."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    # gettext() cannot tell a missing key from a text equal to its key, nor list keys;
    # the parsed table can. The empty msgid is the catalogue's header.
    table: dict[str, str] = vars(translations)["_catalog"]
    return {key: text for key, text in table.items() if key}


@dataclass(frozen=True, slots=True)
class Messages:
    """The catalogue in one language: ``messages("db.migrated", url=...)``."""

    lang: Language

    def __call__(self, key: str, /, **fields: object) -> str:
        """The text of ``key`` filled from ``fields``; a :class:`KeyError` if there is none."""
        return _catalogue(self.lang)[key].format(**fields)

    def has(self, key: str) -> bool:
        return key in _catalogue(self.lang)

    def keys(self, prefix: str) -> list[str]:
        """The keys that start with ``prefix``, for an edge that hands a family on whole."""
        return [key for key in _catalogue(self.lang) if key.startswith(prefix)]

    @property
    def decimal_separator(self) -> str:
        return "," if self.lang == "fr" else "."


def describe(
    error: MonnaieLocaleError, messages: Messages, *, prefixes: tuple[str, ...], **run: object
) -> str | None:
    """The error in ``messages``' language, from its code and fields; None if no entry.

    The first of ``prefixes`` + ``error.code`` in the catalogue is taken, so an edge may
    word an error its own way (``"api.error."``) and share the rest (``"error."``).
    The error's amounts (its ``amount_fields``) are written in the language's decimals,
    a status (of an account, of a hold) in its words.
    ``run`` gives what the error cannot know and the message may name, such as the
    database's ``url`` (without its password).
    """
    key = next((p + error.code for p in prefixes if messages.has(p + error.code)), None)
    if key is None:
        return None
    fields: dict[str, Any] = {**run, **vars(error)}
    for name in error.amount_fields:
        if isinstance(fields.get(name), int):
            fields[name] = format_amount(fields[name], decimal_separator=messages.decimal_separator)
    if "status" in fields and messages.has(f"status.{fields['status']}"):
        fields["status"] = messages(f"status.{fields['status']}")
    return messages(key, **fields)


def language_from(option: str | None, environ: Mapping[str, str]) -> Language:
    """The CLI run's language: the option if given, else MLC_LANG, else LANG, else French."""
    for candidate in (option, environ.get("MLC_LANG"), environ.get("LANG")):
        if candidate:
            return "en" if candidate.lower().startswith("en") else "fr"
    return DEFAULT_LANGUAGE


def choose_language(*, query: str | None, accept_language: str | None) -> Language:
    """``?lang=`` first, then the browser's preference between French and English."""
    if query in LANGUAGES:
        return query
    return preferred_language(accept_language) or DEFAULT_LANGUAGE


def preferred_language(accept_language: str | None) -> Language | None:
    """The language an ``Accept-Language`` header prefers of ours; None if it names none."""
    best: tuple[float, Language | None] = (0.0, None)
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower()[:2]
        if language not in LANGUAGES:
            continue
        weight = _weight(params)
        if weight > best[0]:
            best = (weight, language)
    return best[1]


def _weight(params: str) -> float:
    name, _, value = params.strip().partition("=")
    if name.strip() != "q":
        return 1.0
    try:
        return float(value)
    except ValueError:
        return 0.0
