"""The QR checkout's acts, and the webhook endpoints', on both engines.

Each act refuses who may not do it (the wrong role, or a cashier or owner of another
shop) before anything is written, with the same error code the API route answers; the
acts that pass keep the checkout's rules: keys scoped per actor, the cashier's daily
refund limit, the shop woken once a payment commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, Table, func, select

from api.checkout_runtime import CheckoutRuntime
from monnaie_locale.acting import Context
from monnaie_locale.acts import checkout, webhooks
from monnaie_locale.auth import Principal, Role, create_user, issue_token, link_account
from monnaie_locale.auth.credentials import resolve_credential
from monnaie_locale.checkout.destinations import DestinationPolicy
from monnaie_locale.checkout.errors import RefundLimitExceeded
from monnaie_locale.errors import IdempotencyConflict, InvalidRequest, MonnaieLocaleError
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.store.tables_checkout import (
    cashier_refund_days,
    checkout_events,
    checkout_payments,
    checkout_refunds,
    payment_requests,
    webhook_deliveries,
    webhook_endpoints,
)
from tests.api.conftest import (  # noqa: F401  (fixtures)
    PASSWORD,
    USERS,
    World,
    settings,
    world,
)
from tests.support import Snapshot, snapshot

# Every name resolves to one of example.org's public addresses: no DNS in the tests.
PUBLIC = DestinationPolicy(resolve=lambda host, port: ["93.184.215.14"])


@dataclass(frozen=True)
class Person:
    """Someone who acts: their context for the acts, their headers for the API."""

    ctx: Context
    headers: dict[str, str]


@dataclass(frozen=True)
class Till:
    """The bakery's checkout with an open request, a payment and a webhook endpoint."""

    world: World
    services: CheckoutRuntime
    people: dict[str, Person]
    request_id: str
    token: str
    payment_id: int
    endpoint_id: int

    def __getitem__(self, name: str) -> Person:
        return self.people[name]


def _person(world: World, token: str) -> Person:  # noqa: F811
    state = world.client.app.state  # type: ignore[attr-defined]

    def resolve(conn: Connection) -> Principal | None:
        return resolve_credential(conn, token, now=world.clock())

    principal = world.database.read(resolve)
    assert principal is not None
    ctx = Context(
        database=world.database, actor=principal, deployment=state.deployment, clock=world.clock
    )
    return Person(ctx=ctx, headers={"Authorization": f"Bearer {token}"})


def _open_cafe(world: World) -> dict[str, str]:  # noqa: F811
    """Another shop, cafe, with its owner and its cashier; their tokens by name."""

    def open_it(conn: Connection) -> dict[str, str]:
        open_account(conn, "cafe", kind=AccountKind.BUSINESS, currency="MLC", now=world.clock())
        tokens = {}
        for name, role in (
            ("cafe-owner", Role.MERCHANT_OWNER),
            ("cafe-till", Role.MERCHANT_CASHIER),
        ):
            user = create_user(conn, name, password=PASSWORD, role=role, now=world.clock())
            link_account(conn, user.id, account_code="cafe")
            tokens[name] = issue_token(
                conn, user.id, now=world.clock(), ttl=timedelta(hours=1)
            ).token
        return tokens

    return world.database.write(open_it)


@pytest.fixture
def till(world: World) -> Till:  # noqa: F811
    people = {str(role): _person(world, token) for role, token in world.tokens.items()}
    people["bob"] = _person(world, world.bob_token)
    people |= {name: _person(world, token) for name, token in _open_cafe(world).items()}
    services: CheckoutRuntime = world.client.app.state.checkout  # type: ignore[attr-defined]
    owner, member = people[Role.MERCHANT_OWNER], people[Role.MEMBER]
    paid = checkout.issue_request(owner.ctx, "bakery", 20_00, key="sale-1", services=services)
    payment = checkout.pay(member.ctx, paid.token, key="pay-1", services=services)
    issued = checkout.issue_request(owner.ctx, "bakery", 5_00, key="sale-2", services=services)
    endpoint = webhooks.add_endpoint(
        owner.ctx, "bakery", "https://shop.example/hooks", destinations=PUBLIC
    )
    return Till(
        world=world,
        services=services,
        people=people,
        request_id=issued.request_id,
        token=issued.token,
        payment_id=payment.id,
        endpoint_id=endpoint.id,
    )


