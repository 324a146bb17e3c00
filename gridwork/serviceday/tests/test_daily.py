"""The daily job on a fixed clock: it opens the month's cycles on the 1st, tells the community's staff when each stage
opens and when it is due, and once when it is late (the street's staff too); running again sends nothing twice; the
task runs it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import TestCase

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree
from gridwork.serviceday.models import CycleState, Reminder, ServiceCycle
from gridwork.serviceday.services.cycles import serviceday_daily
from gridwork.serviceday.tests.factories import at, community_staff, complete

pytestmark = pytest.mark.django_db


def _run(day: date) -> dict[str, int]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return serviceday_daily(on=day, at=at(day, 0))


def _texts(user: object) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("text", flat=True))


def test_the_1st_opens_every_communitys_cycle_and_announces_the_collection(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    result = _run(date(2026, 3, 1))
    assert result["opened"] == 2
    assert ServiceCycle.objects.filter(year=2026, month=3, state=CycleState.COLLECT).count() == 2
    texts = _texts(staff)
    assert any("Collect opinions" in text and "opens today" in text for text in texts), texts
    assert _run(date(2026, 3, 1)) == {"opened": 0, "reminded_opens": 0, "reminded_due": 0, "reminded_late": 0}
    assert len(_texts(staff)) == len(texts)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 14), []),
        (date(2026, 3, 15), ["“Collect opinions (征集意见)” is due today"]),
        (date(2026, 3, 16), ["“Collect opinions (征集意见)” is late", "“Sort into items (梳理分类)” opens today"]),
        (date(2026, 3, 25), ["“Sort into items (梳理分类)” is due today"]),
        (date(2026, 3, 26), ["“Sort into items (梳理分类)” is late", "prepare the day"]),
        (date(2026, 4, 4), []),
        (date(2026, 4, 5), ["Today is the service day"]),
        (date(2026, 4, 6), ["“Service day (集中服务)” is late", "“Evaluate and feed back (评估反馈)” opens today"]),
        (date(2026, 4, 10), ["“Evaluate and feed back (评估反馈)” is due today"]),
        (
            date(2026, 4, 11),
            ["“Evaluate and feed back (评估反馈)” is late", "“Sum up and improve (总结改进)” opens today"],
        ),
        (date(2026, 4, 15), ["“Sum up and improve (总结改进)” is due today"]),
        (date(2026, 4, 16), ["“Sum up and improve (总结改进)” is late"]),
    ],
)
def test_each_stage_is_announced_on_its_dates_when_the_job_runs_daily(
    tree: CityTree, day: date, expected: list[str]
) -> None:
    staff = community_staff(tree.community)
    current = date(2026, 3, 1)
    while current < day:
        _run(current)
        current += timedelta(days=1)
    before = len(_texts(staff))
    _run(day)
    new = [text for text in _texts(staff)[before:] if "2026-03" in text]
    assert len(new) == len(expected), new
    for text, part in zip(new, expected, strict=True):
        assert part in text


def test_a_completed_stage_is_not_announced_and_a_late_one_reaches_the_street(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")
    _run(date(2026, 3, 1))
    complete(ServiceCycle.objects.get(community=tree.community, year=2026, month=3), staff)
    _run(date(2026, 3, 15))
    _run(date(2026, 3, 16))
    mine = [text for text in _texts(staff) if "春晖" in text]
    assert not any("Collect opinions" in text and ("is due today" in text or "is late" in text) for text in mine)
    street_texts = _texts(street)
    assert any("秋实" in text and "is late" in text for text in street_texts)
    assert not any("春晖" in text and "is late" in text for text in street_texts)


def test_a_missed_day_is_caught_up_once(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    _run(date(2026, 3, 3))  # the job was down on the 1st and 2nd
    assert sum("opens today" in text for text in _texts(staff)) == 1
    _run(date(2026, 3, 20))  # and from the 4th to the 19th
    assert Reminder.objects.filter(cycle__community=tree.community, stage="collect", kind="late").count() == 1
    assert Reminder.objects.filter(cycle__community=tree.community, stage="sort", kind="opens").count() == 1


def test_december_cycle_is_reminded_in_january(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    _run(date(2025, 12, 1))
    for day in range(2, 32):
        _run(date(2025, 12, day))
    before = len(_texts(staff))
    _run(date(2026, 1, 5))
    new = _texts(staff)[before:]
    assert any("2025-12" in text and "Today is the service day" in text for text in new), new
    assert ServiceCycle.objects.filter(year=2026, month=1).count() == 2


def test_the_task_runs_the_job(tree: CityTree) -> None:
    from gridwork.serviceday.tasks import run_service_days

    with TestCase.captureOnCommitCallbacks(execute=True):
        result = run_service_days.call()
    assert result["opened"] == 2
