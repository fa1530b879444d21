"""What the currency-operation routes share: the deployment's rules, who acts for what,
and the idempotency key of a settlement.

The :class:`~monnaie_locale.deployment.Deployment` is built from the settings by
:func:`deployment_from_settings`, once, when the application is made (a bad rule stops
the start), and handed to the routes through :data:`DeploymentDep`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Connection

from api.routers.checks import scoped_key
from monnaie_locale.auth import Principal
from monnaie_locale.auth.errors import NotYourAccount
from monnaie_locale.auth.roles import HOLDERS, OFFICE_STAFF, OPERATORS, REPORT_READERS
from monnaie_locale.clock import Clock
from monnaie_locale.deployment import Deployment, office_notes, office_till
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.ledger.idempotency import claim_key

__all__ = [
    "HOLDERS",
    "OFFICE_STAFF",
    "OPERATORS",
    "RECONVERTERS",
    "REPORT_READERS",
    "DeploymentDep",
    "check_office",
    "deployment_from_settings",
    "keyed",
]

T = TypeVar("T")

# Units go back to euros for businesses and authorities (members if the deployment says so,
# which the core decides).
RECONVERTERS = HOLDERS


def _deployment(request: Request) -> Deployment:
    deployment: Deployment = request.app.state.deployment
    return deployment


DeploymentDep = Annotated[Deployment, Depends(_deployment)]


def check_office(principal: Principal, office: str) -> None:
    """An office operator acts for the offices whose till or note stock they hold;
    the association's operators and administrators act for every office."""
    if principal.moves_any_account:
        return
    if not {office_till(office), office_notes(office)} & principal.accounts:
        raise NotYourAccount(office_till(office))


def keyed(
    principal: Principal,
    key: str,
    request: str,
    work: Callable[[Connection], T],
    *,
    clock: Clock,
) -> Callable[[Connection], T]:
    """``work``, a settlement, run under the caller's idempotency key for ``request``.

    A settlement (crediting an order, booking a payout or a deposit the bank made,
    importing a statement) is retry-safe by the bank's own reference: done again, it finds
    itself done and moves nothing. The key adds what every money-moving call promises: a
    retry with the same key and request runs ``work`` again and gets the same record, and
    the same key with another request is refused (409) before anything moves.
    """

    def run(conn: Connection) -> T:
        claim_key(conn, scoped_key(principal, key), fingerprint=f"settle|{request}", now=clock())
        return work(conn)

    return run
