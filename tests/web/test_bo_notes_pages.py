"""The back-office's paper notes over the demonstration, on each engine: the stock at each
place, a movement's entries shown before it is made (and equal to what the books then
hold), a movement confirmed once per key, and what is refused with nothing changed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from api.typography import money
from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts, notes, reserve
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth import Role
from monnaie_locale.demo import DEMO_OFFICE
from monnaie_locale.deployment import ASSOCIATION_OPERATING
from monnaie_locale.operations.notes import NoteStock
from tests.support import every_row
from tests.web.conftest import Site, csrf

# (movement, place field) of each form; the counts are the same everywhere.
MOVES = [
    ("print", None),
    ("deliver", DEMO_OFFICE),
    ("return", DEMO_OFFICE),
    ("destroy", "vault"),
    ("destroy", DEMO_OFFICE),
    ("lose", DEMO_OFFICE),
    ("find", "vault"),
]
COUNTS = {"count_2000": "2", "count_500": "1"}
# What the ``stocked`` fixture moves at each place of the stock, by denomination.
STOCKED = {
    "vault": {2000: 20 - 8 - 3, 500: 10 - 4},
    f"office:{DEMO_OFFICE}": {2000: 8, 500: 4},
    "circulation": {},
    "lost": {2000: 3},
}
# A movement's form, or how to make one from the state of the books when the test runs.
Fields = dict[str, str] | Callable[[Site], dict[str, str]]


def _ctx(site: Site, username: str) -> Context:
    return Context(
        database=site.database,
        actor=acting_as(site.database, username),
        deployment=site.app.state.deployment,
        clock=site.app.state.clock,
    )


@pytest.fixture
def demo_stock(site: Site) -> NoteStock:
    """The notes the demonstration holds, read before the tests' own movements."""
    return notes.note_stock(_ctx(site, "audit"))


@pytest.fixture
def stocked(site: Site, demo_stock: NoteStock) -> Site:
    """The demonstration with notes on top of its own (``STOCKED``): 20×20 and 10×5
    printed, 8×20 and 4×5 delivered to the office, 3×20 lost from the vault; and 200 € more
    on the association's operating account. (``demo_stock`` is asked for so that it is
    read before these movements.)"""
    admin = _ctx(site, "admin")
    reserve.receive_association_funds(admin, 20_000, memo="gift", key="funds")
    notes.print_notes(admin, {2000: 20, 500: 10}, key="print")
    notes.deliver_notes(admin, DEMO_OFFICE, {2000: 8, 500: 4}, key="deliver")
    notes.lose_notes(admin, "vault", {2000: 3}, key="lose")
    return site


def _fields(movement: str, place: str | None, **counts: str) -> dict[str, str]:
    return {"movement": movement, **({} if place is None else {"place": place}), **counts}


def _preview(browser: TestClient, fields: dict[str, str]) -> httpx.Response:
    return browser.post("/gestion/billets/apercu", data={"csrf": csrf(browser), **fields})


def _confirm(browser: TestClient, fields: dict[str, str], key: str) -> httpx.Response:
    return browser.post(
        "/gestion/billets/confirmer",
        data={"csrf": csrf(browser), "key": key, **fields},
        follow_redirects=False,
    )


def _shown_entries(page: str) -> Counter[tuple[str, str, int]]:
    """(account, currency, signed amount) of each entry row the preview shows."""
    rows = re.findall(
        r'class="entry" data-account="([^"]+)" data-currency="([^"]+)" data-amount="(-?\d+)"',
        page,
    )
    return Counter((account, currency, int(amount)) for account, currency, amount in rows)


def _confirm_fields(page: str) -> dict[str, str]:
    """The hidden fields of the preview's confirm form (the token aside)."""
    form = page[page.index('id="confirm"') :]
    found = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    found.pop("csrf")
    return found


def _row(page: str, place: str) -> list[str]:
    """The cells of the stock table's row of ``place`` ("vault", "office-centre", ...)."""
    found = re.search(rf'<tr id="place-{place}">(.*?)</tr>', page, re.S)
    assert found, page
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    ]


