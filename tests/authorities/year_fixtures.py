"""The fixtures of the yearly statements' tests: the ``fronts`` world, its clock started
the day before the town's first year, and the town's two years (:mod:`town_year`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.authorities import town_year as ty
from tests.conftest import SteppingClock

if TYPE_CHECKING:
    from tests.acts.edges import Fronts

__all__ = ["clock", "town_year"]


@pytest.fixture
def clock() -> SteppingClock:
    return ty.first_clock()


@pytest.fixture
def town_year(fronts: Fronts, clock: SteppingClock) -> ty.TownYear:
    return ty.build_town_year(fronts, clock)
