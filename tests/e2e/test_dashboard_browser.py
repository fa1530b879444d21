"""The association's dashboard in a real browser, over the demonstration: the operator
signs in and lands on it, reads the coverage the reserve report gives, sees both charts
drawn (the images load under the site's policy, nothing from elsewhere), chooses another
period with the form, and the page is accessible. French on a desktop, English on a
phone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from api import i18n
from api.web.bo_dashboard import percent
from tests.e2e.web_support import (
    STORY_SCREENS,
    Screen,
    assert_accessible,
    demo_password,
    keep_screenshot,
    open_page,
    sign_in,
)


def _coverage(base: str) -> Decimal:
    """The coverage the API's reserve report gives, as a percentage."""
    with httpx.Client(base_url=base, timeout=10) as api:
        login = api.post(
            "/v1/auth/login", json={"username": "audit", "password": demo_password("audit")}
        )
        token = {"Authorization": f"Bearer {login.json()['token']}"}
        report = api.get("/v1/reserve/report", headers=token)
        report.raise_for_status()
        return Decimal(report.json()["coverage_percent"])


@pytest.mark.parametrize("shown", STORY_SCREENS, ids=str)
def test_the_operator_reads_the_coverage_and_its_history_on_the_dashboard(
    chromium: Any, demo_site: str, shown: Screen
) -> None:
    coverage = _coverage(demo_site)
    texts = i18n.texts(shown.lang)  # type: ignore[arg-type]
    page, outside = open_page(chromium, demo_site, shown)
    page.goto(demo_site + f"/langue/{shown.lang}")
    sign_in(page, demo_site, "asso")

    assert page.url.endswith("/gestion")
    figure = page.locator("#coverage-figure")
    assert figure.inner_text() == percent(coverage, shown.lang)  # type: ignore[arg-type]
    verdict = texts["dash_covered"] if coverage >= 100 else texts["dash_short"]
    assert page.locator("#coverage-verdict").inner_text().startswith(verdict)
    for chart in ("#history-chart", "#flows-chart"):
        width = page.locator(chart).evaluate("image => image.complete && image.naturalWidth")
        assert width > 0, chart
    assert_accessible(page)
    keep_screenshot(page, "dashboard", shown)

    page.select_option("#periode", "365")
    page.click("#history form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/gestion?periode=365")
    assert page.locator("#periode").input_value() == "365"
    assert page.locator("#history-chart").evaluate("image => image.naturalWidth") > 0
    page.click("#history summary")
    assert page.locator("#history-figures tbody tr").count() == 53
    assert_accessible(page)
    assert outside == []
