"""Records: a transaction of kind ``reserve_statement`` has no postings, and only it may.

When a bank statement is imported, a transaction of its own records the file's hash, its
closing balance and day, and the reserve account it backs (see
:mod:`monnaie_locale.ledger.records`), so the journal's chain, the Merkle tree and the
checkpoints commit to the document. It moves no money, so it has no posting: a posting of
zero is refused, and a pair cancelling on one account would show in that account's history
as two movements that never happened.

SQLite's header trigger refused any transaction with fewer than two postings; it now lets
a ``reserve_statement`` through with none, and a second trigger refuses one with any
posting (postings come first on SQLite, so they are there when the header is written).
PostgreSQL never required postings of a header (its balance check runs per posting); a
deferred constraint trigger, fired for records only (its ``WHEN`` keeps every other
transaction free of it), refuses a record that has postings at COMMIT.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

RECORD = "reserve_statement"

_SQLITE_BALANCED = """
CREATE TRIGGER transactions_balanced AFTER INSERT ON transactions
WHEN {exempt}((SELECT count(*) FROM postings WHERE transaction_id = NEW.id) < 2
  OR EXISTS (SELECT 1 FROM postings WHERE transaction_id = NEW.id
             GROUP BY currency HAVING sum(amount) <> 0))
BEGIN
    SELECT RAISE(ABORT, 'transaction does not balance per currency');
END
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION ledger_record_moves_nothing() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM postings WHERE transaction_id = NEW.id) THEN
                    RAISE EXCEPTION 'transaction % is a {RECORD}: it moves no money', NEW.id
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            "CREATE CONSTRAINT TRIGGER records_move_nothing AFTER INSERT ON transactions "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.kind = '{RECORD}') "
            "EXECUTE FUNCTION ledger_record_moves_nothing()"
        )
        return
    op.execute("DROP TRIGGER transactions_balanced")
    op.execute(_SQLITE_BALANCED.format(exempt=f"NEW.kind <> '{RECORD}' AND "))
    op.execute(
        f"""
        CREATE TRIGGER records_move_nothing AFTER INSERT ON transactions
        WHEN NEW.kind = '{RECORD}'
          AND EXISTS (SELECT 1 FROM postings WHERE transaction_id = NEW.id)
        BEGIN
            SELECT RAISE(ABORT, 'a {RECORD} moves no money: it has no postings');
        END
        """
    )


def downgrade() -> None:
    # Records written meanwhile stay: a trigger checks rows as they are inserted, never after.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER records_move_nothing ON transactions")
        op.execute("DROP FUNCTION ledger_record_moves_nothing()")
        return
    op.execute("DROP TRIGGER records_move_nothing")
    op.execute("DROP TRIGGER transactions_balanced")
    op.execute(_SQLITE_BALANCED.format(exempt=""))
