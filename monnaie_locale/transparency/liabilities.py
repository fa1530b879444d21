"""Proof of liabilities: each checkpoint's Merkle sum tree over the digital balances.

The leaves are every account the checkpoint's ``circulation digital`` counts (see
:func:`monnaie_locale.reserve.position`): the members', businesses' and authorities'
accounts, the association's own unit accounts, and ``reconversion:pending`` (the units of
reconversions paid out but not yet destroyed), each under its account code. So the root's
sum is ``circulation digital`` exactly: :func:`store_leaves` checks it against the text
just signed, and refuses the checkpoint (:class:`LiabilitiesMismatch`, the whole
transaction rolled back) rather than publish a sum that differs.

At each checkpoint, each balance is split into one to four parts at random, a zero
balance included (its parts are zeros), every leaf gets a fresh random 32-byte salt, and
the leaves are shuffled (all with :mod:`secrets`). The association's accounts and
``reconversion:pending`` are split like everyone's, so that no leaf's shape tells whose
it is. The salt is the holder's secret for that checkpoint: only their own proof carries
it. The hashing is :mod:`monnaie_locale.verify.sumtree`'s, the offline verifier's own.

A negative balance cannot be a leaf: the sum tree would let it cancel someone's units.
Should one of those accounts read negative (only a correction outside the ledger's limits
could do it, since every holder account has a floor of zero), :func:`sum_tree` gives
None and logs why: the checkpoint then carries no ``liabilities`` line rather than a
false one.

Memory: the balances are read by a streamed query and the leaves kept in flat arrays
(about 60 bytes a leaf), the only way to shuffle them before hashing; 100,000 accounts
make some 250,000 leaves and 15 MB.
"""

from __future__ import annotations

import logging
import secrets
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, insert, or_, select

from monnaie_locale.deployment import RECONVERSION_PENDING, Deployment
from monnaie_locale.errors import Conflict
from monnaie_locale.model import AccountKind
from monnaie_locale.money import format_amount
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_transparency import checkpoints, liability_leaves
from monnaie_locale.verify.checkpoint import parse_checkpoint
from monnaie_locale.verify.sumtree import LIMIT, SALT_SIZE, Node, commitment, leaf, root_of

__all__ = [
    "MAX_PARTS",
    "Leaves",
    "LiabilitiesMismatch",
    "SumTree",
    "counted_balances",
    "lay_out",
    "split",
    "store_leaves",
    "sum_tree",
]

log = logging.getLogger(__name__)

MAX_PARTS = 4
CHUNK = 5000
COUNTED_KINDS = (
    AccountKind.MEMBER,
    AccountKind.BUSINESS,
    AccountKind.AUTHORITY,
    AccountKind.ASSOCIATION,
)


class LiabilitiesMismatch(Conflict):
    """Raised when the sum tree's total differs from the circulation a checkpoint signed.

    Both are read in the checkpoint's transaction; on PostgreSQL at READ COMMITTED a
    conversion committed between the two reads is enough. Nothing is kept: the next
    checkpoint reads the books again.
    """

    code = "liabilities_mismatch"
    amount_fields = ("total", "digital")

    def __init__(self, checkpoint_id: int, total: int, digital: int) -> None:
        super().__init__(
            f"the balances' sum tree holds {format_amount(total)} but the circulation read "
            f"just before is {format_amount(digital)}: the books moved meanwhile; make the "
            "checkpoint again"
        )
        self.checkpoint_id = checkpoint_id
        self.total = total
        self.digital = digital


@dataclass(frozen=True)
class Leaves:
    """The leaves in their shuffled order, as flat arrays: leaf ``p``'s account is
    ``ids[owners[p]]`` (code ``codes[owners[p]]``), its amount ``amounts[p]`` and its
    salt ``salts[32 p : 32 p + 32]``."""

    ids: array[int]
    codes: list[str]
    owners: array[int]
    amounts: array[int]
    salts: bytes

    def __len__(self) -> int:
        return len(self.amounts)

    def salt(self, position: int) -> bytes:
        return self.salts[SALT_SIZE * position : SALT_SIZE * (position + 1)]

    def nodes(self) -> Iterator[Node]:
        """The leaves' nodes, in order."""
        for position, amount in enumerate(self.amounts):
            code = self.codes[self.owners[position]]
            yield leaf(amount, commitment(self.salt(position), code))


