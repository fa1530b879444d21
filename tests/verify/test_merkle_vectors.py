"""The tree's hashes and proofs against published vectors and an independent implementation.

* The RFC 6962 vectors of Certificate Transparency's reference implementation, as
  transparency-dev/merkle keeps them (``testonly/constants.go``, ``proof/verify_test.go``):
  eight leaves, the roots of every prefix, known inclusion and consistency proofs, and the
  corruptions its verifier must refuse.
* ``pymerkle`` (PyPI, a test dependency only), whose trees hash with RFC 9162's 0x00 and
  0x01 prefixes: its roots equal ours; its inclusion paths are ours (after the leaf it puts
  first), each verified by the other's verifier; its consistency proofs, read back into
  RFC 9162's form, pass ours, and ours pass it where the two forms coincide.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monnaie_locale.verify.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MemoryTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# (leaf number from 1, tree size, proof), transparency-dev/merkle proof/verify_test.go
INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (3, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        2,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def reference_tree() -> MemoryTree:
    return MemoryTree([leaf_hash(leaf) for leaf in LEAVES])


def test_the_empty_tree_and_every_prefix_have_the_reference_roots() -> None:
    tree = reference_tree()
    assert ROOTS[0] == EMPTY_ROOT
    assert [tree.root(size) for size in range(9)] == ROOTS
    assert [root_of(tree.leaves[:size]) for size in range(9)] == ROOTS


def test_a_compact_range_streams_the_reference_roots() -> None:
    compact = CompactRange()
    assert compact.root() == ROOTS[0]
    for size, leaf in enumerate(LEAVES, start=1):
        compact.append(leaf_hash(leaf))
        assert compact.root() == ROOTS[size]


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_proofs_are_the_reference_ones_and_verify(
    leaf: int, size: int, proof: list[bytes]
) -> None:
    tree = reference_tree()
    assert inclusion_proof(tree, leaf - 1, size) == proof
    assert verify_inclusion(leaf - 1, size, tree.leaves[leaf - 1], proof, ROOTS[size])


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_proofs_are_the_reference_ones_and_verify(
    first: int, second: int, proof: list[bytes]
) -> None:
    tree = reference_tree()
    assert consistency_proof(tree, first, second) == proof
    assert verify_consistency(first, second, proof, ROOTS[first], ROOTS[second])


def _inclusion_corruptions(
    index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes
) -> list[tuple[str, int, int, bytes, list[bytes], bytes]]:
    """transparency-dev's corruptInclusionProof: each must fail."""
    probes = [
        ("index - 1", index - 1, size, leaf, proof, root),
        ("index + 1", index + 1, size, leaf, proof, root),
        ("index ^ 2", index ^ 2, size, leaf, proof, root),
        ("size * 2", index, size * 2, leaf, proof, root),
        ("size / 2", index, size // 2, leaf, proof, root),
        ("wrong leaf", index, size, b"WrongLeaf", proof, root),
        ("empty root", index, size, leaf, proof, EMPTY_ROOT),
        ("random root", index, size, leaf, proof, SOME_HASH),
        ("trailing garbage", index, size, leaf, [*proof, b""], root),
        ("trailing root", index, size, leaf, [*proof, root], root),
        ("preceding garbage", index, size, leaf, [b"", *proof], root),
        ("preceding root", index, size, leaf, [root, *proof], root),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((f"bit flipped in proof[{i}]", index, size, leaf, flipped, root))
    if proof:
        probes.append(("removed component", index, size, leaf, proof[:-1], root))
    if len(proof) > 1:
        inserted = [proof[0], SOME_HASH, *proof[1:]]
        probes.append(("inserted component", index, size, leaf, inserted, root))
    return [(name, i, s, lf, p, r) for name, i, s, lf, p, r in probes]


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION[1:])
def test_corrupted_inclusion_proofs_are_refused(leaf: int, size: int, proof: list[bytes]) -> None:
    tree = reference_tree()
    probes = _inclusion_corruptions(leaf - 1, size, proof, ROOTS[size], tree.leaves[leaf - 1])
    passed = [name for name, i, s, lf, p, r in probes if verify_inclusion(i, s, lf, p, r)]
    assert passed == []


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY[1:])
def test_corrupted_consistency_proofs_are_refused(
    first: int, second: int, proof: list[bytes]
) -> None:
    r1, r2 = ROOTS[first], ROOTS[second]
    flips = []
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        flips.append((f"bit flipped in proof[{i}]", first, second, r1, r2, flipped))
    probes = [
        ("first - 1", first - 1, second, r1, r2, proof),
        ("first + 1", first + 1, second, r1, r2, proof),
        ("first ^ 2", first ^ 2, second, r1, r2, proof),
        ("second * 2", first, second * 2, r1, r2, proof),
        ("second / 2", first, second // 2, r1, r2, proof),
        ("wrong first root", first, second, b"WrongRoot", r2, proof),
        ("wrong second root", first, second, r1, b"WrongRoot", proof),
        ("swapped roots", first, second, r2, r1, proof),
        ("empty proof", first, second, r1, r2, []),
        ("trailing garbage", first, second, r1, r2, [*proof, b""]),
        ("trailing first root", first, second, r1, r2, [*proof, r1]),
        ("trailing second root", first, second, r1, r2, [*proof, r2]),
        ("preceding garbage", first, second, r1, r2, [b"", *proof]),
        ("preceding first root", first, second, r1, r2, [r1, *proof]),
        ("preceding second root", first, second, r1, r2, [r2, *proof]),
        ("preceding proof[0]", first, second, r1, r2, [proof[0], *proof]),
        ("truncated", first, second, r1, r2, proof[:-1]),
        *flips,
    ]
    passed = [name for name, m, n, a, b, p in probes if verify_consistency(m, n, p, a, b)]
    assert passed == []


@pytest.mark.parametrize(
    ("first", "second", "first_root", "second_root", "proof", "holds"),
    [
        (0, 0, b"root one", b"root two", [], False),
        (1, 1, b"root one", b"root two", [], False),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [], True),
        (0, 1, EMPTY_ROOT, SOME_HASH, [], True),
        (1, 1, SOME_HASH, SOME_HASH, [], True),
        (1, 0, SOME_HASH, EMPTY_ROOT, [], False),  # time travel to the past
        (2, 1, SOME_HASH, EMPTY_ROOT, [], False),
        (1, 2, SOME_HASH, EMPTY_ROOT, [], False),  # an empty proof between two sizes
        (0, 0, EMPTY_ROOT, SOME_HASH, [], False),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),  # equal, yet a proof
        (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
        (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
    ],
)
def test_consistency_edge_cases_as_the_reference_verifier_decides_them(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes], holds: bool
) -> None:
    assert verify_consistency(first, second, proof, first_root, second_root) is holds


