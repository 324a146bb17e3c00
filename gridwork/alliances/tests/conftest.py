"""Fixtures of the alliances' tests."""

from __future__ import annotations

import pytest

from gridwork.alliances.tests.factories import AllianceWorld, make_world
from gridwork.places.tests.factories import CityTree


@pytest.fixture
def world(tree: CityTree) -> AllianceWorld:
    return make_world(tree)
