"""The back-office's shared pieces: who may open its pages, and its sections.

The back-office is for the people who run the currency: the association's operators
and administrators, the exchange offices' operators and the auditor. Each page admits
those of its act's roles who work there (:func:`back_office_of`), so a member who types
a back-office address is refused as the API would refuse the act, and the act checks
everything else itself. An auditor opens every page that reads; every form that writes
is refused to them by its act.

The sections are listed once here (:data:`SECTIONS`), and the back-office's layout
(``web/back_office/layout.html``) draws its menu from them, showing each role only
the sections it may open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Depends

from api.web.rendering import templates
from api.web.session import PageContext
from monnaie_locale.acting import Act, Context
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.auth.roles import Role

__all__ = [
    "BACK_OFFICE",
    "SECTIONS",
    "Section",
    "back_office_of",
    "section_of",
    "sections_for",
]

# Who works in the back-office.
BACK_OFFICE = frozenset({Role.OFFICE_OPERATOR, Role.ASSOCIATION_OPERATOR, Role.AUDITOR, Role.ADMIN})
_ASSOCIATION = frozenset({Role.ASSOCIATION_OPERATOR, Role.AUDITOR, Role.ADMIN})


@dataclass(frozen=True)
class Section:
    """A part of the back-office: its address, its title's key and who sees it."""

    path: str
    title: str
    roles: frozenset[Role]


SECTIONS = (
    Section("/gestion", "bo_dashboard", _ASSOCIATION),
    Section("/gestion/comptes", "bo_accounts", _ASSOCIATION),
    Section("/gestion/utilisateurs", "bo_users", frozenset({Role.ADMIN})),
    Section("/gestion/utilisateurs/cles-api", "bo_api_keys", _ASSOCIATION),
    Section("/gestion/conversions", "bo_conversions", _ASSOCIATION),
    Section("/gestion/reconversions", "bo_reconversions", _ASSOCIATION),
    Section("/gestion/billets", "bo_notes", _ASSOCIATION),
    Section("/gestion/banque", "bo_bank", _ASSOCIATION),
    Section("/gestion/adhesions", "bo_membership", _ASSOCIATION),
    Section("/gestion/regles", "bo_rules", _ASSOCIATION),
    Section("/guichet", "bo_office", frozenset({Role.OFFICE_OPERATOR, *_ASSOCIATION})),
    Section("/audit", "bo_audit", _ASSOCIATION),
    # The towns' régies, which the association oversees (pages of api/web/regie_*.py).
    Section("/regie", "regie_mine_bo", _ASSOCIATION),
)


def section_of(path: str) -> Section | None:
    """The section a page at ``path`` is in: the one of the longest address it is under."""
    inside = [s for s in SECTIONS if path == s.path or path.startswith(s.path + "/")]
    return max(inside, key=lambda section: len(section.path), default=None)


def sections_for(role: str, path: str = "") -> tuple[tuple[Section, bool], ...]:
    """The sections ``role`` sees in the back-office's menu, each with whether the page at
    ``path`` is in it."""
    current = section_of(path)
    return tuple((section, section is current) for section in SECTIONS if role in section.roles)


def back_office_of(act: Act[Any, Any]) -> Any:
    """A page's context for ``act``: admitted are the back-office's people among its roles.

    As the API's :func:`api.deps.acting`: others are refused (403) before any field of
    the form is read; the act checks them again, and everything else, itself.
    """
    allowed = act.roles & BACK_OFFICE

    async def context(ctx: PageContext) -> Context:
        if ctx.actor.role not in allowed:
            raise RoleForbidden(str(ctx.actor.role))
        return ctx

    return Depends(context)


# The back-office's layout draws its menu with this (``web/bo_layout.html``).
templates.env.globals["back_office_sections"] = sections_for
