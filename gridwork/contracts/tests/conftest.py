"""Fixtures of the contracts' tests: the world around a contract, and evidence written to a temporary media root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gridwork.contracts.tests.factories import ContractWorld, make_world
from gridwork.places.tests.factories import CityTree


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> ContractWorld:
    return make_world(tree)
