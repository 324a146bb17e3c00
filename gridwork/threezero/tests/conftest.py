from __future__ import annotations

import pytest

from gridwork.places.tests.factories import CityTree
from gridwork.threezero.tests.factories import World, make_world


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)
