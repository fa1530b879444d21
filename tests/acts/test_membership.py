"""The acts of membership fees: a holder pays in units from their own account, only the
association records a fee paid in euros, and only readers of the books see who paid.
Each refusal is checked on the API and in ``mlc membership``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import NotYourAccount, RoleForbidden

if TYPE_CHECKING:
    # Imported by pytest as a plugin (below): imported here too, it would not be rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]


def test_a_holder_pays_no_fee_from_an_account_they_do_not_hold(fronts: Fronts) -> None:
    body = {"account": "alice", "period": "2026", "paid_in": "units"}
    fronts.refused_alike(
        Role.MERCHANT_OWNER,
        NotYourAccount("alice"),
        api=lambda: fronts.ops.post(Role.MERCHANT_OWNER, "/v1/membership/fees", body),
        cli=["membership", "pay", "alice", "--period", "2026", "--paid-in", "units",
             "--key", "k9"],
    )  # fmt: skip


def test_a_member_records_no_fee_paid_in_euros(fronts: Fronts) -> None:
    body = {"account": "alice", "period": "2026", "paid_in": "euros"}
    fronts.refused_alike(
        Role.MEMBER,
        RoleForbidden(Role.MEMBER),
        api=lambda: fronts.ops.post(Role.MEMBER, "/v1/membership/fees", body),
        cli=["membership", "pay", "alice", "--period", "2026", "--paid-in", "euros",
             "--key", "k9"],
    )  # fmt: skip


def test_a_member_sees_no_ones_fee_status(fronts: Fronts) -> None:
    fronts.refused_alike(
        Role.MEMBER,
        RoleForbidden(Role.MEMBER),
        api=lambda: fronts.ops.get(Role.MEMBER, "/v1/membership/status"),
        cli=["membership", "status"],
    )


def test_an_auditor_sees_the_fee_status_through_the_cli(fronts: Fronts) -> None:
    paid = fronts.mlc(
        "membership", "pay", "alice", "--period", "2026", "--paid-in", "euros", "--key", "f1",
        actor="admin",
    )  # fmt: skip
    assert paid.exit_code == 0, paid.output

    shown = fronts.mlc("membership", "status", "--on", "2026-06-01", "--json", actor="auditor")

    assert shown.exit_code == 0, shown.output
    assert '"paid": true' in shown.stdout
