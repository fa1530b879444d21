"""The public directory page: anyone finds the businesses and the exchange offices."""

from __future__ import annotations

import re

from tests.web.conftest import Site


def _listed(body: str) -> list[str]:
    return re.findall(r'data-account="([^"]+)"', body)


def test_anyone_finds_a_business_by_a_word_without_its_accents(site: Site) -> None:
    visitor = site.browser()
    everything = visitor.get("/annuaire")
    assert everything.status_code == 200
    assert set(_listed(everything.text)) == {"business:boulangerie", "business:epicerie"}
    found = visitor.get("/annuaire", params={"q": "epicerie"})
    assert _listed(found.text) == ["business:epicerie"]
    assert "Épicerie du marché" in found.text


def test_the_town_filter_and_a_search_that_finds_nothing_say_so(site: Site) -> None:
    visitor = site.browser()
    in_bayonne = visitor.get("/annuaire", params={"ville": "bayonne"})
    assert _listed(in_bayonne.text) == ["business:boulangerie"]
    nothing = visitor.get("/annuaire", params={"q": "quincaillerie"})
    assert _listed(nothing.text) == []
    assert 'id="businesses-none"' in nothing.text


def test_the_offices_show_their_address_and_opening_hours(site: Site) -> None:
    body = site.browser().get("/annuaire", params={"lang": "en"}).text
    assert "Opening hours:" in body
    assert "9h–12h" in body


def test_an_overlong_search_is_refused_as_a_page(site: Site) -> None:
    answer = site.browser().get("/annuaire", params={"q": "x" * 200})
    assert answer.status_code == 422
    assert 'data-code="invalid_form"' in answer.text
