"""``mlc transparency``: checkpoints signed with the service's key, the files the offline
verifier reads, proofs that verify, and the alarms read and acknowledged.

On both engines, through Typer's runner, as an operator at a terminal would.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.payments.keys import SigningKey
from monnaie_locale.verify.checkpoint import Checkpoint, parse_checkpoint
from monnaie_locale.verify.merkle import leaf_hash, verify_consistency, verify_inclusion
from monnaie_locale.verify.note import COSIGNATURE, NoteKey, open_note
from tests.cli.conftest import Mlc, add_user
from tests.engine import Engine
from tests.store.forgery import append_entry, forge_transfer
from tests.transparency.support import open_books, pay


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> SigningKey:
    """The service's signing key, as its settings give it to ``mlc`` too."""
    made = SigningKey.generate()
    monkeypatch.setenv("MLC_SIGNING_KEY_PEM", made.to_pem().decode())
    monkeypatch.setenv("MLC_PUBLIC_HOST", "pay.example")
    monkeypatch.setenv("MLC_DEPLOYMENT_NAME", "eusko")
    return made


def pinned(mlc: Mlc) -> list[NoteKey]:
    shown = mlc("transparency", "keys")
    assert shown.exit_code == 0, shown.output
    return [NoteKey.from_vkey(line) for line in shown.stdout.splitlines()]


def signed(mlc: Mlc) -> Checkpoint:
    made = mlc("transparency", "checkpoint")
    assert made.exit_code == 0, made.output
    note, _ = open_note(made.stdout, pinned(mlc))
    return parse_checkpoint(note.text)


def test_a_checkpoint_made_by_the_command_is_signed_by_the_service_s_key(
    ledger: Engine, mlc: Mlc, key: SigningKey
) -> None:
    pay(open_books(ledger), 2)

    said = signed(mlc)

    assert (said.origin, said.size) == ("pay.example/eusko", 3)
    [pin] = pinned(mlc)
    assert pin.public_key.public_bytes_raw() == key.public_key.public_bytes_raw()
    listed = mlc.json("transparency", "list")["checkpoints"]
    assert [(c["id"], c["tree_size"], c["cosignatures"]) for c in listed] == [(1, 3, 0)]
    table = mlc("transparency", "list")
    assert "Checkpoints" in table.stdout and " 3 " in table.stdout


def test_without_the_service_s_key_the_command_signs_nothing(ledger: Engine, mlc: Mlc) -> None:
    open_books(ledger)

    refused = mlc("transparency", "checkpoint")
    keys = mlc("transparency", "keys")
    latest = mlc("transparency", "latest")

    assert refused.exit_code == 3
    assert "No signing key configured here" in refused.output
    assert keys.exit_code != 0 and "MLC_SIGNING_KEY_FILE" in keys.output
    assert latest.exit_code != 0 and "No checkpoint" in latest.output


def test_the_export_folder_holds_the_latest_checkpoint_and_the_journal_it_covers(
    ledger: Engine, mlc: Mlc, key: SigningKey, tmp_path: Path
) -> None:
    pay(open_books(ledger), 3)
    said = signed(mlc)
    pay(ledger, 2, start=3)
    add_user(ledger.database, "audit", Role.AUDITOR)

    written = mlc("transparency", "export", "--out", str(tmp_path / "out"), actor="audit")

    assert written.exit_code == 0, written.output
    assert "6 journal entries" in written.stdout
    note = (tmp_path / "out" / "checkpoint.note").read_text(encoding="utf-8")
    assert note == mlc("transparency", "latest").stdout
    assert parse_checkpoint(open_note(note, pinned(mlc))[0].text) == said
    lines = (tmp_path / "out" / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    header, *entries = [json.loads(line) for line in lines]
    assert (header["origin"], header["entries"], len(entries)) == ("pay.example/eusko", 6, 6)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "checkpoint.note",
        "journal.jsonl",
    ]


