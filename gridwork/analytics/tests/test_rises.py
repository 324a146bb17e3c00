"""The daily 研判 (``analytics.rises``) on a hand-built history: matters filed through the service, so that the
rollup the detection reads is the one the platform writes."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics import tasks
from gridwork.analytics.models import RiseAlert, RiseKind
from gridwork.analytics.rises import (
    ALPHA,
    BASELINE_DAYS,
    MIN_COUNT,
    RATE_FLOOR,
    detect_rises,
    expected_rate,
    is_unusual,
    p_value,
)
from gridwork.matters.models import Category, Matter
from gridwork.matters.services import matter_file
from gridwork.matters.tests.factories import file_in_building
from gridwork.matters.workflow import MatterKind
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree

ZONE = ZoneInfo(settings.TIME_ZONE)
DAY = date(2026, 3, 30)  # a Monday; its baseline is 2 March to 29 March
STREETLIGHT = "G1.01.002"  # under G1, the city components (城市部件)
ENVIRONMENT = "T04.01.002"  # under T04, environmental protection
# Texts unlike each other, so that the place grouping does not see one problem in them.
TEXTS = (
    "春晖路口的路灯晚上不亮，行人看不清路面。",
    "小区东门外两盏路灯白天一直亮着，浪费电。",
    "三号楼旁边的灯杆被车撞歪了，随时会倒下。",
    "健身广场的照明灯闪烁不停，晃得人眼睛疼。",
    "幼儿园后面的小巷没有路灯，晚上老人摔倒过。",
    "菜市场门口那盏灯的灯罩掉了，玻璃碎了一地。",
    "地下车库入口的灯坏了半个月，车辆进出很危险。",
    "河边步道的景观灯电线裸露在外面，孩子常在那里玩。",
)
REPEAT = "春晖路1号楼门口的下水道井盖破了一个大洞，已经有人踩空摔伤，请尽快更换井盖。"


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def root(code: str) -> Category:
    return Category.objects.get(code=code.split(".", maxsplit=1)[0])


def file_here(tree: CityTree, day: date, *, code: str = STREETLIGHT, text: str = TEXTS[0], minute: int = 0) -> Matter:
    """A matter of the tree's first community (its first grid), filed on ``day``."""
    receipt = file_in_building(tree, text=text, category=category(code), now=at(day, 10, minute))
    return Matter.objects.get(pk=receipt.matter_id)


def file_next_door(day: date, *, code: str = STREETLIGHT, text: str = TEXTS[0], minute: int = 0) -> Matter:
    """A matter of the sibling community (秋实社区), located by a pin in its grid."""
    receipt = matter_file(
        actor=None,
        channel="resident_web",
        text=text,
        latitude=26.605,
        longitude=106.725,
        category=category(code),
        kind=MatterKind.PROFESSIONAL,
        now=at(day, 11, minute),
    )
    return Matter.objects.get(pk=receipt.matter_id)


def steady_baseline(tree: CityTree, *, code: str = STREETLIGHT) -> None:
    """One matter every other day over the 28 days before DAY: 14 matters, a mean of 0.5 a day."""
    for offset in range(2, BASELINE_DAYS + 1, 2):
        file_here(tree, DAY - timedelta(days=offset), code=code, text=TEXTS[offset % len(TEXTS)])


def some_history(tree: CityTree) -> None:
    """A matter elsewhere five weeks ago, so that the rollup reaches back over the whole baseline."""
    file_next_door(DAY - timedelta(days=35), code=ENVIRONMENT)


def poisson_tail(count: int, rate: float) -> float:
    """P(X ≥ count) for X ~ Poisson(rate), summed by hand."""
    return 1 - sum(math.exp(-rate) * rate**k / math.factorial(k) for k in range(count))


def rises(day: date = DAY) -> list[RiseAlert]:
    return list(RiseAlert.objects.filter(kind=RiseKind.RISE, day=day))


