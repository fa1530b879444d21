"""A holder's proof of liabilities, as JSON: the format the offline verifier reads.

Amounts are integers in minor units, as everywhere in the proof's format
(:mod:`monnaie_locale.verify.sumtree`): the verifier adds them, it never parses decimals.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import ResponseBody

__all__ = ["LiabilityProofOut"]

Hash = Field(
    description="32 bytes, standard base64.",
    examples=["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="],
)


class PathStepOut(ResponseBody):
    hash: str = Hash
    sum: int = Field(ge=0, description="The sibling's sum, minor units.")


class LeafOut(ResponseBody):
    position: int = Field(ge=0, description="The leaf's place in the tree, from 0.")
    amount: int = Field(ge=0, description="The part of the balance this leaf holds.")
    salt: str = Field(
        description="The holder's secret for this leaf: 32 bytes in hex. Keep it to yourself.",
        pattern="^[0-9a-f]{64}$",
    )
    path: list[PathStepOut] = Field(description="The siblings from the leaf up to the root.")


class LiabilityProofOut(ResponseBody):
    format: Literal["monnaie-locale-liability/1"]
    checkpoint_id: int
    tree_size: int = Field(description="The journal tree's size the checkpoint attests.")
    account: str
    leaf_count: int = Field(description="How many leaves the sum tree has.")
    root: str = Hash
    total: int = Field(ge=0, description="The sum at the root: the circulation, digital.")
    leaves: list[LeafOut] = Field(
        description="The holder's leaves; their amounts add up to the balance."
    )
