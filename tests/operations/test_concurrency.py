"""Concurrent validations on PostgreSQL never promise the same reserve euros twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from monnaie_locale.operations import conversion, payouts, reconversion
from monnaie_locale.operations.errors import ReserveInsufficient
from monnaie_locale.store import Database
from tests.conftest import SteppingClock
from tests.operations.conftest import BAKERY_IBAN, make_books, make_deployment


def test_parallel_batch_validations_stay_within_the_digital_reserve(
    postgres_database: Database, clock: SteppingClock
) -> None:
    books = make_books(postgres_database, clock, make_deployment())
    books.run(
        conversion.convert_by_card,
        account="bakery",
        amount=30000,
        payment_reference="PSP-1",
        idempotency_key="card",
    )
    # The rest arrives in cash: its euros are in the till, not on reserve:digital.
    books.run(
        conversion.convert_cash, office="3", account="bakery", amount=50000, idempotency_key="cash"
    )
    ids = [
        books.run(
            reconversion.request_reconversion,
            account="bakery",
            amount=10000,
            creditor_name="Boulangerie",
            iban=BAKERY_IBAN,
            idempotency_key=f"r{n}",
        ).id
        for n in range(8)
    ]

    def validate(request_id: int) -> bool:
        try:
            books.run(
                payouts.validate_batch,
                request_ids=[request_id],
                validated_by="treasurer",
                idempotency_key=f"b{request_id}",
            )
        except ReserveInsufficient:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(validate, ids))

    assert outcomes.count(True) == 30000 // 9500
    promised = sum(
        books.read(reconversion.load_reconversion, rid).payout
        for rid, ok in zip(ids, outcomes, strict=True)
        if ok
    )
    assert promised <= 30000