def _count_at(site: Site, place: str, denomination: int) -> int:
    stock = notes.note_stock(_ctx(site, "audit"))
    here = next(p for p in stock.places if p.place == place)
    return here.counts[stock.denominations.index(denomination)]


def _one_more_than(
    movement: str, place: str, held_at: str, denomination: int
) -> Callable[[Site], dict[str, str]]:
    """The form of ``movement`` for one note of ``denomination`` more than ``held_at``
    holds when the test reads the stock."""
    return lambda site: _fields(
        movement,
        place,
        **{f"count_{denomination}": str(_count_at(site, held_at, denomination) + 1)},
    )


def _unbacked_loss(site: Site) -> dict[str, str]:
    """The form losing notes from the vault worth more than the association's operating
    euros (a euro asset reads minus what it holds), printed first so the vault has them."""
    admin = _ctx(site, "admin")
    funds = -accounts.get_account(admin, ASSOCIATION_OPERATING).balance
    count = funds // 2000 + 1
    notes.print_notes(admin, {2000: count}, key="print-beyond-the-funds")
    return _fields("lose", "vault", count_2000=str(count))


def _expected_row(was: NoteStock, place: str, unit: str) -> list[str]:
    """The cells of ``place``'s row once ``stocked`` moved its notes over ``was``: the
    count of each denomination, smallest first, then the notes and their value."""
    here = next(p for p in was.places if p.place == place)
    counts = [
        count + STOCKED[place].get(denomination, 0)
        for denomination, count in zip(was.denominations, here.counts, strict=True)
    ]
    value = sum(d * c for d, c in zip(was.denominations, counts, strict=True))
    return [*(str(count) for count in counts), str(sum(counts)), money(value, "fr", unit)]


def test_the_stock_page_counts_each_place_by_denomination(
    stocked: Site, demo_stock: NoteStock
) -> None:
    page = stocked.as_role(Role.ASSOCIATION_OPERATOR).get(
        "/gestion/billets", headers={"Accept-Language": "fr"}
    )

    assert page.status_code == 200
    unit = stocked.app.state.settings.currency_symbol
    # Columns: 1, 2, 5, 10, 20, 50; then notes and value.
    for place in STOCKED:
        assert _row(page.text, place.replace(":", "-")) == _expected_row(demo_stock, place, unit)
    issued = money(demo_stock.value + 20 * 2000 + 10 * 500, "fr", unit)
    assert 'id="issued"' in page.text and issued in page.text
    assert f'<th scope="col" class="amount">20\xa0{unit}</th>' in page.text
    for movement, _ in MOVES:
        assert f'id="move-{movement}"' in page.text
    assert 'name="count_2000"' in page.text


