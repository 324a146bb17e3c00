"""Fixtures shared by every test module."""

from __future__ import annotations

import pytest

from gridwork.places.tests.factories import CityTree, make_city_tree


@pytest.fixture
def tree(db: None) -> CityTree:
    return make_city_tree()
