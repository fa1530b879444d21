"""Witnesses through the API: registered by the association, listed to anyone; their
cosignatures kept once, refused when they do not hold; forks proven by two signed
checkpoints raise one alarm, and anything else is refused with nothing written."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from monnaie_locale.auth import Role
from monnaie_locale.store.tables_transparency import cosignatures, transparency_alarms
from monnaie_locale.transparency import cosignatures as served_lines
from monnaie_locale.transparency import tree
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from monnaie_locale.verify.note import (
    COSIGNATURE,
    NoteKey,
    Signature,
    cosign,
    cosignature_time,
    format_note,
    open_note,
    parse_note,
    sign_line,
)
from tests.transparency.conftest import Log

NOON = int(datetime(2026, 11, 2, 12, 0, tzinfo=UTC).timestamp())
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


@dataclass
class Witness:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def key(self) -> NoteKey:
        return NoteKey(self.name, self.private_key.public_key(), COSIGNATURE)

    def cosigned(self, checkpoint: StoredCheckpoint, *, at: int = NOON) -> str:
        line = cosign(checkpoint.text, self.name, self.private_key, timestamp=at)
        return format_note(checkpoint.text, [line])


def _witness(name: str) -> Witness:
    return Witness(name, Ed25519PrivateKey.generate())


def _register(log: Log, witness: Witness, role: Role = Role.ASSOCIATION_OPERATOR) -> None:
    answer = log.world.client.post(
        "/v1/transparency/witnesses",
        json={"name": witness.name, "vkey": witness.key.vkey},
        headers=log.world.auth(role),
    )
    assert answer.status_code == 201, answer.text


def _send(log: Log, note: str) -> tuple[int, dict[str, object]]:
    answer = log.world.client.post("/v1/transparency/cosignatures", content=note, headers=TEXT)
    return answer.status_code, answer.json()


def _count(log: Log, table: object) -> int:
    return int(
        log.world.database.read(
            lambda conn: conn.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]
        )
    )


def _served(log: Log, checkpoint: StoredCheckpoint) -> str:
    lines = log.world.database.read(lambda conn: served_lines.lines_for(conn, checkpoint.id))
    return checkpoint.note + "".join(lines)


# Registering and listing ---------------------------------------------------------------


def test_the_association_registers_a_witness_that_anyone_then_reads(log: Log) -> None:
    mairie = _witness("mairie-bayonne")
    _register(log, mairie)
    _register(log, _witness("autre-asso"), Role.ADMIN)

    listed = log.world.client.get("/v1/transparency/witnesses")

    assert listed.status_code == 200
    assert [(w["name"], w["vkey"]) for w in listed.json()] == [
        ("mairie-bayonne", mairie.key.vkey),
        ("autre-asso", listed.json()[1]["vkey"]),
    ]
    assert NoteKey.from_vkey(listed.json()[0]["vkey"]) == mairie.key


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "mairie", "vkey": "mairie+00000000+" + "A" * 44}, 422, "bad_witness_key"),
        ({"name": "other", "vkey": None}, 422, "witness_name_mismatch"),
        ({"name": "mairie", "vkey": "plain"}, 422, "bad_witness_key"),
        ({"name": "mairie", "vkey": "cosign"}, 409, "duplicate_witness"),
    ],
    ids=["bad-id", "other-name", "plain-signature-key", "taken"],
)
def test_a_key_that_is_no_witness_s_is_refused(
    log: Log, body: dict[str, str | None], status: int, code: str
) -> None:
    mairie = _witness("mairie")
    _register(log, mairie)
    plain = NoteKey("mairie", Ed25519PrivateKey.generate().public_key())
    vkeys = {None: mairie.key.vkey, "plain": plain.vkey, "cosign": _witness("mairie").key.vkey}
    vkey = vkeys.get(body["vkey"], body["vkey"])

    answer = log.world.client.post(
        "/v1/transparency/witnesses",
        json={"name": body["name"], "vkey": vkey},
        headers=log.world.auth(Role.ADMIN),
    )

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert len(log.world.client.get("/v1/transparency/witnesses").json()) == 1


# Cosignatures -------------------------------------------------------------------------


def test_a_cosignature_is_kept_once_and_served_after_the_service_s_line(log: Log) -> None:
    mairie, asso = _witness("mairie"), _witness("asso")
    for witness in (mairie, asso):
        _register(log, witness)
    log.pay()
    checkpoint = log.checkpoint()

    assert _send(log, mairie.cosigned(checkpoint)) == (
        201,
        {
            "checkpoint_id": checkpoint.id,
            "tree_size": checkpoint.checkpoint.size,
            "accepted": ["mairie"],
            "already": [],
        },
    )
    # Sent again, even signed at another time: the first one stays.
    status, body = _send(log, mairie.cosigned(checkpoint, at=NOON + 60))
    assert (status, body["accepted"], body["already"]) == (200, [], ["mairie"])
    # The served note, with the service's line, carried along: only asso's line is new.
    status, body = _send(log, _served(log, checkpoint) + asso.cosigned(checkpoint).split("\n\n")[1])
    assert (status, body["accepted"], body["already"]) == (201, ["asso"], ["mairie"])

    served = _served(log, checkpoint)
    _, signers = open_note(served, [log.service_key, mairie.key, asso.key])
    assert signers == [log.service_key, mairie.key, asso.key]
    assert [cosignature_time(sig) for sig in parse_note(served).signatures[1:]] == [NOON, NOON]
    assert _count(log, cosignatures) == 2


def _spliced(witness: Witness, checkpoint: StoredCheckpoint, other: StoredCheckpoint) -> str:
    """``witness``'s line for ``other`` under ``checkpoint``'s text: a signature that fails."""
    line = witness.cosigned(other).split("\n\n")[1]
    return checkpoint.text + "\n" + line


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("edited", 404, "unknown_checkpoint"),
        ("stranger", 404, "unknown_witness"),
        ("spliced", 422, "bad_cosignature"),
        ("plain-signature", 422, "bad_cosignature"),
        ("one-bad-line", 422, "bad_cosignature"),
        ("not-a-note", 422, "bad_note"),
        ("not-a-checkpoint", 422, "bad_note"),
    ],
)
def test_a_cosignature_that_does_not_hold_is_refused_and_nothing_kept(
    log: Log, case: str, status: int, code: str
) -> None:
    mairie, asso = _witness("mairie"), _witness("asso")
    for witness in (mairie, asso):
        _register(log, witness)
    first = log.checkpoint()
    log.pay()
    second = log.checkpoint()
    notes = {
        "edited": mairie.cosigned(second).replace("unit MLC", "unit EUR"),
        "stranger": _witness("mairie").cosigned(second),
        "spliced": _spliced(mairie, second, first),
        # A plain signature under the witness's cosignature key id: no timestamp, no cosignature.
        "plain-signature": format_note(
            second.text,
            [Signature("mairie", mairie.key.key_id, mairie.private_key.sign(second.text.encode()))],
        ),
        "one-bad-line": mairie.cosigned(second) + _spliced(asso, second, first).split("\n\n")[1],
        "not-a-note": "hello\n",
        "not-a-checkpoint": format_note(
            "hello\n", [sign_line("hello\n", "mairie", mairie.private_key)]
        ),
    }

    answer, body = _send(log, notes[case])

    assert (answer, body["code"]) == (status, code)
    assert _count(log, cosignatures) == 0


def test_a_cosignature_body_over_the_service_s_limit_is_refused(log: Log) -> None:
    answer = log.world.client.post(
        "/v1/transparency/cosignatures", content="x" * 5000, headers=TEXT
    )
    assert (answer.status_code, answer.json()["code"]) == (413, "body_too_large")


# Forks --------------------------------------------------------------------------------


def _report(
    log: Log, notes: list[str], proof: list[bytes] | None = None
) -> tuple[int, dict[str, object]]:
    body = {
        "notes": notes,
        "proof": None if proof is None else [base64.b64encode(h).decode() for h in proof],
    }
    answer = log.world.client.post("/v1/transparency/forks", json=body)
    return answer.status_code, answer.json()


def _alarms(log: Log) -> list[tuple[str, str, str]]:
    rows = log.world.database.read(
        lambda conn: conn.execute(
            select(
                transparency_alarms.c.kind,
                transparency_alarms.c.detail,
                transparency_alarms.c.evidence,
            )
        ).all()
    )
    return [(row.kind, row.detail, row.evidence) for row in rows]


def test_two_signed_checkpoints_of_one_size_with_two_roots_raise_one_alarm(
    log: Log, caplog: pytest.LogCaptureFixture
) -> None:
    log.pay(3)
    genuine = log.checkpoint()
    forged = log.forged(genuine)

    status, body = _report(log, [genuine.note, forged])

    assert status == 201, body
    [(kind, detail, evidence)] = _alarms(log)
    assert (kind, body["alarm_id"], body["detail"]) == ("fork", body["alarm_id"], detail)
    assert "same size, different roots" in detail
    assert sorted(json.loads(evidence)["notes"]) == sorted([genuine.note, forged])
    assert any(r.levelname == "CRITICAL" and detail in r.getMessage() for r in caplog.records)
    # Reported again, by a second witness, the other way round: the same alarm.
    assert _report(log, [forged, genuine.note]) == (200, body)
    assert len(_alarms(log)) == 1


def test_a_larger_checkpoint_no_proof_joins_to_a_smaller_one_raises_the_alarm(log: Log) -> None:
    log.pay(2)
    older = log.checkpoint()
    log.pay(3)
    newer = log.checkpoint()
    # Signed by the service's key, larger than older, over another history.
    forged = log.forged(newer)
    proof = log.world.database.read(
        lambda conn: tree.consistency(conn, older.checkpoint.size, newer.checkpoint.size)
    )

    status, body = _report(log, [older.note, forged], proof)

    assert status == 201, body
    [(kind, detail, _)] = _alarms(log)
    assert kind == "fork" and "no consistency proof joins them" in detail


def test_a_checkpoint_beyond_what_the_tree_holds_proves_a_fork(log: Log) -> None:
    log.pay()
    older = log.checkpoint()
    beyond = log.forged(older, size=older.checkpoint.size + 5)

    status, body = _report(log, [older.note, beyond])

    assert status == 201, body
    assert [kind for kind, _, _ in _alarms(log)] == ["fork"]


def test_what_proves_no_fork_is_refused_and_writes_nothing(log: Log) -> None:
    log.pay()
    older = log.checkpoint()
    log.pay(4)
    newer = log.checkpoint()
    stranger = Ed25519PrivateKey.generate()
    text = parse_note(log.forged(newer)).text
    unsigned = format_note(text, [sign_line(text, log.origin, stranger)])
    bogus_proof = [os.urandom(32) for _ in range(3)]

    # The proof given fails, but the service's own joins them: they agree.
    assert _report(log, [older.note, newer.note], bogus_proof)[1]["code"] == "checkpoints_agree"
    assert _report(log, [newer.note, older.note])[1]["code"] == "checkpoints_agree"
    # One checkpoint twice, even with different cosignatures: no fork.
    asso = _witness("asso")
    twice = newer.note + asso.cosigned(newer).split("\n\n")[1]
    assert _report(log, [newer.note, twice])[1]["code"] == "checkpoints_agree"
    # Signed by another key under the service's name: proves nothing of the service.
    status, body = _report(log, [newer.note, unsigned])
    assert (status, body["code"]) == (422, "not_signed_by_service")
    assert _report(log, [newer.note, "hello\n"])[1]["code"] == "bad_note"
    assert _alarms(log) == []
