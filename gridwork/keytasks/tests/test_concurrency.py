"""Two reports on one item at once, from pages showing the same version: one wins, the other is refused as stale and
leaves nothing (no report, no milestone marked by it); and two warning runs at once warn a milestone once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from gridwork.common.flows import StaleState
from gridwork.common.tests.racing import race
from gridwork.keytasks import services
from gridwork.keytasks.models import Milestone, MilestoneWarning, ProgressReport, ProjectItem
from gridwork.keytasks.tests.factories import NOW, ZONE, make_world
from gridwork.places.tests.factories import make_city_tree
from gridwork.supervision.calendar import OfficeHours, WorkCalendar


@pytest.mark.django_db(transaction=True)
def test_two_reports_at_once_one_wins_and_two_warning_runs_warn_once() -> None:
    world = make_world(make_city_tree())
    version = world.item.version

    def work(i: int, _prepared: Any) -> Any:
        item = ProjectItem.objects.get(pk=world.item.pk)
        return services.progress_report(
            actor=world.community,
            item=item,
            percent=30 + i,
            text=f"第{i}份报告",
            milestones=[world.milestone.pk],
            expected_version=version,
            now=NOW,
        )

    outcomes = race(work, threads=2)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["ProgressReport", "StaleState"]
    assert any(isinstance(outcome, StaleState) for outcome in outcomes)
    assert ProgressReport.objects.count() == 1
    winner = ProgressReport.objects.get()
    assert Milestone.objects.get(pk=world.milestone.pk).done_report_id == winner.pk
    assert ProjectItem.objects.get(pk=world.item.pk).percent == winner.percent

    calendar = WorkCalendar(overrides={}, hours=OfficeHours.parse(["08:30-12:00"]), zone=ZONE)
    morning = datetime(2026, 3, 18, 7, tzinfo=ZONE)  # item2's milestone is due on Friday 20 March
    results = race(lambda _i, _p: services.milestones_warn(now=morning, calendar=calendar, warn_days=3), threads=2)
    assert sum(result["approaching"] for result in results if isinstance(result, dict)) == 1
    assert MilestoneWarning.objects.filter(sent_on=date(2026, 3, 18)).count() == 1
