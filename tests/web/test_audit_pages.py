"""The audit's pages over the demonstration, on each engine: the reserve at a past day is
the report the act gives for that moment, the journal's verification shows a break
typed in SQL, each export downloads the books with the test's conversion in it, the
log shows an act done here with its actor, and the roles outside the audit are refused.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import Connection, select, text, update

from api.typography import money
from monnaie_locale import exports
from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts, conversions, reserve
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth import Role
from monnaie_locale.clock import end_of_day
from monnaie_locale.demo import DEMO_OFFICE
from monnaie_locale.store.tables import postings
from tests.support import snapshot
from tests.web.conftest import USER_OF_ROLE, Site

FR, EN = {"Accept-Language": "fr"}, {"Accept-Language": "en"}
AMOUNT = 12_345
PAGES = (
    "/audit",
    "/audit/reserve",
    "/audit/journal",
    "/audit/exports",
    "/audit/actes",
    "/audit/exports/fec.txt",
    "/audit/exports/journal.txt",
    "/audit/exports/releve.csv?compte=member:alice",
)


def _ctx(site: Site, role: Role) -> Context:
    return Context(
        database=site.database,
        actor=acting_as(site.database, USER_OF_ROLE[role]),
        deployment=site.app.state.deployment,
        clock=site.app.state.clock,
    )


def _convert(site: Site, key: str = "audit-test") -> None:
    """Alice's cash, converted at the demonstration's office today."""
    conversions.convert_cash(
        _ctx(site, Role.OFFICE_OPERATOR), DEMO_OFFICE, "member:alice", AMOUNT, key=key
    )


def _cell(page: str, cell: str) -> str:
    found = re.search(rf'id="{cell}">([^<]*)<', page)
    assert found, page
    return found.group(1)


def test_the_audit_home_links_every_audit_page(site: Site) -> None:
    page = site.as_role(Role.AUDITOR).get("/audit", headers=FR)
    assert page.status_code == 200
    for target in ("/audit/reserve", "/audit/journal", "/audit/exports", "/audit/actes"):
        assert f'href="{target}"' in page.text
    assert 'aria-current="page"' in page.text


def test_the_reserve_at_a_past_day_is_the_report_of_its_end(site: Site) -> None:
    auditor = site.as_role(Role.AUDITOR)
    ctx = _ctx(site, Role.AUDITOR)
    today = ctx.deployment.today(ctx.clock())
    yesterday = today - timedelta(days=1)
    before = reserve.reserve_report(ctx)
    _convert(site)

    past = auditor.get(f"/audit/reserve?date={yesterday.isoformat()}", headers=EN)
    now = auditor.get("/audit/reserve", headers=EN)

    assert past.status_code == now.status_code == 200
    then = reserve.reserve_report(ctx, end_of_day(yesterday, ctx.deployment.zone))
    current = reserve.reserve_report(ctx)
    symbol = site.app.state.settings.currency_symbol
    assert _cell(past.text, "circulation") == money(then.position.circulation, "en", symbol)
    assert _cell(now.text, "circulation") == money(current.position.circulation, "en", symbol)
    # The conversion made today is in today's report, not in yesterday's.
    assert current.position.circulation == before.position.circulation + AMOUNT
    assert _cell(past.text, "circulation") != _cell(now.text, "circulation")
    assert yesterday.isoformat() in past.text


@pytest.mark.parametrize("day", ["2026-13-01", "tomorrow", "2999-01-01"])
def test_a_day_that_is_no_past_day_is_refused(site: Site, day: str) -> None:
    page = site.as_role(Role.AUDITOR).get(f"/audit/reserve?date={day}", headers=FR)
    assert page.status_code == 422
    assert 'data-code="invalid_request"' in page.text


def _tamper_with_a_posting(site: Site) -> None:
    """Change a posting's amount behind the ledger's back, as a hand-typed UPDATE would."""

    def tamper(conn: Connection) -> None:
        if site.database.is_postgres:
            conn.execute(text("ALTER TABLE postings DISABLE TRIGGER USER"))
        else:
            triggers = conn.execute(
                text(
                    "SELECT name FROM sqlite_master"
                    " WHERE type = 'trigger' AND tbl_name = 'postings'"
                )
            ).scalars()
            for name in list(triggers):
                conn.execute(text(f"DROP TRIGGER {name}"))
        first = conn.execute(select(postings.c.id).order_by(postings.c.id).limit(1)).scalar_one()
        conn.execute(
            update(postings).where(postings.c.id == first).values(amount=postings.c.amount + 1)
        )

    site.database.write(tamper)


def test_the_journal_is_verified_whole_then_broken_by_a_posting_typed_in_sql(site: Site) -> None:
    auditor = site.as_role(Role.AUDITOR)
    _convert(site)
    whole = auditor.get("/audit/journal", headers=FR)
    assert whole.status_code == 200
    assert 'id="journal-ok"' in whole.text
    assert int(_cell(whole.text, "entries")) + int(_cell(whole.text, "unsealed")) > 0
    assert _cell(whole.text, "discrepancy-count") == "0"

    _tamper_with_a_posting(site)
    broken = auditor.get("/audit/journal", headers=EN)

    assert broken.status_code == 200
    assert 'id="journal-ok"' not in broken.text
    assert 'id="journal-broken"' in broken.text
    assert int(_cell(broken.text, "discrepancy-count")) >= 1
    assert 'id="first-break"' in broken.text


def test_each_export_downloads_the_books_with_the_test_conversion(site: Site) -> None:
    auditor = site.as_role(Role.AUDITOR)
    _convert(site)
    assert auditor.get("/audit/exports", headers=FR).status_code == 200

    fec = auditor.get("/audit/exports/fec.txt")
    assert fec.status_code == 200
    assert fec.headers["content-type"] == f"text/plain; charset={exports.FEC_ENCODING}"
    assert "attachment" in fec.headers["content-disposition"]
    lines = fec.content.decode(exports.FEC_ENCODING).splitlines()
    assert lines[0] == "|".join(exports.FEC_COLUMNS)
    assert any("123,45" in line for line in lines[1:])

    journal = auditor.get("/audit/exports/journal.txt")
    assert journal.status_code == 200
    assert journal.headers["content-type"] == "text/plain; charset=utf-8"
    assert "123.45" in journal.text

    statement = auditor.get("/audit/exports/releve.csv?compte=member:alice", headers=FR)
    assert statement.status_code == 200
    assert statement.headers["content-type"] == "text/csv; charset=utf-8"
    header, *rows = statement.text.splitlines()
    assert header == ";".join(exports.STATEMENT_COLUMNS)
    assert any("123,45" in row for row in rows)


@pytest.mark.parametrize(
    "address",
    [
        "/audit/exports/fec.txt?du=2026-12-31&au=2026-01-01",
        "/audit/exports/releve.csv?compte=nobody",
    ],
)
def test_a_bad_export_is_refused_with_a_page(site: Site, address: str) -> None:
    answer = site.as_role(Role.AUDITOR).get(address, headers=FR)
    assert answer.status_code in (404, 422)
    assert answer.headers["content-type"].startswith("text/html")


def test_the_acts_log_shows_an_act_done_here_with_its_actor(site: Site) -> None:
    admin = _ctx(site, Role.ADMIN)
    accounts.freeze(_ctx(site, Role.ASSOCIATION_OPERATOR), "member:bob")
    accounts.unfreeze(admin, "member:bob")
    auditor = site.as_role(Role.AUDITOR)

    page = auditor.get("/audit/actes", headers=FR)

    assert page.status_code == 200
    rows = re.findall(r'<tr id="act-\d+">(.*?)</tr>', page.text, re.S)
    assert "accounts.unfreeze" in rows[0] and USER_OF_ROLE[Role.ADMIN] in rows[0]
    assert "accounts.freeze" in rows[1] and USER_OF_ROLE[Role.ASSOCIATION_OPERATOR] in rows[1]
    assert "member:bob" in rows[0]

    by_operator = auditor.get(
        f"/audit/actes?acteur={USER_OF_ROLE[Role.ASSOCIATION_OPERATOR]}", headers=EN
    )
    shown = re.findall(r'<tr id="act-\d+">(.*?)</tr>', by_operator.text, re.S)
    assert len(shown) == 1 and "accounts.freeze" in shown[0]
    unfrozen = auditor.get("/audit/actes?acte=accounts.unfreeze", headers=EN)
    assert len(re.findall(r'<tr id="act-', unfrozen.text)) == 1


def test_the_acts_log_pages_from_the_newest(site: Site) -> None:
    operator = _ctx(site, Role.ASSOCIATION_OPERATOR)
    for _ in range(26):
        accounts.freeze(operator, "member:bob")
        accounts.unfreeze(operator, "member:bob")
    auditor = site.as_role(Role.AUDITOR)
    first = auditor.get("/audit/actes?acte=accounts.freeze", headers=EN)
    assert len(re.findall(r'<tr id="act-', first.text)) == 26
    every = auditor.get("/audit/actes", headers=EN)
    found = re.search(r'rel="next" href="([^"]+)"', every.text)
    assert found
    older = auditor.get(found.group(1).replace("&amp;", "&"), headers=EN)
    ids = [int(i) for i in re.findall(r'<tr id="act-(\d+)"', older.text)]
    newest = [int(i) for i in re.findall(r'<tr id="act-(\d+)"', every.text)]
    assert ids and max(ids) < min(newest)


def test_the_statement_opened_without_an_account_leads_to_its_form(site: Site) -> None:
    answer = site.as_role(Role.AUDITOR).get("/audit/exports/releve.csv", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/audit/exports#statement"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MERCHANT_OWNER, Role.OFFICE_OPERATOR])
def test_the_roles_outside_the_audit_are_refused_every_page(site: Site, role: Role) -> None:
    browser = site.as_role(role)
    before = snapshot(site.database)
    for address in PAGES:
        answer = browser.get(address, headers=FR)
        assert answer.status_code == 403, address
        assert 'data-code="role_forbidden"' in answer.text
    assert snapshot(site.database) == before


@pytest.mark.parametrize("role", [Role.ASSOCIATION_OPERATOR, Role.ADMIN])
def test_the_association_opens_the_audit_too(site: Site, role: Role) -> None:
    browser = site.as_role(role)
    for address in PAGES:
        assert browser.get(address, headers=EN).status_code == 200, address