def test_the_auditor_reads_the_stock_and_moves_nothing(stocked: Site) -> None:
    auditor = stocked.as_role(Role.AUDITOR)
    page = auditor.get("/gestion/billets", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert 'id="read-only"' in page.text and "/gestion/billets/apercu" not in page.text
    before = every_row(stocked.database)

    fields = _fields("deliver", DEMO_OFFICE, **COUNTS)
    previewed = _preview(auditor, fields)
    confirmed = _confirm(auditor, fields, "audit-key")

    assert previewed.status_code == confirmed.status_code == 403
    assert 'data-code="role_forbidden"' in previewed.text
    assert every_row(stocked.database) == before


@pytest.mark.parametrize(("movement", "place"), MOVES)
def test_the_preview_shows_the_entries_the_confirmed_movement_posts(
    stocked: Site, movement: str, place: str | None
) -> None:
    asso = stocked.as_role(Role.ASSOCIATION_OPERATOR)
    fields = _fields(movement, place, **({"count_2000": "2"} if movement == "find" else COUNTS))
    before = every_row(stocked.database)

    preview = _preview(asso, fields)

    assert preview.status_code == 200, preview.text
    assert every_row(stocked.database) == before  # the preview kept nothing
    shown = _shown_entries(preview.text)
    assert shown and sum(amount for _, _, amount in shown) == 0
    carried = _confirm_fields(preview.text)
    done = _confirm(asso, {k: v for k, v in carried.items() if k != "key"}, carried["key"])
    assert done.status_code == 303
    assert done.headers["location"] == f"/gestion/billets?ok={movement}"
    # The books: each account's newest posting is the movement's, as the preview said.
    audit = _ctx(stocked, "audit")
    posted: Counter[tuple[str, str, int]] = Counter()
    for account in {account for account, _, _ in shown}:
        newest = accounts.statement(audit, account, limit=1).lines[0].posting
        posted[(account, newest.currency, newest.amount)] += 1
    assert posted == shown
    stock = asso.get(done.headers["location"])
    assert 'id="ok"' in stock.text


def test_a_movement_confirmed_twice_with_its_key_moves_once(stocked: Site) -> None:
    asso = stocked.as_role(Role.ASSOCIATION_OPERATOR)
    fields = _fields("deliver", DEMO_OFFICE, count_2000="5")
    at_office = _count_at(stocked, f"office:{DEMO_OFFICE}", 2000)
    in_vault = _count_at(stocked, "vault", 2000)
    key = _confirm_fields(_preview(asso, fields).text)["key"]

    first = _confirm(asso, fields, key)
    again = _confirm(asso, fields, key)

    assert first.status_code == again.status_code == 303
    assert _count_at(stocked, f"office:{DEMO_OFFICE}", 2000) == at_office + 5
    assert _count_at(stocked, "vault", 2000) == in_vault - 5
    page = asso.get("/gestion/billets")
    assert _row(page.text, f"office-{DEMO_OFFICE}")[4] == str(at_office + 5)


def test_a_key_confirmed_again_for_other_notes_is_refused(stocked: Site) -> None:
    asso = stocked.as_role(Role.ASSOCIATION_OPERATOR)
    fields = _fields("deliver", DEMO_OFFICE, count_2000="1")
    assert _confirm(asso, fields, "one-key").status_code == 303
    before = every_row(stocked.database)

    other = _confirm(asso, _fields("deliver", DEMO_OFFICE, count_2000="2"), "one-key")

    assert other.status_code == 409
    assert 'data-code="idempotency_conflict"' in other.text
    assert every_row(stocked.database) == before


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        (_one_more_than("deliver", DEMO_OFFICE, "vault", 2000), 409, "notes_unavailable"),
        (
            _one_more_than("return", DEMO_OFFICE, f"office:{DEMO_OFFICE}", 500),
            409,
            "notes_unavailable",
        ),
        (_one_more_than("find", "vault", "lost", 2000), 409, "notes_unavailable"),
        (_unbacked_loss, 409, "notes_not_backed"),
        (_fields("print", None), 422, "invalid_notes"),
        (_fields("print", None, count_2000="deux"), 422, "invalid_form"),
        (_fields("print", None, count_2000="-1"), 422, "invalid_form"),
        (_fields("teleport", None, count_2000="1"), 422, "invalid_form"),
        (_fields("deliver", "nulle-part", count_2000="1"), 404, "unknown_account"),
    ],
)
def test_a_movement_refused_changes_nothing(
    stocked: Site, fields: Fields, status: int, code: str
) -> None:
    asso = stocked.as_role(Role.ASSOCIATION_OPERATOR)
    form = fields(stocked) if callable(fields) else fields
    before = every_row(stocked.database)

    previewed = _preview(asso, form)
    confirmed = _confirm(asso, form, "refused-key")

    assert (previewed.status_code, confirmed.status_code) == (status, status), previewed.text
    assert f'data-code="{code}"' in previewed.text
    assert every_row(stocked.database) == before


def test_the_preview_page_in_english(stocked: Site) -> None:
    admin = stocked.as_role(Role.ADMIN)
    page = admin.post(
        "/gestion/billets/apercu?lang=en",
        data={"csrf": csrf(admin), **_fields("lose", DEMO_OFFICE, count_2000="1")},
    )

    assert page.status_code == 200
    unit = stocked.app.state.settings.currency_symbol
    assert "Check the movement" in page.text and f"1 × 20\xa0{unit}" in page.text
    assert "20.00\xa0€" in page.text  # the euros the association puts in the reserve
    assert "<code>notes:circulation</code>" in page.text
