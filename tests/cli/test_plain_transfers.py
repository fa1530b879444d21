"""``mlc transfer`` and ``mlc reverse`` keep to holder accounts, as the API does.

Units are created only by a conversion and destroyed only by a reconversion or a note's
destruction: a plain transfer from or to ``issuance`` would make the reserve report lie.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from monnaie_locale.store import Database
from monnaie_locale.store.tables import transactions
from tests.cli.conftest import Mlc
from tests.engine import Engine
from tests.support import snapshot


@pytest.mark.parametrize(
    ("debit", "credit"),
    [("issuance", "alice"), ("alice", "issuance")],
    ids=["units-from-nothing", "units-into-nothing"],
)
def test_a_transfer_never_creates_or_destroys_units(
    mlc: Mlc, books: Engine, database: Database, debit: str, credit: str
) -> None:
    before = snapshot(database)

    result = mlc("transfer", debit, credit, "10", "--key", "k")

    assert result.exit_code != 0
    assert "issuance" in result.stderr and "own operations" in result.stderr
    assert snapshot(database) == before


def test_the_refusal_speaks_french_by_default(mlc: Mlc, books: Engine) -> None:
    result = mlc("transfer", "issuance", "alice", "1000", "--key", "k", lang="fr")

    assert result.exit_code != 0
    assert "ne bouge que par ses propres opérations" in result.stderr


def test_a_conversion_is_not_reversed_as_a_plain_transfer(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    conversion = books.transaction(1)
    assert conversion.kind == "conversion"
    before = snapshot(database)

    result = mlc("reverse", str(conversion.id), "--key", "undo-conversion")

    assert result.exit_code != 0
    assert snapshot(database) == before


def test_a_transfer_between_holders_still_goes_through(mlc: Mlc, books: Engine) -> None:
    paid = mlc.json("transfer", "alice", "bob", "1", "--key", "k")

    assert [(p["account"], p["amount"]) for p in paid["postings"]] == [
        ("alice", -100),
        ("bob", 100),
    ]


def test_a_transfer_carries_the_day_it_happened_and_never_a_day_to_come(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    paid = mlc.json("transfer", "alice", "bob", "1", "--key", "k-on", "--on", "2026-11-01")

    day = database.read(
        lambda conn: conn.execute(
            select(transactions.c.operation_date).where(transactions.c.id == paid["id"])
        ).scalar_one()
    )
    assert day == date(2026, 11, 1)
    before = snapshot(database)
    later = mlc("transfer", "alice", "bob", "1", "--key", "k-later", "--on", "2099-01-01")
    badly = mlc("transfer", "alice", "bob", "1", "--key", "k-bad", "--on", "01/11/2026")
    assert later.exit_code != 0 and "2099-01-01" in later.stderr
    assert badly.exit_code == 2 and "01/11/2026" in badly.stderr
    assert snapshot(database) == before
