"""A movement of notes previewed: the entries it would post, and nothing kept.

Over the demonstration, on each engine: each movement's preview lists the very postings
the movement then makes (read back from the accounts' statements), a preview leaves every
table as it was (the idempotency keys, the postings, the journal, the note counts), and
it is refused where the movement itself would be.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts, notes, reserve
from monnaie_locale.acts.demo import set_up_demo
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth import passwords
from monnaie_locale.auth.errors import NotYourAccount, RoleForbidden
from monnaie_locale.config import Settings
from monnaie_locale.demo import DEMO_OFFICE
from monnaie_locale.deployment import ASSOCIATION_OPERATING, from_settings, office_till
from monnaie_locale.errors import InvalidRequest, LimitExceeded, MonnaieLocaleError
from monnaie_locale.operations.errors import NotesUnavailable
from monnaie_locale.operations.notes import NoteStock
from monnaie_locale.preview import Entry
from monnaie_locale.store import Database, connect, migrate
from tests.support import every_row

Actors = dict[str, Context]
# A bundle, or how to make one from what the stock holds when the test reads it.
Bundle = dict[int, int] | Callable[[Context], dict[int, int]]

# Each movement the back-office makes, with its place.
MOVES = [
    ("print", {}),
    ("deliver", {"office": DEMO_OFFICE}),
    ("return", {"office": DEMO_OFFICE}),
    ("destroy", {"location": "vault"}),
    ("destroy", {"location": DEMO_OFFICE}),
    ("lose", {"location": DEMO_OFFICE}),
    ("find", {"location": "vault"}),
]


@pytest.fixture
def staff(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Actors:
    """The demonstration's staff, over the demonstration's own notes and euros."""
    # The demonstration's passwords, hashed cheaply: these tests sign nobody in.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    settings = set_up_demo(
        database,
        Settings(database_url=str(database.engine.url), jobs_enabled=False),
        key_folder=tmp_path,
    )
    deployment = from_settings(settings)
    return {
        name: Context(database=database, actor=acting_as(database, name), deployment=deployment)
        for name in ("admin", "asso", "audit", "comptoir", "alice")
    }


@pytest.fixture
def demo_stock(staff: Actors) -> NoteStock:
    """The notes the demonstration holds, read before the tests' own movements."""
    return notes.note_stock(staff["audit"])


@pytest.fixture
def actors(staff: Actors, demo_stock: NoteStock) -> Actors:
    """The demonstration's staff, with notes everywhere on top of the demonstration's:
    20×20 and 10×5 printed, 8×20 and 4×5 delivered, 2×20 lost from the vault, and 100 €
    more on the association's operating account to back lost notes. (``demo_stock`` is
    asked for so that it is read before these movements.)"""
    admin = staff["admin"]
    reserve.receive_association_funds(admin, 10_000, memo="gift", key="funds")
    notes.print_notes(admin, {2000: 20, 500: 10}, key="print")
    notes.deliver_notes(admin, DEMO_OFFICE, {2000: 8, 500: 4}, key="deliver")
    notes.lose_notes(admin, "vault", {2000: 2}, key="lose")
    return staff


def _posted(ctx: Context, batch: str, codes: set[str]) -> Counter[Entry]:
    """What the books hold of ledger batch ``batch`` (one transaction) on ``codes``."""
    found: Counter[Entry] = Counter()
    for code in codes:
        for line in accounts.statement(ctx, code, limit=20).lines:
            if line.posting.transaction_id == int(batch):
                found[Entry(line.kind, code, line.posting.currency, line.posting.amount)] += 1
    return found


