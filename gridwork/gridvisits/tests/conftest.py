"""Fixtures of the grid visits' tests: photos go to a temporary media folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gridwork.gridvisits.tests.factories import VisitWorld, make_world
from gridwork.places.tests.factories import CityTree


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> VisitWorld:
    return make_world(tree)
