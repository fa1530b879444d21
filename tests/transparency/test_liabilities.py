"""The sum tree each checkpoint commits to, on both engines: its root sums to the
circulation the checkpoint attests, every holder's proof verifies and adds up to their
balance, and leaves dropped or lowered in the database show in the holders' proofs."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from monnaie_locale import journal
from monnaie_locale.ledger import service
from monnaie_locale.model import AccountKind, TransferRequest
from monnaie_locale.operations import conversion, payouts, reconversion
from monnaie_locale.payments.keys import SigningKey
from monnaie_locale.reserve import position
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_transparency import liability_leaves
from monnaie_locale.transparency import checkpoints, liabilities, liability_proofs, tree
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from monnaie_locale.transparency.liability_proofs import (
    NoLiabilities,
    NotInCheckpoint,
)
from monnaie_locale.verify import sumtree
from tests.conftest import SteppingClock
from tests.operations.conftest import BAKERY_IBAN, Books, make_books, make_deployment
from tests.store.forgery import forge_transfer

KEY = SigningKey.generate()
ORIGIN = "pay.example/mlc"
# Every account circulation digital counts in the books below, and its balance.
COUNTED = {
    "alice": 5000 - 1250,
    "bob": 3000,
    "carol": 0,
    "bakery": 10000 + 1250 - 4000,  # 1000 of it held for the reconversion waiting
    "town:regie-pool": 2000,
    "association:fees": 200,  # 5 % of the 4000 reconverted and paid
    "association:bonus": 0,
    "association:demurrage": 0,
    "reconversion:pending": 0,  # units pass through it as a reconversion is paid
}


def make_checkpoint(books: Books) -> StoredCheckpoint:
    """The tree extended over every sealed entry, then a checkpoint signed."""
    journal.seal_queue(books.database, clock=books.clock)
    tree.extend_all(books.database.write, now=books.clock())
    return books.write(
        lambda conn: checkpoints.make_checkpoint(
            conn, books.deployment, key=KEY, origin=ORIGIN, now=books.clock()
        )
    )


@pytest.fixture
def busy(database: Database, clock: SteppingClock) -> Books:
    """Conversions, a payment, a reconversion paid and another waiting."""
    books = make_books(database, clock, make_deployment())
    for code, amount in [("alice", 5000), ("bob", 3000), ("bakery", 10000)]:
        books.run(
            conversion.convert_by_card,
            account=code,
            amount=amount,
            payment_reference=f"PSP-{code}",
            idempotency_key=f"c-{code}",
        )
    books.run(
        conversion.convert_cash, office="3", account="town:regie-pool", amount=2000,
        idempotency_key="c-town",
    )  # fmt: skip
    books.write(
        lambda conn: service.post_transfer(
            conn,
            TransferRequest.simple("alice", "bakery", 1250),
            idempotency_key="pay-1",
            clock=books.clock,
        )
    )
    paid, _waiting = (
        books.run(
            reconversion.request_reconversion,
            account="bakery",
            amount=amount,
            creditor_name="Boulangerie",
            iban=BAKERY_IBAN,
            idempotency_key=key,
        )
        for amount, key in [(4000, "r1"), (1000, "r2")]
    )
    batch = books.run(
        payouts.validate_batch, request_ids=[paid.id], validated_by="treasurer",
        idempotency_key="b1",
    )  # fmt: skip
    books.run(payouts.export_batch, batch_id=batch.id, execution_date=date(2026, 11, 3))
    books.run(payouts.mark_paid, request_id=paid.id, bank_reference="P1")
    return books


def leaves_by_code(books: Books, checkpoint_id: int) -> dict[str, list[Any]]:
    rows = books.read(
        lambda conn: conn.execute(
            select(accounts.c.code, liability_leaves.c.position, liability_leaves.c.amount)
            .join(accounts, accounts.c.id == liability_leaves.c.account_id)
            .where(liability_leaves.c.checkpoint_id == checkpoint_id)
        ).all()
    )
    found: dict[str, list[Any]] = defaultdict(list)
    for code, where, amount in rows:
        found[code].append((where, amount))
    return found


def proof_of(books: Books, stored: StoredCheckpoint, code: str) -> dict[str, Any]:
    return books.read(lambda conn: liability_proofs.proof(conn, stored, code))


def problems(stored: StoredCheckpoint, proof: dict[str, Any], code: str) -> list[str]:
    cp = stored.checkpoint
    assert cp.liabilities_root is not None and cp.liabilities_sum is not None
    return sumtree.verify_proof(
        proof, account=code, root=cp.liabilities_root, total=cp.liabilities_sum
    )


def test_the_root_sums_to_the_circulation_and_to_every_balance(busy: Books) -> None:
    stored = make_checkpoint(busy)
    cp = stored.checkpoint

    assert {code: busy.balance(code) for code in COUNTED} == COUNTED
    assert cp.liabilities_sum == cp.digital == sum(COUNTED.values()) == 16200
    assert busy.read(lambda conn: position(conn, busy.deployment)).digital_total == 16200
    leaves = leaves_by_code(busy, stored.id)
    assert {code: sum(a for _, a in found) for code, found in leaves.items()} == COUNTED
    assert f"liabilities {sumtree._b64(cp.liabilities_root or b'')} 16200\n" in stored.text


def test_every_holder_s_proof_verifies_and_adds_up_to_their_balance(busy: Books) -> None:
    stored = make_checkpoint(busy)

    for code, balance in COUNTED.items():
        proof = proof_of(busy, stored, code)
        assert problems(stored, proof, code) == [], code
        assert sumtree.balance(proof) == balance
        assert 1 <= len(proof["leaves"]) <= liabilities.MAX_PARTS
        assert proof["checkpoint_id"] == stored.id
        assert proof["tree_size"] == stored.checkpoint.size > 0
        assert proof["leaf_count"] == sum(len(v) for v in leaves_by_code(busy, stored.id).values())


def test_each_checkpoint_splits_shuffles_and_salts_afresh(busy: Books) -> None:
    for n in range(30):
        busy.open(f"member-{n:02d}", AccountKind.MEMBER)
    first, second = make_checkpoint(busy), make_checkpoint(busy)

    def salts(stored: StoredCheckpoint) -> list[bytes]:
        return busy.read(
            lambda conn: [
                bytes(s)
                for s in conn.execute(
                    select(liability_leaves.c.salt).where(
                        liability_leaves.c.checkpoint_id == stored.id
                    )
                ).scalars()
            ]
        )

    every = salts(first) + salts(second)
    assert len(set(every)) == len(every), "a salt serves one leaf of one checkpoint"
    for stored in (first, second):
        owners = busy.read(
            lambda conn, stored=stored: list(
                conn.execute(
                    select(liability_leaves.c.account_id)
                    .where(liability_leaves.c.checkpoint_id == stored.id)
                    .order_by(liability_leaves.c.position)
                ).scalars()
            )
        )
        assert owners != sorted(owners), "the leaves are not in the accounts' order"
        parts = Counter(owners)
        assert set(parts.values()) <= {1, 2, 3, 4}
    # 39 accounts each split in 1 to 4 parts: the same layout twice is all but impossible.
    assert leaves_by_code(busy, first.id) != leaves_by_code(busy, second.id)


def test_an_account_opened_after_the_checkpoint_is_not_in_it(busy: Books) -> None:
    stored = make_checkpoint(busy)
    busy.open("dora", AccountKind.MEMBER)

    with pytest.raises(NotInCheckpoint) as refused:
        proof_of(busy, stored, "dora")

    assert refused.value.checkpoint_id == stored.id
    later = make_checkpoint(busy)
    assert problems(later, proof_of(busy, later, "dora"), "dora") == []


def test_a_negative_balance_leaves_the_checkpoint_without_a_liabilities_line(
    busy: Books,
) -> None:
    busy.write(
        lambda conn: conn.execute(
            update(accounts).where(accounts.c.code == "carol").values(lower_limit=None)
        )
    )
    forge_transfer(busy.database, "carol", "alice", 500)  # carol at -5.00, alice 5.00 more

    stored = make_checkpoint(busy)

    assert stored.checkpoint.liabilities_root is None
    assert "\nliabilities " not in stored.text
    assert stored.checkpoint.digital == 16200  # the circulation is still told
    with pytest.raises(NoLiabilities):
        proof_of(busy, stored, "alice")
    count = busy.read(
        lambda conn: conn.execute(select(func.count()).select_from(liability_leaves)).scalar_one()
    )
    assert count == 0


def test_a_total_that_is_not_the_signed_circulation_is_never_kept(busy: Books) -> None:
    stored = make_checkpoint(busy)
    sums = busy.read(lambda conn: liabilities.sum_tree(conn, busy.deployment))
    assert sums is not None
    lowered = liabilities.SumTree(sums.root, sums.total - 1, sums.leaves)

    with pytest.raises(liabilities.LiabilitiesMismatch):
        busy.write(lambda conn: liabilities.store_leaves(conn, stored.id, lowered))


def test_a_dropped_leaf_fails_every_holder_s_proof(busy: Books) -> None:
    stored = make_checkpoint(busy)
    bob = leaves_by_code(busy, stored.id)["bob"]
    where, amount = max(bob, key=lambda leaf: leaf[1])
    assert amount > 0
    busy.write(
        lambda conn: conn.execute(
            delete(liability_leaves).where(
                liability_leaves.c.checkpoint_id == stored.id,
                liability_leaves.c.position == where,
            )
        )
    )

    proof = proof_of(busy, stored, "alice")

    assert proof["total"] == 16200 - amount
    found = problems(stored, proof, "alice")
    assert "the proof's root is not the checkpoint's liabilities root" in found
    named = {leaf["position"] for leaf in proof["leaves"]}
    assert {p.split(":")[0] for p in found if p.startswith("leaf")} == {f"leaf {n}" for n in named}


def test_a_lowered_leaf_fails_its_holder_s_proof_and_names_the_leaf(busy: Books) -> None:
    stored = make_checkpoint(busy)
    where, amount = max(leaves_by_code(busy, stored.id)["alice"], key=lambda leaf: leaf[1])
    busy.write(
        lambda conn: conn.execute(
            update(liability_leaves)
            .where(
                liability_leaves.c.checkpoint_id == stored.id,
                liability_leaves.c.position == where,
            )
            .values(amount=amount - 100)
        )
    )

    proof = proof_of(busy, stored, "alice")
    found = problems(stored, proof, "alice")

    assert sumtree.balance(proof) == COUNTED["alice"] - 100
    assert f"leaf {where}: its path does not lead to the checkpoint's root: not counted" in found
    assert f"leaf {where}: its path adds up to 16100, the checkpoint says 16200" in found


def test_value_moved_between_siblings_in_a_proof_breaks_its_root(busy: Books) -> None:
    stored = make_checkpoint(busy)
    proof = proof_of(busy, stored, "bakery")
    leaf = next(one for one in proof["leaves"] if len(one["path"]) >= 2)
    giver = next(step for step in leaf["path"] if step["sum"] > 0)
    taker = next(step for step in leaf["path"] if step is not giver)
    giver["sum"] -= 1
    taker["sum"] += 1

    assert problems(stored, proof, "bakery") == [
        f"leaf {leaf['position']}: its path does not lead to the checkpoint's root: not counted"
    ]


def test_someone_else_s_leaves_do_not_pass_for_yours(busy: Books) -> None:
    stored = make_checkpoint(busy)
    proof = proof_of(busy, stored, "bob")
    proof["account"] = "alice"

    found = problems(stored, proof, "alice")

    assert found and all("not counted" in p for p in found)
