"""Merkle sum trees for proofs of liabilities: every node commits to both children's sums.

A holder checks that their balance is counted in the total a checkpoint attests. Each leaf
carries an amount and a commitment to its account; each node carries the sum of the
leaves below it. Hashing, with SHA-256 and big-endian 8-byte sums::

    commitment = H("mlc-liability/1" || salt || account code in UTF-8)
    leaf       = H(0x00 || u64(amount) || commitment)
    node       = H(0x01 || left hash || u64(left sum) || right hash || u64(right sum))
    node sum   = left sum + right sum

Maxwell's first sum tree hashed only a node's total, ``H(left || right || left + right)``:
Hu, Zhang and Guo (2019) showed that a prover may then give a holder's sibling a lowered
sum and the next one a raised sum, the total unchanged, and make liabilities disappear.
Hashing each child's sum separately binds every sum on a path to the root, so moving value
between siblings changes the root. Sums are refused outside ``[0, 2**63)``: a negative leaf
would cancel someone's balance, and the bound keeps every sum a signed 64-bit integer (a
database's ``BIGINT``) however the leaves add up.

The commitment hides the account behind a 32-byte random salt, fresh for every leaf of
every checkpoint and given only to the holder, so a leaf names nobody to those who see it
as a sibling. Why this form: the salt has a fixed length, so the concatenation cannot be
read two ways; the domain tag keeps the hash from meaning anything in another protocol;
binding the account code (unique in the ledger) means the service cannot show two holders
with equal balances one same leaf. The amount stays outside the commitment so that a
path's sums can be checked; the checkpoint itself is bound by the signed root, not by the
leaf.

The tree's shape is RFC 9162's (section 2.1.1): over ``n`` leaves it splits at the
largest power of two below ``n``; the prefixes 0x00 and 0x01 keep a leaf from passing
for a node. Proofs list the siblings, each a hash and a sum, from the leaf up, and are
checked with RFC 9162's inclusion algorithm (section 2.1.3.2) applied to both.

:class:`SumRange` builds the root while leaves stream past (one node per set bit of the
count); :func:`paths_from_stream` gives the paths of a few leaves in one more pass,
keeping only the subtrees those paths need. A proof's JSON (:func:`proof_data`,
:func:`verify_proof`) is::

    {"format": "monnaie-locale-liability/1", "checkpoint_id": 3, "tree_size": 120,
     "account": "alice", "leaf_count": 57, "root": "<base64>", "total": 123400,
     "leaves": [{"position": 12, "amount": 1000, "salt": "<hex>",
                 "path": [{"hash": "<base64>", "sum": 500}, ...]}, ...]}

where ``tree_size`` is the journal tree's size in the checkpoint and ``leaf_count`` the
sum tree's. A holder's balance is the sum of their leaves' amounts (:func:`balance`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "DOMAIN",
    "EMPTY",
    "FORMAT",
    "LIMIT",
    "SALT_SIZE",
    "LeafProof",
    "Node",
    "Subtrees",
    "SumRange",
    "SumTreeError",
    "balance",
    "commitment",
    "leaf",
    "needed_subtrees",
    "parent",
    "path",
    "paths_from_stream",
    "proof_data",
    "range_node",
    "root_from_path",
    "root_of",
    "verify_proof",
]

FORMAT = "monnaie-locale-liability/1"
DOMAIN = b"mlc-liability/1"
SALT_SIZE = 32
LIMIT = 1 << 63  # every amount and sum is below it


class SumTreeError(ValueError):
    """An amount or a sum outside ``[0, 2**63)``, or a salt that is not 32 bytes."""


@dataclass(frozen=True, slots=True)
class Node:
    """A leaf or a node: its hash and the sum of the amounts below it."""

    hash: bytes
    sum: int


EMPTY = Node(hashlib.sha256(b"").digest(), 0)


def _u64(value: int) -> bytes:
    if not 0 <= value < LIMIT:
        raise SumTreeError(f"{value} is not an amount in [0, 2**63)")
    return value.to_bytes(8, "big")


def commitment(salt: bytes, account: str) -> bytes:
    """What a leaf says of its account: nothing, to whoever lacks the salt."""
    if len(salt) != SALT_SIZE:
        raise SumTreeError(f"a salt is {SALT_SIZE} bytes, not {len(salt)}")
    return hashlib.sha256(DOMAIN + salt + account.encode()).digest()


def leaf(amount: int, committed: bytes) -> Node:
    """The leaf of ``amount`` for the account behind ``committed``."""
    return Node(hashlib.sha256(b"\x00" + _u64(amount) + committed).digest(), amount)


def parent(left: Node, right: Node) -> Node:
    """The node over two children, committing to each one's sum."""
    total = left.sum + right.sum
    digest = hashlib.sha256(
        b"\x01" + left.hash + _u64(left.sum) + right.hash + _u64(right.sum)
    ).digest()
    _u64(total)
    return Node(digest, total)


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n`` >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


