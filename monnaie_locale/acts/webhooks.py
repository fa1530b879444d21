"""A shop's webhook endpoints: where its own server is told of every payment and refund.

The shop's owner registers a public URL (the service generates the secret that signs the
deliveries, shown once), lists the shop's endpoints, disables one, and reads each one's
delivery log. The rules are in :mod:`monnaie_locale.checkout.webhooks` and
:mod:`monnaie_locale.checkout.delivery_log`; an endpoint of another shop is unknown, as a
missing one, so that ids cannot be probed.

================  ========================================================================
Act               Who may do it
================  ========================================================================
add_endpoint      a shop's owner, for the shop's account
list_endpoints    the same
disable_endpoint  the same
list_deliveries   the same
================  ========================================================================
"""

from __future__ import annotations

from monnaie_locale import checkout
from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import MERCHANT_OWNERS
from monnaie_locale.checkout import DestinationPolicy

__all__ = ["add_endpoint", "disable_endpoint", "list_deliveries", "list_endpoints"]


@act(*MERCHANT_OWNERS)
def add_endpoint(
    ctx: Context, account: str, url: str, *, destinations: DestinationPolicy
) -> checkout.WebhookEndpoint:
    """Register ``url`` for the events of the shop ``account``, with a new secret.

    The URL must point to the public internet, as ``destinations`` decides.
    """
    ctx.actor.check_move_from(account)
    # Before the transaction: the check may wait for DNS.
    checked = destinations.check_url(url)
    return ctx.write(
        lambda conn: checkout.add_endpoint(
            conn, merchant_account=account, url=checked, clock=ctx.clock
        )
    )


@act(*MERCHANT_OWNERS)
def list_endpoints(ctx: Context, account: str) -> list[checkout.WebhookEndpoint]:
    """The webhook endpoints of the shop ``account``, oldest first."""
    ctx.actor.check_move_from(account)
    return ctx.read(lambda conn: checkout.list_endpoints(conn, account))


@act(*MERCHANT_OWNERS)
def disable_endpoint(ctx: Context, endpoint_id: int, *, account: str) -> checkout.WebhookEndpoint:
    """Stop sending to an endpoint of the shop ``account``; what it had pending is dropped."""
    ctx.actor.check_move_from(account)
    return ctx.write(
        lambda conn: checkout.disable_endpoint(conn, endpoint_id, merchant_account=account)
    )


@act(*MERCHANT_OWNERS)
def list_deliveries(
    ctx: Context,
    endpoint_id: int,
    *,
    account: str,
    before_id: int | None = None,
    limit: int = 50,
) -> list[checkout.Delivery]:
    """Up to ``limit`` deliveries to an endpoint of the shop ``account``, newest first."""
    ctx.actor.check_move_from(account)
    return ctx.read(
        lambda conn: checkout.deliveries_of(
            conn, endpoint_id, merchant_account=account, before_id=before_id, limit=limit
        )
    )
