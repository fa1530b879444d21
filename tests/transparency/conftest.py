"""The published log behind the API: the small world of tests/api (:mod:`tests.api.conftest`),
its checkpoints signed by the app's own key under the app's own origin, as the service
signs them; and ``mlc`` on the test database (:mod:`tests.cli.conftest`), for its
commands. The API's background jobs are off: the checkpoints the tests see are the ones
they ask for.

:class:`Log` makes checkpoints one after another (the tree extended first), pays between
them so that each one is larger, and forges what an attacker holding the database and the
service's key would sign: a checkpoint of a size already signed but with another root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from monnaie_locale.config import Settings
from monnaie_locale.payments.keys import SigningKey
from monnaie_locale.store.tables_transparency import checkpoints as checkpoints_table
from monnaie_locale.transparency import checkpoints, tree
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from monnaie_locale.verify.checkpoint import format_checkpoint, parse_checkpoint
from monnaie_locale.verify.note import NoteKey, format_note, parse_note, sign_line
from tests.api.conftest import World, world
from tests.cli.conftest import mlc, url

__all__ = ["Log", "log", "mlc", "settings", "url", "world"]


@pytest.fixture
def settings() -> Settings:
    return Settings(max_body_bytes=4096, login_attempts_per_minute=1000, jobs_enabled=False)


@dataclass
class Log:
    world: World

    @property
    def state(self) -> Any:
        """The app's state: its deployment and its publisher (origin and key ring)."""
        app: Any = self.world.client.app
        return app.state

    @property
    def key(self) -> SigningKey:
        found: SigningKey = self.state.publisher.key
        return found

    @property
    def origin(self) -> str:
        found: str = self.state.publisher.origin
        return found

    @property
    def service_key(self) -> NoteKey:
        return checkpoints.note_key(self.origin, self.key)

    def pay(self, times: int = 1) -> None:
        """``times`` payments from alice to bob, each one journal entry."""
        for _ in range(times):
            self.world.ledger.transfer("alice", "bob", 1, idempotency_key=os.urandom(8).hex())

    def checkpoint(self) -> StoredCheckpoint:
        """A checkpoint of the journal as it is, a minute after the previous one."""
        world = self.world
        world.clock.advance(timedelta(minutes=1))
        tree.extend_all(world.database.write, now=world.clock())
        return world.database.write(
            lambda conn: checkpoints.make_checkpoint(
                conn,
                self.state.deployment,
                key=self.key,
                origin=self.origin,
                now=world.clock(),
            )
        )

    def forged(self, of: StoredCheckpoint, *, size: int | None = None) -> str:
        """A note the service's key signs: ``of``'s checkpoint at ``size``, another root."""
        cp = of.checkpoint
        changed = replace(cp, size=cp.size if size is None else size, root=os.urandom(32))
        text = format_checkpoint(changed)
        return format_note(text, [sign_line(text, self.origin, self.key.private_key)])

    def publish(self, note: str) -> None:
        """Store ``note`` as the latest checkpoint, as an attacker with the database would."""
        parsed = parse_note(note)
        cp = parse_checkpoint(parsed.text)
        lines = "".join(sig.line for sig in parsed.signatures)
        self.world.database.write(
            lambda conn: conn.execute(
                insert(checkpoints_table).values(
                    tree_size=cp.size,
                    root=cp.root,
                    text=parsed.text,
                    signatures=lines,
                    made_at=self.world.clock(),
                )
            )
        )


@pytest.fixture
def log(world: World) -> Log:
    return Log(world)
