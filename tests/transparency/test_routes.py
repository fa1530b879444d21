"""The published log over HTTP: notes that verify with the published keys, proofs that verify
against them, the export, the alarms, and who may ask what.

On both engines, through the application as a client meets it. Every proof is checked
with :mod:`monnaie_locale.verify` alone, from the answers' bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.payments.keys import SigningKey
from monnaie_locale.transparency import cosignatures
from monnaie_locale.verify.checkpoint import Checkpoint, parse_checkpoint
from monnaie_locale.verify.merkle import leaf_hash, verify_consistency, verify_inclusion
from monnaie_locale.verify.note import COSIGNATURE, NoteKey, cosign, open_note
from tests.api.conftest import World
from tests.api.helpers import assert_problem, refused
from tests.store.forgery import append_entry, forge_transfer

ORIGIN = "localhost/monnaie-locale"


def keys(world: World) -> list[NoteKey]:
    answer = world.client.get("/v1/transparency/keys")
    assert answer.status_code == 200
    body = answer.json()
    assert body["origin"] == ORIGIN
    return [NoteKey.from_vkey(vkey) for vkey in body["vkeys"]]


def make(world: World) -> dict[str, Any]:
    answer = world.client.post(
        "/v1/transparency/checkpoints", headers=world.auth(Role.ASSOCIATION_OPERATOR)
    )
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


def latest(world: World) -> Checkpoint:
    answer = world.client.get("/v1/transparency/checkpoint")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    signed, _ = open_note(answer.text, keys(world))
    return parse_checkpoint(signed.text)


def pay(world: World, count: int, *, payer: str = "alice") -> None:
    for n in range(count):
        world.ledger.transfer(payer, "bakery", 100 + n, idempotency_key=f"{payer}-{n}")
    world.ledger.seal_journal()


def b64(hashes: list[str]) -> list[bytes]:
    return [base64.b64decode(h) for h in hashes]


def test_before_the_first_checkpoint_both_addresses_answer_404(world: World) -> None:
    for url in ("/v1/transparency/checkpoint", "/.well-known/monnaie-locale/checkpoint"):
        assert_problem(world.client.get(url), 404, "no_checkpoint")
    assert_problem(world.client.get("/v1/transparency/checkpoints/1"), 404, "no_checkpoint")
    assert world.client.get("/v1/transparency/checkpoints").json() == {"checkpoints": []}


def test_a_checkpoint_made_now_is_served_as_a_note_the_published_keys_verify(
    world: World,
) -> None:
    pay(world, 2)

    made = make(world)
    served = world.client.get("/v1/transparency/checkpoint")

    assert served.text == made["note"]
    signed, signers = open_note(served.text, keys(world))
    said = parse_checkpoint(signed.text)
    assert (said.origin, said.size) == (ORIGIN, made["tree_size"]) == (ORIGIN, 3)
    assert base64.b64encode(said.root).decode() == made["root"]
    assert said.issued == said.digital == 10_000  # alice's funds
    assert len(signers) == 1
    again = world.client.get("/.well-known/monnaie-locale/checkpoint")
    assert again.text == served.text
    assert world.client.get(f"/v1/transparency/checkpoints/{made['id']}").text == served.text
    [listed] = world.client.get("/v1/transparency/checkpoints").json()["checkpoints"]
    assert (listed["id"], listed["tree_size"], listed["cosignatures"]) == (made["id"], 3, 0)


def test_cosignatures_follow_the_service_s_line_and_the_note_still_verifies(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = make(world)
    text = made["note"].split("\n\n")[0] + "\n"
    witness = SigningKey.generate().private_key
    line = cosign(text, "town-hall", witness, timestamp=1_800_000_000).line
    monkeypatch.setattr(cosignatures, "lines_for", lambda conn, cid: [line])

    served = world.client.get("/v1/transparency/checkpoint").text

    assert served == made["note"] + line
    town = NoteKey("town-hall", witness.public_key(), COSIGNATURE)
    _, signers = open_note(served, [*keys(world), town])
    assert len(signers) == 2
    open_note(served, keys(world))  # the witness's line is ignored by whom does not know it
    [listed] = world.client.get("/v1/transparency/checkpoints").json()["checkpoints"]
    assert listed["cosignatures"] == 1


def test_the_consistency_proof_between_two_checkpoints_verifies_against_their_roots(
    world: World,
) -> None:
    make(world)
    old = latest(world)
    pay(world, 5)
    make(world)
    new = latest(world)

    answer = world.client.get(
        "/v1/transparency/proof/consistency", params={"first": old.size, "second": new.size}
    )

    body = answer.json()
    assert (body["first"], body["second"]) == (1, 6)
    assert verify_consistency(old.size, new.size, b64(body["proof"]), old.root, new.root)
    assert not verify_consistency(old.size, new.size, b64(body["proof"]), new.root, old.root)


def test_a_consistency_proof_beyond_the_tree_or_backwards_is_refused(world: World) -> None:
    make(world)

    for first, second in ((1, 2), (2, 1)):
        params = {"first": first, "second": second}
        answer = world.client.get("/v1/transparency/proof/consistency", params=params)
        assert_problem(answer, 422, "beyond_the_tree")


def test_a_member_proves_their_own_entry_and_the_proof_verifies_from_its_content_alone(
    world: World,
) -> None:
    pay(world, 3)
    make(world)
    signed = latest(world)

    answer = world.client.get(
        "/v1/transparency/proof/inclusion",
        params={"seq": 3, "size": signed.size},
        headers=world.auth(Role.MEMBER),
    )

    body = answer.json()
    entry = body["entry"]
    assert (body["seq"], body["size"], entry["seq"]) == (3, 4, 3)
    recomputed = hashlib.sha256((entry["prev_hash"] + entry["content"]).encode()).hexdigest()
    assert recomputed == entry["hash"]
    leaf = leaf_hash(bytes.fromhex(entry["hash"]))
    assert verify_inclusion(2, signed.size, leaf, b64(body["proof"]), signed.root)
    assert not verify_inclusion(1, signed.size, leaf, b64(body["proof"]), signed.root)


def test_another_member_s_entry_is_not_found_for_a_member_and_found_for_the_auditor(
    world: World,
) -> None:
    pay(world, 1)
    make(world)
    params = {"seq": 2, "size": 2}
    url = "/v1/transparency/proof/inclusion"

    mine = world.client.get(url, params=params, headers=world.auth(Role.MEMBER))
    bobs = world.client.get(url, params=params, headers=world.as_bob())
    owners = world.client.get(url, params=params, headers=world.auth(Role.MERCHANT_OWNER))
    audited = world.client.get(url, params=params, headers=world.auth(Role.AUDITOR))
    missing = world.client.get(url, params={"seq": 9, "size": 2}, headers=world.as_bob())

    assert mine.status_code == owners.status_code == audited.status_code == 200
    assert_problem(bobs, 404, "unknown_entry")
    assert_problem(missing, 422, "beyond_the_tree")
    beyond = world.client.get(url, params={"seq": 1, "size": 3}, headers=world.auth(Role.AUDITOR))
    assert_problem(beyond, 422, "beyond_the_tree")


def test_the_export_streams_the_journal_for_those_who_read_the_books(world: World) -> None:
    pay(world, 2)

    answer = world.client.get("/v1/transparency/export", headers=world.auth(Role.AUDITOR))
    upto = world.client.get(
        "/v1/transparency/export", params={"upto": 2}, headers=world.auth(Role.ADMIN)
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/jsonl")
    header, *entries = [json.loads(line) for line in answer.text.splitlines()]
    assert header["format"] == "monnaie-locale-journal/1"
    assert header["origin"] == ORIGIN
    assert header["entries"] == len(entries) == 3
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert len(upto.text.splitlines()) == 3
    refused(
        world.database,
        403,
        "role_forbidden",
        lambda: world.client.get("/v1/transparency/export", headers=world.auth(Role.MEMBER)),
    )


def test_a_forged_entry_raises_an_alarm_the_association_lists_and_acknowledges(
    world: World,
) -> None:
    make(world)
    forged = append_entry(world.database, forge_transfer(world.database, "issuance", "bob", 500))
    pay(world, 2)

    stuck = make(world)
    [alarm] = world.client.get("/v1/transparency/alarms", headers=world.auth(Role.AUDITOR)).json()[
        "alarms"
    ]
    url = f"/v1/transparency/alarms/{alarm['id']}/acknowledge"
    read = world.client.post(url, headers=world.auth(Role.ASSOCIATION_OPERATOR))
    unread = world.client.get(
        "/v1/transparency/alarms", params={"all": "false"}, headers=world.auth(Role.ADMIN)
    )

    assert stuck["tree_size"] == forged - 1
    assert alarm["kind"] == "tree_refused"
    assert f"journal entry {forged} " in alarm["detail"]
    assert alarm["acknowledged_at"] is None
    assert read.status_code == 200
    assert read.json()["acknowledged_by"] == "assoc"
    assert unread.json() == {"alarms": []}
    assert_problem(
        world.client.post(url, headers=world.auth(Role.ADMIN)), 409, "alarm_acknowledged"
    )
    refused(
        world.database,
        403,
        "role_forbidden",
        lambda: world.client.post(url, headers=world.auth(Role.AUDITOR)),
    )


def test_making_a_checkpoint_and_acknowledging_are_logged_acts(world: World) -> None:
    made = make(world)

    acts = world.client.get("/v1/audit/acts", headers=world.auth(Role.AUDITOR)).json()["acts"]

    [logged] = [a for a in acts if a["act"] == "transparency.make_checkpoint"]
    assert logged["summary"] == {"checkpoint": made["id"], "tree_size": 1}
    assert logged["actor_name"] == "assoc"
