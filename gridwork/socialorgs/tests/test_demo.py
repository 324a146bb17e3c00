"""The demo's social organisations (``manage.py demo_socialorgs``) on the small demo city: a base per street, the first
community above the target and the second short of it, every kind and filing status, a dissolved organisation kept,
incubations in every state following the flow; a second run refuses, or with ``--if-empty`` adds nothing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

from gridwork.demo.build import demo_city_build
from gridwork.demo.plan import SCALES
from gridwork.places import locating
from gridwork.socialorgs.figures import COUNTED_FILINGS
from gridwork.socialorgs.flows import INCUBATION_FLOW
from gridwork.socialorgs.models import (
    FilingStatus,
    Incubation,
    IncubationBase,
    IncubationState,
    Organisation,
    OrgKind,
)

COMMUNITIES = 2


@pytest.fixture(scope="class")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), translation.override("en"):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            output = StringIO()
            call_command("demo_socialorgs", allow_without_debug=True, communities=COMMUNITIES, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestTheDemo:
    def test_organisations_of_every_kind_and_filing(self) -> None:
        assert IncubationBase.objects.exists()
        assert set(Organisation.objects.values_list("kind", flat=True)) == {
            OrgKind.SOCIAL_ORG,
            OrgKind.VOLUNTEER_TEAM,
            OrgKind.CULTURAL_GROUP,
        }
        assert set(Organisation.objects.values_list("filing", flat=True)) == set(FilingStatus.values)
        assert Organisation.objects.filter(dissolved_on__isnull=False).count() == COMMUNITIES

    def test_one_community_meets_the_target_and_the_other_does_not(self) -> None:
        counting = [
            Organisation.objects.filter(
                place_id=place_id, kind=OrgKind.SOCIAL_ORG, filing__in=COUNTED_FILINGS, dissolved_on__isnull=True
            ).count()
            for place_id in sorted(set(Organisation.objects.values_list("place_id", flat=True)))
        ]
        assert len(counting) == COMMUNITIES
        assert max(counting) >= 15 > min(counting)

    def test_incubations_in_every_state_follow_the_flow(self) -> None:
        assert set(Incubation.objects.values_list("state", flat=True)) == set(IncubationState.values)
        for incubation in Incubation.objects.prefetch_related("events"):
            events = sorted(incubation.events.all(), key=lambda event: event.sequence)
            assert [event.sequence for event in events] == list(range(1, incubation.version + 1))
            for before, event in itertools.pairwise(events):
                assert event.from_state == before.to_state
                assert INCUBATION_FLOW.target(event.from_state, event.action) == event.to_state

    def test_a_second_run_adds_nothing(self, demo_output: str) -> None:
        assert "Social organisations:" in demo_output
        before = Organisation.objects.count()
        output = StringIO()
        call_command("demo_socialorgs", allow_without_debug=True, if_empty=True, stdout=output)
        assert "nothing is added" in output.getvalue()
        with pytest.raises(CommandError):
            call_command("demo_socialorgs", allow_without_debug=True, stdout=StringIO())
        assert Organisation.objects.count() == before
