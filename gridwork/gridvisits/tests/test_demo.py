"""The demo's grid visits (``manage.py demo_gridvisits``) on the small demo city: visits in the past only, within
each worker's grid, some needs filed as matters; a second run refuses, or with ``--if-empty`` adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone, translation

from gridwork.demo.build import demo_city_build
from gridwork.demo.plan import SCALES
from gridwork.gridvisits.models import GridVisit, VisitNeed
from gridwork.places import locating


@pytest.fixture(scope="class")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), translation.override("en"):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            output = StringIO()
            call_command("demo_gridvisits", allow_without_debug=True, communities=1, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestDemo:
    def test_visits_are_past_within_the_grid_and_some_needs_are_matters(self) -> None:
        visits = GridVisit.objects.select_related("household", "grid")
        assert visits.exists()
        assert not visits.filter(visited_on__gt=timezone.localdate()).exists()
        assert all(visit.household.path.startswith(visit.grid.path) for visit in visits)
        assert VisitNeed.objects.filter(matter__isnull=False).exists()
        assert VisitNeed.objects.filter(converted_at__isnull=True).exists()

    def test_a_second_run_refuses_or_adds_nothing(self) -> None:
        count = GridVisit.objects.count()
        with translation.override("en"), pytest.raises(CommandError):
            call_command("demo_gridvisits", allow_without_debug=True, stdout=StringIO())
        output = StringIO()
        with translation.override("en"):
            call_command("demo_gridvisits", allow_without_debug=True, if_empty=True, stdout=output)
        assert "nothing is added" in output.getvalue()
        assert GridVisit.objects.count() == count