# What a refused call must leave as it was ------------------------------------------------


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _checkout_state(conn: Connection) -> tuple[Any, ...]:
    def rows(*columns: Any) -> tuple[tuple[Any, ...], ...]:
        return tuple(tuple(row) for row in conn.execute(select(*columns).order_by(*columns)))

    return (
        rows(payment_requests.c.request_id, payment_requests.c.status),
        rows(checkout_payments.c.id, checkout_payments.c.refunded),
        rows(webhook_endpoints.c.id, webhook_endpoints.c.status),
        rows(cashier_refund_days.c.subject, cashier_refund_days.c.refunded),
        _count(conn, checkout_refunds),
        _count(conn, checkout_events),
        _count(conn, webhook_deliveries),
    )


def _state(till: Till) -> tuple[Snapshot, tuple[Any, ...]]:
    # On PostgreSQL the service's sealer numbers committed transactions a moment later:
    # seal them all first, so that only what a call did can differ.
    till.world.ledger.seal_journal()
    database = till.world.database
    return snapshot(database), database.read(_checkout_state)


# The refusals, act by act ---------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """An actor refused an act, and the same actor refused the act's route."""

    actor: str
    act: Callable[[Till, Context], object]
    route: Callable[[Till], tuple[str, str, dict[str, Any] | None]]  # method, url, body
    code: str
    status: int


OWNER, CASHIER, MEMBER = str(Role.MERCHANT_OWNER), str(Role.MERCHANT_CASHIER), str(Role.MEMBER)
AUDITOR = str(Role.AUDITOR)


def _issue(t: Till, ctx: Context) -> object:
    return checkout.issue_request(ctx, "bakery", 3_00, key="k", services=t.services)


def _static(t: Till, ctx: Context) -> object:
    return checkout.issue_static_code(ctx, "bakery", key="k", services=t.services)


def _pay(t: Till, ctx: Context) -> object:
    return checkout.pay(ctx, t.token, key="k", services=t.services, payer="alice")


def _pay_async(t: Till, ctx: Context) -> object:
    return asyncio.run(
        checkout.pay_async(ctx, t.token, key="k", services=t.services, payer="alice")
    )


def _refund(t: Till, ctx: Context) -> object:
    return checkout.refund(ctx, t.payment_id, 1_00, key="k", services=t.services)


def _follow(t: Till, ctx: Context) -> object:
    return checkout.follow_feed(ctx, "bakery", services=t.services)


def _add_endpoint(t: Till, ctx: Context) -> object:
    return webhooks.add_endpoint(ctx, "bakery", "https://x.example/h", destinations=PUBLIC)


