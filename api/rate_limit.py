"""A per-client limit on attempts, for sign-in: a fixed one-minute window, in memory.

It slows a guesser spraying many usernames from one address; the per-user lock after
repeated failures (in the core) stops one username being guessed from many addresses.
Counts live in this process, which is enough for one server; several servers would
each allow the limit.
"""

from __future__ import annotations

import threading
from datetime import datetime

from monnaie_locale.auth.errors import TooManyAttempts

__all__ = ["AttemptLimiter"]

_WINDOW_SECONDS = 60
# Bounds memory under a flood of distinct clients: the table is cleared when it is full.
_MAX_CLIENTS = 100_000


class AttemptLimiter:
    def __init__(self, *, per_minute: int) -> None:
        self.per_minute = per_minute
        self._lock = threading.Lock()
        self._window: int | None = None
        self._counts: dict[str, int] = {}

    def hit(self, client: str, *, now: datetime) -> None:
        """Count one attempt by ``client``; raise :class:`TooManyAttempts` over the limit."""
        stamp = int(now.timestamp())
        window = stamp // _WINDOW_SECONDS
        with self._lock:
            if window != self._window or len(self._counts) >= _MAX_CLIENTS:
                self._window = window
                self._counts = {}
            count = self._counts.get(client, 0) + 1
            self._counts[client] = count
        if count > self.per_minute:
            raise TooManyAttempts(retry_after_seconds=_WINDOW_SECONDS - stamp % _WINDOW_SECONDS)
