"""The interactive API documentation at ``/docs``, served whole by the deployment itself.

Swagger UI's script, style sheet and icon come from the ``fastapi-offline`` package (a
Swagger UI that reads the OpenAPI 3.1 document FastAPI writes), at
``/assets/swagger/{name}``, so the page works on a network without internet and tells no
third party who reads it. Only the files named in an allow-list are served. The page
starts Swagger UI from a served file (``api/pages/assets/docs.js``) rather than an inline
script, so its Content-Security-Policy allows scripts from this origin only.

FastAPI's own ``/docs`` and ``/redoc`` load their assets from a CDN, so the application is
built without them (:func:`api.app.create_app`); one reader of the document is enough,
so there is no ``/redoc``. ``/docs/oauth2-redirect`` is kept as FastAPI
had it; the API signs in with bearer tokens, so no OAuth2 flow ever lands there, and its
inline script is allowed by its hash alone.

The pages are not API operations, so the OpenAPI document leaves them out; anyone may open
them (:data:`~api.deps.Public`), as anyone may read ``/openapi.json``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.deps import Public
from monnaie_locale.errors import NotFound

__all__ = ["ASSETS", "router"]

_SWAGGER = Path(fastapi_offline.__file__).resolve().parent / "static"
_PAGES = Path(__file__).resolve().parent.parent / "pages"

# name -> (file, media type); nothing else under the package's folder is served.
ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui-bundle.js": (_SWAGGER / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (_SWAGGER / "swagger-ui.css", "text/css"),
    "favicon.png": (_SWAGGER / "favicon.png", "image/png"),
    "docs.js": (_PAGES / "assets" / "docs.js", "text/javascript"),
}

# Swagger UI draws its icons as data: images and sets styles from its script (which CSP
# allows); it fetches the OpenAPI document, and "Try it out" calls the API, both here.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False, dependencies=[Public])


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> Response:
    root = request.scope.get("root_path", "").rstrip("/")
    openapi_url = root + (request.app.openapi_url or "/openapi.json")

    def asset(name: str) -> str:
        return escape(f"{root}/assets/swagger/{name}")

    title = escape(f"{request.app.title} - Swagger UI")
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{asset("swagger-ui.css")}">
<link rel="icon" type="image/png" href="{asset("favicon.png")}">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"
     data-oauth2-redirect-url="{escape(root + "/docs/oauth2-redirect")}"></div>
<script src="{asset("swagger-ui-bundle.js")}"></script>
<script src="{asset("docs.js")}"></script>
</body>
</html>
"""
    return _with_policy(HTMLResponse(page), _CSP)


_REDIRECT = get_swagger_ui_oauth2_redirect_html()
_REDIRECT_SCRIPT = re.search(rb"<script>(.*?)</script>", _REDIRECT.body, re.DOTALL)
assert _REDIRECT_SCRIPT is not None, "FastAPI's OAuth2 redirect page has no script"
_REDIRECT_HASH = base64.b64encode(hashlib.sha256(_REDIRECT_SCRIPT.group(1)).digest()).decode()
_REDIRECT_CSP = (
    f"default-src 'none'; script-src 'sha256-{_REDIRECT_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


@router.get("/docs/oauth2-redirect", response_class=HTMLResponse)
def oauth2_redirect() -> Response:
    return _with_policy(HTMLResponse(_REDIRECT.body), _REDIRECT_CSP)


@router.get("/assets/swagger/{name}")
def swagger_asset(name: str) -> Response:
    found = ASSETS.get(name)
    if found is None:
        raise _NoSuchAsset(name)
    path, media_type = found
    # Revalidated on each use (it has an ETag), so an upgrade of the package shows at once.
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})


class _NoSuchAsset(NotFound):
    code = "route_not_found"

    def __init__(self, name: str) -> None:
        super().__init__(f"no documentation asset {name[:64]!r}")


def _with_policy(response: Response, policy: str) -> Response:
    response.headers["Content-Security-Policy"] = policy
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
