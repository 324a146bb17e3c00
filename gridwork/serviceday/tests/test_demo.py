"""The demo's service days (``manage.py demo_serviceday``) on the small demo city: three months per community, each
as far as the calendar has got today, their histories following the flow; a second run refuses, or with
``--if-empty`` adds nothing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone, translation

from gridwork.demo.build import demo_city_build
from gridwork.demo.plan import SCALES
from gridwork.places import locating
from gridwork.serviceday.calendar import cycle_dates, previous_month
from gridwork.serviceday.flows import CYCLE_FLOW
from gridwork.serviceday.models import CycleState, Item, ItemRating, Opinion, ServiceCycle

COMMUNITIES = 2


@pytest.fixture(scope="class")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), translation.override("en"):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            output = StringIO()
            call_command("demo_serviceday", allow_without_debug=True, communities=COMMUNITIES, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestTheDemo:
    def test_three_months_per_community(self) -> None:
        today = timezone.localdate()
        this = (today.year, today.month)
        months = {previous_month(*previous_month(*this)), previous_month(*this), this}
        cycles = list(ServiceCycle.objects.all())
        assert len(cycles) == 3 * COMMUNITIES
        assert {(cycle.year, cycle.month) for cycle in cycles} == months

    def test_the_month_before_last_is_closed_with_its_work(self) -> None:
        today = timezone.localdate()
        year, month = previous_month(*previous_month(today.year, today.month))
        for cycle in ServiceCycle.objects.filter(year=year, month=month):
            assert cycle.state == CycleState.CLOSED
            assert cycle.summary_figures["items"] >= 1
            assert Opinion.objects.filter(cycle=cycle).exists()
            assert ItemRating.objects.filter(item__cycle=cycle).exists()
            assert Item.objects.filter(cycle=cycle, state="not_done").exclude(result_note="").exists()

    def test_each_cycle_stands_where_the_calendar_stands(self) -> None:
        today = timezone.localdate()
        for cycle in ServiceCycle.objects.all():
            dates = cycle_dates(cycle)
            if cycle.state != CycleState.CLOSED:
                window = dates.window(cycle.state)
                # the stage it works on has opened, and the one before was due before today
                assert window.opens <= today or cycle.state == CycleState.COLLECT

    def test_one_community_is_late_with_its_sorting(self) -> None:
        late = ServiceCycle.objects.filter(sort_done_on__isnull=False).exclude(sort_done_on__day=25)
        assert late.exists()

    def test_the_histories_follow_the_flow(self) -> None:
        for cycle in ServiceCycle.objects.all():
            events = list(cycle.events.order_by("sequence"))
            assert [event.sequence for event in events] == list(range(1, len(events) + 1))
            assert cycle.version == len(events)
            for before, event in itertools.pairwise(events):
                assert event.from_state == before.to_state
                assert CYCLE_FLOW.target(event.from_state, event.action) == event.to_state
            assert events[-1].to_state == cycle.state

    def test_a_second_run_refuses_or_adds_nothing(self) -> None:
        with pytest.raises(CommandError):
            call_command("demo_serviceday", allow_without_debug=True, stdout=StringIO())
        output = StringIO()
        call_command("demo_serviceday", allow_without_debug=True, if_empty=True, stdout=output)
        assert "nothing is added" in output.getvalue()
        assert ServiceCycle.objects.count() == 3 * COMMUNITIES
