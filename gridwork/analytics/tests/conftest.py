"""Fixtures of the analysis tests: the town of ``factories.make_town`` on the shared city tree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gridwork.analytics.rollup import category_root
from gridwork.analytics.tests.factories import Town, make_town
from gridwork.places.tests.factories import CityTree


@pytest.fixture(autouse=True)
def _fresh_category_roots() -> Iterator[None]:
    """Category ids come and go with each test's transaction: no cached first-level category survives a test."""
    category_root.cache_clear()
    yield
    category_root.cache_clear()


@pytest.fixture
def town(tree: CityTree) -> Town:
    return make_town(tree)
