"""How balances become leaves, without a database: split in one to four parts that add up,
shuffled, salted, every holder's proof verifying; a negative balance refused; and the
memory 100,000 accounts take."""

from __future__ import annotations

import tracemalloc
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from monnaie_locale.transparency.liabilities import MAX_PARTS, lay_out, split
from monnaie_locale.verify import sumtree
from monnaie_locale.verify.sumtree import LeafProof

BALANCES = st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=60)


@given(amount=st.integers(min_value=0, max_value=10**15), parts=st.integers(1, MAX_PARTS))
def test_a_split_adds_up_and_never_goes_negative(amount: int, parts: int) -> None:
    found = split(amount, parts)

    assert len(found) == parts
    assert sum(found) == amount
    assert min(found) >= 0


@given(balances=BALANCES, data=st.data())
@settings(max_examples=80, deadline=None)
def test_split_shuffled_leaves_prove_each_balance(balances: list[int], data: st.DataObject) -> None:
    accounts = [(100 + i, f"member-{i}", b) for i, b in enumerate(balances)]
    leaves = lay_out(accounts)
    assert leaves is not None
    nodes = list(leaves.nodes())
    root = sumtree.root_of(nodes)

    assert root.sum == sum(balances)
    places: dict[int, list[int]] = defaultdict(list)
    for position in range(len(leaves)):
        places[leaves.ids[leaves.owners[position]]].append(position)
    assert sorted(places) == [a for a, _, _ in accounts], "every account has a leaf"
    assert all(1 <= len(p) <= MAX_PARTS for p in places.values())

    account_id, code, balance = data.draw(st.sampled_from(accounts))
    mine = places[account_id]
    rebuilt, paths = sumtree.paths_from_stream(iter(nodes), len(nodes), mine)
    proof = sumtree.proof_data(
        checkpoint_id=1,
        tree_size=10,
        account=code,
        leaf_count=len(nodes),
        root=rebuilt,
        leaves=[LeafProof(p, leaves.amounts[p], leaves.salt(p), paths[p]) for p in mine],
    )
    assert rebuilt == root
    assert sumtree.verify_proof(proof, account=code, root=root.hash, total=root.sum) == []
    assert sumtree.balance(proof) == balance


def test_every_leaf_has_its_own_salt() -> None:
    leaves = lay_out((i, f"m{i}", 0) for i in range(500))
    assert leaves is not None

    salts = {leaves.salt(p) for p in range(len(leaves))}

    assert len(salts) == len(leaves) >= 500
    assert all(len(s) == 32 for s in salts)


def test_a_negative_balance_gives_no_leaves() -> None:
    assert lay_out([(1, "alice", 500), (2, "carol", -1), (3, "bob", 7)]) is None


def test_a_leaf_takes_about_a_hundred_bytes_while_the_tree_is_built() -> None:
    # Measured on 20,000 accounts (tracemalloc slows everything tenfold); the arrays grow
    # linearly, so 100,000 accounts (some 250,000 leaves) stay near 25 MiB.
    tracemalloc.start()
    try:
        leaves = lay_out((i, f"member-{i:06d}", i % 5_000) for i in range(20_000))
        assert leaves is not None
        root = sumtree.root_of(leaves.nodes())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert root.sum == sum(i % 5_000 for i in range(20_000))
    assert peak / len(leaves) < 150, f"{peak / len(leaves):.0f} bytes a leaf"
