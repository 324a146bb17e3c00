"""Fixtures shared by every test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from gridwork.places.tests.factories import CityTree, make_city_tree


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Messages of services come in English in tests; pages still answer in the language each request asks for
    (zh-Hans by default), which the page and translation tests check."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_grid_index() -> Iterator[None]:
    """Each test locates against its own places: no process-wide index survives from an earlier test."""
    from gridwork.places.locating import drop_grid_index

    drop_grid_index()
    yield
    drop_grid_index()


@pytest.fixture
def tree(db: None) -> CityTree:
    return make_city_tree()
