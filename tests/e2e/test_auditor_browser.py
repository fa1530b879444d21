"""An auditor opens every page of the back-office, and every write is refused.

The auditor of the demonstration signs in and opens, one by one, every page the app
serves in the sections of the auditor's menu (``/gestion``, ``/guichet``, ``/audit``; the
users' section is the administrator's alone) that takes no path parameter: the list is
read from the app's routes when the test runs, so a page added to the back-office is
walked without this test naming it. Each page opens (200); an HTML page has no serious
accessibility fault, and every form on it that posts to the back-office is submitted,
its required fields filled with something, and refused (403, the refusal page). Most
pages show the auditor no form at all, so every form address of those sections is then
posted with the auditor's session and CSRF token, and refused too. The books are read
through the API before and after: no balance moved, the journal did not grow, and no
administrative act was logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from api.app import create_app
from api.web.back_office import section_of
from api.web.rendering import PageRoute
from monnaie_locale.acts.demo import set_up_demo
from monnaie_locale.auth import Role
from monnaie_locale.config import Settings
from monnaie_locale.store import connect, migrate
from tests.e2e.support import live_server
from tests.e2e.web_support import (
    STORY_SCREENS,
    Screen,
    api_balance,
    assert_accessible,
    demo_password,
    keep_screenshot,
    open_page,
    sign_in,
)

PREFIXES = ("/gestion", "/guichet", "/audit")
HOLDERS = (("alice", "member:alice"), ("bob", "member:bob"))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FastAPI]]:
    """The demonstration served: its base URL and its app."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    database = connect(url)
    migrate(database)
    settings = set_up_demo(
        database, Settings(database_url=url, webhook_poll_seconds=3600), key_folder=tmp_path
    )
    app = create_app(settings, database=database)
    with live_server(app) as base:
        yield base.replace("127.0.0.1", "localhost"), app
    database.dispose()


def back_office_pages(app: FastAPI) -> list[str]:
    """Every page the app serves in the sections of the auditor's menu, without a
    parameter (the users' section is the administrator's alone)."""
    return sorted(
        {
            context.path
            for context in iter_route_contexts(app.routes)
            if isinstance(context.original_route, PageRoute)
            and "GET" in (context.methods or ())
            and "{" not in context.path
            and (section := section_of(context.path)) is not None
            and Role.AUDITOR in section.roles
        }
    )


def back_office_writes(app: FastAPI) -> list[str]:
    """Every form address of the app in the sections of the auditor's menu, a path's
    parameters filled with 1 (the role is refused before anything is looked up)."""
    return sorted(
        {
            re.sub(r"\{[^}]+\}", "1", context.path)
            for context in iter_route_contexts(app.routes)
            if isinstance(context.original_route, PageRoute)
            and "POST" in (context.methods or ())
            and (section := section_of(context.path)) is not None
            and Role.AUDITOR in section.roles
        }
    )


def books(base: str) -> dict[str, Any]:
    """What a write would change, read through the API: balances, journal, the acts' log."""
    with httpx.Client(base_url=base, timeout=30) as api:
        token = api.post(
            "/v1/auth/login", json={"username": "audit", "password": demo_password("audit")}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        journal = api.get("/v1/audit/journal", headers=auth).json()
        acts = api.get("/v1/audit/acts", headers=auth).json()["acts"]
    return {
        "balances": {code: api_balance(base, user, code) for user, code in HOLDERS},
        "journal": (journal["ok"], journal["entries"] + journal["unsealed"]),
        "acts": [row["id"] for row in acts],
    }


def _fill_required(form: Any) -> None:
    """Something in each required field: the role is refused before any field is read."""
    for field in form.locator("input[required], select[required], textarea[required]").all():
        kind = (field.get_attribute("type") or "text").lower()
        tag = field.evaluate("node => node.tagName").lower()
        if tag == "select":
            values = [
                value
                for value in field.locator("option").evaluate_all("os => os.map(o => o.value)")
                if value
            ]
            if values:
                field.select_option(values[0])
        elif kind in ("checkbox", "radio"):
            field.check()
        elif kind == "date":
            field.fill("2026-01-01")
        elif kind == "number":
            field.fill(field.get_attribute("min") or "1")
        elif kind == "email":
            field.fill("audit@example.org")
        elif kind == "file":
            continue
        elif kind != "hidden":
            field.fill("1")
    # The browser's own checks (a pattern, a length) would stop the form before it is sent:
    # what is tried here is the server's refusal.
    form.evaluate("node => { node.noValidate = true; }")


def post_forms(page: Any) -> list[int]:
    """The indexes of the page's forms that post to the back-office."""
    actions = page.locator("form").evaluate_all(
        "forms => forms.map(f => [f.method, new URL(f.action).pathname])"
    )
    return [
        index
        for index, (method, action) in enumerate(actions)
        if method == "post" and any(action == p or action.startswith(p + "/") for p in PREFIXES)
    ]


@pytest.mark.parametrize("screen", STORY_SCREENS, ids=str)
def test_an_auditor_opens_every_back_office_page_and_every_write_is_refused(
    chromium: Any, served: tuple[str, FastAPI], screen: Screen
) -> None:
    base, app = served
    pages = back_office_pages(app)
    # The menu's sections, each with its forms the auditor may not send.
    assert {"/gestion", "/gestion/comptes", "/gestion/billets", "/guichet", "/audit"} <= set(pages)
    before = books(base)
    page, outside = open_page(chromium, base, screen)
    sign_in(page, base, "audit")
    refused: list[str] = []

    for path in pages:
        # A download opens as a file, not as a page: asked with the page's cookies.
        answer = page.request.get(base + path)
        assert answer.status == 200, f"{path}: {answer.status}"
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        opened = page.goto(base + path)
        assert opened is not None and opened.status == 200, path
        assert page.locator("html").get_attribute("lang") == screen.lang
        assert_accessible(page)
        if path.startswith("/audit"):
            keep_screenshot(page, "bo-" + path.strip("/").replace("/", "-"), screen)
        for index in post_forms(page):
            page.goto(base + path)
            form = page.locator("form").nth(index)
            _fill_required(form)
            with page.expect_navigation() as sent:
                form.evaluate("node => node.requestSubmit()")
            response = sent.value
            assert response is not None and response.status == 403, f"{path} form {index}"
            assert page.locator("[data-code]").first.get_attribute("data-code") == (
                "role_forbidden"
            ), f"{path} form {index}"
            assert_accessible(page)
            refused.append(f"{path}#{index}")

    # Most pages show the auditor no form; the forms shown were sent and refused.
    assert {"/gestion/comptes/import#1", "/guichet/vente#1"} <= set(refused)
    # Every write of the back-office, sent as its form would send it: refused.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    for path in back_office_writes(app):
        answer = page.request.post(base + path, form={"csrf": token or ""})
        assert answer.status == 403, f"{path}: {answer.status}"
        assert 'data-code="role_forbidden"' in answer.text(), path
    assert books(base) == before
    assert outside == []
