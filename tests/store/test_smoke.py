from monnaie_locale.ledger import Ledger
from monnaie_locale.model import AccountKind


def test_transfer_moves_money(ledger: Ledger) -> None:
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="k1")
    tx = ledger.transfer("alice", "bakery", 1250, idempotency_key="k2")
    assert ledger.account("alice").balance == 3750
    assert ledger.account("bakery").balance == 1250
    assert tx.amount_for("alice") == -1250
    assert ledger.verify_journal().ok
