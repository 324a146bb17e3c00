"""Fixtures of the scheme tests: the city's assessment manager and the staff below it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics.rollup import category_root
from gridwork.places.tests.factories import CityTree


@pytest.fixture(autouse=True)
def _fresh_category_roots() -> Iterator[None]:
    """Category ids come and go with each test's transaction (the analytics figures read them)."""
    category_root.cache_clear()
    yield
    category_root.cache_clear()


@pytest.fixture
def manager(tree: CityTree) -> Any:
    """City staff: MANAGE_ASSESSMENT."""
    return make_staff(role=Role.CITY_STAFF, place=tree.city, username="city-assessor")


@pytest.fixture
def community_staff(tree: CityTree) -> Any:
    """VIEW_RATINGS only."""
    return make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui-staff")


@pytest.fixture
def street_staff(tree: CityTree) -> Any:
    return make_staff(role=Role.STREET_STAFF, place=tree.street, username="street-staff")
