"""The checkpoint's text: every rule of its parser, each broken once, and its round trip."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monnaie_locale.verify.checkpoint import (
    Checkpoint,
    CheckpointError,
    Statement,
    format_checkpoint,
    parse_checkpoint,
)

ROOT = bytes(range(32))
B64 = base64.b64encode(ROOT).decode()
FULL = Checkpoint(
    origin="pay.example/eusko",
    size=120,
    root=ROOT,
    time=datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
    unit="MLC",
    issued=1_250_000,
    digital=1_100_000,
    paper=150_000,
    reserve={"reserve:digital": 1_100_000, "reserve:notes": 150_000},
    liabilities_root=bytes(32),
    liabilities_sum=1_100_000,
    statements=(Statement("reserve:digital", date(2026, 11, 30), 1_099_000, "ab" * 32),),
)
TEXT = format_checkpoint(FULL)
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# The same 32 bytes with one of the last digit's two unused bits set: base64 decoders
# read it, the format does not.
STRAY = B64[:42] + _ALPHABET[_ALPHABET.index(B64[42]) + 1] + "="


def test_the_text_is_the_tlog_checkpoint_then_the_totals_in_order() -> None:
    assert TEXT.split("\n") == [
        "pay.example/eusko",
        "120",
        B64,
        "time 2026-12-07T09:00:00Z",
        "unit MLC",
        "issued 1250000",
        "circulation digital 1100000",
        "circulation paper 150000",
        "reserve reserve:digital 1100000",
        "reserve reserve:notes 150000",
        "liabilities " + base64.b64encode(bytes(32)).decode() + " 1100000",
        "statement reserve:digital 2026-11-30 1099000 " + "ab" * 32,
        "",
    ]
    assert parse_checkpoint(TEXT) == FULL


def _with(line: int, value: str | None) -> str:
    """TEXT with its line ``line`` (from 1) replaced, or removed when ``value`` is None."""
    lines = TEXT[:-1].split("\n")
    if value is None:
        del lines[line - 1]
    else:
        lines[line - 1] = value
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (TEXT[:-1], "ends with a newline"),
        (_with(1, ""), "origin"),
        (_with(2, "0120"), "decimal"),  # a leading zero
        (_with(2, "+120"), "decimal"),
        (_with(2, "-1"), "decimal"),
        (_with(2, "١٢٠"), "decimal"),  # Arabic-Indic digits: int() reads them, the format not
        (_with(3, STRAY), "canonical"),
        (_with(3, B64.rstrip("=")), "base64"),  # padding left out
        (_with(3, base64.b64encode(ROOT[:31]).decode()), "32 bytes"),
        (_with(3, base64.urlsafe_b64encode(b"\xfb" * 32).decode()), "base64"),
        (_with(3, "é" + B64[1:]), "base64"),  # not ASCII at all
        (_with(4, "time 2026-12-7T09:00:00Z"), "zero-padded"),
        (_with(4, "time 2026-12-07T09:00:00+00:00"), "time"),
        (_with(4, "time 2026-12-07 09:00:00Z"), "expected"),
        (_with(5, "unit "), "unit"),
        (_with(5, None), "expected 'unit"),  # a line left out
        (_with(6, "issued 01250000"), "decimal"),
        (_with(6, "issued -0"), "decimal"),
        (_with(7, "circulation  digital 1100000"), "expected"),  # two spaces
        (_with(7, "circulation paper 150000"), "expected 'circulation digital"),  # order
        (_with(9, "reserve reserve:notes 150000"), "sorted"),  # accounts out of order
        (_with(10, "reserve reserve:digital 5"), "sorted"),  # an account twice
        (_with(10, "reserve reserve:notes 150000 extra"), "unknown"),
        (_with(11, "liabilities " + B64 + " -1"), "decimal"),
        (_with(12, "statement reserve:digital 20261130 1099000 " + "ab" * 32), "a day"),
        (_with(12, "statement reserve:digital 2026-W48-1 1099000 " + "ab" * 32), "a day"),
        (_with(12, "statement reserve:digital 2026-11-30 1099000 " + "AB" * 32), "hex"),
        (TEXT + "reserve reserve:late 1\n", "misplaced"),  # reserve after statements
        (TEXT + "liabilities " + B64 + " 1\n", "unknown or misplaced"),  # a second one
        (TEXT + "comment hello\n", "unknown"),
        (TEXT + "\n", "unknown"),  # an empty extension line
        ("pay.example/eusko\n1\n" + B64 + "\n", "totals"),  # a plain tlog checkpoint
    ],
)
def test_a_text_that_breaks_a_rule_is_refused(text: str, rule: str) -> None:
    with pytest.raises(CheckpointError, match=rule):
        parse_checkpoint(text)


def test_the_stray_bits_root_decodes_to_the_same_bytes() -> None:
    assert base64.b64decode(STRAY, validate=True) == ROOT


def test_a_checkpoint_without_liabilities_nor_statements_reads_back() -> None:
    plain = Checkpoint(
        origin="o",
        size=0,
        root=ROOT,
        time=FULL.time,
        unit="MLC",
        issued=0,
        digital=0,
        paper=0,
    )
    assert parse_checkpoint(format_checkpoint(plain)) == plain


def test_a_unit_or_an_account_with_a_space_cannot_be_formatted() -> None:
    with pytest.raises(CheckpointError):
        format_checkpoint(Checkpoint("o", 0, ROOT, FULL.time, "M LC", 0, 0, 0))
    with pytest.raises(CheckpointError):
        format_checkpoint(Checkpoint("o", 0, ROOT, FULL.time, "MLC", 0, 0, 0, {"a b": 1}))


words = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12)
amounts = st.integers(min_value=-(2**62), max_value=2**62)


@given(
    size=st.integers(min_value=0, max_value=2**40),
    root=st.binary(min_size=32, max_size=32),
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    unit=words,
    totals=st.tuples(amounts, amounts, amounts),
    reserve=st.dictionaries(words, amounts, max_size=4),
)
def test_whatever_it_says_a_checkpoint_reads_back_as_itself(
    size: int,
    root: bytes,
    moment: datetime,
    unit: str,
    totals: tuple[int, int, int],
    reserve: dict[str, int],
) -> None:
    cp = Checkpoint(
        origin="pay.example/eusko",
        size=size,
        root=root,
        time=moment.replace(microsecond=0),
        unit=unit,
        issued=totals[0],
        digital=totals[1],
        paper=totals[2],
        reserve=dict(sorted(reserve.items())),
    )
    assert parse_checkpoint(format_checkpoint(cp)) == cp
