"""Opaque page cursors over an id column: the last id seen, tagged with what it pages.

A client passes back the ``next_cursor`` it was given and learns nothing from it; the
tag keeps a cursor of one list from being taken for one of another.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import Query

from monnaie_locale.errors import InvalidRequest

__all__ = ["Cursor", "decode_cursor", "encode_cursor"]

Cursor = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The next_cursor of the previous page.",
    ),
]


def encode_cursor(tag: str, last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{tag}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(tag: str, cursor: str | None) -> int:
    """The id to continue after: 0 for no cursor."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(tag):
            raise ValueError(text)
        return min(max(int(text[len(tag) :]), 0), 2**63 - 1)
    except ValueError as exc:
        raise InvalidRequest("this cursor is not one the service gave; start again") from exc
