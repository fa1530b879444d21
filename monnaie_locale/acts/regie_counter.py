"""A régie's counter: preparing a sale the payer pays by QR, and reading its quittances.

Every payment into a régie's account gets a quittance in the transaction that posts it
(:mod:`monnaie_locale.authorities.collection`); a sale prepared here says what that
quittance will say, and which part of the price the payer paid in euros outside.

=================  ====================================================================
Act                Who may do it
=================  ====================================================================
prepare_sale       the régisseur or a mandataire of the régie; the association
sale_status        the same, and the auditor
list_quittances    the régie's régisseur and mandataires, the authority's finance and
                   comptable duties; the association and the auditor
get_quittance      the same
=================  ====================================================================

Authority people hold the role ``authority_agent``; their duty at the régie is checked
here, and refused as :class:`~monnaie_locale.authorities.errors.NotYourRegie`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import OPERATORS, Role
from monnaie_locale.authorities import duties, registry, sales
from monnaie_locale.authorities.quittance_errors import NoSigningKey
from monnaie_locale.authorities.quittances import Quittance
from monnaie_locale.authorities.sales import Sale, SaleStatus
from monnaie_locale.checkout.requests import issue_dynamic
from monnaie_locale.ledger.idempotency import claim_key, record_result

__all__ = ["Sale", "SaleStatus", "get_quittance", "list_quittances", "prepare_sale", "sale_status"]

COUNTER_ROLES = (Role.AUTHORITY_AGENT, *OPERATORS)
READER_ROLES = (Role.AUTHORITY_AGENT, Role.AUDITOR, *OPERATORS)
QUITTANCE_READERS = (*duties.COUNTER, *duties.FINANCE_READERS)


@act(*COUNTER_ROLES)
def prepare_sale(
    ctx: Context,
    regie: str,
    *,
    tariff_id: int | None = None,
    amount: int | None = None,
    object: str | None = None,
    euros: int = 0,
    euro_means: str | None = None,
    euro_reference: str | None = None,
    payer_name: str | None = None,
    key: str,
) -> Sale:
    """A sale at ``regie``'s counter, once per ``key``: a tariff of the régie, or an
    ``amount`` (the whole price, minor units) and its ``object``; ``euros`` of the price
    paid in euros outside (``euro_means`` card or cash, its ``euro_reference``), the rest
    by the QR of the payment request returned."""
    signing = ctx.signing
    if signing is None:
        raise NoSigningKey()
    scoped = "regie:sale:" + ctx.key(key)
    fingerprint = "|".join(
        str(v)
        for v in (regie, tariff_id, amount, object, euros, euro_means, euro_reference, payer_name)
    )

    def prepare(conn: Connection) -> Sale:
        at = registry.regie_by_code(conn, regie)
        duties.check_regie_duty(conn, ctx.actor, at, duties.COUNTER, reading=False)
        claim = claim_key(conn, scoped, fingerprint=fingerprint, now=ctx.clock())
        if not claim.fresh:
            return sales.sale_of(conn, at, claim.result_ref)
        price = sales.price_of(
            at,
            registry.tariffs_of(conn, at),
            tariff_id=tariff_id,
            amount=amount,
            object=object,
            euros=euros,
        )
        request = issue_dynamic(
            conn,
            merchant_account=at.account,
            amount=price.units,
            keyring=signing.keyring,
            deployment_id=signing.deployment_id,
            clock=ctx.clock,
        )
        sale = sales.record_sale(
            conn,
            at,
            request,
            price=price,
            payer_name=payer_name,
            euro_means=euro_means,
            euro_reference=euro_reference,
            by=ctx.actor.subject,
            now=ctx.clock(),
        )
        record_result(conn, scoped, request.request_id)
        return sale

    return ctx.write(prepare)


@act(*READER_ROLES)
def sale_status(ctx: Context, regie: str, request_id: str) -> SaleStatus:
    """Whether the sale ``request_id`` of ``regie`` is paid yet, and its quittance if so."""

    def read(conn: Connection) -> SaleStatus:
        at = registry.regie_by_code(conn, regie)
        duties.check_regie_duty(conn, ctx.actor, at, duties.COUNTER, reading=True)
        return sales.sale_status(conn, at, request_id, now=ctx.clock())

    return ctx.read(read)


@act(*READER_ROLES)
def list_quittances(
    ctx: Context, regie: str, *, start: date | None = None, end: date | None = None
) -> list[Quittance]:
    """The quittances ``regie`` gave from day ``start`` to day ``end`` included (the
    books' days), in their numbers' order."""

    def read(conn: Connection) -> list[Quittance]:
        at = registry.regie_by_code(conn, regie)
        duties.check_regie_duty(conn, ctx.actor, at, QUITTANCE_READERS, reading=True)
        return sales.quittances_between(conn, at, start=start, end=end, zone=ctx.deployment.zone)

    return ctx.read(read)


@act(*READER_ROLES)
def get_quittance(ctx: Context, regie: str, year: int, number: int) -> Quittance:
    """The quittance ``number`` of ``year`` of ``regie``, with its stored signature
    (:func:`~monnaie_locale.authorities.quittance_signing.signed_quittance` gives its
    signed form)."""

    def read(conn: Connection) -> Quittance:
        at = registry.regie_by_code(conn, regie)
        duties.check_regie_duty(conn, ctx.actor, at, QUITTANCE_READERS, reading=True)
        return sales.quittance_by_number(conn, at, year, number)

    return ctx.read(read)
