"""Fixtures of the ratings tests: the staff of each level, a published scheme version and an open round over the
street's communities."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.places.tests.factories import CityTree
from gridwork.ratings import services
from gridwork.ratings.models import Round
from gridwork.ratings.tests.factories import Built, open_round, published_version


@pytest.fixture(autouse=True)
def _private_media(tmp_path: Path) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


@pytest.fixture
def city_staff(tree: CityTree) -> Any:
    """MANAGE_ASSESSMENT, REVIEW_RATINGS and ACCEPT_RATINGS over the city."""
    return make_staff(role=Role.CITY_STAFF, place=tree.city, username="city-assessor")


@pytest.fixture
def street_staff(tree: CityTree) -> Any:
    """SELF_ASSESS and REVIEW_RATINGS at 望江街道."""
    return make_staff(role=Role.STREET_STAFF, place=tree.street, username="street-reviewer")


@pytest.fixture
def street2_staff(tree: CityTree) -> Any:
    return make_staff(role=Role.STREET_STAFF, place=tree.street2, username="other-street")


@pytest.fixture
def community_staff(tree: CityTree) -> Any:
    """SELF_ASSESS and VIEW_RATINGS at 春晖社区."""
    return make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui-staff")


@pytest.fixture
def community2_staff(tree: CityTree) -> Any:
    return make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi-staff")


@dataclass(frozen=True)
class Staff:
    """The three levels of one line: 春晖社区, 望江街道, the city."""

    community: Any
    street: Any
    city: Any


@pytest.fixture
def staff(community_staff: Any, street_staff: Any, city_staff: Any) -> Staff:
    return Staff(community=community_staff, street=street_staff, city=city_staff)


@pytest.fixture
def built(db: None) -> Built:
    return published_version()


@pytest.fixture
def rating_round(tree: CityTree, city_staff: Any, built: Built) -> Round:
    """An open round with the street's two communities as targets."""
    round_ = open_round(city_staff, built.version)
    services.round_add_all(actor=city_staff, round_=round_, under=tree.street)
    round_.refresh_from_db()
    return round_
