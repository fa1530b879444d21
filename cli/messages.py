"""The command line's messages: the core catalogue, in the run's language.

The texts live in the gettext catalogues of :mod:`monnaie_locale.i18n`, shared with the
API and the pages. French is the default: the people who run a local currency in France
are the first users. The language comes from ``--lang``, else ``MLC_LANG``, else
``LANG`` (English when it starts with ``en``).
"""

from __future__ import annotations

from monnaie_locale.i18n import LANGUAGES, Messages, language_from

__all__ = ["LANGUAGES", "Messages", "language_from"]