def test_a_hash_that_is_not_32_bytes_never_verifies() -> None:
    leaf = leaf_hash(b"data")
    assert verify_inclusion(0, 1, leaf, [], leaf)
    assert not verify_inclusion(0, 1, b"", [], b"")
    assert not verify_inclusion(0, 1, leaf, [], b"")
    assert not verify_inclusion(0, 2, leaf, [leaf + b"x"], node_hash(leaf, leaf + b"x"))


# pymerkle ----------------------------------------------------------------------------


def _pymerkle_tree(leaves: list[bytes]) -> object:
    pymerkle = pytest.importorskip("pymerkle")
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for data in leaves:
        tree.append_entry(data)
    return tree


def _rfc_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """RFC 9162 2.1.4.1's SUBPROOF, as leaf ranges, leaf end first: written from the RFC."""

    def sub(m: int, start: int, end: int, whole: bool) -> list[tuple[int, int]]:
        n = end - start
        if m == n:
            return [] if whole else [(start, end)]
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            return [*sub(m, start, start + k, whole), (start + k, end)]
        return [*sub(m - k, start + k, end, False), (start, start + k)]

    return sub(first, 0, second, True)


def _from_pymerkle(proof: object) -> list[bytes]:
    """A pymerkle consistency proof in RFC 9162's form.

    The two split the tree alike except where the old size is exactly the left part's: the
    RFC goes left and sends the right part's root, pymerkle goes right and sends the path
    from the right part's first leaf, whose fold is that root.
    """
    path, subset = list(proof.path), list(proof.subset)  # type: ignore[attr-defined]
    if proof.prior_size == proof.size:  # type: ignore[attr-defined]
        return []  # pymerkle sends the root itself; the RFC, nothing
    if subset[0] == 1:
        return path
    turn = subset.index(1)  # where pymerkle went right with the whole old tree on its left
    right = path[0]
    for digest in path[1:turn]:
        right = node_hash(right, digest)
    above = path[turn + 1 :]
    whole = not any(subset[turn + 1 :])
    return [*([] if whole else [path[turn]]), right, *above]


