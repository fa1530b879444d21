"""The journal carries the service's marks, and its head: forgeries at its end are seen.

Until now a balanced transfer typed in SQL with a ``journal_queue`` row was sealed like
any other, an entry appended by the published hash algorithm verified, and the newest
entries could be removed, triggers dropped, without a trace. This migration adds:

* ``journal_queue.mac``: the mark the posting statement writes with the queue row, an
  HMAC of the transaction's content under the deployment's journal key (derived from
  ``MLC_SECRET_KEY``, which the database never sees). The sealer seals no row whose mark
  does not match the stored content.
* ``journal.mac``: the mark of each entry sealed from now on. Entries sealed before this
  migration have none (``journal_head.marked_from`` says where marks begin).
* ``journal_head``: one row, the journal's last sequence and hash, moved by a trigger in
  the very statement that adds entries, and refused any other change (backwards, or a
  deletion). Verification compares it with the journal's end.

What stays out of reach without checkpoints kept outside the database is said in
``monnaie_locale/journal.py`` and by ``mlc audit verify``.

On PostgreSQL transactions wait in ``journal_queue`` for a moment after commit; rows
queued before this migration have no mark and would never be sealed, so the upgrade is
refused while any remain. Stopping the service seals them (its sealer makes a last pass),
as does ``mlc audit verify`` with the version installed before. SQLite never queues.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        _refuse_unsealed_queue()
    op.add_column("journal", sa.Column("mac", sa.String(64)))
    op.add_column("journal_queue", sa.Column("mac", sa.String(64)))
    op.create_table(
        "journal_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("marked_from", sa.BigInteger, nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_journal_head_single_row")),
    )
    op.execute(
        "INSERT INTO journal_head (id, seq, hash, marked_from) SELECT 1, "
        "coalesce((SELECT max(seq) FROM journal), 0), "
        f"coalesce((SELECT hash FROM journal ORDER BY seq DESC LIMIT 1), '{GENESIS}'), "
        "coalesce((SELECT max(seq) FROM journal), 0) + 1"
    )
    if postgres:
        _postgres_head_triggers()
    else:
        _sqlite_head_triggers()


def _refuse_unsealed_queue() -> None:
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM journal_queue")).scalar_one()
    if waiting:
        raise RuntimeError(
            f"{waiting} transactions wait in journal_queue, queued before the journal's "
            "marks existed: seal them first (stop the service, which seals on stopping, or "
            "run `mlc audit verify` with the version installed before), then migrate again"
        )


def _sqlite_head_triggers() -> None:
    op.execute(
        """
        CREATE TRIGGER journal_head_advance AFTER INSERT ON journal
        BEGIN
            UPDATE journal_head SET seq = NEW.seq, hash = NEW.hash
             WHERE id = 1 AND seq < NEW.seq;
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER journal_head_forward_only BEFORE UPDATE ON journal_head
        WHEN NEW.seq <= OLD.seq OR NEW.marked_from <> OLD.marked_from OR NEW.id <> OLD.id
        BEGIN
            SELECT RAISE(ABORT, 'journal_head only moves forward, with the journal');
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER journal_head_no_delete BEFORE DELETE ON journal_head
        BEGIN
            SELECT RAISE(ABORT, 'journal_head only moves forward, with the journal');
        END
        """
    )


def _postgres_head_triggers() -> None:
    # A statement trigger: the sealer adds many entries in one statement, and the head
    # moves once, to the last of them.
    op.execute(
        """
        CREATE FUNCTION journal_advance_head() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE journal_head h SET seq = a.seq, hash = a.hash
              FROM (SELECT seq, hash FROM added ORDER BY seq DESC LIMIT 1) AS a
             WHERE h.id = 1 AND a.seq > h.seq;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER journal_head_advance AFTER INSERT ON journal
        REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION journal_advance_head()
        """
    )
    op.execute(
        """
        CREATE FUNCTION journal_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq
               AND NEW.marked_from = OLD.marked_from THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'journal_head only moves forward, with the journal'
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER journal_head_forward_only BEFORE UPDATE OR DELETE ON journal_head "
        "FOR EACH ROW EXECUTE FUNCTION journal_head_guard()"
    )
    op.execute(
        "CREATE TRIGGER journal_head_no_truncate BEFORE TRUNCATE ON journal_head "
        "FOR EACH STATEMENT EXECUTE FUNCTION journal_head_guard()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER journal_head_advance ON journal")
        op.execute("DROP FUNCTION journal_advance_head()")
        op.drop_table("journal_head")  # its own triggers go with it
        op.execute("DROP FUNCTION journal_head_guard()")
    else:
        op.execute("DROP TRIGGER journal_head_advance")
        op.drop_table("journal_head")
    op.drop_column("journal_queue", "mac")
    op.drop_column("journal", "mac")
