"""The daily milestone warnings on a fixed clock, day by day across a weekend and a holiday override: the responsible
person is warned three working days before the due date and again once it is overdue (the leader too), each once;
a day the job did not run is caught up, a rerun repeats nothing, a done milestone or a draft task is never warned."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.test import override_settings

from gridwork.demo.clock import clock
from gridwork.keytasks import services
from gridwork.keytasks.models import MilestoneWarning, WarningKind
from gridwork.keytasks.tasks import warn_milestones
from gridwork.keytasks.tests.factories import NOW, ZONE, World, make_world
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree
from gridwork.supervision.calendar import OfficeHours, WorkCalendar
from gridwork.supervision.models import CalendarOverride

pytestmark = pytest.mark.django_db

HOURS = OfficeHours.parse(["08:30-12:00", "14:00-17:30"])


def morning(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZONE) + timedelta(hours=7)


def calendar(overrides: dict[date, bool] | None = None) -> WorkCalendar:
    return WorkCalendar(overrides=overrides or {}, hours=HOURS, zone=ZONE)


def run(day: date, cal: WorkCalendar | None = None) -> dict[str, int]:
    return services.milestones_warn(now=morning(day), calendar=cal or calendar(), warn_days=3)


def warned(world: World) -> list[tuple[str, date]]:
    return list(MilestoneWarning.objects.filter(milestone=world.milestone).values_list("kind", "sent_on"))


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def test_day_by_day_across_the_weekend_each_warning_once(world: World) -> None:
    # 施工队进场 is due Monday 9 March 2026; three working days before is Wednesday 4 March.
    sent = {day: run(day) for day in (date(2026, 3, 2) + timedelta(days=n) for n in range(10))}
    assert warned(world) == [(WarningKind.APPROACHING, date(2026, 3, 4)), (WarningKind.OVERDUE, date(2026, 3, 10))]
    assert sent[date(2026, 3, 3)] == {"approaching": 0, "overdue": 0}
    assert sent[date(2026, 3, 5)] == {"approaching": 0, "overdue": 0}  # a rerun on the next day repeats nothing
    texts = list(Notification.objects.filter(recipient=world.community).values_list("text", flat=True))
    assert sum("is due on 2026-03-09" in text for text in texts) == 1
    assert sum("is overdue" in text for text in texts) == 1
    assert Notification.objects.filter(recipient=world.street, text__contains="is overdue").count() == 1  # the leader
    assert not Notification.objects.filter(recipient=world.community2, text__contains="施工队进场").exists()


def test_a_holiday_override_moves_the_warning_earlier(world: World) -> None:
    holiday = calendar({date(2026, 3, 5): False})
    assert run(date(2026, 3, 3), holiday) == {"approaching": 1, "overdue": 0}
    assert warned(world) == [(WarningKind.APPROACHING, date(2026, 3, 3))]


def test_nothing_is_sent_on_a_day_off_and_a_missed_day_is_caught_up(world: World) -> None:
    assert run(date(2026, 3, 7)) == {"approaching": 0, "overdue": 0}  # Saturday
    assert run(date(2026, 3, 6)) == {"approaching": 1, "overdue": 0}  # the job missed Wed and Thu
    assert run(date(2026, 3, 12)) == {"approaching": 0, "overdue": 1}  # and Tue, Wed after the due date


def test_an_overdue_milestone_first_seen_late_gets_only_the_overdue_warning(world: World) -> None:
    assert run(date(2026, 3, 11)) == {"approaching": 0, "overdue": 1}
    assert warned(world) == [(WarningKind.OVERDUE, date(2026, 3, 11))]


def test_a_milestone_done_or_a_task_not_under_way_is_not_warned(world: World) -> None:
    services.progress_report(
        actor=world.community,
        item=world.item,
        percent=20,
        text="施工队已进场。",
        milestones=[world.milestone.pk],
        expected_version=world.item.version,
        now=NOW,
    )
    assert run(date(2026, 3, 10)) == {"approaching": 0, "overdue": 0}
    assert not MilestoneWarning.objects.exists()


@override_settings(GRIDWORK_KEYTASKS_WARN_WORKING_DAYS=1)
def test_the_scheduled_task_reads_the_setting_and_the_overrides(world: World) -> None:
    CalendarOverride.objects.create(day=date(2026, 3, 6), is_workday=False, note="test")
    with clock(morning(date(2026, 3, 5))):  # one working day before Monday, Friday being off, is Thursday
        assert warn_milestones.call() == {"approaching": 1, "overdue": 0}
    with clock(morning(date(2026, 3, 5))):
        assert warn_milestones.call() == {"approaching": 0, "overdue": 0}
