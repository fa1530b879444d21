"""RFC 6962 / RFC 9162 Merkle trees: hashes, proofs, and their verification.

A leaf's hash is ``SHA-256(0x00 || data)`` and a node's ``SHA-256(0x01 || left || right)``,
the prefixes keeping a leaf from ever passing for a node. The tree over ``n`` leaves splits
at the largest power of two below ``n`` (RFC 9162, section 2.1.1), so the left part is
always a complete subtree and only the right edge may be ragged.

Proofs are built from a :class:`Subtrees` source, anything that gives the hash of a
*complete* subtree (``2**level`` leaves from ``index * 2**level``): a list in memory
(:class:`MemoryTree`) or the ledger's stored nodes. The two checks follow RFC 9162,
sections 2.1.3.2 (inclusion) and 2.1.4.2 (consistency), step by step.

:class:`CompactRange` computes a root while leaves stream past, holding one hash per set
bit of the count: a million leaves take about twenty hashes of memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Protocol

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "CompactRange",
    "MemoryTree",
    "Subtrees",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "range_hash",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]

EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32


def leaf_hash(data: bytes) -> bytes:
    """The hash of a leaf holding ``data``."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of a node over two children's hashes."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _hashes(*values: bytes) -> bool:
    """Whether every value is a SHA-256 hash's length: a shorter "hash" in a proof or a
    root is malformed, and would otherwise pass where the RFC's loop never reads it."""
    return all(len(value) == HASH_SIZE for value in values)


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n`` >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class Subtrees(Protocol):
    """Where the hashes of complete subtrees come from."""

    def complete(self, level: int, index: int) -> bytes:
        """The hash of leaves ``[index * 2**level, (index + 1) * 2**level)``."""
        ...


def range_hash(tree: Subtrees, start: int, end: int) -> bytes:
    """The Merkle tree hash of leaves ``[start, end)`` (RFC 9162's MTH of that slice).

    ``start`` must be a multiple of the largest power of two not above ``end - start``,
    which every slice the RFC's recursion makes is.
    """
    n = end - start
    if n <= 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0:
        level = n.bit_length() - 1
        return tree.complete(level, start >> level)
    k = _split(n)
    return node_hash(range_hash(tree, start, start + k), range_hash(tree, start + k, end))


def inclusion_proof(tree: Subtrees, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 9162 PATH)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_hash(tree, start + k, end))
            end = start + k
        else:
            path.append(range_hash(tree, start, start + k))
            start += k
    path.reverse()  # the RFC lists the path from the leaf up
    return path


def consistency_proof(tree: Subtrees, first: int, second: int) -> list[bytes]:
    """The proof that the tree of ``first`` leaves is a prefix of the one of ``second``.

    RFC 9162 PROOF(m, D[n]); empty when ``first`` is 0 or equals ``second``.
    """
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from {first} to {second}")
    if first in (0, second):
        return []
    proof: list[bytes] = []
    start, end, whole = 0, second, True
    m = first
    while True:
        n = end - start
        if m == n:
            if not whole:
                proof.append(range_hash(tree, start, end))
            break
        k = _split(n)
        if m <= k:
            proof.append(range_hash(tree, start + k, end))
            end = start + k
        else:
            proof.append(range_hash(tree, start, start + k))
            start += k
            m -= k
            whole = False
    proof.reverse()
    return proof


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` under ``root`` (RFC 9162 2.1.3.2)."""
    if not 0 <= index < size or not _hashes(leaf, root, *proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> bool:
    """Whether ``proof`` shows the tree of ``first`` leaves a prefix of ``second``'s (2.1.4.2).

    As RFC 9162 leaves them open: equal sizes need equal roots and no proof; the empty
    tree is a prefix of any tree, with no proof (whether ``first_root`` is the empty
    tree's own is the caller's to check).
    """
    if not 0 <= first <= second or not _hashes(first_root, second_root, *proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


class MemoryTree:
    """A tree over leaf hashes held in a list: for proofs over a few thousand leaves."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.leaves = list(leaves)
        self._cache: dict[tuple[int, int], bytes] = {}

    def complete(self, level: int, index: int) -> bytes:
        if level == 0:
            return self.leaves[index]
        found = self._cache.get((level, index))
        if found is None:
            found = node_hash(
                self.complete(level - 1, 2 * index), self.complete(level - 1, 2 * index + 1)
            )
            self._cache[(level, index)] = found
        return found

    def root(self, size: int | None = None) -> bytes:
        return range_hash(self, 0, len(self.leaves) if size is None else size)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """The root over ``leaves`` (leaf hashes), streamed."""
    compact = CompactRange()
    for leaf in leaves:
        compact.append(leaf)
    return compact.root()


Completed = Callable[[int, int, bytes], None]


class CompactRange:
    """The complete subtrees along a growing tree's right edge: enough to give its root.

    ``on_complete(level, index, hash)``, when given, hears every complete subtree of two
    or more leaves as it forms, which is how a store keeps the nodes proofs need.
    """

    def __init__(
        self,
        size: int = 0,
        hashes: Sequence[bytes] = (),
        on_complete: Completed | None = None,
    ) -> None:
        # One (level, hash) per set bit of size, largest subtree first.
        levels = [bit for bit in range(size.bit_length() - 1, -1, -1) if size >> bit & 1]
        if len(levels) != len(hashes):
            raise ValueError(f"a range of {size} leaves has {len(levels)} subtrees")
        self.size = size
        self._stack = list(zip(levels, hashes, strict=True))
        self._on_complete = on_complete

    @classmethod
    def of(cls, tree: Subtrees, size: int, on_complete: Completed | None = None) -> CompactRange:
        """The range of the first ``size`` leaves of ``tree``."""
        hashes, start = [], 0
        for bit in range(size.bit_length() - 1, -1, -1):
            if size >> bit & 1:
                hashes.append(tree.complete(bit, start >> bit))
                start += 1 << bit
        return cls(size, hashes, on_complete)

    def append(self, leaf: bytes) -> None:
        level, digest = 0, leaf
        self.size += 1
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            digest = node_hash(left, digest)
            level += 1
            if self._on_complete is not None:
                self._on_complete(level, (self.size >> level) - 1, digest)
        self._stack.append((level, digest))

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        digest = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            digest = node_hash(left, digest)
        return digest
