"""Fixtures for the API tests: the loop's staff in the test city, and API clients signed in with a real token."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from gridwork.accounts.models import User
from gridwork.api.services import api_token_create
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.places.tests.factories import CityTree

ClientFor = Callable[[User], APIClient]


def token_client(user: User) -> APIClient:
    """A client of another system acting as ``user``: ``Authorization: Token <key>`` on every request."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(actor=None, user=user, name='test').key}")
    return client


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


@pytest.fixture
def client_for(db: None) -> ClientFor:
    return token_client


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> None:
    """Photos go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path
