"""A short tour of the ledger on a local SQLite file: convert, pay, refund, verify.

Run with ``python -m cli.demo``. It writes ``var/demo.db`` afresh each time.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from monnaie_locale.ledger import Ledger
from monnaie_locale.model import AccountKind, Leg, TransferRequest
from monnaie_locale.money import EUR, Currency, format_amount, parse_amount
from monnaie_locale.store import connect, migrate

DEMO_DB = Path("var/demo.db")


def main() -> None:
    console = Console()
    DEMO_DB.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DEMO_DB}{suffix}").unlink(missing_ok=True)
    database = connect(f"sqlite:///{DEMO_DB}")
    migrate(database)
    ledger = Ledger(database)
    ledger.add_currency(EUR)
    ledger.add_currency(Currency(code="MLC", name="monnaie locale", symbol="Ml"))
    system = {"lower_limit": None}
    ledger.open_account("issuance", kind=AccountKind.SYSTEM, currency="MLC", **system)
    ledger.open_account("external", kind=AccountKind.SYSTEM, currency="EUR", **system)
    ledger.open_account(
        "reserve:digital",
        kind=AccountKind.ASSOCIATION,
        currency="EUR",
        lower_limit=None,
        upper_limit=0,
    )
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")

    fifty = parse_amount("50")
    ledger.post(
        TransferRequest(
            legs=(
                Leg("external", fifty),
                Leg("reserve:digital", -fifty),
                Leg("issuance", -fifty),
                Leg("alice", fifty),
            ),
            kind="conversion",
            memo="Alice converts 50 € by bank transfer",
        ),
        idempotency_key="demo-conversion",
    )
    payment = ledger.transfer(
        "alice", "bakery", parse_amount("12,50"), idempotency_key="demo-payment", memo="bread"
    )
    ledger.transfer("bakery", "alice", parse_amount("2.50"), idempotency_key="demo-refund")
    retry = ledger.transfer(
        "alice", "bakery", parse_amount("12,50"), idempotency_key="demo-payment", memo="bread"
    )

    table = Table(title="Balances after the demo")
    table.add_column("account")
    table.add_column("currency")
    table.add_column("balance", justify="right")
    for code in ("alice", "bakery", "issuance", "reserve:digital", "external"):
        account = ledger.account(code)
        table.add_row(code, account.currency, format_amount(account.balance))
    console.print(table)
    console.print(f"A retried payment returned transaction {retry.id} (first: {payment.id}).")
    check = ledger.verify_journal()
    console.print(
        f"Journal: {check.entries} entries, {check.postings} postings, "
        + ("verified." if check.ok else f"BROKEN: {check.first}")
    )


if __name__ == "__main__":
    main()
