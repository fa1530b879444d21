"""Local authorities: their régies de recettes, the people scoped to them, the conventions
with the association, the quittances, the versements and the mandates.

An authority (a town, an intercommunality, a department) may hold an account of its own
and has régies, each collecting into an account of its own. Who works for it is written
here as *duties*, each scoped to the authority or to one of its régies: a user with the
role ``authority_agent`` does for an authority only what a duty gives (see
:mod:`monnaie_locale.authorities.duties`). A régisseur does not *hold* the régie's account
as a member holds theirs: the units leave a régie only by its versements.

Quittances are numbered per régie and per year without gaps: the number is taken from
``quittance_counters`` in the transaction that posts the payment, so a payment rolled back
gives its number back. The migration ``0021_authorities`` creates these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

# The users, payment requests and reconversions referred to.
from monnaie_locale.store import tables_auth, tables_checkout, tables_operations  # noqa: F401
from monnaie_locale.store.tables import Id, metadata

__all__ = [
    "AUTHORITY_KINDS",
    "DUTIES",
    "authorities",
    "authority_duties",
    "conventions",
    "mandates",
    "quittance_counters",
    "quittances",
    "regie_sales",
    "regie_tariffs",
    "regies",
    "versements",
]

AUTHORITY_KINDS = ("commune", "epci", "departement", "region", "other")
# regisseur and mandataire are scoped to one régie; the others to the whole authority.
DUTIES = ("regisseur", "mandataire", "finance", "ordonnateur", "comptable")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


authorities = Table(
    "authorities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(60), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    # The authority's own account, from which its mandates are paid (if its convention
    # lets it spend); NULL for an authority that only collects through its régies.
    Column("account_id", Id, ForeignKey("accounts.id")),
    # Where its régies' versements go: the public accountant's account at the Trésor.
    Column("treasury_name", String(140), nullable=False),
    Column("treasury_iban", String(34), nullable=False),
    Column("treasury_bic", String(11)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(_in("kind", AUTHORITY_KINDS), name="kind"),
)

regies = Table(
    "regies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("authority_id", Id, ForeignKey("authorities.id"), nullable=False),
    Column("code", String(60), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False, unique=True),
    # The montant maximum de l'encaisse fixed by the act creating the régie, minor units.
    Column("cash_cap", BigInteger, nullable=False),
    # Whether quittances carry the payer's name or "anonyme".
    Column("names_payers", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("cash_cap > 0", name="cash_cap_positive"),
    Index("ix_regies_authority_id", "authority_id"),
)

authority_duties = Table(
    "authority_duties",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("authority_id", Id, ForeignKey("authorities.id"), nullable=False),
    Column("regie_id", Id, ForeignKey("regies.id")),
    Column("duty", String(20), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(_in("duty", DUTIES), name="duty"),
    # A régie's duties name the régie; an authority's duties name none.
    CheckConstraint(
        "(duty IN ('regisseur', 'mandataire')) = (regie_id IS NOT NULL)", name="duty_scope"
    ),
    UniqueConstraint("user_id", "authority_id", "regie_id", "duty", name="uq_authority_duties"),
    Index("ix_authority_duties_user_id", "user_id"),
)

conventions = Table(
    "conventions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("authority_id", Id, ForeignKey("authorities.id"), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("reconversion_fee_bps", Integer, nullable=False),
    # At least monthly: a versement is due this many days after the previous one.
    Column("payin_days", Integer, nullable=False),
    # The convention's own cap on a régie's encaisse (minor units), under the régie's.
    Column("cash_cap", BigInteger),
    Column("may_spend", Boolean, nullable=False, server_default=false()),
    # The council's decision and the convention's own reference.
    Column("reference", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    CheckConstraint("reconversion_fee_bps BETWEEN 0 AND 10000", name="fee_bps"),
    CheckConstraint("payin_days BETWEEN 1 AND 31", name="payin_days"),
    CheckConstraint("cash_cap IS NULL OR cash_cap > 0", name="cash_cap_positive"),
    UniqueConstraint("authority_id", "effective_from", name="uq_conventions_effective"),
)

regie_tariffs = Table(
    "regie_tariffs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("regie_id", Id, ForeignKey("regies.id"), nullable=False),
    Column("label", String(120), nullable=False),  # the quittance's object
    Column("amount", BigInteger, nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    UniqueConstraint("regie_id", "label", name="uq_regie_tariffs_label"),
)

# A sale prepared at a régie's counter: the payment request the payer scans, with what the
# quittance will say and the part paid in euros outside the service (card or cash).
regie_sales = Table(
    "regie_sales",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("regie_id", Id, ForeignKey("regies.id"), nullable=False),
    Column("request_id", Id, ForeignKey("payment_requests.id"), nullable=False, unique=True),
    Column("object", String(200), nullable=False),
    Column("payer_name", String(200)),
    Column("euros", BigInteger, nullable=False, server_default="0"),
    Column("euro_means", String(10)),
    Column("euro_reference", String(140)),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("euros >= 0", name="euros_not_negative"),
    CheckConstraint("euro_means IS NULL OR euro_means IN ('card', 'cash')", name="euro_means"),
)

quittance_counters = Table(
    "quittance_counters",
    metadata,
    Column("regie_id", Id, ForeignKey("regies.id"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

quittances = Table(
    "quittances",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("regie_id", Id, ForeignKey("regies.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("object", String(200), nullable=False),
    Column("payer_name", String(200), nullable=False),  # or "anonyme"
    Column("payer_account_id", Id, ForeignKey("accounts.id")),
    # The part paid in local units (posted by ``transaction_id``) and in euros outside.
    Column("units", BigInteger, nullable=False),
    Column("euros", BigInteger, nullable=False, server_default="0"),
    Column("euro_means", String(10)),
    Column("euro_reference", String(140)),
    Column("transaction_id", Id, ForeignKey("transactions.id"), nullable=False, unique=True),
    Column("versement_id", Id, ForeignKey("versements.id")),
    # Signed as the QR receipts are, by the deployment's key (monnaie_locale.payments.keys).
    Column("key_id", String(80)),
    Column("signature", Text),
    CheckConstraint("units > 0 AND euros >= 0", name="amounts"),
    UniqueConstraint("regie_id", "year", "number", name="uq_quittances_number"),
    Index("ix_quittances_versement_id", "versement_id"),
)

versements = Table(
    "versements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("regie_id", Id, ForeignKey("regies.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("prepared_at", DateTime(timezone=True), nullable=False),
    Column("prepared_by", String(200), nullable=False),
    # The units collected, the convention's fee on them and the euros paid to the Trésor.
    Column("units", BigInteger, nullable=False),
    Column("fee", BigInteger, nullable=False),
    Column("euros", BigInteger, nullable=False),
    Column("reason", String(10), nullable=False),
    Column("convention_id", Id, ForeignKey("conventions.id"), nullable=False),
    Column("reconversion_id", Id, ForeignKey("reconversions.id")),
    CheckConstraint("units > 0 AND fee >= 0 AND fee + euros = units", name="split"),
    CheckConstraint("reason IN ('cap', 'period', 'asked')", name="reason"),
    UniqueConstraint("regie_id", "year", "number", name="uq_versements_number"),
)

mandates = Table(
    "mandates",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("authority_id", Id, ForeignKey("authorities.id"), nullable=False),
    Column("exercice", Integer, nullable=False),
    Column("bordereau", String(30), nullable=False),
    Column("number", String(30), nullable=False),
    Column("chapitre", String(10), nullable=False),
    Column("article", String(20), nullable=False),
    Column("fonction", String(10), nullable=False, server_default=""),
    Column("object", String(200), nullable=False),
    Column("payee_account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", String(10), nullable=False),
    Column("proposed_by", Id, ForeignKey("users.id"), nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", Id, ForeignKey("users.id")),
    Column("decided_at", DateTime(timezone=True)),
    Column("refusal", Text),
    Column("transaction_id", Id, ForeignKey("transactions.id"), unique=True),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("status IN ('proposed', 'paid', 'rejected')", name="status"),
    # Separation of duties, in the database too: who decides never proposed.
    CheckConstraint("decided_by IS NULL OR decided_by <> proposed_by", name="two_people"),
    UniqueConstraint("authority_id", "exercice", "bordereau", "number", name="uq_mandates_ref"),
)
