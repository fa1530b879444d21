"""The ledger: currencies, accounts, transactions, postings, holds, keys and journal.

Besides the tables, this migration makes the database itself keep the books:

* Balance per currency. PostgreSQL checks it with a deferred constraint trigger, at
  COMMIT, for every transaction that received postings. SQLite has no deferred
  triggers, so the ledger writes a transaction's postings first and its header row
  last: inserting the header checks that its postings balance, a posting for a
  transaction whose header exists is refused, and postings without a header fail the
  deferred foreign key at COMMIT. Both engines thus refuse an unbalanced transaction
  even when it is written by hand.
* Immutability. Postings, transaction headers and journal entries refuse UPDATE and
  DELETE (and TRUNCATE on PostgreSQL): mistakes are corrected by new, linked entries.
* Limits. CHECK constraints on accounts keep every balance within its limits.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)
IMMUTABLE = ("postings", "transactions", "journal")


def upgrade() -> None:
    _create_tables()
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _create_tables() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.schema.CreateSequence(sa.Sequence("transaction_ids")))
    op.create_table(
        "currencies",
        sa.Column("code", sa.String(10), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("symbol", sa.Text, nullable=False),
        sa.Column("exponent", sa.Integer, nullable=False, server_default="2"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(120), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("currency", sa.String(10), sa.ForeignKey("currencies.code"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="active"),
        sa.Column("owner_ref", sa.Text),
        sa.Column("lower_limit", sa.BigInteger),
        sa.Column("upper_limit", sa.BigInteger),
        sa.Column("balance", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("held", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created_at", Stamp, nullable=False),
        sa.UniqueConstraint("id", "currency", name="uq_accounts_id_currency"),
        sa.CheckConstraint(
            "kind IN ('member', 'business', 'authority', 'association', 'exchange_office', "
            "'system')",
            name=op.f("ck_accounts_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'frozen', 'closed')", name=op.f("ck_accounts_status")
        ),
        sa.CheckConstraint("held >= 0", name=op.f("ck_accounts_held_not_negative")),
        sa.CheckConstraint(
            "lower_limit IS NULL OR balance - held >= lower_limit",
            name=op.f("ck_accounts_above_lower_limit"),
        ),
        sa.CheckConstraint(
            "upper_limit IS NULL OR balance <= upper_limit",
            name=op.f("ck_accounts_below_upper_limit"),
        ),
    )
    op.create_table(
        "transactions",
        sa.Column("id", Id, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("memo", sa.Text, nullable=False, server_default=""),
        sa.Column("reference", sa.Text),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("reverses_id", Id, sa.ForeignKey("transactions.id"), unique=True),
        sa.Column("batch", sa.String(120)),
        sa.Column("idempotency_key", sa.String(200)),
    )
    op.create_index("ix_transactions_batch", "transactions", ["batch"])
    op.create_table(
        "postings",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("transaction_id", Id, nullable=False),
        sa.Column("account_id", Id, nullable=False),
        sa.Column("currency", sa.String(10), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("balance_after", sa.BigInteger, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name="fk_postings_transaction_id",
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "currency"],
            ["accounts.id", "accounts.currency"],
            name="fk_postings_account_currency",
        ),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_postings_amount_not_zero")),
    )
    op.create_index("ix_postings_transaction_id", "postings", ["transaction_id"])
    op.create_index("ix_postings_account_id_id", "postings", ["account_id", "id"])
    op.create_index("ix_postings_account_id_created_at", "postings", ["account_id", "created_at"])
    op.create_table(
        "holds",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("debit_account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("credit_account_id", Id, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("posted_amount", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("expires_at", Stamp),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("transaction_id", Id),
        sa.Column("memo", sa.Text, nullable=False, server_default=""),
        sa.CheckConstraint("amount > 0", name=op.f("ck_holds_amount_positive")),
        sa.CheckConstraint(
            "posted_amount >= 0 AND posted_amount <= amount", name=op.f("ck_holds_posted_within")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'posted', 'voided', 'expired')", name=op.f("ck_holds_status")
        ),
    )
    op.create_index("ix_holds_status_expires_at", "holds", ["status", "expires_at"])
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result_ref", sa.String(200), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
    )
    op.create_table(
        "journal",
        sa.Column("seq", Id, primary_key=True, autoincrement=False),
        sa.Column(
            "transaction_id", Id, sa.ForeignKey("transactions.id"), nullable=False, unique=True
        ),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("sealed_at", Stamp, nullable=False),
    )
    op.create_table(
        "journal_queue",
        sa.Column("transaction_id", Id, primary_key=True, autoincrement=False),
    )


def _postgres_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            bad record;
        BEGIN
            SELECT currency, sum(amount) AS total INTO bad
              FROM postings WHERE transaction_id = NEW.transaction_id
             GROUP BY currency HAVING sum(amount) <> 0 LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'transaction % does not balance: % %',
                    NEW.transaction_id, bad.total, bad.currency
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()
        """
    )
    op.execute(
        """
        CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: correct it with a new, linked transaction',
                TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    for table in IMMUTABLE:
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
        )


def _sqlite_triggers() -> None:
    op.execute(
        """
        CREATE TRIGGER transactions_balanced AFTER INSERT ON transactions
        WHEN (SELECT count(*) FROM postings WHERE transaction_id = NEW.id) < 2
          OR EXISTS (SELECT 1 FROM postings WHERE transaction_id = NEW.id
                     GROUP BY currency HAVING sum(amount) <> 0)
        BEGIN
            SELECT RAISE(ABORT, 'transaction does not balance per currency');
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER postings_after_header BEFORE INSERT ON postings
        WHEN EXISTS (SELECT 1 FROM transactions WHERE id = NEW.transaction_id)
        BEGIN
            SELECT RAISE(ABORT, 'transaction already written: postings cannot be added');
        END
        """
    )
    for table in IMMUTABLE:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: correct it with a new, "
                "linked transaction'); END"
            )


def downgrade() -> None:
    raise NotImplementedError("the ledger's books are never dropped by a migration")
