"""The Merkle sum tree, without a database: its hashes against a plain recursive reading of
the definition, its proofs, and what a proof's verifier refuses (Hu, Zhang and Guo's attack
among them)."""

from __future__ import annotations

import copy
import hashlib
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monnaie_locale.verify import sumtree
from monnaie_locale.verify.sumtree import LIMIT, LeafProof, Node, SumTreeError


def reference_root(leaves: list[Node]) -> Node:
    """RFC 9162's MTH, recursively, with the node form written out again here."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    left, right = reference_root(leaves[:k]), reference_root(leaves[k:])
    data = (
        b"\x01"
        + left.hash
        + left.sum.to_bytes(8, "big")
        + right.hash
        + right.sum.to_bytes(8, "big")
    )
    return Node(hashlib.sha256(data).digest(), left.sum + right.sum)


def holders(amounts: list[int]) -> list[tuple[str, bytes, int]]:
    return [(f"holder-{i}", os.urandom(32), amount) for i, amount in enumerate(amounts)]


def leaves_of(entries: list[tuple[str, bytes, int]]) -> list[Node]:
    return [sumtree.leaf(amount, sumtree.commitment(salt, code)) for code, salt, amount in entries]


def proof_for(entries: list[tuple[str, bytes, int]], code: str) -> dict[str, Any]:
    leaves = leaves_of(entries)
    mine = [i for i, (holder, _, _) in enumerate(entries) if holder == code]
    root, paths = sumtree.paths_from_stream(iter(leaves), len(leaves), mine)
    return sumtree.proof_data(
        checkpoint_id=3,
        tree_size=120,
        account=code,
        leaf_count=len(leaves),
        root=root,
        leaves=[LeafProof(i, entries[i][2], entries[i][1], paths[i]) for i in mine],
    )


def test_a_leaf_hashes_its_amount_and_a_salted_commitment_to_its_account() -> None:
    salt = bytes(range(32))
    committed = hashlib.sha256(b"mlc-liability/1" + salt + "élodie".encode()).digest()

    node = sumtree.leaf(1250, sumtree.commitment(salt, "élodie"))

    assert node == Node(
        hashlib.sha256(b"\x00" + (1250).to_bytes(8, "big") + committed).digest(), 1250
    )


@pytest.mark.parametrize("size", range(1, 70))
def test_the_streamed_root_is_the_recursive_definitions(size: int) -> None:
    leaves = leaves_of(holders([(i * 37) % 101 for i in range(size)]))

    assert sumtree.root_of(leaves) == reference_root(leaves)
    assert sumtree.root_of(leaves).sum == sum(n.sum for n in leaves)


def test_the_empty_tree_is_the_hash_of_nothing_and_sums_to_zero() -> None:
    assert sumtree.root_of([]) == Node(hashlib.sha256(b"").digest(), 0)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 16, 17, 31])
def test_every_leaf_s_path_leads_to_the_root(size: int) -> None:
    leaves = leaves_of(holders(list(range(size))))
    root, paths = sumtree.paths_from_stream(leaves, size, range(size))

    assert root == reference_root(leaves)
    for index in range(size):
        assert sumtree.root_from_path(index, size, leaves[index], paths[index]) == root
        # The same leaf and path at another place lead elsewhere, or nowhere.
        if size > 1:
            elsewhere = (index + 1) % size
            assert sumtree.root_from_path(elsewhere, size, leaves[index], paths[index]) != root


def test_a_stream_shorter_than_announced_is_refused() -> None:
    leaves = leaves_of(holders([1, 2, 3]))

    with pytest.raises(ValueError, match="holds 3 leaves, not 4"):
        sumtree.paths_from_stream(leaves, 4, [0])


@given(
    amounts=st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=80),
    data=st.data(),
)
@settings(max_examples=60, deadline=None)
def test_any_holder_s_proof_verifies_and_shows_their_balance(
    amounts: list[int], data: st.DataObject
) -> None:
    entries = holders(amounts)
    # Some holders own several leaves, as a balance split in parts.
    owner = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    extra = data.draw(st.lists(st.integers(0, len(entries) - 1), max_size=3, unique=True))
    for i in extra:
        entries[i] = (f"holder-{owner}", entries[i][1], entries[i][2])
    code = f"holder-{owner}"
    proof = proof_for(entries, code)
    root = reference_root(leaves_of(entries))

    assert sumtree.verify_proof(proof, account=code, root=root.hash, total=sum(amounts)) == []
    assert sumtree.balance(proof) == sum(a for c, _, a in entries if c == code)


def sample() -> tuple[list[tuple[str, bytes, int]], Node, dict[str, Any]]:
    entries = holders([500, 1000, 250, 4000, 0, 75, 120])
    entries[5] = ("holder-1", entries[5][1], entries[5][2])  # holder-1 has two leaves
    proof = proof_for(entries, "holder-1")
    return entries, reference_root(leaves_of(entries)), proof


def problems(proof: dict[str, Any], root: Node, account: str = "holder-1") -> list[str]:
    return sumtree.verify_proof(proof, account=account, root=root.hash, total=root.sum)


def test_a_lowered_amount_is_found_and_the_leaf_named() -> None:
    _, root, proof = sample()
    proof["leaves"][0]["amount"] -= 1

    found = problems(proof, root)

    assert found and all(p.startswith("leaf 1:") for p in found)
    assert any("does not lead to the checkpoint's root" in p for p in found)


def test_value_moved_between_siblings_breaks_the_root() -> None:
    # Hu, Zhang and Guo: with only the total hashed, lowering one sibling's sum and
    # raising the next one's keeps every total and passes. Here each sum is hashed.
    _, root, proof = sample()
    path = proof["leaves"][0]["path"]
    assert path[0]["sum"] >= 1
    path[0]["sum"] -= 1
    path[1]["sum"] += 1

    found = problems(proof, root)

    assert found == ["leaf 1: its path does not lead to the checkpoint's root: not counted"]


def test_the_attack_passes_a_tree_that_hashes_only_the_totals_and_fails_ours() -> None:
    # Hu, Zhang and Guo: two sibling leaves of 5 and 7. With only the total hashed, the
    # prover shows the first a sibling of 2 and the second a sibling of 0: each sees their
    # own amount counted, both reach one root, and the root says 7 instead of 12.
    def naive(left: Node, right: Node) -> Node:
        total = left.sum + right.sum
        data = b"\x01" + left.hash + right.hash + total.to_bytes(8, "big")
        return Node(hashlib.sha256(data).digest(), total)

    a, b = Node(b"a" * 32, 5), Node(b"b" * 32, 7)
    seen_by_a = naive(a, Node(b.hash, 2))
    seen_by_b = naive(Node(a.hash, 0), b)
    assert seen_by_a == seen_by_b and seen_by_a.sum == 7

    ours_a = sumtree.parent(a, Node(b.hash, 2))
    ours_b = sumtree.parent(Node(a.hash, 0), b)
    assert ours_a.hash != ours_b.hash != sumtree.parent(a, b).hash


def test_a_dropped_leaf_changes_the_root_and_the_holder_s_proof_fails() -> None:
    entries, root, _ = sample()
    kept = entries[:3] + entries[4:]  # holder-3's leaf dropped, 4000 fewer liabilities
    rebuilt = proof_for(kept, "holder-1")
    rebuilt_root = reference_root(leaves_of(kept))

    assert rebuilt_root.sum == root.sum - 4000
    assert rebuilt_root.hash != root.hash
    found = problems(rebuilt, root)
    assert "the proof's root is not the checkpoint's liabilities root" in found
    assert any(p.startswith("leaf 1:") and "not counted" in p for p in found)


def test_a_proof_for_someone_else_s_account_does_not_verify() -> None:
    _, root, proof = sample()

    found = problems(proof, root, account="holder-2")

    assert found[0] == "the proof is for account 'holder-1', not 'holder-2'"
    assert all("not counted" in p for p in found[1:]) and len(found) == 3


def test_a_proof_against_another_total_names_each_leaf() -> None:
    _, root, proof = sample()

    found = sumtree.verify_proof(proof, account="holder-1", root=root.hash, total=root.sum + 1)

    assert f"the proof's total {root.sum} is not the checkpoint's {root.sum + 1}" in found
    assert {p.split(":")[0] for p in found[1:]} == {"leaf 1", "leaf 5"}


def test_a_path_cut_short_does_not_fit_the_leaf_s_place() -> None:
    _, root, proof = sample()
    proof["leaves"][1]["path"].pop()

    assert problems(proof, root) == ["leaf 5: its path has 2 steps, which no leaf has at its place"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: p.update(format="other/1"), "not a liability proof"),
        (lambda p: p.update(leaves=[]), "the proof holds no leaf for holder-1"),
        (lambda p: p["leaves"][0].update(amount=-5), "leaf 1: its amount is not a whole"),
        (lambda p: p["leaves"][0].update(amount=True), "leaf 1: its amount is not a whole"),
        (lambda p: p["leaves"][0].update(salt="zz" * 32), "leaf 1: its salt is not 32 bytes"),
        (lambda p: p["leaves"][0]["path"][0].update(sum=-1), "leaf 1: step 1's sum"),
        (lambda p: p["leaves"][0]["path"][0].update(hash="AAAA"), "leaf 1: step 1's hash"),
        (lambda p: p["leaves"].append(copy.deepcopy(p["leaves"][0])), "leaf 1 is given twice"),
        (lambda p: p["leaves"][0].update(position=7), "leaf 7 is beyond the tree's 7 leaves"),
        (lambda p: p.update(leaf_count="7"), "the leaf count is not a whole number"),
    ],
)
def test_a_malformed_proof_is_a_problem_not_a_crash(change: Any, expected: str) -> None:
    _, root, proof = sample()
    change(proof)

    assert any(p.startswith(expected) for p in problems(proof, root))


@pytest.mark.parametrize("amount", [-1, LIMIT, LIMIT + 5])
def test_amounts_outside_the_signed_64_bit_range_are_refused(amount: int) -> None:
    with pytest.raises(SumTreeError):
        sumtree.leaf(amount, bytes(32))


def test_sums_that_would_overflow_are_refused() -> None:
    big = sumtree.leaf(LIMIT - 1, bytes(32))

    with pytest.raises(SumTreeError):
        sumtree.parent(big, sumtree.leaf(1, bytes(32)))


def test_a_salt_is_32_bytes() -> None:
    with pytest.raises(SumTreeError):
        sumtree.commitment(bytes(16), "alice")
