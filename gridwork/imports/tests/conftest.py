"""Fixtures for the import tests: English messages, and staff at the district, a street and a grid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.places.tests.factories import CityTree


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages are checked in their English source text, whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def district_staff(tree: CityTree) -> User:
    return make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district1")


@pytest.fixture
def street2_staff(tree: CityTree) -> User:
    return make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2")


@pytest.fixture
def grid_worker(tree: CityTree) -> User:
    return make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gridworker1")