def test_proofs_written_by_the_commands_verify_against_the_signed_roots(
    ledger: Engine, mlc: Mlc, key: SigningKey, tmp_path: Path
) -> None:
    pay(open_books(ledger), 2)
    old = signed(mlc)
    pay(ledger, 3, start=2)
    new = signed(mlc)
    add_user(ledger.database, "alice", Role.MEMBER, "alice")
    path = tmp_path / "inclusion.json"

    included = mlc(
        "transparency", "proof", "inclusion", "--seq", "4", "--size", str(new.size),
        "--out", str(path), actor="alice",
    )  # fmt: skip
    consistent = mlc(
        "transparency", "proof", "consistency", "--first", str(old.size),
        "--second", str(new.size), actor=None,
    )  # fmt: skip

    assert included.exit_code == 0, included.output
    body = json.loads(path.read_text(encoding="utf-8"))
    entry = body["entry"]
    digest = hashlib.sha256((entry["prev_hash"] + entry["content"]).encode()).hexdigest()
    assert digest == entry["hash"]
    proof = [base64.b64decode(h) for h in body["proof"]]
    assert verify_inclusion(3, new.size, leaf_hash(bytes.fromhex(digest)), proof, new.root)
    assert consistent.exit_code == 0, consistent.output
    shown = json.loads(consistent.stdout)
    hashes = [base64.b64decode(h) for h in shown["proof"]]
    assert verify_consistency(old.size, new.size, hashes, old.root, new.root)


def test_an_alarm_is_listed_in_red_until_someone_acknowledges_it(
    ledger: Engine, mlc: Mlc, key: SigningKey
) -> None:
    pay(open_books(ledger), 1)
    signed(mlc)
    forged = append_entry(ledger.database, forge_transfer(ledger.database, "issuance", "bob", 7))
    stuck = signed(mlc)

    listed = mlc("transparency", "alarms")
    [alarm] = mlc.json("transparency", "alarms", "--unread")["alarms"]
    read = mlc("transparency", "acknowledge", str(alarm["id"]))
    again = mlc("transparency", "acknowledge", str(alarm["id"]))

    assert stuck.size == forged - 1
    assert f"journal entry {forged}" in listed.stdout
    assert alarm["kind"] == "tree_refused"
    assert read.exit_code == 0 and f"Alarm {alarm['id']} acknowledged." in read.stdout
    assert again.exit_code != 0 and "acknowledged already, by root" in again.output
    assert mlc.json("transparency", "alarms", "--unread") == {"alarms": []}
    assert "No transparency alarm." in mlc("transparency", "alarms", "--unread").stdout


def test_the_checkpoint_job_runs_by_hand_where_the_settings_name_the_key(
    ledger: Engine, mlc: Mlc, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    pay(open_books(ledger), 1)

    ran = mlc("jobs", "run", "checkpoint")
    listed = [job["name"] for job in mlc.json("jobs", "list")["jobs"]]
    monkeypatch.delenv("MLC_SIGNING_KEY_PEM")
    unkeyed = [job["name"] for job in mlc.json("jobs", "list")["jobs"]]

    assert ran.exit_code == 0, ran.output
    assert "tree at 2; checkpoint 1 signed" in ran.stdout
    assert open_note(mlc("transparency", "latest").stdout, pinned_of(key))
    assert "checkpoint" in listed
    assert "checkpoint" not in unkeyed


def pinned_of(key: SigningKey) -> list[NoteKey]:
    return [NoteKey("pay.example/eusko", key.public_key)]


def test_a_witness_registered_by_the_command_is_listed_with_its_key(
    ledger: Engine, mlc: Mlc
) -> None:
    open_books(ledger)
    vkey = NoteKey("mairie-bayonne", SigningKey.generate().public_key, COSIGNATURE).vkey

    before = mlc("transparency", "witnesses")
    added = mlc("transparency", "add-witness", "mairie-bayonne", vkey)
    again = mlc("transparency", "add-witness", "mairie-bayonne", vkey)
    mangled = mlc("transparency", "add-witness", "biarritz", vkey[:-4] + "AAAA")
    listed = mlc.json("transparency", "witnesses")["witnesses"]
    table = mlc("transparency", "witnesses")

    assert "No witness registered." in before.stdout
    assert added.exit_code == 0 and "Witness mairie-bayonne registered" in added.stdout
    assert again.exit_code != 0 and mangled.exit_code != 0
    assert [(w["name"], w["vkey"]) for w in listed] == [("mairie-bayonne", vkey)]
    assert listed[0]["added_by"].startswith("user:")  # the operator who ran it
    assert "mairie-bayonne" in table.stdout