Completed = Callable[[int, int, Node], None]


class SumRange:
    """The complete subtrees along a growing tree's right edge: enough to give its root.

    ``on_complete(level, index, node)`` hears every complete subtree of two or more
    leaves as it forms: that is how :func:`paths_from_stream` keeps the ones it needs.
    """

    def __init__(self, on_complete: Completed | None = None) -> None:
        self.size = 0
        self._stack: list[tuple[int, Node]] = []  # largest subtree first
        self._on_complete = on_complete

    def append(self, node: Node) -> None:
        level, current = 0, node
        self.size += 1
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            current = parent(left, current)
            level += 1
            if self._on_complete is not None:
                self._on_complete(level, (self.size >> level) - 1, current)
        self._stack.append((level, current))

    def root(self) -> Node:
        if not self._stack:
            return EMPTY
        current = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            current = parent(left, current)
        return current


def root_of(leaves: Iterable[Node]) -> Node:
    """The root over ``leaves``, streamed."""
    acc = SumRange()
    for node in leaves:
        acc.append(node)
    return acc.root()


class Subtrees(Protocol):
    """Where complete subtrees come from."""

    def complete(self, level: int, index: int) -> Node:
        """The node over leaves ``[index * 2**level, (index + 1) * 2**level)``."""
        ...


def range_node(tree: Subtrees, start: int, end: int) -> Node:
    """The node over leaves ``[start, end)``, as RFC 9162's recursion slices them."""
    n = end - start
    if n <= 0:
        return EMPTY
    if n & (n - 1) == 0:
        level = n.bit_length() - 1
        return tree.complete(level, start >> level)
    k = _split(n)
    return parent(range_node(tree, start, start + k), range_node(tree, start + k, end))


def _sibling_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges of ``index``'s siblings, from the root down."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    ranges = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges


def path(tree: Subtrees, index: int, size: int) -> list[Node]:
    """The siblings of leaf ``index`` in the tree of ``size`` leaves, from the leaf up."""
    found = [range_node(tree, start, end) for start, end in _sibling_ranges(index, size)]
    found.reverse()
    return found


def _decompose(start: int, end: int, out: set[tuple[int, int]]) -> None:
    n = end - start
    if n & (n - 1) == 0:
        level = n.bit_length() - 1
        out.add((level, start >> level))
        return
    k = _split(n)
    _decompose(start, start + k, out)
    _decompose(start + k, end, out)


def needed_subtrees(indexes: Iterable[int], size: int) -> set[tuple[int, int]]:
    """The complete subtrees ``(level, index)`` the paths of ``indexes`` are made of."""
    needed: set[tuple[int, int]] = set()
    for index in indexes:
        for start, end in _sibling_ranges(index, size):
            _decompose(start, end, needed)
    return needed