def test_the_p_value_is_the_poisson_tail_and_the_floor_is_the_rule_of_three() -> None:
    assert p_value(8, 1.0) == pytest.approx(poisson_tail(8, 1.0), rel=1e-9)
    assert p_value(3, 0.25) == pytest.approx(poisson_tail(3, 0.25), rel=1e-9)
    assert expected_rate(0) == RATE_FLOOR == pytest.approx(3 / 28)
    assert expected_rate(56) == 2.0
    # The minimum count stands even against a p-value under α.
    assert not is_unusual(MIN_COUNT - 1, ALPHA / 1000)
    assert is_unusual(MIN_COUNT, ALPHA / 2)


def test_a_spike_against_a_steady_baseline_is_flagged_with_its_evidence(tree: CityTree) -> None:
    steady_baseline(tree)
    spike = [file_here(tree, DAY, text=TEXTS[i], minute=i) for i in range(6)]
    file_next_door(DAY)  # the same category in the sibling community: another cell
    file_here(tree, DAY, code=ENVIRONMENT, text="河道里漂着很多死鱼，味道难闻。")  # another category: another cell

    report = detect_rises(DAY)

    expected = poisson_tail(6, 14 / 28)  # about 1.4e-5
    [alert] = rises()
    assert (alert.community, alert.category) == (tree.community, root(STREETLIGHT))
    assert alert.count == 6
    assert alert.baseline == pytest.approx(0.5)
    assert alert.p_value is not None
    assert alert.p_value == pytest.approx(expected, rel=1e-6)
    assert alert.p_value < ALPHA
    assert sorted(alert.matters.values_list("pk", flat=True)) == sorted(m.pk for m in spike)
    assert report.history
    assert report.tested == 1  # only the spike's cell had at least three matters
    assert alert in report.created


def test_a_modest_rise_is_not_flagged(tree: CityTree) -> None:
    steady_baseline(tree)
    for i in range(3):
        file_here(tree, DAY, text=TEXTS[i], minute=i)

    report = detect_rises(DAY)

    assert poisson_tail(3, 0.5) > ALPHA  # about 0.014: three in a day happens about once in ten weeks
    assert report.tested == 1
    assert rises() == []


def test_a_cell_without_a_baseline_needs_the_minimum_count(tree: CityTree) -> None:
    some_history(tree)
    for i in range(MIN_COUNT - 1):
        file_here(tree, DAY, code=ENVIRONMENT, text=TEXTS[i], minute=i)
    detect_rises(DAY)
    assert rises() == []

    tomorrow = DAY + timedelta(days=1)
    for i in range(MIN_COUNT):
        file_here(tree, tomorrow, code=ENVIRONMENT, text=TEXTS[i], minute=i)
    detect_rises(tomorrow)

    [alert] = rises(tomorrow)
    assert alert.category == root(ENVIRONMENT)
    assert alert.baseline == pytest.approx(3 / 28)  # the floor: the cell saw nothing in four weeks
    assert alert.p_value == pytest.approx(poisson_tail(MIN_COUNT, 3 / 28), rel=1e-6)


def test_nothing_is_tested_before_the_rollup_holds_four_weeks(tree: CityTree) -> None:
    for i in range(8):
        file_here(tree, DAY, text=TEXTS[i], minute=i)

    report = detect_rises(DAY)

    assert not report.history
    assert report.tested == 0
    assert rises() == []


def _notified(alert: RiseAlert) -> list[int]:
    url = reverse("analytics:rise-detail", args=[alert.pk])
    return sorted(Notification.objects.filter(url=url).values_list("recipient_id", flat=True))


def test_running_twice_creates_nothing_twice_and_notifies_the_community_once(
    tree: CityTree, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    first = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="c1")
    second = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="c2")
    make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="next-door")
    make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")
    make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid")
    steady_baseline(tree)
    for i in range(6):
        file_here(tree, DAY, text=TEXTS[i], minute=i)

    with django_capture_on_commit_callbacks(execute=True):
        once = detect_rises(DAY, now=at(DAY + timedelta(days=1), 1, 20))
    with django_capture_on_commit_callbacks(execute=True):
        twice = detect_rises(DAY)

    [alert] = rises()
    assert once.created == [alert]
    assert twice.created == []
    assert twice.existing == once.created
    assert RiseAlert.objects.count() == len(once.created)
    assert alert.created_at == at(DAY + timedelta(days=1), 1, 20)
    assert _notified(alert) == sorted([first.pk, second.pk])
    text = Notification.objects.filter(recipient=first, url__endswith=f"/{alert.pk}/").get().text
    assert "6" in text
    assert tree.community.name in text


