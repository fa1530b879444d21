"""The web app's files: its style sheet and script, its icon, the manifest that makes it
installable and the service worker that keeps the wallet readable offline.

Only the files named here are served; each is read from ``api/pages/assets/web``. The
service worker is served from the site's root, so it may look after every page.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from api import i18n
from api.deps import Public
from api.web.rendering import PageRoute, language_of
from monnaie_locale.errors import NotFound

__all__ = ["router"]

_DIRECTORY = Path(__file__).resolve().parent.parent / "pages" / "assets" / "web"
_TYPES = {
    "web.css": "text/css",
    "back-office.css": "text/css",
    "web.js": "text/javascript",
    "scan.js": "text/javascript",
    "counted.js": "text/javascript",
    "icon.svg": "image/svg+xml",
    "passkey-pages.js": "text/javascript",
    "office-screen.js": "text/javascript",
    "regie.js": "text/javascript",
    "regie.css": "text/css",
}

router = APIRouter(include_in_schema=False, dependencies=[Public], route_class=PageRoute)


class NoSuchAsset(NotFound):
    code = "route_not_found"

    def __init__(self, name: str) -> None:
        super().__init__(f"no page asset {name[:60]!r}")


def serve(directory: Path, name: str, types: dict[str, str]) -> Response:
    """The file ``name`` of ``directory`` if ``types`` names it; refused otherwise."""
    if name not in types:
        raise NoSuchAsset(name)
    return FileResponse(
        directory / name,
        media_type=types[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/assets/web/{name}")
def asset(name: str) -> Response:
    return serve(_DIRECTORY, name, _TYPES)


@router.get("/sw.js")
def service_worker() -> Response:
    return serve(_DIRECTORY, "sw.js", {"sw.js": "text/javascript"})


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> Response:
    texts = i18n.texts(language_of(request))
    body = {
        "name": request.app.state.settings.deployment_name,
        "short_name": texts["site_name"],
        "start_url": "/portefeuille",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f5f0",
        "theme_color": "#1f6f43",
        "lang": language_of(request),
        "icons": [{"src": "/assets/web/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )
