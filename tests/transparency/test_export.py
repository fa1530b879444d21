"""The journal export: a header, then each entry whose hash its own line lets anyone recompute.

On both engines: the file is what the offline verifier reads, so each line is checked
here the way it checks it, with nothing but the file.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, update

from monnaie_locale.model import AccountKind
from monnaie_locale.store.tables import postings
from monnaie_locale.transparency import export, tree
from monnaie_locale.verify.merkle import leaf_hash, root_of
from tests.engine import Engine
from tests.store.forgery import _drop_protections

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def books(ledger: Engine) -> Engine:
    """alice funded, then five payments to the bakery: seven entries, one memo in French."""
    for code in ("alice", "boulangerie"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund")
    for n in range(5):
        ledger.transfer("alice", "boulangerie", 100 + n, idempotency_key=f"p{n}", memo="pain é")
    ledger.transfer("boulangerie", "alice", 50, idempotency_key="refund")
    ledger.seal_journal()
    return ledger


def exported(ledger: Engine, *, upto: int | None = None) -> tuple[int, list[dict[str, Any]]]:
    out = io.StringIO()
    with ledger.database.reading() as conn:
        count = export.write_journal(
            conn, out, origin="pay.example/mlc", unit="MLC", now=NOW, upto=upto
        )
    lines = out.getvalue().split("\n")
    assert lines[-1] == ""  # every line ends with a newline, the last too
    return count, [json.loads(line) for line in lines[:-1]]


def test_the_header_names_the_format_the_log_and_every_account(books: Engine) -> None:
    count, (header, *entries) = exported(books)

    assert header["format"] == "monnaie-locale-journal/1"
    assert header["origin"] == "pay.example/mlc"
    assert header["unit"] == "MLC"
    assert header["exported_at"] == "2026-12-07T09:00:00.000000Z"
    assert header["entries"] == count == len(entries) == 7
    codes = {a["code"]: a for a in header["accounts"]}
    assert set(codes) == {"issuance", "external", "reserve:digital", "alice", "boulangerie"}
    assert codes["alice"] == {
        "id": books.account("alice").id,
        "code": "alice",
        "kind": "member",
        "currency": "MLC",
    }


def test_each_line_hashes_to_its_entry_and_chains_to_the_one_before(books: Engine) -> None:
    _, (_, *entries) = exported(books)

    prev = "0" * 64
    for seq, entry in enumerate(entries, start=1):
        assert entry["seq"] == seq
        assert entry["prev_hash"] == prev
        digest = hashlib.sha256((entry["prev_hash"] + entry["content"]).encode()).hexdigest()
        assert digest == entry["hash"]
        assert datetime.fromisoformat(entry["sealed_at"]).tzinfo is not None
        prev = entry["hash"]
    # The content is the transaction's: its id and postings are in it.
    first = json.loads(entries[1]["content"])
    assert first[0] == entries[1]["transaction_id"]
    assert "pain é" in entries[1]["content"]


def test_the_exported_hashes_give_the_tree_s_root(books: Engine) -> None:
    grown = tree.extend_all(books.database.write, now=NOW)
    _, (_, *entries) = exported(books)

    assert root_of([leaf_hash(bytes.fromhex(e["hash"])) for e in entries]) == grown.root


def test_upto_stops_the_export_at_that_entry(books: Engine) -> None:
    count, (header, *entries) = exported(books, upto=3)

    assert count == header["entries"] == 3
    assert [e["seq"] for e in entries] == [1, 2, 3]


def test_a_posting_changed_in_sql_shows_as_a_line_whose_hash_no_longer_matches(
    books: Engine,
) -> None:
    _, (_, *before) = exported(books)
    target = before[3]["transaction_id"]

    def change(conn: Connection) -> None:
        _drop_protections(conn)
        conn.execute(
            update(postings)
            .where(postings.c.transaction_id == target, postings.c.amount > 0)
            .values(amount=postings.c.amount + 1)
        )

    books.database.write(change)

    _, (_, *after) = exported(books)

    def wrong(entry: dict[str, Any]) -> bool:
        digest = hashlib.sha256((entry["prev_hash"] + entry["content"]).encode()).hexdigest()
        return bool(digest != entry["hash"])

    assert [e["seq"] for e in after if wrong(e)] == [4]


def test_the_export_is_written_in_chunks(books: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "CHUNK", 2)

    count, (header, *entries) = exported(books)

    assert count == 7
    assert [e["seq"] for e in entries] == list(range(1, 8))
    assert len(header["accounts"]) == 5
