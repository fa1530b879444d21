"""The ledger's tables, in SQLAlchemy Core.

Core rather than the ORM: the posting engine issues a handful of statements per transfer
and the ORM's unit-of-work bookkeeping would cost more than the statements themselves.
The Alembic migrations in ``migrations/versions`` create exactly these tables, plus the
triggers that make the database itself refuse unbalanced or altered books.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid (fast, auto-assigned).
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# An account's display name, checked by the database as well as by
# monnaie_locale.model.check_display_name: at most 120 characters, none of them a control
# character (C0 or DEL), even when a row is written by hand.
DISPLAY_NAME_LENGTH = "display_name IS NULL OR length(display_name) BETWEEN 1 AND 120"
DISPLAY_NAME_PLAIN = {
    "postgresql": "display_name IS NULL OR display_name !~ '[\\x01-\\x1f\\x7f]'",
    "sqlite": "display_name IS NULL OR display_name NOT GLOB "
    "'*[' || char(1) || '-' || char(31) || char(127) || ']*'",
}

# Transaction ids are taken before the postings are written (the header row comes last,
# see migrations), so PostgreSQL hands them out from a sequence.
transaction_ids = Sequence("transaction_ids", metadata=metadata)

currencies = Table(
    "currencies",
    metadata,
    Column("code", String(10), primary_key=True),
    Column("name", Text, nullable=False),
    Column("symbol", Text, nullable=False),
    Column("exponent", Integer, nullable=False, server_default="2"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(120), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("currency", String(10), ForeignKey("currencies.code"), nullable=False),
    Column("status", String(10), nullable=False, server_default="active"),
    Column("owner_ref", Text),
    Column("lower_limit", BigInteger),
    Column("upper_limit", BigInteger),
    Column("balance", BigInteger, nullable=False, server_default="0"),
    Column("held", BigInteger, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The holder's name for people (pay pages, printed QR sheets); NULL shows the code.
    Column("display_name", String(120)),
    UniqueConstraint("id", "currency", name="uq_accounts_id_currency"),
    CheckConstraint(
        "kind IN ('member', 'business', 'authority', 'association', 'exchange_office', 'system')",
        name="kind",
    ),
    CheckConstraint("status IN ('active', 'frozen', 'closed')", name="status"),
    CheckConstraint("held >= 0", name="held_not_negative"),
    CheckConstraint(
        "lower_limit IS NULL OR balance - held >= lower_limit", name="above_lower_limit"
    ),
    CheckConstraint("upper_limit IS NULL OR balance <= upper_limit", name="below_upper_limit"),
    CheckConstraint(DISPLAY_NAME_LENGTH, name="display_name_length"),
    # No control character: each engine says it its own way (migration 0005).
    CheckConstraint(DISPLAY_NAME_PLAIN["postgresql"], name="display_name_plain").ddl_if(
        dialect="postgresql"
    ),
    CheckConstraint(DISPLAY_NAME_PLAIN["sqlite"], name="display_name_plain").ddl_if(
        dialect="sqlite"
    ),
)

transactions = Table(
    "transactions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=False),
    Column("kind", String(40), nullable=False),
    Column("memo", Text, nullable=False, server_default=""),
    Column("reference", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reverses_id", Id, ForeignKey("transactions.id"), unique=True),
    Column("batch", String(120)),
    Column("idempotency_key", String(200)),
    # The day the operation happened (a bank's booking date, a conversion taken at an
    # office yesterday), when it was given; NULL: the day it was recorded, in the
    # deployment's zone (see monnaie_locale.periods). Never inside a closed period.
    Column("operation_date", Date),
    Index("ix_transactions_batch", "batch"),
)

postings = Table(
    "postings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("transaction_id", Id, nullable=False),
    Column("account_id", Id, nullable=False),
    Column("currency", String(10), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("balance_after", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Deferred: the postings of a transaction are written before its header row.
    ForeignKeyConstraint(
        ["transaction_id"],
        ["transactions.id"],
        name="fk_postings_transaction_id",
        deferrable=True,
        initially="DEFERRED",
    ),
    # A posting's currency is its account's: the pair must exist in accounts.
    ForeignKeyConstraint(
        ["account_id", "currency"],
        ["accounts.id", "accounts.currency"],
        name="fk_postings_account_currency",
    ),
    CheckConstraint("amount <> 0", name="amount_not_zero"),
    Index("ix_postings_transaction_id", "transaction_id"),
    Index("ix_postings_account_id_id", "account_id", "id"),
    Index("ix_postings_account_id_created_at", "account_id", "created_at"),
)

holds = Table(
    "holds",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("debit_account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("credit_account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("posted_amount", BigInteger, nullable=False, server_default="0"),
    Column("status", String(10), nullable=False, server_default="pending"),
    Column("expires_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("transaction_id", Id),
    Column("memo", Text, nullable=False, server_default=""),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("posted_amount >= 0 AND posted_amount <= amount", name="posted_within"),
    CheckConstraint("status IN ('pending', 'posted', 'voided', 'expired')", name="status"),
    Index("ix_holds_status_expires_at", "status", "expires_at"),
    # A statement finds a reconversion from the transaction that posted its hold.
    Index("ix_holds_transaction_id", "transaction_id"),
)

# One row per key ever used for a call that moves money. It is written first, so a
# concurrent duplicate waits on the unique key and then reads the first call's result.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("result_ref", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The hash-chained journal: sealed after commit, in order, by one sealer at a time.
# ``mac`` is the service's mark of the entry (see monnaie_locale.journal); entries sealed
# before marks existed have none.
journal = Table(
    "journal",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=False),
    Column("transaction_id", Id, ForeignKey("transactions.id"), nullable=False, unique=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("sealed_at", DateTime(timezone=True), nullable=False),
    Column("mac", String(64)),
)

# Committed transactions not yet sealed into the journal (PostgreSQL only), each with the
# mark of its content the posting statement wrote; the sealer seals no row without it.
journal_queue = Table(
    "journal_queue",
    metadata,
    Column("transaction_id", Id, primary_key=True, autoincrement=False),
    Column("mac", String(64)),
)

# The journal's last entry, moved by the database at each entry added: verification
# compares it with the journal, so the newest entries cannot vanish unnoticed unless the
# head is rewritten too. Entries from ``marked_from`` on must carry the service's mark.
journal_head = Table(
    "journal_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("marked_from", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
