"""The back-office's accounts over the demonstration, on each engine: the search shows
what the books hold, opening, freezing and closing change them as the acts do (read
back through the API), the import shows each line's fate before anything is written and
imports the very file confirmed; bad input and the auditor's forms change nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from api import i18n
from monnaie_locale.auth import Role
from tests.support import snapshot
from tests.web.conftest import BASE, PASSWORDS, Site, csrf

FR = {key: str(escape(text)) for key, text in i18n.texts("fr").items()}
EN = {key: str(escape(text)) for key, text in i18n.texts("en").items()}
HEADER = "code;kind;currency;owner;lower_limit;upper_limit;display_name\n"
GOOD = (
    HEADER + "claire;member;MLC;M-0042;0;;Claire Dupuis\nepicerie;business;MLC;P-0107;0;;Épicerie\n"
)
# Line 3 names a kind that does not exist; line 4 a code the demonstration holds already.
BAD = GOOD + "dave;alien;MLC;M-0043;0;;\nmember:alice;member;MLC;M-0001;0;;\n"


def api_get(site: Site, path: str) -> Any:
    """What the API answers the administrator for ``path`` (status, body)."""
    client = TestClient(site.app, base_url=BASE)
    login = client.post(
        "/v1/auth/login", json={"username": "admin", "password": PASSWORDS["admin"]}
    )
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    answer = client.get(path, headers=headers)
    return answer.status_code, answer.json()


def account(site: Site, code: str) -> dict[str, Any] | None:
    status, body = api_get(site, f"/v1/accounts/{code}")
    return body if status == 200 else None


def _code(answer: Any) -> str | None:
    found = re.search(r'data-code="([a-z_]+)"', answer.text)
    return found.group(1) if found else None


def post(browser: TestClient, path: str, **fields: str) -> Any:
    return browser.post(path, data={"csrf": csrf(browser), **fields}, follow_redirects=False)


def upload(browser: TestClient, content: str | bytes, *, encoding: str = "utf-8") -> Any:
    data = content.encode() if isinstance(content, str) else content
    return browser.post(
        "/gestion/comptes/import",
        data={"csrf": csrf(browser), "encoding": encoding},
        files={"file": ("membres.csv", data, "text/csv")},
        follow_redirects=False,
    )


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, page
    return found.group(1)


@pytest.mark.parametrize(
    "role", [Role.ASSOCIATION_OPERATOR, Role.AUDITOR, Role.ADMIN, Role.OFFICE_OPERATOR]
)
def test_the_search_shows_each_account_s_balance_and_state(site: Site, role: Role) -> None:
    browser = site.as_role(role)

    # As the search form sends it: "every kind" is an empty kind.
    page = browser.get("/gestion/comptes?q=ALICE&kind=")

    assert page.status_code == 200, page.text
    alice = account(site, "member:alice")
    assert alice is not None
    row = re.search(r'data-code="member:alice">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    assert alice["holder_balance"].replace(".", ",") in row.group(1)
    assert FR["bo_state_active"] in row.group(1)
    assert "member:bob" not in page.text
    # Only the association is offered the forms that write.
    assert ('id="open-account"' in page.text) == (role in (Role.ASSOCIATION_OPERATOR, Role.ADMIN))


def test_the_search_by_kind_lists_only_that_kind(site: Site) -> None:
    page = site.as_role(Role.AUDITOR).get("/gestion/comptes?kind=business&lang=en")

    assert page.status_code == 200
    assert "business:boulangerie" in page.text
    assert "member:alice" not in page.text
    assert EN["bo_kind_business"] in page.text
    unknown = site.as_role(Role.AUDITOR).get("/gestion/comptes?kind=alien")
    assert (unknown.status_code, _code(unknown)) == (422, "invalid_request")


def test_an_operator_opens_an_account_and_finds_it(site: Site) -> None:
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)

    answer = post(
        browser, "/gestion/comptes", kind="member", code="claire", display_name="Claire D."
    )

    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/gestion/comptes/claire?ok=opened"
    opened = account(site, "claire")
    assert opened is not None
    assert (opened["kind"], opened["status"], opened["display_name"]) == (
        "member",
        "active",
        "Claire D.",
    )
    page = browser.get(answer.headers["location"])
    assert FR["bo_accounts_ok_opened"] in page.text and "Claire D." in page.text


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "member", "code": "member:alice"}, "duplicate_account"),
        ({"kind": "system", "code": "vault"}, "kind_opened_by_set_up"),
        ({"kind": "association", "code": "pot"}, "opening_forbidden"),
        ({"kind": "alien", "code": "dave"}, "invalid_request"),
        ({"kind": "member", "code": " "}, None),
    ],
    ids=["duplicate", "system", "association", "kind", "empty"],
)
def test_a_bad_opening_is_refused_and_changes_nothing(
    site: Site, fields: dict[str, str], code: str | None
) -> None:
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)
    before = snapshot(site.database)

    answer = post(browser, "/gestion/comptes", **fields)

    assert answer.status_code in (403, 409, 422), answer.text
    if code is not None:
        assert _code(answer) == code, answer.text
    assert snapshot(site.database) == before


def test_an_account_s_page_shows_its_balance_state_and_last_postings(site: Site) -> None:
    page = site.as_role(Role.AUDITOR).get("/gestion/comptes/member:alice")

    assert page.status_code == 200, page.text
    alice = account(site, "member:alice")
    assert alice is not None
    balance = re.search(r'id="balance">(.*?)</dd>', page.text)
    assert balance and alice["holder_balance"].replace(".", ",") in balance.group(1)
    _, statement = api_get(site, "/v1/accounts/member:alice/statement")
    assert statement["items"], statement
    assert 'id="postings"' in page.text
    # The auditor reads; the forms that change the account are not theirs.
    assert 'id="freeze"' not in page.text and 'id="close-account"' not in page.text


def test_an_unknown_account_is_refused(site: Site) -> None:
    answer = site.as_role(Role.ADMIN).get("/gestion/comptes/nobody-here")

    assert (answer.status_code, _code(answer)) == (404, "unknown_account")


def test_an_operator_freezes_and_unfreezes_an_account(site: Site) -> None:
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)

    frozen = post(browser, "/gestion/comptes/member:bob/geler")

    assert frozen.status_code == 303, frozen.text
    assert account(site, "member:bob")["status"] == "frozen"  # type: ignore[index]
    page = browser.get(frozen.headers["location"])
    assert FR["bo_accounts_ok_frozen"] in page.text and 'id="unfreeze"' in page.text

    assert post(browser, "/gestion/comptes/member:bob/degeler").status_code == 303
    assert account(site, "member:bob")["status"] == "active"  # type: ignore[index]


def test_closing_asks_for_confirmation_and_refuses_a_non_empty_account(site: Site) -> None:
    browser = site.as_role(Role.ADMIN)
    assert post(browser, "/gestion/comptes", kind="member", code="claire").status_code == 303
    page = browser.get("/gestion/comptes/claire")
    assert FR["bo_accounts_close_final"] in page.text and 'name="confirm"' in page.text
    before = snapshot(site.database)

    unconfirmed = post(browser, "/gestion/comptes/claire/cloturer")
    not_empty = post(browser, "/gestion/comptes/member:alice/cloturer", confirm="yes")

    assert (unconfirmed.status_code, _code(unconfirmed)) == (422, "invalid_request")
    assert (not_empty.status_code, _code(not_empty)) == (409, "account_not_empty")
    assert snapshot(site.database) == before

    closed = post(browser, "/gestion/comptes/claire/cloturer", confirm="yes")

    assert closed.status_code == 303, closed.text
    assert account(site, "claire")["status"] == "closed"  # type: ignore[index]
    assert 'id="close-account"' not in browser.get("/gestion/comptes/claire").text


def test_a_dry_run_shows_each_line_s_fate_and_writes_nothing(site: Site) -> None:
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)
    before = snapshot(site.database)

    page = upload(browser, BAD)

    assert page.status_code == 200, page.text
    assert snapshot(site.database) == before
    assert account(site, "claire") is None
    lines = dict(re.findall(r'<tr id="line-(\d+)" class="(\w+)"', page.text))
    assert lines == {"2": "opened", "3": "opened", "4": "refused", "5": "refused"}
    # A good line of a refused file opens nothing yet: it is said to be in order.
    line_2 = re.search(r'id="line-2".*?</tr>', page.text, re.S)
    assert line_2 and FR["bo_import_line_fine"] in line_2.group(0) and "claire" in line_2.group(0)
    # Each refusal in the visitor's language, with its reason.
    line_4 = re.search(r'id="line-4".*?</tr>', page.text, re.S)
    assert line_4 and "type inconnu" in line_4.group(0)
    line_5 = re.search(r'id="line-5".*?</tr>', page.text, re.S)
    assert line_5 and "existe déjà" in line_5.group(0)
    assert 'id="confirm-import"' not in page.text
    english = browser.post(
        "/gestion/comptes/import?lang=en",
        data={"csrf": csrf(browser), "encoding": "utf-8"},
        files={"file": ("m.csv", BAD.encode(), "text/csv")},
    )
    assert "unknown kind" in english.text


def test_a_clean_dry_run_confirmed_opens_every_account_once(site: Site) -> None:
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)
    checked = upload(browser, GOOD)
    assert 'id="confirm-import"' in checked.text
    assert checked.text.count(FR["bo_import_line_opened"]) == 2
    fields = {name: hidden(checked.text, name) for name in ("content", "seal", "encoding", "name")}
    assert account(site, "claire") is None

    done = post(browser, "/gestion/comptes/import/confirmer", **fields)

    assert done.status_code == 303, done.text
    claire, epicerie = account(site, "claire"), account(site, "epicerie")
    assert claire and (claire["kind"], claire["display_name"]) == ("member", "Claire Dupuis")
    assert epicerie and epicerie["kind"] == "business"
    assert "2" in browser.get(done.headers["location"]).text
    # Confirmed twice (a double click): refused line by line, nothing more opened.
    before = snapshot(site.database)
    again = post(browser, "/gestion/comptes/import/confirmer", **fields)
    assert again.status_code == 422
    assert "existe déjà" in again.text
    assert snapshot(site.database) == before


def test_a_confirmation_of_another_file_than_the_dry_run_s_is_refused(site: Site) -> None:
    browser = site.as_role(Role.ASSOCIATION_OPERATOR)
    checked = upload(browser, GOOD)
    fields = {name: hidden(checked.text, name) for name in ("content", "seal", "encoding")}
    import base64

    other = base64.b64encode((HEADER + "mallory;member;MLC;;0;;\n").encode()).decode()
    before = snapshot(site.database)

    for forged in ({**fields, "content": other}, {**fields, "seal": "0" * 64}, {}):
        answer = post(browser, "/gestion/comptes/import/confirmer", **forged)
        assert answer.status_code == 422, answer.text

    # Another operator's page cannot be replayed by someone else either.
    admin = site.as_role(Role.ADMIN)
    assert post(admin, "/gestion/comptes/import/confirmer", **fields).status_code == 422
    assert snapshot(site.database) == before
    assert account(site, "mallory") is None and account(site, "claire") is None


@pytest.mark.parametrize(
    "content",
    [b"", b"nom;prenom\nDupuis;Claire\n", "code;kind\xe9".encode("latin-1")],
    ids=["empty", "columns", "encoding"],
)
def test_a_bad_csv_is_refused_with_its_reason_and_changes_nothing(
    site: Site, content: bytes
) -> None:
    browser = site.as_role(Role.ADMIN)
    before = snapshot(site.database)

    page = upload(browser, content)

    assert page.status_code == 200
    assert 'id="refused"' in page.text and 'id="confirm-import"' not in page.text
    assert 'id="file-problems"' in page.text
    assert snapshot(site.database) == before


def test_a_windows_file_is_read_in_its_encoding(site: Site) -> None:
    browser = site.as_role(Role.ADMIN)
    content = (HEADER + "epicerie;business;MLC;;0;;Épicerie\n").encode("cp1252")

    checked = upload(browser, content, encoding="cp1252")

    assert 'id="confirm-import"' in checked.text
    fields = {name: hidden(checked.text, name) for name in ("content", "seal", "encoding")}
    assert post(browser, "/gestion/comptes/import/confirmer", **fields).status_code == 303
    assert account(site, "epicerie")["display_name"] == "Épicerie"  # type: ignore[index]


def test_the_auditor_reads_but_every_form_is_refused_and_changes_nothing(site: Site) -> None:
    auditor = site.as_role(Role.AUDITOR)
    operator = site.as_role(Role.ASSOCIATION_OPERATOR)
    checked = upload(operator, GOOD)
    fields = {name: hidden(checked.text, name) for name in ("content", "seal", "encoding")}
    before = snapshot(site.database)

    for path, form in (
        ("/gestion/comptes", {"kind": "member", "code": "claire"}),
        ("/gestion/comptes/member:bob/geler", {}),
        ("/gestion/comptes/member:bob/degeler", {}),
        ("/gestion/comptes/member:bob/cloturer", {"confirm": "yes"}),
        ("/gestion/comptes/import/confirmer", fields),
    ):
        answer = post(auditor, path, **form)
        assert (answer.status_code, _code(answer)) == (403, "role_forbidden"), path
    refused = upload(auditor, GOOD)
    assert (refused.status_code, _code(refused)) == (403, "role_forbidden")
    # The form opens (the format is no secret); only its acts are refused.
    assert auditor.get("/gestion/comptes/import").status_code == 200

    assert snapshot(site.database) == before
    assert account(site, "claire") is None
    assert account(site, "member:bob")["status"] == "active"  # type: ignore[index]


def test_a_file_larger_than_a_form_s_field_is_confirmed_in_parts(site: Site) -> None:
    browser = site.as_role(Role.ADMIN)
    name = "N" * 100
    content = HEADER + "".join(f"m{n:05};member;MLC;M-{n:05};0;;{name}\n" for n in range(4200))
    checked = upload(browser, content)
    assert 'id="confirm-import"' in checked.text, checked.text[:2000]
    parts = re.findall(r'name="content" value="([^"]*)"', checked.text)
    assert len(parts) == 2  # the form parser takes fields of 1 MB at most
    fields = {name: hidden(checked.text, name) for name in ("seal", "encoding")}

    # As the browser posts it: multipart, under the uploads' limit, not the forms'.
    done = browser.post(
        "/gestion/comptes/import/confirmer",
        data={"csrf": csrf(browser), **fields, "content": parts},
        files={"unused": ("", b"", "application/octet-stream")},
        follow_redirects=False,
    )

    assert done.status_code == 303, done.text[:2000]
    assert account(site, "m04199") is not None