class _Kept:
    def __init__(self, nodes: dict[tuple[int, int], Node]) -> None:
        self.nodes = nodes

    def complete(self, level: int, index: int) -> Node:
        return self.nodes[(level, index)]


def paths_from_stream(
    leaves: Iterable[Node], size: int, indexes: Collection[int]
) -> tuple[Node, dict[int, list[Node]]]:
    """The root over ``leaves`` and the paths of the leaves at ``indexes``, in one pass.

    Only the complete subtrees those paths are made of are kept: a few dozen nodes per
    path, however many leaves stream past. Raises :class:`ValueError` when the stream
    does not hold ``size`` leaves.
    """
    needed = needed_subtrees(indexes, size)
    kept: dict[tuple[int, int], Node] = {}

    def keep(level: int, index: int, node: Node) -> None:
        if (level, index) in needed:
            kept[(level, index)] = node

    acc = SumRange(on_complete=keep)
    for position, node in enumerate(leaves):
        if (0, position) in needed:
            kept[(0, position)] = node
        acc.append(node)
    if acc.size != size:
        raise ValueError(f"the tree holds {acc.size} leaves, not {size}")
    tree = _Kept(kept)
    return acc.root(), {index: path(tree, index, size) for index in indexes}


def root_from_path(index: int, size: int, start: Node, siblings: Sequence[Node]) -> Node | None:
    """The root that ``siblings`` lead ``start`` (leaf ``index`` of ``size``) to.

    None when the path's length does not fit the leaf's place in such a tree. RFC 9162's
    inclusion check (2.1.3.2), with sums carried along. Raises :class:`SumTreeError` when
    a sum overflows.
    """
    if not 0 <= index < size:
        return None
    fn, sn, current = index, size - 1, start
    for sibling in siblings:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            current = parent(sibling, current)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            current = parent(current, sibling)
        fn >>= 1
        sn >>= 1
    return current if sn == 0 else None


@dataclass(frozen=True, slots=True)
class LeafProof:
    """One of a holder's leaves: its place, its amount, its salt and its path."""

    position: int
    amount: int
    salt: bytes
    path: Sequence[Node]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def proof_data(
    *,
    checkpoint_id: int,
    tree_size: int,
    account: str,
    leaf_count: int,
    root: Node,
    leaves: Iterable[LeafProof],
) -> dict[str, Any]:
    """A holder's proof as JSON-ready data, in the format :func:`verify_proof` reads."""
    return {
        "format": FORMAT,
        "checkpoint_id": checkpoint_id,
        "tree_size": tree_size,
        "account": account,
        "leaf_count": leaf_count,
        "root": _b64(root.hash),
        "total": root.sum,
        "leaves": [
            {
                "position": one.position,
                "amount": one.amount,
                "salt": one.salt.hex(),
                "path": [{"hash": _b64(n.hash), "sum": n.sum} for n in one.path],
            }
            for one in sorted(leaves, key=lambda one: one.position)
        ],
    }


def balance(proof: dict[str, Any]) -> int:
    """The balance a proof shows: the sum of its leaves' amounts."""
    return sum(int(one["amount"]) for one in proof.get("leaves", ()))


class _Bad(ValueError):
    """A field of the proof that does not parse; the message says which."""


def _count(value: Any, what: str) -> int:
    # bool is an int in Python, and no count in JSON.
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < LIMIT:
        raise _Bad(f"{what} is not a whole number in [0, 2**63)")
    return value


