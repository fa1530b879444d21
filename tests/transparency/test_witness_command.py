"""``mlc witness``, as a town hall runs it: init prints the key to give the association; run
cosigns, says so and exits 0; a fork is shouted, in both languages' words, with exit code 3;
a problem has its own exit code. The service is the app itself, reached through its own
client in place of the network."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from cli.commands import witness as command
from cli.main import app
from monnaie_locale.auth import Role
from monnaie_locale.store.tables_transparency import cosignatures, transparency_alarms
from monnaie_locale.verify.note import NoteKey
from tests.transparency.conftest import Log

URL = "https://eusko.example.org"


def _mlc(*args: str, lang: str = "en") -> Result:
    env = {"COLUMNS": "200", "MLC_LANG": None, "LANG": None}
    return CliRunner().invoke(app, ["--lang", lang, "witness", *args], env=env)


@pytest.fixture
def served(log: Log, monkeypatch: pytest.MonkeyPatch) -> Log:
    """``mlc witness run`` talks to the app, whatever the URL."""
    monkeypatch.setattr(command, "connect", lambda url: contextlib.nullcontext(log.world.client))
    return log


def _init(log: Log, state: Path, name: str = "mairie") -> str:
    made = _mlc("init", "--name", name, "--state", str(state))
    assert made.exit_code == 0, made.output
    [vkey] = [line for line in made.output.splitlines() if line.startswith(f"{name}+")]
    answer = log.world.client.post(
        "/v1/transparency/witnesses",
        json={"name": name, "vkey": vkey},
        headers=log.world.auth(Role.ADMIN),
    )
    assert answer.status_code == 201, answer.text
    return vkey


def _count(log: Log, table: object) -> int:
    return int(
        log.world.database.read(
            lambda conn: conn.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]
        )
    )


def test_init_prints_the_key_to_give_and_never_replaces_it(tmp_path: Path) -> None:
    made = _mlc("init", "--name", "mairie", "--state", str(tmp_path / "w"), lang="fr")

    assert made.exit_code == 0, made.output
    assert "Donnez à l'association" in made.output
    [vkey] = [line for line in made.output.splitlines() if line.startswith("mairie+")]
    assert NoteKey.from_vkey(vkey).name == "mairie"
    again = _mlc("init", "--name", "mairie", "--state", str(tmp_path / "w"))
    assert again.exit_code == 2 and "never replaced" in again.output


def test_run_cosigns_the_latest_checkpoint_and_says_so(served: Log, tmp_path: Path) -> None:
    state = tmp_path / "w"
    _init(served, state)
    served.pay(2)
    made = served.checkpoint()

    ran = _mlc("run", "--url", URL, "--state", str(state))

    assert ran.exit_code == 0, ran.output
    assert f"size {made.checkpoint.size}" in ran.output and "cosigned" in ran.output
    assert _count(served, cosignatures) == 1


def test_a_fork_is_shouted_with_exit_code_3_and_nothing_cosigned(
    served: Log, tmp_path: Path
) -> None:
    state = tmp_path / "w"
    _init(served, state)
    served.pay()
    genuine = served.checkpoint()
    assert _mlc("run", "--url", URL, "--state", str(state)).exit_code == 0
    served.publish(served.forged(genuine))

    ran = _mlc("run", "--url", URL, "--state", str(state), "--every", "1", lang="fr")

    assert ran.exit_code == 3, ran.output
    assert "FORK" in ran.output and "BIFURCATION" in ran.output
    assert "Rien n'a été cosigné" in ran.output
    assert _count(served, cosignatures) == 1
    assert _count(served, transparency_alarms) == 1
    assert list((state / "forks").iterdir())


@pytest.mark.parametrize(
    ("case", "code"),
    [("no-state", 2), ("not-a-url", 2), ("unregistered", 4), ("stranger-key", 1)],
)
def test_what_stops_a_run_has_its_exit_code(
    served: Log, tmp_path: Path, case: str, code: int
) -> None:
    state = tmp_path / "w"
    if case != "no-state":
        _mlc("init", "--name", "mairie", "--state", str(state))
    served.checkpoint()
    stranger = _mlc("init", "--name", "other", "--state", str(tmp_path / "other"))
    url = "eusko.example.org" if case == "not-a-url" else URL
    key = [line for line in stranger.output.splitlines() if line.startswith("other+")]
    # A cosignature key is no service key: the checkpoint does not verify with it.
    extra = ["--service-key", key[0]] if case == "stranger-key" else []

    ran = _mlc("run", "--url", url, "--state", str(state), *extra)

    assert ran.exit_code == code, ran.output
    assert _count(served, cosignatures) == 0
