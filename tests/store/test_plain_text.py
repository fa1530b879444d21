"""Text that enters the ledger by any way but the API is held to the API's rule, and more.

A memo, a reference or an account code with a control character is refused with
:class:`InvalidRequest`, naming the field, and leaves the books as they were
(:func:`tests.support.refused`), on SQLite and on PostgreSQL. Text the ledger accepts
keeps the FEC in its 18 columns, one line per posting, whatever it holds.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import partial
from itertools import count

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from monnaie_locale.errors import InvalidRequest
from monnaie_locale.exports import FEC_COLUMNS, FEC_ENCODING, fec
from monnaie_locale.ledger import service
from monnaie_locale.model import AccountKind, Leg, TransferRequest
from tests.engine import Engine
from tests.support import refused

# Tab and line breaks (they would shift the FEC's columns and lines), NUL (PostgreSQL
# refuses it outright), an escape sequence, a C1 control, a Unicode line separator and a
# mark that reverses the text after it.
BAD = ["\t", "\n", "\r\n", "\x00", "\x1b[2J", "\x85", "\u2028", "\u202e"]


@pytest.fixture
def funded(ledger: Engine) -> Engine:
    """alice holds 50.00 MLC; bakery is empty."""
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund-alice")
    return ledger


def refuses_each(ledger: Engine, field: str, attempt: Callable[[str], object]) -> None:
    """``attempt`` with each bad character is refused, names ``field`` and changes nothing."""
    for bad in BAD:
        error = refused(ledger.database, InvalidRequest, partial(attempt, bad))
        assert error.message.startswith(f"the {field} holds a control or invisible character")


def test_an_account_code_with_a_control_character_is_refused(funded: Engine) -> None:
    refuses_each(
        funded,
        "account code",
        lambda bad: funded.open_account(f"ali{bad}ce", kind=AccountKind.MEMBER, currency="MLC"),
    )


def test_an_owner_reference_with_a_control_character_is_refused(funded: Engine) -> None:
    refuses_each(
        funded,
        "owner reference",
        lambda bad: funded.open_account(
            "dave", kind=AccountKind.MEMBER, currency="MLC", owner_ref=f"member{bad}42"
        ),
    )


def test_a_transfer_memo_with_a_control_character_is_refused(funded: Engine) -> None:
    keys = count()
    refuses_each(
        funded,
        "memo",
        lambda bad: funded.transfer(
            "alice", "bakery", 100, idempotency_key=f"k{next(keys)}", memo=f"pain{bad}beurre"
        ),
    )


def test_a_transaction_reference_with_a_control_character_is_refused(funded: Engine) -> None:
    keys = count()
    refuses_each(
        funded,
        "reference",
        lambda bad: funded.post(
            TransferRequest(
                legs=(Leg("alice", -100), Leg("bakery", 100)), reference=f"T1{bad}0042"
            ),
            idempotency_key=f"k{next(keys)}",
        ),
    )


def test_a_batch_with_one_bad_memo_is_refused_whole(funded: Engine) -> None:
    keys = count()
    refuses_each(
        funded,
        "memo",
        lambda bad: funded.batch(
            [
                TransferRequest.simple("alice", "bakery", 100, memo="first"),
                TransferRequest.simple("bakery", "alice", 50, memo=f"second{bad}"),
            ],
            idempotency_key=f"k{next(keys)}",
        ),
    )


def test_a_hold_memo_with_a_control_character_is_refused(funded: Engine) -> None:
    keys = count()
    refuses_each(
        funded,
        "memo",
        lambda bad: funded.place_hold(
            "alice", "bakery", 100, idempotency_key=f"k{next(keys)}", memo=f"table 4{bad}"
        ),
    )


def test_settling_a_hold_with_a_bad_memo_is_refused_and_the_hold_stays_pending(
    funded: Engine,
) -> None:
    hold = funded.place_hold("alice", "bakery", 700, idempotency_key="h1", memo="table 4")
    keys = count()
    refuses_each(
        funded,
        "memo",
        lambda bad: funded.database.write(
            lambda conn: service.post_hold(
                conn,
                hold.id,
                idempotency_key=f"k{next(keys)}",
                clock=funded.clock,
                memo=f"served{bad}",
            )
        ),
    )
    assert funded.get_hold(hold.id).status == "pending"
    assert funded.account("alice").held == 700


def test_a_reversal_memo_with_a_control_character_is_refused(funded: Engine) -> None:
    wrong = funded.transfer("alice", "bakery", 100, idempotency_key="wrong")
    keys = count()
    refuses_each(
        funded,
        "memo",
        lambda bad: funded.reverse(
            wrong.id, idempotency_key=f"k{next(keys)}", memo=f"paid twice{bad}"
        ),
    )


def test_plain_text_in_every_field_is_stored_as_given(funded: Engine) -> None:
    text = "Café crème | 2 × 1,20 € — סופגניות 🥐"
    funded.open_account(text, kind=AccountKind.MEMBER, currency="MLC", owner_ref=text)
    posted = funded.post(
        TransferRequest(legs=(Leg("alice", -100), Leg(text, 100)), memo=text, reference=text),
        idempotency_key="plain",
    )
    stored = funded.transaction(posted.id)
    assert (stored.memo, stored.reference) == (text, text)
    assert {p.account for p in stored.postings} == {"alice", text}
    assert funded.account(text).owner_ref == text


# Any text the ledger accepts keeps the FEC in its columns -----------------------------------

# Mostly text the ledger accepts: pieces of Latin text, of any script, and the separators
# and spaces the FEC must flatten; and some text of anything, control characters included.
_not_plain = ("Cc", "Cs", "Zl", "Zp")
_pieces = st.one_of(
    st.text(st.characters(max_codepoint=0x17F, exclude_categories=_not_plain), max_size=6),
    st.text(st.characters(exclude_categories=_not_plain), max_size=3),
    st.sampled_from(["|", " ", "   ", ";", "\u00a0", "Café", "€", "œ", "→"]),
)
texts = st.lists(_pieces, max_size=8).map("".join) | st.text(max_size=20)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1
examples = count()  # one account code prefix per example: hypothesis repeats examples


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    code=texts,
    owner=texts,
    memo=texts,
    reference=texts,
    separator=st.sampled_from(["|", "\t"]),
)
def test_text_the_ledger_accepts_keeps_the_fec_in_18_columns(
    ledger: Engine, code: str, owner: str, memo: str, reference: str, separator: str
) -> None:
    prefix = f"p{next(examples)}:"
    code = prefix + code
    try:
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC", owner_ref=owner or None)
        ledger.post(
            TransferRequest(
                legs=(Leg("issuance", -100), Leg(code, 100)),
                memo=memo,
                reference=reference or None,
            ),
            idempotency_key=f"{prefix}key",
        )
    except InvalidRequest:
        event("refused")  # tests/unit/test_plain_text.py says what is refused
        return
    event("accepted")
    out = io.BytesIO()
    ledger.database.read(lambda conn: fec(conn, out, separator=separator))
    raw = out.getvalue()

    lines = raw.split(b"\r\n")
    assert lines.pop() == b""  # the file ends with a line break, and has no other kind
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    rows = [line.decode(FEC_ENCODING).split(separator) for line in lines]
    assert rows[0] == list(FEC_COLUMNS)
    assert all(len(row) == 18 for row in rows)
    # Nor does any field carry a control character to whoever reads the file next.
    assert not any(CONTROL.search(field) for row in rows for field in row)
    assert len(raw.decode(FEC_ENCODING).splitlines()) == len(rows)

    # The new transaction's two lines come last; the new account's line is the credit.
    ours = [row for row in rows[-2:] if row[FEC_COLUMNS.index("Credit")] != "0,00"]
    assert len(ours) == 1
    row = ours[0]
    expected = {
        "CompAuxNum": code,
        "CompAuxLib": owner or code,
        "EcritureLib": memo or "transfer",
        "PieceRef": reference or None,
    }
    for column, value in expected.items():
        if value is None:
            continue
        if _latin9(value):
            # What the text says comes through; only separators and runs of spaces are
            # made single spaces.
            assert row[FEC_COLUMNS.index(column)].split() == value.replace(separator, " ").split()


def _latin9(text: str) -> bool:
    try:
        text.encode(FEC_ENCODING)
    except UnicodeEncodeError:
        return False
    return True
