"""The back-office's two reading acts: finding accounts by a piece of text, and listing
API keys; who may, and what each actor sees."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from monnaie_locale.acts import accounts, api_keys
from monnaie_locale.auth import Role
from monnaie_locale.model import AccountKind

if TYPE_CHECKING:
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]


@pytest.mark.parametrize(
    "role", [Role.MEMBER, Role.MERCHANT_OWNER, Role.MERCHANT_CASHIER, Role.AUTHORITY_AGENT]
)
def test_only_the_readers_of_every_account_search_them(fronts: Fronts, role: Role) -> None:
    error = fronts.refused(role, lambda ctx: accounts.find_accounts(ctx, "a"), status=403)
    assert error.code == "role_forbidden"


def test_a_search_finds_a_piece_of_the_code_or_the_name_case_and_accents_aside(
    fronts: Fronts,
) -> None:
    ctx = fronts.context(Role.ASSOCIATION_OPERATOR)
    accounts.open_account(ctx, "m-42", kind=AccountKind.MEMBER, display_name="Claire Dupuis")
    accounts.open_account(ctx, "shop_1", kind=AccountKind.BUSINESS, owner_ref="P-100%")
    auditor = fronts.context(Role.AUDITOR)

    def codes(text: str, kind: AccountKind | None = None) -> list[str]:
        return [a.code for a in accounts.find_accounts(auditor, text, kind=kind)]

    accounts.open_account(ctx, "shop_2", kind=AccountKind.BUSINESS, display_name="Épicerie")
    assert codes("DUPUIS") == ["m-42"]
    assert codes("épicerie") == codes("EPICERIE") == ["shop_2"]
    assert codes("M-4") == ["m-42"]
    assert codes("p-100%") == ["shop_1"]
    # Wildcards are taken literally.
    assert codes("100_") == [] and "shop_1" in codes("_")
    assert set(codes("", AccountKind.BUSINESS)) >= {"shop_1"}
    assert "m-42" not in codes("", AccountKind.BUSINESS)
    assert codes("nothing like it") == []


def test_a_search_too_long_or_too_wide_is_refused(fronts: Fronts) -> None:
    auditor = fronts.context(Role.AUDITOR)
    for call in (
        lambda: accounts.find_accounts(auditor, "x" * 121),
        lambda: accounts.find_accounts(auditor, limit=0),
        lambda: accounts.find_accounts(auditor, limit=201),
    ):
        with pytest.raises(Exception) as caught:
            call()
        assert getattr(caught.value, "code", None) == "invalid_request"


@pytest.mark.parametrize(
    "role", [Role.MEMBER, Role.MERCHANT_CASHIER, Role.AUTHORITY_AGENT, Role.OFFICE_OPERATOR]
)
def test_only_the_key_managers_and_the_auditor_list_keys(fronts: Fronts, role: Role) -> None:
    error = fronts.refused(role, lambda ctx: api_keys.list_keys(ctx), status=403)
    assert error.code == "role_forbidden"


def test_an_owner_lists_the_keys_of_the_shop_the_association_every_key(fronts: Fronts) -> None:
    operator = fronts.context(Role.ASSOCIATION_OPERATOR)
    bakery = api_keys.create_key(operator, "bakery", label="till 1").key
    town = api_keys.create_key(operator, "town", label="pool").key
    api_keys.revoke_key(operator, town.id)

    owner = [key.id for key in api_keys.list_keys(fronts.context(Role.MERCHANT_OWNER))]
    everyone = api_keys.list_keys(fronts.context(Role.AUDITOR))

    assert owner == [bakery.id]
    assert [(key.id, key.revoked) for key in everyone][:2] == [(town.id, True), (bakery.id, False)]
