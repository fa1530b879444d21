"""The régisseur's web space: its people, its sections, and the list of one's régies.

A town's régisseur, the mandataires who collect at the counter on their behalf and the
finance officer who reads every régie of the town work here, on a phone or the counter's
tablet. Each page admits the régies' people among the roles of the act it calls
(:func:`regie_people_of`), as the API admits an act's roles; the act then checks the
person's duty at the régie (403 ``not_your_regie``) and everything else.

Every page of one régie shows the same sections (:data:`SECTIONS`), drawn by the space's
layout (``web/regie_layout.html``).

=========================  ==============================================================
Page                       Who may open it
=========================  ==============================================================
``GET /regie``             the authorities' agents (the régies their duties reach: the
                           finance officer sees the whole town's), the association's
                           people (every régie): each with "Versement à faire" when due
=========================  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from api.web.fields import euros_of
from api.web.rendering import PageRoute, render, templates
from api.web.session import PageContext
from monnaie_locale.acting import Act, Context
from monnaie_locale.acts import authorities, regie_desk, versements
from monnaie_locale.auth.errors import RoleForbidden

__all__ = ["SECTIONS", "RegieCode", "regie_page", "regie_people_of", "router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

RegieCode = Annotated[str, Path(max_length=60, pattern=r"^[A-Za-z0-9_.-]{1,60}$")]


@dataclass(frozen=True)
class Section:
    """A page of one régie: its address under ``/regie/{code}`` and its title's key."""

    path: str
    title: str


SECTIONS = (
    Section("guichet", "regie_counter"),
    Section("quittances", "regie_quittances"),
    Section("versement", "regie_versement"),
    Section("releves", "regie_statements"),
)


def regie_people_of(act: Act[Any, Any]) -> Any:
    """A page's context for ``act``: admitted are the régies' people among its roles.

    Others are refused (403 ``role_forbidden``) before any field of a form is read; the
    act checks them again, and their duty at the régie, itself.
    """
    allowed = act.roles & frozenset(regie_desk.REGIE_PEOPLE)

    async def context(ctx: PageContext) -> Context:
        if ctx.actor.role not in allowed:
            raise RoleForbidden(str(ctx.actor.role))
        return ctx

    return Depends(context)


def regie_page(
    request: Request, ctx: Context, template: str, regie: Any, context: dict[str, Any]
) -> Response:
    """``template`` for ``regie``, with the forms the actor's duties let them use."""
    return render(
        request,
        template,
        {
            **context,
            "regie": regie,
            "rights": regie_desk.desk_rights(ctx, regie.code),
            "euros": euros_of(request),
        },
        user=ctx.actor,
    )


@router.get("/regie", response_class=Response)
def my_regies(
    request: Request, ctx: Annotated[Context, regie_people_of(authorities.my_regies)]
) -> Response:
    found = authorities.my_regies(ctx)
    # One line per régie, with what its versement stands at: due, and why, or not yet.
    rows = [(regie, versements.versement_due(ctx, regie.code)) for regie in found]
    return render(request, "web/regie_home.html", {"rows": rows}, user=ctx.actor)


# The layout draws the sections of the régie a page is about.
templates.env.globals["regie_sections"] = SECTIONS
