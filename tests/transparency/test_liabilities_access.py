"""Who gets a proof of liabilities, through the act, the API and ``mlc liability-proof``:
a holder for their own accounts, the association and its auditors for any; before the
first checkpoint, for an account opened after one, or a checkpoint that is not, a 404
that says which. And what the wallet's page is given: the note, its key, the proof."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from monnaie_locale.acting import SigningKeys
from monnaie_locale.acts import accounts, conversions, liabilities
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import NotYourAccount, RoleForbidden
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.model import AccountKind
from monnaie_locale.payments.keys import KeyRing, SigningKey
from monnaie_locale.transparency import checkpoints, tree
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from monnaie_locale.transparency.liability_proofs import NoLiabilitiesYet
from monnaie_locale.verify import sumtree
from monnaie_locale.verify.note import NoteKey, open_note
from tests.api.helpers import assert_problem
from tests.api.operations_support import ops_settings
from tests.engine import Engine

if TYPE_CHECKING:
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

KEY = SigningKey.generate()
ORIGIN = "pay.example/mlc"
PROOF = "/v1/transparency/liabilities/proof"


def make_checkpoint(fronts: Fronts) -> StoredCheckpoint:
    Engine(fronts.database, clock=fronts.ops.clock).seal_journal()
    tree.extend_all(fronts.database.write, now=fronts.ops.clock())
    deployment = deployment_from_settings(ops_settings())
    return fronts.database.write(
        lambda conn: checkpoints.make_checkpoint(
            conn, deployment, key=KEY, origin=ORIGIN, now=fronts.ops.clock()
        )
    )


def verified(stored: StoredCheckpoint, proof: dict[str, Any], account: str) -> list[str]:
    cp = stored.checkpoint
    assert cp.liabilities_root is not None and cp.liabilities_sum is not None
    return sumtree.verify_proof(
        proof, account=account, root=cp.liabilities_root, total=cp.liabilities_sum
    )


def balance(fronts: Fronts, code: str) -> int:
    return accounts.get_account(fronts.context(Role.AUDITOR), code).balance


def test_a_member_gets_their_proof_alike_from_the_act_the_api_and_mlc(
    fronts: Fronts, tmp_path: Path
) -> None:
    stored = make_checkpoint(fronts)

    by_act = liabilities.liability_proof(fronts.context(Role.MEMBER), "alice")
    by_api = fronts.ops.client.get(
        PROOF, params={"account": "alice"}, headers=fronts.ops.auth(Role.MEMBER)
    )
    out = tmp_path / "proof.json"
    run = fronts.mlc("liability-proof", "--account", "alice", "--out", str(out), actor="alice")

    assert run.exit_code == 0, run.output
    assert by_api.status_code == 200, by_api.text
    for proof in (by_act, by_api.json(), json.loads(out.read_text())):
        assert verified(stored, proof, "alice") == []
        assert sumtree.balance(proof) == balance(fronts, "alice")
    # One checkpoint, one set of leaves: every front gives the same proof.
    assert by_act == by_api.json() == json.loads(out.read_text())
    assert f"written to {out}" in " ".join(run.output.split())


@pytest.mark.parametrize(("role", "account"), [(Role.AUDITOR, "bakery"), (Role.ADMIN, "town")])
def test_the_association_s_readers_get_any_account_s_proof(
    fronts: Fronts, role: Role, account: str
) -> None:
    stored = make_checkpoint(fronts)

    proof = liabilities.liability_proof(fronts.context(role), account)

    assert verified(stored, proof, account) == []
    assert sumtree.balance(proof) == balance(fronts, account)


def test_a_shop_s_owner_gets_the_shop_s_proof(fronts: Fronts) -> None:
    stored = make_checkpoint(fronts)

    proof = liabilities.liability_proof(fronts.context(Role.MERCHANT_OWNER), "bakery")

    assert verified(stored, proof, "bakery") == []


def test_a_member_gets_no_one_else_s_proof(fronts: Fronts) -> None:
    make_checkpoint(fronts)

    fronts.refused(
        Role.MEMBER,
        lambda ctx: liabilities.liability_proof(ctx, "bakery"),
        status=403,
        api=lambda: fronts.ops.client.get(
            PROOF, params={"account": "bakery"}, headers=fronts.ops.auth(Role.MEMBER)
        ),
        cli=["liability-proof", "--account", "bakery"],
    )


@pytest.mark.parametrize("role", [Role.MERCHANT_CASHIER, Role.OFFICE_OPERATOR])
def test_a_till_s_staff_get_no_proof(fronts: Fronts, role: Role) -> None:
    make_checkpoint(fronts)

    error = fronts.refused(
        role,
        lambda ctx: liabilities.liability_proof(ctx, "bakery"),
        status=403,
        api=lambda: fronts.ops.client.get(
            PROOF, params={"account": "bakery"}, headers=fronts.ops.auth(role)
        ),
    )

    assert isinstance(error, RoleForbidden)


def test_before_the_first_checkpoint_there_is_no_proof_yet(fronts: Fronts) -> None:
    response = fronts.ops.client.get(
        PROOF,
        params={"account": "alice"},
        headers={**fronts.ops.auth(Role.MEMBER), "Accept-Language": "fr"},
    )

    body = assert_problem(response, 404, "no_liabilities_yet")
    assert body["detail"] == (
        "Pas encore de point de contrôle\u00a0: la première preuve viendra avec le premier."
    )


def test_an_account_opened_after_the_checkpoint_is_told_so(fronts: Fronts) -> None:
    stored = make_checkpoint(fronts)
    accounts.open_account(fronts.context(Role.ADMIN), "dora", kind=AccountKind.MEMBER)

    response = fronts.ops.client.get(
        PROOF, params={"account": "dora"}, headers=fronts.ops.auth(Role.AUDITOR)
    )

    body = assert_problem(response, 404, "not_in_checkpoint")
    assert str(body["detail"]).startswith(
        f"account dora is not counted in checkpoint {stored.id}: it was opened after it"
    )


def test_a_checkpoint_that_does_not_exist_is_told_so(fronts: Fronts) -> None:
    stored = make_checkpoint(fronts)

    for asked, status in ((stored.id, 200), (stored.id + 1, 404)):
        response = fronts.ops.client.get(
            PROOF,
            params={"account": "alice", "checkpoint": str(asked)},
            headers=fronts.ops.auth(Role.MEMBER),
        )
        assert response.status_code == status, response.text
    assert_problem(response, 404, "no_liabilities")


def test_the_wallet_gets_the_checkpoint_its_key_and_the_proof(fronts: Fronts) -> None:
    conversions.convert_by_card(
        fronts.context(Role.ASSOCIATION_OPERATOR), "alice", 3000, payment_reference="c", key="c"
    )
    stored = make_checkpoint(fronts)
    signing = SigningKeys(KeyRing(SigningKey.generate(), verification_only=[KEY.public_key]), 1)
    member = dataclasses.replace(fronts.context(Role.MEMBER), signing=signing)

    found = liabilities.counted(member)

    assert found.account == "alice" and found.checkpoint is not None
    assert found.checkpoint.id == stored.id
    assert found.note == stored.note and found.cosignatures == 0
    assert found.vkey == NoteKey(ORIGIN, KEY.public_key).vkey
    open_note(found.note, [NoteKey(ORIGIN, KEY.public_key)])  # raises unless it verifies
    assert found.proof is not None and verified(stored, found.proof, "alice") == []
    cp = stored.checkpoint
    assert cp.circulation > 0
    assert found.coverage_percent == Decimal(cp.reserve_total * 10000 // cp.circulation) / 100


def test_the_wallet_without_the_signing_key_has_no_key_to_offer(fronts: Fronts) -> None:
    make_checkpoint(fronts)

    found = liabilities.counted(fronts.context(Role.MEMBER))

    assert found.vkey is None and found.proof is not None


def test_the_wallet_before_any_checkpoint_says_there_is_none_yet(fronts: Fronts) -> None:
    found = liabilities.counted(fronts.context(Role.AUTHORITY_AGENT))

    assert found.account == "town" and found.checkpoint is None
    assert isinstance(found.missing, NoLiabilitiesYet)


def test_a_shop_s_owner_has_no_wallet_page(fronts: Fronts) -> None:
    with pytest.raises(RoleForbidden):
        liabilities.counted(fronts.context(Role.MERCHANT_OWNER))


def test_a_proof_asked_for_someone_else_is_refused_before_any_read(fronts: Fronts) -> None:
    with pytest.raises(NotYourAccount):
        liabilities.liability_proof(fronts.context(Role.AUTHORITY_AGENT), "alice")