def _hash(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise _Bad(f"{what} is not base64 text")
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise _Bad(f"{what} is not standard base64") from exc
    if len(raw) != 32 or _b64(raw) != value:
        raise _Bad(f"{what} is not a 32-byte hash in canonical base64")
    return raw


def _salt(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * SALT_SIZE or value != value.lower():
        raise _Bad(f"{what} is not {SALT_SIZE} bytes in lowercase hex")
    try:
        return bytes.fromhex(value)
    except ValueError as exc:
        raise _Bad(f"{what} is not {SALT_SIZE} bytes in lowercase hex") from exc


def _leaf_proof(item: Any, name: str) -> LeafProof:
    if not isinstance(item, dict):
        raise _Bad(f"{name} is not an object")
    siblings = item.get("path")
    if not isinstance(siblings, list):
        raise _Bad(f"{name}: its path is not a list")
    nodes = []
    for step, sibling in enumerate(siblings, start=1):
        if not isinstance(sibling, dict):
            raise _Bad(f"{name}: step {step} of its path is not an object")
        nodes.append(
            Node(
                _hash(sibling.get("hash"), f"{name}: step {step}'s hash"),
                _count(sibling.get("sum"), f"{name}: step {step}'s sum"),
            )
        )
    return LeafProof(
        position=_count(item.get("position"), f"{name}: its position"),
        amount=_count(item.get("amount"), f"{name}: its amount"),
        salt=_salt(item.get("salt"), f"{name}: its salt"),
        path=nodes,
    )


def _header_problems(proof: dict[str, Any], account: str, root: bytes, total: int) -> list[str]:
    problems = []
    if proof.get("account") != account:
        problems.append(f"the proof is for account {proof.get('account')!r}, not {account!r}")
    try:
        if _hash(proof.get("root"), "the proof's root") != root:
            problems.append("the proof's root is not the checkpoint's liabilities root")
    except _Bad as bad:
        problems.append(str(bad))
    if proof.get("total") != total:
        problems.append(f"the proof's total {proof.get('total')!r} is not the checkpoint's {total}")
    return problems


def _leaf_problems(
    one: LeafProof, name: str, *, account: str, leaf_count: int, root: bytes, total: int
) -> list[str]:
    if one.position >= leaf_count:
        return [f"{name} is beyond the tree's {leaf_count} leaves"]
    try:
        reached = root_from_path(
            one.position, leaf_count, leaf(one.amount, commitment(one.salt, account)), one.path
        )
    except SumTreeError as exc:
        return [f"{name}: {exc}"]
    if reached is None:
        return [f"{name}: its path has {len(one.path)} steps, which no leaf has at its place"]
    problems = []
    if reached.hash != root:
        problems.append(f"{name}: its path does not lead to the checkpoint's root: not counted")
    if reached.sum != total:
        problems.append(f"{name}: its path adds up to {reached.sum}, the checkpoint says {total}")
    return problems


def verify_proof(proof: dict[str, Any], *, account: str, root: bytes, total: int) -> list[str]:
    """What is wrong with ``proof`` of ``account`` against a checkpoint's ``root`` and
    ``total``; empty when every leaf of the proof is counted under that root.

    ``root`` and ``total`` come from the checkpoint's ``liabilities`` line, never from the
    proof. Each problem names the leaf by its position.
    """
    if not isinstance(proof, dict) or proof.get("format") != FORMAT:
        return [f"not a liability proof: its format is not {FORMAT}"]
    problems = _header_problems(proof, account, root, total)
    try:
        leaf_count = _count(proof.get("leaf_count"), "the leaf count")
    except _Bad as bad:
        return [*problems, str(bad)]
    items = proof.get("leaves")
    if not isinstance(items, list) or not items:
        return [*problems, f"the proof holds no leaf for {account}"]
    seen: set[int] = set()
    for number, item in enumerate(items, start=1):
        name = f"leaf {item.get('position')}" if isinstance(item, dict) else f"leaf #{number}"
        try:
            one = _leaf_proof(item, name)
        except _Bad as bad:
            problems.append(str(bad))
            continue
        if one.position in seen:
            problems.append(f"{name} is given twice")
            continue
        seen.add(one.position)
        problems.extend(
            _leaf_problems(
                one, name, account=account, leaf_count=leaf_count, root=root, total=total
            )
        )
    return problems
