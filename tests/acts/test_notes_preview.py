"""A movement of notes previewed: the entries it would post, and nothing kept.

Over the demonstration, on each engine: each movement's preview lists the very postings
the movement then makes (read back from the accounts' statements), a preview leaves every
table as it was (the idempotency keys, the postings, the journal, the note counts), and
it is refused where the movement itself would be.
"""

from __future__ import annotations

from collections import Counter
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
from monnaie_locale.deployment import from_settings, office_till
from monnaie_locale.errors import InvalidRequest, LimitExceeded, MonnaieLocaleError
from monnaie_locale.operations.errors import NotesUnavailable
from monnaie_locale.preview import Entry
from monnaie_locale.store import Database, connect, migrate
from tests.support import every_row

Actors = dict[str, Context]

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
def actors(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Actors:
    """The demonstration's staff, with notes everywhere: printed, delivered, lost once,
    and euros on the association's operating account to back lost notes (60 € left)."""
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
    staff = {
        name: Context(database=database, actor=acting_as(database, name), deployment=deployment)
        for name in ("admin", "asso", "audit", "comptoir", "alice")
    }
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


def test_a_preview_leaves_the_confirmations_key_free(actors: Actors) -> None:
    asso = actors["asso"]
    preview = notes.preview_notes(asso, "deliver", {2000: 3}, office=DEMO_OFFICE)

    first = notes.deliver_notes(asso, DEMO_OFFICE, {2000: 3}, key="confirm")
    again = notes.deliver_notes(asso, DEMO_OFFICE, {2000: 3}, key="confirm")

    assert first == again  # the retry replays: the notes moved once
    assert preview.result.bundle == first.bundle
    stock = notes.note_stock(asso)
    office = next(p for p in stock.places if p.office == DEMO_OFFICE)
    assert office.counts[stock.denominations.index(2000)] == 8 + 3


@pytest.mark.parametrize(
    ("name", "movement", "bundle", "place", "error"),
    [
        ("asso", "deliver", {2000: 13}, {"office": DEMO_OFFICE}, NotesUnavailable),
        ("asso", "return", {500: 5}, {"office": DEMO_OFFICE}, NotesUnavailable),
        ("asso", "find", {2000: 3}, {"location": "vault"}, NotesUnavailable),
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
    bundle: dict[int, int],
    place: dict[str, str],
    error: type[MonnaieLocaleError],
) -> None:
    before = every_row(database)

    with pytest.raises(error):
        notes.preview_notes(actors[name], movement, bundle, **place)

    assert every_row(database) == before


def test_lost_notes_need_the_associations_euros_in_the_preview_too(actors: Actors) -> None:
    with pytest.raises(LimitExceeded):
        notes.preview_notes(actors["admin"], "lose", {2000: 4}, location="vault")
    with pytest.raises(LimitExceeded):
        notes.lose_notes(actors["admin"], "vault", {2000: 4}, key="too-many")


def test_an_office_operator_previews_a_sale_at_their_office(actors: Actors) -> None:
    counter = actors["comptoir"]
    preview = notes.preview_notes(counter, "sell", {2000: 2}, office=DEMO_OFFICE)

    till = office_till(DEMO_OFFICE)
    assert Entry("notes_sold", till, "EUR", -4000) in preview.entries
    assert Entry("notes_sold", "notes:circulation", counter.deployment.unit.code, 4000) in (
        preview.entries
    )


def test_the_stock_counts_each_place_by_denomination(actors: Actors) -> None:
    stock = notes.note_stock(actors["audit"])

    by_place = {
        p.place: dict(zip(stock.denominations, p.counts, strict=True)) for p in stock.places
    }
    assert [p.place for p in stock.places] == [
        "vault",
        f"office:{DEMO_OFFICE}",
        "circulation",
        "lost",
    ]
    assert (by_place["vault"][2000], by_place["vault"][500]) == (10, 6)
    assert (by_place[f"office:{DEMO_OFFICE}"][2000], by_place[f"office:{DEMO_OFFICE}"][500]) == (
        8,
        4,
    )
    assert by_place["lost"][2000] == 2
    assert stock.notes == 30 and stock.value == 20 * 2000 + 10 * 500
    assert dict(zip(stock.denominations, stock.totals, strict=True))[2000] == 20


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
