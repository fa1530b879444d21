"""The words of the payment pages, in French by default and in English on request.

A page speaks English when the query says ``?lang=en``, or else when the browser's
``Accept-Language`` prefers English to French; otherwise French, the language of the
people these pages serve. The texts are the catalogue's ``page.`` keys
(:mod:`monnaie_locale.i18n`). Refusals are its ``page.refusal.`` keys, named by the
stable error ``code`` of the API's problem documents, so the page and the API say the
same thing in the reader's language; an unknown code falls back to a general message,
never to raw text from elsewhere. French texts get their non-breaking spaces on the way
out (:mod:`api.typography`).
"""

from __future__ import annotations

from api.typography import typeset
from monnaie_locale.i18n import LANGUAGES, Language, Messages, choose_language

__all__ = ["LANGUAGES", "Language", "choose_language", "refusal", "refusals", "texts"]

_TEXT = "page."
_REFUSAL = "page.refusal."


def texts(language: Language) -> dict[str, str]:
    """Every page text in ``language``, by key (``pay_title`` for ``page.pay_title``)."""
    return _family(_TEXT, language)


def refusal(code: str, language: Language) -> str:
    """What a page says for the error ``code``; a general refusal for an unknown code."""
    messages = Messages(language)
    key = _REFUSAL + code if messages.has(_REFUSAL + code) else _REFUSAL + "generic"
    return typeset(messages(key), language)


def refusals(language: Language) -> dict[str, str]:
    """Every refusal message in ``language``, by error code, for the pages' scripts."""
    return _family(_REFUSAL, language)


def _family(prefix: str, language: Language) -> dict[str, str]:
    messages = Messages(language)
    return {
        key.removeprefix(prefix): typeset(messages(key), language)
        for key in messages.keys(prefix)
        if prefix != _TEXT or not key.startswith(_REFUSAL)
    }
