"""Idempotency keys of payments and refunds, and the ledger keys derived from them.

The caller's key is stored on the payment or refund row (unique), and a prefixed form is
handed to the ledger's own idempotency table, so a checkout key can never collide with the
key of a plain transfer or of another kind of checkout call.
"""

from __future__ import annotations

from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.idempotency import MAX_KEY_LENGTH as LEDGER_MAX_KEY_LENGTH

__all__ = ["MAX_KEY_LENGTH", "checked_key", "ledger_key"]

_PREFIXES = {"pay": "checkout:pay:", "refund": "checkout:refund:"}
MAX_KEY_LENGTH = LEDGER_MAX_KEY_LENGTH - max(len(prefix) for prefix in _PREFIXES.values())


def checked_key(key: str) -> str:
    """``key`` if it can serve as a checkout idempotency key; :class:`InvalidRequest` if not."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidRequest(
            f"an idempotency key is 1 to {MAX_KEY_LENGTH} characters; send a new random one "
            "per payment and the same one when retrying"
        )
    return key


def ledger_key(use: str, key: str) -> str:
    """The ledger's key for checkout call ``use`` ("pay" or "refund") made under ``key``."""
    return _PREFIXES[use] + key
