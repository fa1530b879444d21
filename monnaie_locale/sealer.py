"""A background thread that seals the journal while a service runs.

On PostgreSQL transactions are queued at commit and chained later (see
:mod:`monnaie_locale.journal`); this thread does the chaining every ``interval``
seconds, so the request path never waits for it.
"""

from __future__ import annotations

import logging
import threading

from monnaie_locale.ledger import Ledger

log = logging.getLogger(__name__)


class JournalSealer:
    """Seals queued transactions every ``interval`` seconds until stopped."""

    def __init__(self, ledger: Ledger, *, interval: float = 0.2) -> None:
        self.ledger = ledger
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="journal-sealer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop, after one last pass so nothing committed before the stop stays unsealed."""
        self._stop.set()
        self._thread.join()
        self.ledger.seal_journal()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.ledger.seal_journal()
            except Exception:  # a passing database error must not end the sealer
                log.exception("sealing the journal failed; trying again")