def test_a_community_without_staff_is_sent_to_its_street(
    tree: CityTree, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")
    make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="next-door")
    inactive = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="gone")
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    steady_baseline(tree)
    for i in range(6):
        file_here(tree, DAY, text=TEXTS[i], minute=i)

    with django_capture_on_commit_callbacks(execute=True):
        detect_rises(DAY)

    [alert] = rises()
    assert _notified(alert) == [street.pk]


def test_repeated_complaints_about_one_place_are_found_once_and_again_when_they_grow(
    tree: CityTree, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    staff = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="c1")
    repeats = [file_here(tree, DAY - timedelta(days=days), code=ENVIRONMENT, text=REPEAT) for days in (4, 2, 0)]
    file_here(tree, DAY - timedelta(days=1), text=TEXTS[1])  # another problem at the same place
    file_next_door(DAY, text=REPEAT)  # the same words in another community, far away

    with django_capture_on_commit_callbacks(execute=True):
        detect_rises(DAY)

    [alert] = RiseAlert.objects.filter(kind=RiseKind.PLACE)
    assert (alert.day, alert.community, alert.category) == (DAY, tree.community, None)
    assert alert.place_key == repeats[0].number
    assert alert.count == 3
    assert alert.p_value is None
    assert sorted(alert.matters.values_list("pk", flat=True)) == sorted(m.pk for m in repeats)
    assert _notified(alert) == [staff.pk]

    # The next day brings nothing new about the place: the group is not sent again.
    detect_rises(DAY + timedelta(days=1))
    assert RiseAlert.objects.filter(kind=RiseKind.PLACE).count() == 1

    # Three more matters about it: sent again, with the whole group as evidence.
    later = DAY + timedelta(days=2)
    more = [file_here(tree, later, code=ENVIRONMENT, text=REPEAT, minute=i) for i in range(3)]
    detect_rises(later)
    again = RiseAlert.objects.get(kind=RiseKind.PLACE, day=later)
    assert again.place_key == repeats[0].number
    assert sorted(again.matters.values_list("pk", flat=True)) == sorted(m.pk for m in [*repeats, *more])

    # When the oldest matter leaves the window the group's key changes, but all its matters were sent already.
    detect_rises(later + timedelta(days=1))
    assert RiseAlert.objects.filter(kind=RiseKind.PLACE).count() == 2


def test_two_matters_about_one_place_are_no_alert(tree: CityTree) -> None:
    for days in (3, 0):
        file_here(tree, DAY - timedelta(days=days), code=ENVIRONMENT, text=REPEAT)

    detect_rises(DAY)

    assert not RiseAlert.objects.filter(kind=RiseKind.PLACE).exists()


def test_the_task_runs_for_yesterday_and_for_a_day_given(tree: CityTree) -> None:
    steady_baseline(tree)
    for i in range(6):
        file_here(tree, DAY, text=TEXTS[i], minute=i)

    result = tasks.detect_rises.call(day=DAY.isoformat())
    assert result["day"] == DAY.isoformat()
    assert result["created"] == [alert.pk for alert in rises()]

    yesterday = timezone.localdate() - timedelta(days=1)
    assert tasks.detect_rises.call()["day"] == yesterday.isoformat()


def test_the_command_prints_what_it_found(tree: CityTree) -> None:
    steady_baseline(tree)
    for i in range(6):
        file_here(tree, DAY, text=TEXTS[i], minute=i)

    out = StringIO()
    call_command("analytics_rises", "--day", DAY.isoformat(), stdout=out)
    printed = out.getvalue()
    [alert] = rises()
    assert f"new  #{alert.pk} rise" in printed
    assert f"{tree.community.name} · {root(STREETLIGHT).name}: 6 matters" in printed
    assert "1 new alerts, 0 found before." in printed

    out = StringIO()
    call_command("analytics_rises", "--day", DAY.isoformat(), stdout=out)
    assert f"seen #{alert.pk} rise" in out.getvalue()
    assert "0 new alerts, 1 found before." in out.getvalue()

    with pytest.raises(CommandError, match="not a date"):
        call_command("analytics_rises", "--day", "30/03/2026")
