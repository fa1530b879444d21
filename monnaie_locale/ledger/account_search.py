"""Finding a holder's account by what a person says at a counter: part of its code or name.

An exchange office's volunteer asks "your account?" and hears "Alice" or "alice" or the
code itself. The search lists the open accounts of holders (members, businesses,
authorities) whose code or name holds every word, case aside, in code order (the code
said whole first); the association's, the offices' and the system's accounts are never a
customer's.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, case, func, or_, select

from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import account_from_row
from monnaie_locale.model import Account, AccountKind, AccountStatus, check_plain_text
from monnaie_locale.store.tables import accounts

__all__ = ["MAX_QUERY", "MAX_RESULTS", "find_holder_accounts"]

MAX_QUERY = 120
MAX_RESULTS = 50
_MAX_WORDS = 6
_HOLDER_KINDS = tuple(
    str(kind)
    for kind in (
        AccountKind.MEMBER,
        AccountKind.BUSINESS,
        AccountKind.AUTHORITY,
    )
)


def _like(word: str) -> str:
    """``word`` as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_holder_accounts(conn: Connection, query: str, *, limit: int = 20) -> list[Account]:
    """The holders' open accounts whose code or name holds every word of ``query``."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_RESULTS:
        raise InvalidRequest(f"the limit is a number from 1 to {MAX_RESULTS}")
    words = check_plain_text(query, "search", max_length=MAX_QUERY).casefold().split()
    if not words:
        raise InvalidRequest("say which account: part of its code or of its holder's name")
    # lower() on both sides: PostgreSQL's LIKE tells cases apart, SQLite's does not.
    code = func.lower(accounts.c.code)
    name = func.lower(func.coalesce(accounts.c.display_name, ""))
    conditions = [
        accounts.c.kind.in_(_HOLDER_KINDS),
        accounts.c.status != str(AccountStatus.CLOSED),
    ]
    conditions += [
        or_(code.like(_like(word), escape="\\"), name.like(_like(word), escape="\\"))
        for word in words[:_MAX_WORDS]
    ]
    # The account whose code was said whole comes first, however many others match.
    exact = case((accounts.c.code == query.strip(), 0), else_=1)
    rows = conn.execute(
        select(accounts).where(and_(*conditions)).order_by(exact, accounts.c.code).limit(limit)
    ).all()
    return [account_from_row(row) for row in rows]
