"""Fixtures of the screening's tests: the mediation app's world (city tree, staff of every role)."""

from __future__ import annotations

import pytest

from gridwork.mediation.tests.factories import CaseWorld, case_world
from gridwork.places.tests.factories import CityTree


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)