@pytest.mark.parametrize(("movement", "place"), MOVES)
def test_a_preview_lists_the_entries_the_movement_then_posts(
    actors: Actors, movement: str, place: dict[str, str]
) -> None:
    asso = actors["asso"]
    preview = notes.preview_notes(asso, movement, {2000: 1}, **place)

    done = notes.MOVEMENTS[movement].act(asso, bundle={2000: 1}, key="the-move", **place)

    assert preview.entries, "a movement posts entries"
    codes = {entry.account for entry in preview.entries}
    assert _posted(asso, done.transaction_batch, codes) == Counter(preview.entries)
    assert sum(e.debit for e in preview.entries) == sum(e.credit for e in preview.entries)
    assert preview.result.amount == done.amount == 2000
    assert (preview.result.source, preview.result.target) == (done.source, done.target)


@pytest.mark.parametrize(("movement", "place"), MOVES)
def test_a_preview_keeps_nothing(
    actors: Actors, database: Database, movement: str, place: dict[str, str]
) -> None:
    before = every_row(database)
    stock = notes.note_stock(actors["audit"])

    notes.preview_notes(actors["admin"], movement, {2000: 1}, **place)

    assert every_row(database) == before
    assert notes.note_stock(actors["audit"]) == stock


def _held(ctx: Context, place: str, denomination: int) -> int:
    """How many notes of ``denomination`` the stock says ``place`` holds."""
    stock = notes.note_stock(ctx)
    here = next(p for p in stock.places if p.place == place)
    return here.counts[stock.denominations.index(denomination)]


def _one_more_than(place: str, denomination: int) -> Callable[[Context], dict[int, int]]:
    """A bundle of one note of ``denomination`` more than ``place`` holds when read."""
    return lambda ctx: {denomination: _held(ctx, place, denomination) + 1}


def test_a_preview_leaves_the_confirmations_key_free(actors: Actors) -> None:
    asso = actors["asso"]
    at_office = _held(asso, f"office:{DEMO_OFFICE}", 2000)
    preview = notes.preview_notes(asso, "deliver", {2000: 3}, office=DEMO_OFFICE)

    first = notes.deliver_notes(asso, DEMO_OFFICE, {2000: 3}, key="confirm")
    again = notes.deliver_notes(asso, DEMO_OFFICE, {2000: 3}, key="confirm")

    assert first == again  # the retry replays: the notes moved once
    assert preview.result.bundle == first.bundle
    stock = notes.note_stock(asso)
    office = next(p for p in stock.places if p.office == DEMO_OFFICE)
    assert office.counts[stock.denominations.index(2000)] == at_office + 3


@pytest.mark.parametrize(
    ("name", "movement", "bundle", "place", "error"),
    [
        (
            "asso",
            "deliver",
            _one_more_than("vault", 2000),
            {"office": DEMO_OFFICE},
            NotesUnavailable,
        ),
        (
            "asso",
            "return",
            _one_more_than(f"office:{DEMO_OFFICE}", 500),
            {"office": DEMO_OFFICE},
            NotesUnavailable,
        ),
        ("asso", "find", _one_more_than("lost", 2000), {"location": "vault"}, NotesUnavailable),
        ("asso", "print", {2500: 1}, {}, InvalidRequest),
        ("asso", "print", {}, {}, InvalidRequest),
        ("asso", "teleport", {2000: 1}, {}, InvalidRequest),
        ("asso", "deliver", {2000: 1}, {}, InvalidRequest),
        ("asso", "print", {2000: 1}, {"office": DEMO_OFFICE}, InvalidRequest),
        ("comptoir", "print", {2000: 1}, {}, RoleForbidden),
        ("comptoir", "deliver", {2000: 1}, {"office": DEMO_OFFICE}, RoleForbidden),
        ("comptoir", "sell", {2000: 1}, {"office": "port"}, NotYourAccount),
        ("audit", "print", {2000: 1}, {}, RoleForbidden),
        ("alice", "print", {2000: 1}, {}, RoleForbidden),
    ],
)
def test_a_preview_is_refused_where_the_movement_is(
    actors: Actors,
    database: Database,
    name: str,
    movement: str,
    bundle: Bundle,
    place: dict[str, str],
    error: type[MonnaieLocaleError],
) -> None:
    counts = bundle(actors["audit"]) if callable(bundle) else bundle
    before = every_row(database)

    with pytest.raises(error):
        notes.preview_notes(actors[name], movement, counts, **place)

    assert every_row(database) == before


