"""The API documentation at /docs is served whole by the deployment: its page names no
other host, its assets come from an allow-list and nothing else does, its policy allows
this origin's scripts only, and FastAPI's CDN pages are gone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers.docs import ASSETS
from monnaie_locale.config import Settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    # The pages read no database: an application that never opens its own is enough.
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'docs.db'}"))
    yield TestClient(app, base_url="http://ledger.test")


def _urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href|data-[a-z0-9-]+-url)\s*=\s*["']([^"']*)["']""", html)


def test_the_docs_page_refers_to_this_server_only(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "swagger-ui" in html
    # No absolute URL at all, to any host, nor one that only leaves the scheme out.
    assert re.search(r"https?://", html) is None
    assert "//" not in "".join(re.sub(r"^[a-z]+:", "", url) for url in _urls(html))
    urls = _urls(html)
    assert set(urls) == {
        "/assets/swagger/swagger-ui.css",
        "/assets/swagger/favicon.png",
        "/assets/swagger/swagger-ui-bundle.js",
        "/assets/swagger/docs.js",
        "/openapi.json",
        "/docs/oauth2-redirect",
    }
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_docs_page_allows_scripts_from_this_origin_only(client: TestClient) -> None:
    response = client.get("/docs")

    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    # Nothing inline for the policy to refuse: every script is a served file.
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", response.text) == []
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_oauth2_redirect_page_runs_its_own_script_only(client: TestClient) -> None:
    response = client.get("/docs/oauth2-redirect")

    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/]+=*';", policy)
    assert "'self'" not in policy and "unsafe-inline" not in policy
    assert re.search(r"https?://", response.text) is None


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_every_allowed_asset_is_served_with_its_type(client: TestClient, name: str) -> None:
    response = client.get(f"/assets/swagger/{name}")

    assert response.status_code == 200
    assert response.content == ASSETS[name][0].read_bytes()
    assert response.headers["content-type"].split(";")[0] == ASSETS[name][1]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/assets/swagger/index.html",  # in the package, not in the allow-list
        "/assets/swagger/swagger-ui-bundle.js.map",
        "/assets/swagger/oauth2-redirect.html",
        "/assets/swagger/..%2f..%2f__init__.py",
        "/assets/swagger/..%2F..%2F..%2Fapi%2Fapp.py",
        "/assets/swagger/%2e%2e%2fdocs.js",
        "/assets/swagger/../../api/app.py",
        "/assets/swagger/docs.js%00",
        "/assets/swagger/DOCS.JS",
        "/assets/swagger/",
        "/assets/swagger/checkout.js",  # another page's asset, on its own route only
    ],
)
def test_the_asset_route_refuses_unknown_names_and_path_tricks(
    client: TestClient, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "route_not_found"


@pytest.mark.parametrize("path", ["/redoc", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"])
def test_fastapi_own_cdn_pages_are_gone(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_openapi_document_is_still_served(client: TestClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    assert "/v1/auth/login" in response.json()["paths"]
    # The pages are not API operations.
    assert not {"/docs", "/docs/oauth2-redirect", "/assets/swagger/{name}"} & set(
        response.json()["paths"]
    )
