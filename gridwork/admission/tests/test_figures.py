"""The figures on a built example: per year, requests submitted, admitted, refused and withdrawn and the reports;
per community, the tasks assigned, received and waiting."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gridwork.admission import services
from gridwork.admission.figures import community_load, yearly
from gridwork.admission.models import DecisionKind
from gridwork.admission.tests.factories import World, approved, make_world, submitted
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db
LAST_YEAR = datetime(timezone.localdate().year - 1, 12, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def test_years_and_load(world: World) -> None:
    year = timezone.localdate().year
    admitted = approved(world)
    refused = submitted(world, title="门前三包巡查")
    services.admission_decide(
        actor=world.civil_handler,
        subject=refused,
        body=world.civil,
        decision=DecisionKind.REFUSE,
        reason="执法事项不得转嫁社区。",
        expected_version=refused.version,
        at=LAST_YEAR,  # decided (as if) last year: counted there
    )
    withdrawn = submitted(world, title="撤回的事项")
    services.admission_withdraw(actor=world.requester, subject=withdrawn, expected_version=withdrawn.version)
    (one,) = services.assignment_create(actor=world.requester, subject=admitted, communities=[world.tree.community])
    services.assignment_receive(actor=world.community, assignment=one)

    rows = {row.year: row for row in yearly(user=world.street)}
    assert (rows[year].submitted, rows[year].approved, rows[year].refused, rows[year].withdrawn) == (3, 1, 0, 1)
    assert (rows[year - 1].submitted, rows[year - 1].refused) == (0, 1)
    assert yearly(user=world.street2) == []

    load = {row.community.name: row for row in community_load(user=world.street, year=year)}
    assert (load["春晖社区"].assigned, load["春晖社区"].received, load["春晖社区"].waiting) == (1, 1, 0)
    assert (load["秋实社区"].assigned, load["秋实社区"].waiting) == (0, 0)
    assert [row.community.name for row in community_load(user=world.community, year=year)] == ["春晖社区"]
