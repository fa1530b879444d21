"""The acts of paper notes: who may move notes, and for which office.

Each refusal is checked on both edges: the API route and the ``mlc notes`` command give
the same error, and the books do not move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import NotYourAccount, RoleForbidden
from monnaie_locale.deployment import office_till
from tests.api.operations_support import OFFICE

if TYPE_CHECKING:
    # Imported by pytest as a plugin (below): imported here too, it would not be rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

TWENTIES = [{"denomination": "20", "count": 1}]
# An office the office operator of OFFICE does not work at.
OTHER = "port"


@pytest.mark.parametrize(
    ("movement", "place", "cli_place"),
    [
        ("print", {}, []),
        ("deliver", {"office": OFFICE}, ["--office", OFFICE]),
        ("return", {"office": OFFICE}, ["--office", OFFICE]),
        ("destroy", {"location": "vault"}, ["--place", "vault"]),
        ("lose", {"location": "vault"}, ["--place", "vault"]),
        ("find", {"location": "vault"}, ["--place", "vault"]),
    ],
)
def test_only_the_association_prints_delivers_and_writes_off_notes(
    fronts: Fronts, movement: str, place: dict[str, str], cli_place: list[str]
) -> None:
    fronts.refused_alike(
        Role.OFFICE_OPERATOR,
        RoleForbidden(Role.OFFICE_OPERATOR),
        api=lambda: fronts.ops.post(
            Role.OFFICE_OPERATOR, f"/v1/notes/{movement}", {**place, "notes": TWENTIES}
        ),
        cli=["notes", movement, *cli_place, "--notes", "1x20", "--key", "k9"],
    )


def test_a_member_sells_no_notes(fronts: Fronts) -> None:
    fronts.refused_alike(
        Role.MEMBER,
        RoleForbidden(Role.MEMBER),
        api=lambda: fronts.ops.post(
            Role.MEMBER, "/v1/notes/sell", {"office": OFFICE, "notes": TWENTIES}
        ),
        cli=["notes", "sell", "--office", OFFICE, "--notes", "1x20", "--key", "k9"],
    )


def test_an_office_operator_sells_no_notes_at_another_office(fronts: Fronts) -> None:
    fronts.refused_alike(
        Role.OFFICE_OPERATOR,
        NotYourAccount(office_till(OTHER)),
        api=lambda: fronts.ops.post(
            Role.OFFICE_OPERATOR, "/v1/notes/sell", {"office": OTHER, "notes": TWENTIES}
        ),
        cli=["notes", "sell", "--office", OTHER, "--notes", "1x20", "--key", "k9"],
    )


def test_an_office_operator_takes_no_deposit_at_another_office(fronts: Fronts) -> None:
    body = {"office": OTHER, "account": "alice", "notes": TWENTIES}
    fronts.refused_alike(
        Role.OFFICE_OPERATOR,
        NotYourAccount(office_till(OTHER)),
        api=lambda: fronts.ops.post(Role.OFFICE_OPERATOR, "/v1/notes/deposit", body),
        cli=["notes", "deposit", "--office", OTHER, "--account", "alice", "--notes", "1x20",
             "--key", "k9"],
    )  # fmt: skip


def test_an_office_operator_sells_at_their_office_through_the_cli(fronts: Fronts) -> None:
    printed = fronts.mlc("notes", "print", "--notes", "5x20", "--key", "print-1", actor="admin")
    delivered = fronts.mlc(
        "notes", "deliver", "--office", OFFICE, "--notes", "5x20", "--key", "d-1", actor="admin"
    )
    assert printed.exit_code == 0, printed.output
    assert delivered.exit_code == 0, delivered.output

    sold = fronts.mlc(
        "notes", "sell", "--office", OFFICE, "--notes", "2x20", "--key", "sale-1",
        actor="counter",
    )  # fmt: skip

    assert sold.exit_code == 0, sold.output
    assert fronts.ops.balance(office_till(OFFICE)) == -4000