def test_lost_notes_need_the_associations_euros_in_the_preview_too(actors: Actors) -> None:
    admin = actors["admin"]
    # Notes in the vault worth more than the association's euros (a euro asset reads
    # minus what it holds): lost, they would take its operating account below nothing.
    funds = -accounts.get_account(admin, ASSOCIATION_OPERATING).balance
    beyond = {2000: funds // 2000 + 1}
    notes.print_notes(admin, beyond, key="print-beyond")

    with pytest.raises(LimitExceeded) as previewed:
        notes.preview_notes(admin, "lose", beyond, location="vault")
    with pytest.raises(LimitExceeded) as lost:
        notes.lose_notes(admin, "vault", beyond, key="too-many")
    assert previewed.value.account == lost.value.account == ASSOCIATION_OPERATING


def test_an_office_operator_previews_a_sale_at_their_office(actors: Actors) -> None:
    counter = actors["comptoir"]
    preview = notes.preview_notes(counter, "sell", {2000: 2}, office=DEMO_OFFICE)

    till = office_till(DEMO_OFFICE)
    assert Entry("notes_sold", till, "EUR", -4000) in preview.entries
    assert Entry("notes_sold", "notes:circulation", counter.deployment.unit.code, 4000) in (
        preview.entries
    )


def _by_place(stock: NoteStock) -> dict[str, dict[int, int]]:
    return {p.place: dict(zip(stock.denominations, p.counts, strict=True)) for p in stock.places}


def test_the_stock_counts_each_place_by_denomination(actors: Actors, demo_stock: NoteStock) -> None:
    stock = notes.note_stock(actors["audit"])

    now, was = _by_place(stock), _by_place(demo_stock)
    office = f"office:{DEMO_OFFICE}"
    assert [p.place for p in stock.places] == ["vault", office, "circulation", "lost"]
    # The fixture's movements over the demonstration's notes: 20×20 and 10×5 printed,
    # 8×20 and 4×5 delivered, 2×20 lost from the vault.
    assert (now["vault"][2000], now["vault"][500]) == (
        was["vault"][2000] + 20 - 8 - 2,
        was["vault"][500] + 10 - 4,
    )
    assert (now[office][2000], now[office][500]) == (was[office][2000] + 8, was[office][500] + 4)
    assert now["lost"][2000] == was["lost"][2000] + 2
    assert now["circulation"] == was["circulation"]
    assert stock.notes == demo_stock.notes + 30
    assert stock.value == demo_stock.value + 20 * 2000 + 10 * 500
    total, total_was = (
        dict(zip(s.denominations, s.totals, strict=True)) for s in (stock, demo_stock)
    )
    assert total[2000] == total_was[2000] + 20


def test_members_read_no_stock(actors: Actors) -> None:
    with pytest.raises(RoleForbidden):
        notes.note_stock(actors["alice"])


def test_a_preview_keeps_nothing_outside_the_group_committer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An in-memory SQLite database has no group committer: its writes are plain
    # transactions, as on PostgreSQL, and a preview must undo one the same.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    database = connect("sqlite://")
    migrate(database)
    settings = set_up_demo(
        database, Settings(database_url="sqlite://", jobs_enabled=False), key_folder=tmp_path
    )
    admin = Context(
        database=database, actor=acting_as(database, "admin"), deployment=from_settings(settings)
    )
    assert database.committer is None
    before = every_row(database)

    preview = notes.preview_notes(admin, "print", {2000: 3})

    assert [(e.account, e.amount) for e in preview.entries] == [
        ("issuance", -6000),
        ("notes:vault", 6000),
    ]
    assert every_row(database) == before
    database.dispose()