REFUSALS = {
    "issue_request by a member": Refusal(
        MEMBER,
        _issue,
        lambda t: ("POST", "/v1/checkout/requests", {"account": "bakery", "amount": "3.00"}),
        "role_forbidden",
        403,
    ),
    "issue_request by another shop's cashier": Refusal(
        "cafe-till",
        _issue,
        lambda t: ("POST", "/v1/checkout/requests", {"account": "bakery", "amount": "3.00"}),
        "not_your_account",
        403,
    ),
    "issue_static_code by a cashier": Refusal(
        CASHIER,
        _static,
        lambda t: ("POST", "/v1/checkout/static-codes", {"account": "bakery"}),
        "role_forbidden",
        403,
    ),
    "issue_static_code by another shop's owner": Refusal(
        "cafe-owner",
        _static,
        lambda t: ("POST", "/v1/checkout/static-codes", {"account": "bakery"}),
        "not_your_account",
        403,
    ),
    "get_request by another shop's cashier": Refusal(
        "cafe-till",
        lambda t, ctx: checkout.get_request(ctx, t.request_id),
        lambda t: ("GET", f"/v1/checkout/requests/{t.request_id}", None),
        "unknown_payment_request",
        404,
    ),
    "get_static_code by a member": Refusal(
        MEMBER,
        lambda t, ctx: checkout.get_static_code(ctx, t.request_id),
        lambda t: ("GET", f"/v1/checkout/requests/{t.request_id}/sheet.svg", None),
        "role_forbidden",
        403,
    ),
    "cancel_request by another shop's cashier": Refusal(
        "cafe-till",
        lambda t, ctx: checkout.cancel_request(ctx, t.request_id),
        lambda t: ("POST", f"/v1/checkout/requests/{t.request_id}/cancel", None),
        "unknown_payment_request",
        404,
    ),
    "cancel_request by an auditor": Refusal(
        AUDITOR,
        lambda t, ctx: checkout.cancel_request(ctx, t.request_id),
        lambda t: ("POST", f"/v1/checkout/requests/{t.request_id}/cancel", None),
        "role_forbidden",
        403,
    ),
    "pay by a cashier": Refusal(
        CASHIER,
        _pay,
        lambda t: ("POST", "/v1/checkout/pay", {"request": t.token, "payer": "alice"}),
        "role_forbidden",
        403,
    ),
    "pay from another member's account": Refusal(
        "bob",
        _pay,
        lambda t: ("POST", "/v1/checkout/pay", {"request": t.token, "payer": "alice"}),
        "not_your_account",
        403,
    ),
    "pay_async from another member's account": Refusal(
        "bob",
        _pay_async,
        lambda t: ("POST", "/v1/checkout/pay", {"request": t.token, "payer": "alice"}),
        "not_your_account",
        403,
    ),
    "get_payment by another shop's cashier": Refusal(
        "cafe-till",
        lambda t, ctx: checkout.get_payment(ctx, t.payment_id),
        lambda t: ("GET", f"/v1/checkout/payments/{t.payment_id}", None),
        "unknown_payment",
        404,
    ),
    "refund by another shop's cashier": Refusal(
        "cafe-till",
        _refund,
        lambda t: ("POST", f"/v1/checkout/payments/{t.payment_id}/refunds", {"amount": "1.00"}),
        "unknown_payment",
        404,
    ),
    "refund by the member who paid": Refusal(
        MEMBER,
        _refund,
        lambda t: ("POST", f"/v1/checkout/payments/{t.payment_id}/refunds", {"amount": "1.00"}),
        "role_forbidden",
        403,
    ),
    "list_payments by a member": Refusal(
        MEMBER,
        lambda t, ctx: checkout.list_payments(ctx, "bakery"),
        lambda t: ("GET", "/v1/checkout/payments?account=bakery", None),
        "not_your_account",
        403,
    ),
    "list_requests by another shop's owner": Refusal(
        "cafe-owner",
        lambda t, ctx: checkout.list_requests(ctx, "bakery"),
        lambda t: ("GET", "/v1/checkout/requests?account=bakery", None),
        "not_your_account",
        403,
    ),
    "feed_head by another shop's cashier": Refusal(
        "cafe-till",
        lambda t, ctx: checkout.feed_head(ctx, "bakery"),
        lambda t: ("POST", "/v1/checkout/events/tickets", {"account": "bakery"}),
        "not_your_account",
        403,
    ),
    "follow_feed by another shop's cashier": Refusal(
        "cafe-till",
        _follow,
        lambda t: ("GET", "/v1/checkout/events?account=bakery", None),
        "not_your_account",
        403,
    ),
    "follow_feed by an auditor": Refusal(
        AUDITOR,
        _follow,
        lambda t: ("GET", "/v1/checkout/events?account=bakery", None),
        "role_forbidden",
        403,
    ),
    "add_endpoint by a cashier": Refusal(
        CASHIER,
        _add_endpoint,
        lambda t: (
            "POST",
            "/v1/checkout/webhooks",
            {"account": "bakery", "url": "https://x.example/h"},
        ),
        "role_forbidden",
        403,
    ),
    "add_endpoint by another shop's owner": Refusal(
        "cafe-owner",
        _add_endpoint,
        lambda t: (
            "POST",
            "/v1/checkout/webhooks",
            {"account": "bakery", "url": "https://x.example/h"},
        ),
        "not_your_account",
        403,
    ),
    "list_endpoints by another shop's owner": Refusal(
        "cafe-owner",
        lambda t, ctx: webhooks.list_endpoints(ctx, "bakery"),
        lambda t: ("GET", "/v1/checkout/webhooks?account=bakery", None),
        "not_your_account",
        403,
    ),
    "disable_endpoint by a cashier": Refusal(
        CASHIER,
        lambda t, ctx: webhooks.disable_endpoint(ctx, t.endpoint_id, account="bakery"),
        lambda t: ("DELETE", f"/v1/checkout/webhooks/{t.endpoint_id}?account=bakery", None),
        "role_forbidden",
        403,
    ),
    "disable_endpoint by another shop's owner": Refusal(
        "cafe-owner",
        lambda t, ctx: webhooks.disable_endpoint(ctx, t.endpoint_id, account="bakery"),
        lambda t: ("DELETE", f"/v1/checkout/webhooks/{t.endpoint_id}?account=bakery", None),
        "not_your_account",
        403,
    ),
    "disable_endpoint of bakery named as the other shop's": Refusal(
        "cafe-owner",
        lambda t, ctx: webhooks.disable_endpoint(ctx, t.endpoint_id, account="cafe"),
        lambda t: ("DELETE", f"/v1/checkout/webhooks/{t.endpoint_id}?account=cafe", None),
        "unknown_webhook_endpoint",
        404,
    ),
    "list_deliveries by another shop's owner": Refusal(
        "cafe-owner",
        lambda t, ctx: webhooks.list_deliveries(ctx, t.endpoint_id, account="bakery"),
        lambda t: ("GET", f"/v1/checkout/webhooks/{t.endpoint_id}/deliveries?account=bakery", None),
        "not_your_account",
        403,
    ),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_actor_changes_nothing_and_gets_the_routes_code(
    till: Till, case: Refusal
) -> None:
    person = till[case.actor]
    before = _state(till)

    with pytest.raises(MonnaieLocaleError) as refused:
        case.act(till, person.ctx)
    assert refused.value.code == case.code
    assert _state(till) == before

    method, url, body = case.route(till)
    headers = {**person.headers, "Idempotency-Key": "k"}
    response: httpx.Response = till.world.client.request(method, url, headers=headers, json=body)
    assert (response.status_code, response.json()["code"]) == (case.status, case.code)
    assert _state(till) == before


def test_every_act_of_the_checkout_is_refused_somewhere_above() -> None:
    named = {name.split()[0] for name in REFUSALS}
    acts = {name for name in checkout.__all__ + webhooks.__all__ if name[0].islower()}
    assert acts - named == {"preview"}  # the page behind a QR: no actor to refuse


# What the acts that pass keep ------------------------------------------------------------


def test_an_issue_retried_with_its_key_gets_the_first_request_and_another_sale_is_refused(
    till: Till,
) -> None:
    owner = till[OWNER].ctx
    first = checkout.issue_request(owner, "bakery", 7_00, key="again", services=till.services)
    retried = checkout.issue_request(owner, "bakery", 7_00, key="again", services=till.services)
    assert retried.request_id == first.request_id

    before = _state(till)
    with pytest.raises(IdempotencyConflict):
        checkout.issue_request(owner, "bakery", 8_00, key="again", services=till.services)
    assert _state(till) == before


def test_a_key_is_the_actors_own_another_actor_with_it_issues_anew(till: Till) -> None:
    by_owner = checkout.issue_request(
        till[OWNER].ctx, "bakery", 7_00, key="shared", services=till.services
    )
    by_cashier = checkout.issue_request(
        till[CASHIER].ctx, "bakery", 7_00, key="shared", services=till.services
    )
    assert by_cashier.request_id != by_owner.request_id


def test_a_member_pays_from_the_only_account_they_hold_and_the_shop_is_woken(
    till: Till,
) -> None:
    with till.services.notifier.subscribe(till.world.ledger.account("bakery").id) as woken:
        payment = asyncio.run(
            checkout.pay_async(till[MEMBER].ctx, till.token, key="mine", services=till.services)
        )
        # On PostgreSQL the sealer's NOTIFY wakes the pages, once the payment is sealed.
        if till.world.database.is_sqlite:
            assert woken.wait(timeout=0)

    assert (payment.payer_account, payment.amount) == ("alice", 5_00)
    seen = checkout.get_payment(till[CASHIER].ctx, payment.id)
    assert seen.merchant_account == "bakery"
    listed = checkout.list_payments(till[AUDITOR].ctx, "bakery")
    assert [line.id for line in listed] == [payment.id, till.payment_id]


def test_a_cashier_refunds_within_the_daily_limit_and_the_owner_above_it(
    till: Till,
) -> None:
    limit = till.services.cashier_refund_limit
    big = checkout.issue_request(
        till[OWNER].ctx, "bakery", limit + 10_00, key="big", services=till.services
    )
    payment = checkout.pay(till[MEMBER].ctx, big.token, key="big", services=till.services)
    cashier = till[CASHIER].ctx

    before = _state(till)
    with pytest.raises(RefundLimitExceeded):
        checkout.refund(cashier, payment.id, limit + 1, key="r1", services=till.services)
    assert _state(till) == before

    checkout.refund(cashier, payment.id, limit, key="r2", services=till.services)
    booked = checkout.refund(till[OWNER].ctx, payment.id, 10_00, key="r3", services=till.services)
    assert checkout.get_payment(till[OWNER].ctx, payment.id).refunded == limit + 10_00
    assert booked.amount == 10_00


def test_the_sheet_is_only_for_counter_codes(till: Till) -> None:
    owner = till[OWNER].ctx
    with pytest.raises(InvalidRequest):
        checkout.get_static_code(owner, till.request_id)
    code = checkout.issue_static_code(owner, "bakery", key="counter", services=till.services)
    assert checkout.get_static_code(till[CASHIER].ctx, code.request_id).kind is code.kind


def test_the_owner_disables_an_endpoint_and_reads_its_log(till: Till) -> None:
    owner = till[OWNER].ctx
    disabled = webhooks.disable_endpoint(owner, till.endpoint_id, account="bakery")
    assert disabled.status == "disabled"
    assert [e.status for e in webhooks.list_endpoints(owner, "bakery")] == ["disabled"]
    # The payment of the fixture was booked before the endpoint existed: nothing was sent.
    assert webhooks.list_deliveries(owner, till.endpoint_id, account="bakery") == []


def test_the_roles_of_the_acts_are_those_the_routes_admit() -> None:
    staff = frozenset({Role.MERCHANT_OWNER, Role.MERCHANT_CASHIER})
    assert checkout.issue_request.roles == staff
    assert checkout.refund.roles == staff
    assert checkout.issue_static_code.roles == {Role.MERCHANT_OWNER}
    assert webhooks.add_endpoint.roles == {Role.MERCHANT_OWNER}
    assert Role.MERCHANT_CASHIER not in checkout.pay_async.roles
    assert checkout.list_payments.roles == frozenset(Role)
    assert set(USERS) == set(Role)
