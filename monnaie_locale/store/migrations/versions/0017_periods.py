"""Operation dates and closed periods.

A transaction may carry the day its operation happened (``transactions.operation_date``;
NULL keeps meaning "the day it was recorded"), and ``closed_periods`` records each
closing of the books (the table of ``monnaie_locale/store/tables_periods.py``). The
database refuses what the service refuses: a transaction dated on or before the last
closed day, a closing that does not move forward, and any change to a closing.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_CLOSED = "the period is closed: nothing can be dated on or before its last day"


def upgrade() -> None:
    op.add_column("transactions", sa.Column("operation_date", sa.Date))
    op.create_table(
        "closed_periods",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("closed_through", sa.Date, nullable=False, unique=True),
        sa.Column("year_end", sa.Integer, nullable=False, server_default="0"),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _postgres_triggers() -> None:
    op.execute(
        f"""
        CREATE FUNCTION ledger_refuse_closed_period() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.operation_date <= (SELECT max(closed_through) FROM closed_periods) THEN
                RAISE EXCEPTION '{_CLOSED} (%)', NEW.operation_date
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    # The WHEN clause keeps undated transactions (the hot path) from calling anything.
    op.execute(
        "CREATE TRIGGER transactions_in_open_period BEFORE INSERT ON transactions "
        "FOR EACH ROW WHEN (NEW.operation_date IS NOT NULL) "
        "EXECUTE FUNCTION ledger_refuse_closed_period()"
    )
    op.execute(
        """
        CREATE FUNCTION ledger_closings_move_forward() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.closed_through <= (SELECT max(closed_through) FROM closed_periods) THEN
                RAISE EXCEPTION 'a closing must move forward (%)', NEW.closed_through
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER closed_periods_forward BEFORE INSERT ON closed_periods "
        "FOR EACH ROW EXECUTE FUNCTION ledger_closings_move_forward()"
    )
    op.execute(
        "CREATE TRIGGER closed_periods_immutable BEFORE UPDATE OR DELETE ON closed_periods "
        "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER closed_periods_no_truncate BEFORE TRUNCATE ON closed_periods "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
    )


def _sqlite_triggers() -> None:
    # Days are stored as ISO text (YYYY-MM-DD): they compare as they sort.
    op.execute(
        f"""
        CREATE TRIGGER transactions_in_open_period BEFORE INSERT ON transactions
        WHEN NEW.operation_date IS NOT NULL
         AND NEW.operation_date <= (SELECT max(closed_through) FROM closed_periods)
        BEGIN
            SELECT RAISE(ABORT, '{_CLOSED}');
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER closed_periods_forward BEFORE INSERT ON closed_periods
        WHEN NEW.closed_through <= (SELECT max(closed_through) FROM closed_periods)
        BEGIN
            SELECT RAISE(ABORT, 'a closing must move forward');
        END
        """
    )
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER closed_periods_no_{action.lower()} BEFORE {action} "
            "ON closed_periods BEGIN SELECT RAISE(ABORT, 'closed_periods is append-only: "
            "a closed period stays closed'); END"
        )


def downgrade() -> None:
    # Refused while it would lose anything: a dated transaction's day is in its journal
    # hash, and a closing is a fact of the books.
    bind = op.get_bind()
    dated = bind.execute(
        sa.text("SELECT count(*) FROM transactions WHERE operation_date IS NOT NULL")
    ).scalar()
    closings = bind.execute(sa.text("SELECT count(*) FROM closed_periods")).scalar()
    if dated or closings:
        raise RuntimeError(
            "the books hold dated transactions or closed periods: downgrading below 0016 "
            "would lose them"
        )
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER transactions_in_open_period ON transactions")
        op.execute("DROP FUNCTION ledger_refuse_closed_period()")
        op.drop_table("closed_periods")
        op.execute("DROP FUNCTION ledger_closings_move_forward()")
    else:
        op.execute("DROP TRIGGER transactions_in_open_period")
        op.drop_table("closed_periods")  # its triggers go with it
    op.drop_column("transactions", "operation_date")
