"""Fixtures of the browser tests: Debian's chromium, and the demonstration served."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.web_support import CHROMIUM, STORY_SCREENS, Screen, serve_demo


def _chromium_or_skip() -> None:
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip(f"no browser at {CHROMIUM} (install Debian's chromium); CI always runs it")


@pytest.fixture
def demo_site(tmp_path: Path) -> Iterator[str]:
    """The demonstration, served for this test alone; its base URL."""
    yield from serve_demo(tmp_path)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    _chromium_or_skip()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium: Any) -> Any:
    """The module's chromium, for the tests that open their own contexts."""
    return chromium


@pytest.fixture(params=STORY_SCREENS, ids=str)
def screen(request: pytest.FixtureRequest) -> Screen:
    """Each test that takes it runs on a phone in French and on a desktop in English."""
    screen: Screen = request.param
    return screen