def _pymerkle_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> object:
    from pymerkle.core import _inclusion_path_layout
    from pymerkle.proof import InclusionProof

    rule, _ = _inclusion_path_layout(index + 1, size)
    return InclusionProof("sha256", True, size, index + 1, rule, [leaf, *proof])


def _check_against_pymerkle(leaves: list[bytes], sizes: list[int]) -> None:
    theirs = _pymerkle_tree(leaves)
    from pymerkle.core import _consistency_path_layout
    from pymerkle.proof import ConsistencyProof

    ours = MemoryTree([leaf_hash(leaf) for leaf in leaves])
    for size in sizes:
        assert theirs.get_root(size) == ours.root(size)  # type: ignore[attr-defined]
    for size in sizes[1:]:
        root = ours.root(size)
        for index in sorted({0, size - 1, random.randrange(size)}):
            leaf = ours.leaves[index]
            mine = inclusion_proof(ours, index, size)
            their = theirs.prove_inclusion(index + 1, size)  # type: ignore[attr-defined]
            assert their.path == [leaf, *mine]
            _pymerkle_inclusion(index, size, leaf, mine).verify(leaf, root)  # type: ignore[attr-defined]
            assert verify_inclusion(index, size, leaf, their.path[1:], root)
        for first in sorted({1, size, random.randrange(1, size + 1)}):
            a = ours.root(first)
            mine = consistency_proof(ours, first, size)
            assert verify_consistency(first, size, mine, a, root)
            their = theirs.prove_consistency(first, size)  # type: ignore[attr-defined]
            their.verify(a, root)
            assert verify_consistency(first, size, _from_pymerkle(their), a, root)
            for (start, end), digest in zip(_rfc_ranges(first, size), mine, strict=True):
                assert theirs._get_root(start, end) == digest  # type: ignore[attr-defined]
            rule, subset, _ = _consistency_path_layout(first, size)
            if first != size and subset[0] == 1:  # the two forms coincide: theirs checks ours
                ConsistencyProof("sha256", True, size, first, rule, subset, mine).verify(a, root)


def test_pymerkle_agrees_on_every_tree_up_to_200_leaves() -> None:
    pytest.importorskip("pymerkle")
    rng = random.Random(16)
    leaves = [rng.randbytes(rng.randrange(0, 40)) for _ in range(200)]
    _check_against_pymerkle(leaves, list(range(0, 201)))


@settings(max_examples=15, deadline=None)
@given(
    count=st.integers(min_value=201, max_value=2000),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_pymerkle_agrees_on_larger_random_trees(count: int, seed: int) -> None:
    pytest.importorskip("pymerkle")
    rng = random.Random(seed)
    random.seed(seed)
    leaves = [rng.randbytes(8) for _ in range(count)]
    sizes = sorted({0, 1, count, *(rng.randrange(1, count + 1) for _ in range(4))})
    _check_against_pymerkle(leaves, sizes)
