"""The counter over HTTP: the régisseur prepares a sale, the payer's phone pays its QR, the
counter sees it paid with quittance n° 1, and the signed quittance checks against the keys
the service publishes; who holds no duty at the régie gets 403 ``not_your_regie``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection

from monnaie_locale.auth import Role, issue_token
from monnaie_locale.authorities.quittance_signing import verify_quittance
from tests.api.conftest import World, settings, world  # noqa: F401  (fixtures)
from tests.authorities.town import POOL, POOL_ACCOUNT, set_up_town


def _headers(world: World, user_id: int, key: str | None = None) -> dict[str, str]:  # noqa: F811
    def issue(conn: Connection) -> str:
        return issue_token(conn, user_id, now=world.clock(), ttl=timedelta(hours=1)).token

    headers = {"Authorization": f"Bearer {world.database.write(issue)}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def test_a_sale_paid_by_qr_gives_a_signed_quittance(world: World) -> None:  # noqa: F811
    town = set_up_town(world.database, world.clock)
    regisseur = _headers(world, town.user_ids["regisseur"], key="sale-1")
    body = {
        "amount": "6.00",
        "object": "Leçon de natation",
        "euros": "2.00",
        "euro_means": "cash",
        "euro_reference": "CAISSE-12",
    }
    made = world.client.post(f"/v1/regies/{POOL}/sales", json=body, headers=regisseur)
    assert made.status_code == 201, made.text
    sale = made.json()
    assert (sale["units"], sale["euros"], sale["object"]) == ("4.00", "2.00", "Leçon de natation")
    again = world.client.post(f"/v1/regies/{POOL}/sales", json=body, headers=regisseur)
    assert again.json()["request_id"] == sale["request_id"]

    paid = world.client.post(
        "/v1/checkout/pay",
        json={"request": sale["url"]},
        headers={**world.auth(Role.MEMBER), "Idempotency-Key": "pay-1"},
    )
    assert paid.status_code in (200, 201), paid.text
    assert world.ledger.account(POOL_ACCOUNT).balance == 4_00

    status = world.client.get(
        f"/v1/regies/{POOL}/sales/{sale['request_id']}",
        headers=_headers(world, town.user_ids["mandataire"]),
    ).json()
    assert status["status"] == "paid"
    assert status["quittance"]["label"].endswith("-000001")
    assert (status["quittance"]["units"], status["quittance"]["euros"]) == ("4.00", "2.00")

    comptable = _headers(world, town.user_ids["comptable"])
    listed = world.client.get(f"/v1/regies/{POOL}/quittances", headers=comptable).json()
    assert [(q["number"], q["units"], q["signed"]) for q in listed] == [(1, "4.00", True)]
    year = listed[0]["year"]
    signed = world.client.get(f"/v1/regies/{POOL}/quittances/{year}/1", headers=comptable)
    assert signed.status_code == 200
    keys = world.client.get("/v1/checkout/keys").json()["keys"]
    fields = verify_quittance(signed.json(), keys=keys)
    assert (fields["units"], fields["euros"], fields["euro_reference"]) == (4_00, 2_00, "CAISSE-12")
    empty = world.client.get(
        f"/v1/regies/{POOL}/quittances", params={"from": "2099-01-01"}, headers=comptable
    )
    assert empty.json() == []


def test_who_holds_no_duty_at_the_regie_is_refused(world: World) -> None:  # noqa: F811
    town = set_up_town(world.database, world.clock)
    body = {"amount": "1.00", "object": "x"}
    for who in ("ordonnateur", "finances"):
        refused = world.client.post(
            f"/v1/regies/{POOL}/sales",
            json=body,
            headers=_headers(world, town.user_ids[who], key=f"k-{who}"),
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "not_your_regie"
    unknown = world.client.get(
        f"/v1/regies/{POOL}/quittances/2026/1",
        headers=_headers(world, town.user_ids["finances"]),
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_quittance"
