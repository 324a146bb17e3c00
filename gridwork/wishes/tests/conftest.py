"""Fixtures of the micro-wishes' tests: the world around a wish, and photos written to a temporary media root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gridwork.places.tests.factories import CityTree
from gridwork.wishes.tests.factories import WishWorld, make_world


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> WishWorld:
    return make_world(tree)
