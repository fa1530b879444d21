"""Witnesses at work, through the app's own HTTP client (no network): two witnesses cosign
ten checkpoints made one after another; checkpoints the service's key signed over another
history are refused by both, nothing cosigned, the fork reported and its alarm raised;
what is merely wrong (an older checkpoint, a stranger's signature, no proof) is refused."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from monnaie_locale.auth import Role
from monnaie_locale.store.tables_transparency import cosignatures, transparency_alarms
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from monnaie_locale.transparency.witness_client import (
    Outcome,
    Problem,
    Result,
    WitnessProblem,
    WitnessState,
    witness_once,
)
from monnaie_locale.verify.note import format_note, open_note, parse_note, sign_line
from tests.transparency.conftest import Log


def _witness(log: Log, tmp_path: Path, name: str) -> WitnessState:
    """A witness made as ``mlc witness init`` makes it, registered by the association."""
    state = WitnessState.create(tmp_path / name, name)
    answer = log.world.client.post(
        "/v1/transparency/witnesses",
        json={"name": name, "vkey": state.key.vkey},
        headers=log.world.auth(Role.ASSOCIATION_OPERATOR),
    )
    assert answer.status_code == 201, answer.text
    return state


def _run(log: Log, state: WitnessState, *, service_key: str | None = None) -> Result:
    return witness_once(log.world.client, state, service_key=service_key, now=log.world.clock())


def _count(log: Log, table: object) -> int:
    return int(
        log.world.database.read(
            lambda conn: conn.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]
        )
    )


def _fork_alarms(log: Log) -> list[dict[str, object]]:
    rows = log.world.database.read(
        lambda conn: conn.execute(
            select(transparency_alarms).where(transparency_alarms.c.kind == "fork")
        ).all()
    )
    return [{"detail": row.detail, "evidence": json.loads(row.evidence)} for row in rows]


@pytest.fixture
def two(log: Log, tmp_path: Path) -> tuple[WitnessState, WitnessState]:
    return _witness(log, tmp_path, "mairie"), _witness(log, tmp_path, "asso-voisine")


def test_two_witnesses_cosign_ten_checkpoints_and_the_latest_carries_both(
    log: Log, two: tuple[WitnessState, WitnessState]
) -> None:
    mairie, asso = two
    sizes = []
    for n in range(10):
        log.pay(n + 1)
        made = log.checkpoint()
        sizes.append(made.checkpoint.size)
        # One trusts the keys the service publishes at its first run; the other is given it.
        first = _run(log, mairie)
        second = _run(log, asso, service_key=log.service_key.vkey)
        for result in (first, second):
            assert (result.outcome, result.size, result.delivered) == (
                Outcome.COSIGNED,
                made.checkpoint.size,
                True,
            ), result
            assert result.previous_size == (sizes[-2] if n else None)

    assert sizes == sorted(set(sizes))  # ten checkpoints, each larger than the one before
    assert _count(log, cosignatures) == 20
    served = log.world.client.get("/v1/transparency/checkpoint").text
    _, signers = open_note(served, [log.service_key, mairie.key, asso.key])
    assert signers == [log.service_key, mairie.key, asso.key]
    assert parse_note(served).text == made.text
    # Each witness keeps the note it cosigned, signed by the service and by itself.
    for state in (mairie, asso):
        kept = (state.path / "last.note").read_text()
        assert open_note(kept, [log.service_key, state.key])[1] == [log.service_key, state.key]
    # Nothing new: the cosignature goes again, and the service keeps the first.
    again = _run(log, mairie)
    assert (again.outcome, again.delivered, again.answer[:3]) == (Outcome.ALREADY, True, "200")
    assert _count(log, cosignatures) == 20


def _refused_by_both(
    log: Log, two: tuple[WitnessState, WitnessState], held: StoredCheckpoint, forged: str
) -> list[Result]:
    kept = [(state.path / "last.note").read_text() for state in two]
    before = _count(log, cosignatures)
    log.publish(forged)

    results = [_run(log, state) for state in two]

    for state, result, note in zip(two, results, kept, strict=True):
        assert result.outcome == Outcome.FORK and result.previous_size == held.checkpoint.size
        assert result.evidence is not None
        assert (result.evidence / "held.note").read_text() == note
        assert (result.evidence / "served.note").read_text() == forged
        assert (state.path / "last.note").read_text() == note  # still the genuine one
    assert _count(log, cosignatures) == before  # nothing cosigned
    # The first report raised the alarm, the second found it.
    assert [r.answer[:3] for r in results] == ["201", "200"]
    assert all(r.delivered for r in results)
    [alarm] = _fork_alarms(log)
    assert forged in alarm["evidence"]["notes"]  # type: ignore[index]
    return results


def test_a_checkpoint_of_a_size_seen_with_another_root_is_refused_by_both_witnesses(
    log: Log, two: tuple[WitnessState, WitnessState]
) -> None:
    log.pay(3)
    genuine = log.checkpoint()
    for state in two:
        assert _run(log, state).outcome == Outcome.COSIGNED

    _refused_by_both(log, two, genuine, log.forged(genuine))

    [alarm] = _fork_alarms(log)
    assert "same size, different roots" in str(alarm["detail"])
    assert alarm["evidence"]["proof"] is None  # type: ignore[index]


def test_a_larger_checkpoint_whose_consistency_proof_fails_is_refused_by_both_witnesses(
    log: Log, two: tuple[WitnessState, WitnessState]
) -> None:
    log.pay(2)
    genuine = log.checkpoint()
    for state in two:
        assert _run(log, state).outcome == Outcome.COSIGNED
    log.pay(3)
    # The tree holds the larger size, so the service gives a proof: it cannot join them.
    larger = log.checkpoint()

    _refused_by_both(log, two, genuine, log.forged(larger))

    [alarm] = _fork_alarms(log)
    assert "no consistency proof joins them" in str(alarm["detail"])
    assert alarm["evidence"]["proof"]  # type: ignore[index]
    assert (two[0].path / "forks").exists()


def test_an_older_checkpoint_served_again_is_refused(
    log: Log, two: tuple[WitnessState, WitnessState]
) -> None:
    mairie, _ = two
    log.pay()
    older = log.checkpoint()
    log.pay()
    log.checkpoint()
    assert _run(log, mairie).outcome == Outcome.COSIGNED
    before = _count(log, cosignatures)
    log.publish(older.note)

    with pytest.raises(WitnessProblem) as refused:
        _run(log, mairie)

    assert refused.value.problem == Problem.OLDER
    assert _count(log, cosignatures) == before
    assert _fork_alarms(log) == []


def test_a_checkpoint_another_key_signed_is_refused_and_the_pinned_key_stays(
    log: Log, two: tuple[WitnessState, WitnessState]
) -> None:
    mairie, asso = two
    log.pay()
    genuine = log.checkpoint()
    assert _run(log, mairie).outcome == Outcome.COSIGNED
    text = parse_note(log.forged(genuine)).text
    log.publish(format_note(text, [sign_line(text, log.origin, Ed25519PrivateKey.generate())]))

    for state in (mairie, asso):
        with pytest.raises(WitnessProblem) as refused:
            _run(log, state, service_key=log.service_key.vkey)
        assert refused.value.problem == Problem.UNSIGNED
    # The witness that trusted the published keys pinned the service's, not the stranger's.
    assert (mairie.path / "service.vkeys").read_text() == log.service_key.vkey + "\n"
    assert _count(log, cosignatures) == 1
    assert _fork_alarms(log) == []


def test_a_witness_that_is_not_registered_keeps_its_cosignature_and_says_so(
    log: Log, tmp_path: Path
) -> None:
    stranger = WitnessState.create(tmp_path / "stranger", "stranger")
    assert _run(log, stranger).outcome == Outcome.NOTHING_YET
    log.checkpoint()

    result = _run(log, stranger)

    assert (result.outcome, result.delivered) == (Outcome.COSIGNED, False)
    assert result.answer.startswith("404")
    assert (stranger.path / "last.note").exists()


def test_a_witness_s_key_is_private_and_never_replaced(tmp_path: Path) -> None:
    made = WitnessState.create(tmp_path / "w", "mairie")

    assert stat.S_IMODE((tmp_path / "w" / "witness.pem").stat().st_mode) == 0o600
    assert WitnessState(tmp_path / "w").key == made.key
    with pytest.raises(WitnessProblem) as again:
        WitnessState.create(tmp_path / "w", "mairie")
    assert again.value.problem == Problem.STATE_EXISTS
    with pytest.raises(WitnessProblem) as bad:
        WitnessState.create(tmp_path / "v", "two words")
    assert bad.value.problem == Problem.BAD_NAME
    with pytest.raises(WitnessProblem) as none:
        WitnessState(tmp_path / "nowhere")
    assert none.value.problem == Problem.NO_STATE
