"""``mlc quittance``: the régie's people list and show its quittances; anyone checks a
signed one offline against the published keys, and a tampered one fails (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monnaie_locale.acts import transfers
from tests.authorities.counter import ALICE, KEYS, OPERATOR, Counter, open_counter
from tests.authorities.town import POOL, POOL_ACCOUNT
from tests.cli.conftest import Mlc, mlc, url  # noqa: F401  (fixtures)
from tests.conftest import SteppingClock
from tests.engine import Engine


@pytest.fixture
def counter(ledger: Engine, clock: SteppingClock) -> Counter:
    counter = open_counter(ledger, clock)
    transfers.transfer(counter.ctx(OPERATOR), ALICE, POOL_ACCOUNT, 4_50, key="k", memo="Cours")
    return counter


def test_the_regie_s_people_list_and_show_its_quittances(counter: Counter, mlc: Mlc) -> None:  # noqa: F811
    listed = mlc("quittance", "list", POOL, actor="finances")
    assert listed.exit_code == 0, listed.output
    assert "2026-000001" in listed.output and "Cours" in listed.output and "4.50" in listed.output
    shown = mlc("quittance", "show", POOL, "2026", "1", actor="regisseur")
    assert shown.exit_code == 0 and "Cours" in shown.output
    refused = mlc("quittance", "list", POOL, actor="ordonnateur")
    assert refused.exit_code == 5, refused.output
    missing = mlc("quittance", "show", POOL, "2026", "2", actor="comptable")
    assert missing.exit_code != 0 and "quittance list" in missing.output


def test_a_signed_quittance_is_checked_offline_and_a_tampered_one_fails(
    counter: Counter,
    mlc: Mlc,  # noqa: F811
    tmp_path: Path,
) -> None:
    document = mlc.json("quittance", "show", POOL, "2026", "1")
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(KEYS.keyring.jwks()))
    signed = tmp_path / "q.json"
    signed.write_text(json.dumps(document))
    checked = mlc("quittance", "verify", str(signed), "--keys", str(keys), actor=None)
    assert checked.exit_code == 0, checked.output
    assert "2026-000001" in checked.output and "holds" in checked.output

    document["quittance"]["units"] = 45_000
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    failed = mlc("quittance", "verify", str(tampered), "--keys", str(keys), actor=None)
    assert failed.exit_code == 1 and "bad signature" in failed.output
    unreadable = tmp_path / "nothing.json"
    unreadable.write_text("{not json")
    assert mlc("quittance", "verify", str(unreadable), "--keys", str(keys)).exit_code == 2
