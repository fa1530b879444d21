"""The wallet's "Mon solde est-il compté ?" over the demonstration, on each engine: the
latest checkpoint's facts, the key that signed it, and the two files its script checks
(and a holder downloads for the offline verifier), each of the checkpoint the page
showed."""

from __future__ import annotations

import html
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient

from monnaie_locale.transparency import checkpoints, tree
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from monnaie_locale.verify import sumtree
from monnaie_locale.verify.checkpoint import parse_checkpoint
from monnaie_locale.verify.note import NoteKey, open_note
from tests.web.conftest import Site

PAGE = "/portefeuille/verification"
FR = {"Accept-Language": "fr"}
ALICE = "member:alice"  # her account in the demonstration


def make_checkpoint(site: Site) -> StoredCheckpoint:
    """Signed as the service signs: with the app's active key, under its origin."""
    state = site.app.state
    tree.extend_all(site.database.write, now=state.clock())
    return site.database.write(
        lambda conn: checkpoints.make_checkpoint(
            conn,
            state.deployment,
            key=state.checkout.keyring.active,
            origin=origin(site),
            now=state.clock(),
        )
    )


def origin(site: Site) -> str:
    settings = site.app.state.settings
    return checkpoints.origin_of(settings.public_host, settings.deployment_name)


def attribute(page: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', page)
    assert found, name
    return html.unescape(found.group(1))


def test_before_any_checkpoint_the_page_says_there_is_none_yet(site: Site) -> None:
    alice = site.browser("alice")

    page = alice.get(PAGE, headers=FR)

    assert page.status_code == 200
    assert "<h1>Mon solde est-il compté\u00a0?</h1>" in page.text
    assert 'id="no-checkpoint"' in page.text and "Pas encore de point de contrôle" in page.text
    assert 'id="counted"' not in page.text
    for file in ("preuve.json", "checkpoint.note"):
        assert alice.get(f"{PAGE}/{file}").status_code == 404


def test_the_page_shows_the_checkpoint_and_names_its_files_and_key(site: Site) -> None:
    stored = make_checkpoint(site)
    cp = stored.checkpoint
    alice = site.browser("alice")

    page = alice.get(PAGE, headers=FR).text

    assert f'id="checkpoint-id">{stored.id}<' in page
    assert f'id="checkpoint-size">{cp.size}<' in page
    digital = f"{cp.digital // 100},{cp.digital % 100:02d}"
    assert f'id="checkpoint-digital">{digital}\u00a0' in page
    assert 'id="checkpoint-coverage">100,00\u00a0%<' in page
    assert attribute(page, "data-account") == ALICE
    assert attribute(page, "data-vkey") == NoteKey(origin(site), _active(site)).vkey
    assert attribute(page, "data-proof") == f"{PAGE}/preuve.json?point={stored.id}"
    assert attribute(page, "data-note") == f"{PAGE}/checkpoint.note?point={stored.id}"
    assert '<script src="/assets/web/counted.js"></script>' in page
    assert f"--account {ALICE}" in page


def _active(site: Site) -> Ed25519PublicKey:
    public: Ed25519PublicKey = site.app.state.checkout.keyring.active.public_key
    return public


def test_the_two_files_verify_as_the_offline_verifier_would(site: Site) -> None:
    stored = make_checkpoint(site)
    alice = site.browser("alice")
    page = alice.get(PAGE).text

    note = alice.get(attribute(page, "data-note"))
    proof = alice.get(attribute(page, "data-proof"))

    assert note.headers["content-disposition"] == (
        f'attachment; filename="checkpoint-{stored.id}.note"'
    )
    assert proof.headers["content-disposition"] == f'attachment; filename="preuve-{stored.id}.json"'
    signed, _ = open_note(note.text, [NoteKey(origin(site), _active(site))])
    cp = parse_checkpoint(signed.text)
    assert cp.liabilities_root is not None and cp.liabilities_sum == cp.digital
    found = sumtree.verify_proof(
        proof.json(), account=ALICE, root=cp.liabilities_root, total=cp.liabilities_sum
    )
    assert found == []
    assert sumtree.balance(proof.json()) == _alice_balance(alice)


def _alice_balance(alice: TestClient) -> int:
    shown = re.search(
        r'id="balance">([0-9 \u00a0\u202f]+),([0-9]{2})', alice.get("/portefeuille").text
    )
    assert shown
    return int(re.sub(r"\D", "", shown.group(1))) * 100 + int(shown.group(2))


def test_the_files_stay_those_of_the_checkpoint_the_page_showed(site: Site) -> None:
    first = make_checkpoint(site)
    alice = site.browser("alice")
    page = alice.get(PAGE).text
    second = make_checkpoint(site)

    note = alice.get(attribute(page, "data-note")).text
    proof = alice.get(attribute(page, "data-proof")).json()

    assert second.id != first.id
    assert note.startswith(first.checkpoint.origin) and note == first.note
    assert proof["checkpoint_id"] == first.id
    assert alice.get(f"{PAGE}/preuve.json").json()["checkpoint_id"] == second.id
    assert alice.get(f"{PAGE}/preuve.json?point={second.id + 1}").status_code == 404


def test_the_page_speaks_english_when_asked(site: Site) -> None:
    make_checkpoint(site)

    page = site.browser("alice").get(PAGE, headers={"Accept-Language": "en"}).text

    assert "<h1>Is my balance counted?</h1>" in page
    assert "Your balance is counted." in page


def test_the_wallet_leads_to_the_page(site: Site) -> None:
    home = site.browser("alice").get("/portefeuille", headers=FR).text

    assert f'href="{PAGE}"' in home
