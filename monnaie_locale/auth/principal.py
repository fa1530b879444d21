"""The principal: who is calling, with which role, holding which accounts.

A principal comes from a sign-in token (a user) or from an API key (a terminal acting
for one account). Whether it may read or move an account is answered here, so every
edge applies the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monnaie_locale.auth.errors import NotYourAccount
from monnaie_locale.auth.roles import MOVES_ANY_ACCOUNT, SEES_ALL_ACCOUNTS, Role

__all__ = ["Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    accounts: frozenset[str]
    name: str
    user_id: int | None = None
    token_id: int | None = None
    api_key_id: int | None = None
    expires_at: datetime | None = None  # a sign-in token's end; an API key has none

    @property
    def subject(self) -> str:
        """A stable identity, to keep one caller's idempotency keys apart from another's."""
        if self.api_key_id is not None:
            return f"key:{self.api_key_id}"
        return f"user:{self.user_id}"

    @property
    def sees_all_accounts(self) -> bool:
        return self.role in SEES_ALL_ACCOUNTS

    @property
    def moves_any_account(self) -> bool:
        return self.role in MOVES_ANY_ACCOUNT

    def may_read(self, account: str) -> bool:
        return self.sees_all_accounts or account in self.accounts

    def may_move_from(self, account: str) -> bool:
        return self.moves_any_account or account in self.accounts

    def check_read(self, account: str) -> None:
        if not self.may_read(account):
            raise NotYourAccount(account)

    def check_move_from(self, account: str) -> None:
        if not self.may_move_from(account):
            raise NotYourAccount(account)
