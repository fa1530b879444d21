"""The back-office's paper notes over the demonstration, on each engine: the stock at each
place, a movement's entries shown before it is made (and equal to what the books then
hold), a movement confirmed once per key, and what is refused with nothing changed."""

from __future__ import annotations

import re
from collections import Counter

import httpx
import pytest
from fastapi.testclient import TestClient

from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts, notes, reserve
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth import Role
from monnaie_locale.demo import DEMO_OFFICE
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


def _ctx(site: Site, username: str) -> Context:
    return Context(
        database=site.database,
        actor=acting_as(site.database, username),
        deployment=site.app.state.deployment,
        clock=site.app.state.clock,
    )


@pytest.fixture
def stocked(site: Site) -> Site:
    """The demonstration with notes: 20×20 and 10×5 printed, 8×20 and 4×5 at the office,
    3×20 lost from the vault; and 200 € on the association's operating account."""
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


def test_the_stock_page_counts_each_place_by_denomination(stocked: Site) -> None:
    page = stocked.as_role(Role.ASSOCIATION_OPERATOR).get(
        "/gestion/billets", headers={"Accept-Language": "fr"}
    )

    assert page.status_code == 200
    unit = stocked.app.state.settings.currency_symbol
    # Columns: 1, 2, 5, 10, 20, 50; then notes and value.
    assert _row(page.text, "vault")[:8] == ["0", "0", "6", "0", "9", "0", "15", f"210,00\xa0{unit}"]
    assert _row(page.text, f"office-{DEMO_OFFICE}")[2:7] == ["4", "0", "8", "0", "12"]
    assert _row(page.text, "lost")[4] == "3"
    assert _row(page.text, "circulation")[6] == "0"
    assert 'id="issued"' in page.text and f"450,00\xa0{unit}" in page.text
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
    key = _confirm_fields(_preview(asso, fields).text)["key"]

    first = _confirm(asso, fields, key)
    again = _confirm(asso, fields, key)

    assert first.status_code == again.status_code == 303
    assert _count_at(stocked, f"office:{DEMO_OFFICE}", 2000) == 8 + 5
    assert _count_at(stocked, "vault", 2000) == 9 - 5
    page = asso.get("/gestion/billets")
    assert _row(page.text, f"office-{DEMO_OFFICE}")[4] == "13"


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
        (_fields("deliver", DEMO_OFFICE, count_2000="10"), 409, "notes_unavailable"),
        (_fields("return", DEMO_OFFICE, count_500="5"), 409, "notes_unavailable"),
        (_fields("find", "vault", count_2000="4"), 409, "notes_unavailable"),
        (_fields("lose", "vault", count_2000="8"), 409, "notes_not_backed"),  # 160 € of 140 €
        (_fields("print", None), 422, "invalid_notes"),
        (_fields("print", None, count_2000="deux"), 422, "invalid_form"),
        (_fields("print", None, count_2000="-1"), 422, "invalid_form"),
        (_fields("teleport", None, count_2000="1"), 422, "invalid_form"),
        (_fields("deliver", "nulle-part", count_2000="1"), 404, "unknown_account"),
    ],
)
def test_a_movement_refused_changes_nothing(
    stocked: Site, fields: dict[str, str], status: int, code: str
) -> None:
    asso = stocked.as_role(Role.ASSOCIATION_OPERATOR)
    before = every_row(stocked.database)

    previewed = _preview(asso, fields)
    confirmed = _confirm(asso, fields, "refused-key")

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
