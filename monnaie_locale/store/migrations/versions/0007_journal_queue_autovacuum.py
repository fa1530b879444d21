"""PostgreSQL vacuums ``journal_queue`` by a fixed count of dead rows, without throttling.

On PostgreSQL every transaction inserts its id into ``journal_queue`` and the sealer
deletes it a moment later (see ``monnaie_locale/journal.py``): the table holds a few
hundred live rows at most but leaves one dead row per transaction. Until VACUUM removes
them, the sealer's ``ORDER BY transaction_id LIMIT`` and its ``DELETE`` walk over them,
and under load they slowed it (in a benchmark, a manual VACUUM removed a 35 % gap). The
defaults do not suit such a table, so it gets its own storage parameters:

* ``autovacuum_vacuum_scale_factor = 0`` and ``autovacuum_vacuum_threshold = 1000``:
  vacuum after 1,000 dead rows, whatever the table's size. The default threshold,
  50 + 20 % of ``reltuples``, follows the estimated size, which a burst that left a
  backlog inflates, so the table would wait longest exactly after a burst. 1,000 rows
  is about a second at the load the service aims at (800 payments a second on
  PostgreSQL, see bench/README.md): the table stays a few pages long, and vacuuming it
  costs next to nothing.
* ``autovacuum_vacuum_cost_delay = 0``: a vacuum of a few pages has no I/O worth
  spreading out; the default 2 ms pauses would only keep the dead rows around longer.
* ``autovacuum_analyze_scale_factor = 0`` and ``autovacuum_analyze_threshold = 10000``:
  VACUUM already keeps the size estimates (``reltuples``, ``relpages``) current; ANALYZE
  only refreshes the histogram of ids, which a fixed, rarer count keeps good enough
  without following a stale size either.

Autovacuum still visits a database once per ``autovacuum_naptime`` (a server setting,
one minute by default); these parameters make each visit vacuum the queue once 1,000 rows
have died since the last vacuum.

``ALTER TABLE ... SET (...)`` takes a SHARE UPDATE EXCLUSIVE lock, which does not block
the transfers inserting into the queue. SQLite has no VACUUM of this kind: nothing to do.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SETTINGS = {
    "autovacuum_vacuum_scale_factor": "0",
    "autovacuum_vacuum_threshold": "1000",
    "autovacuum_vacuum_cost_delay": "0",
    "autovacuum_analyze_scale_factor": "0",
    "autovacuum_analyze_threshold": "10000",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    values = ", ".join(f"{name} = {value}" for name, value in SETTINGS.items())
    op.execute(f"ALTER TABLE journal_queue SET ({values})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE journal_queue RESET ({', '.join(SETTINGS)})")