@dataclass(frozen=True)
class SumTree:
    """A checkpoint's sum tree: its root hash, the sum at its root, and its leaves."""

    root: bytes
    total: int
    leaves: Leaves = field(repr=False, compare=False)


def split(amount: int, parts: int) -> list[int]:
    """``amount`` cut into ``parts`` non-negative parts at random cut points."""
    cuts = sorted(secrets.randbelow(amount + 1) for _ in range(parts - 1))
    bounds = [0, *cuts, amount]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


def _shuffled(count: int) -> array[int]:
    """A uniformly random permutation of ``range(count)`` (Fisher and Yates)."""
    order = array("q", range(count))
    for i in range(count - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def lay_out(balances: Iterable[tuple[int, str, int]]) -> Leaves | None:
    """The leaves of ``balances`` (account id, code, balance): split, salted, shuffled.

    None when a balance is negative (see the module's docstring).
    """
    ids, codes = array("q"), []
    owners, amounts = array("q"), array("q")
    for account_id, code, balance in balances:
        if balance < 0 or balance >= LIMIT:
            log.error("account %s holds %d: no liabilities in this checkpoint", code, balance)
            return None
        for part in split(balance, 1 + secrets.randbelow(MAX_PARTS)):
            owners.append(len(ids))
            amounts.append(part)
        ids.append(account_id)
        codes.append(code)
    order = _shuffled(len(amounts))
    return Leaves(
        ids=ids,
        codes=codes,
        owners=array("q", (owners[i] for i in order)),
        amounts=array("q", (amounts[i] for i in order)),
        salts=secrets.token_bytes(SALT_SIZE * len(amounts)),
    )


def counted_balances(conn: Connection, deployment: Deployment) -> Iterator[tuple[int, str, int]]:
    """Every account ``circulation digital`` counts, with its balance, streamed by id."""
    unit = deployment.unit.code
    query = (
        select(accounts.c.id, accounts.c.code, accounts.c.balance)
        .where(
            accounts.c.currency == unit,
            or_(
                accounts.c.kind.in_([str(kind) for kind in COUNTED_KINDS]),
                and_(
                    accounts.c.kind == str(AccountKind.SYSTEM),
                    accounts.c.code == RECONVERSION_PENDING,
                ),
            ),
        )
        .order_by(accounts.c.id)
    )
    for row in conn.execute(query, execution_options={"yield_per": CHUNK}):
        yield int(row.id), str(row.code), int(row.balance)


def sum_tree(conn: Connection, deployment: Deployment) -> SumTree | None:
    """The sum tree of the balances as the books stand, or None (a negative balance)."""
    leaves = lay_out(counted_balances(conn, deployment))
    if leaves is None:
        return None
    root = root_of(leaves.nodes())
    return SumTree(root.hash, root.sum, leaves)


def store_leaves(conn: Connection, checkpoint_id: int, sums: SumTree) -> None:
    """Keep the leaves of ``sums`` for the proofs holders ask of ``checkpoint_id``.

    Raises :class:`LiabilitiesMismatch` when their total is not the circulation the
    checkpoint's text says.
    """
    text = conn.execute(
        select(checkpoints.c.text).where(checkpoints.c.id == checkpoint_id)
    ).scalar_one()
    digital = parse_checkpoint(text).digital
    if digital != sums.total:
        raise LiabilitiesMismatch(checkpoint_id, sums.total, digital)
    leaves = sums.leaves
    for start in range(0, len(leaves), CHUNK):
        conn.execute(
            insert(liability_leaves),
            [
                {
                    "checkpoint_id": checkpoint_id,
                    "position": position,
                    "account_id": leaves.ids[leaves.owners[position]],
                    "amount": leaves.amounts[position],
                    "salt": leaves.salt(position),
                }
                for position in range(start, min(start + CHUNK, len(leaves)))
            ],
        )
