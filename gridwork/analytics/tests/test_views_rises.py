"""The hot-spot alert pages: who may open them, whose alerts they list, and the evidence they show."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics.models import RiseAlert, RiseKind
from gridwork.analytics.rises import BASELINE_DAYS, PLACE_DAYS, detect_rises, rise_alert_list
from gridwork.analytics.tests.test_rises import DAY, TEXTS, file_here, file_next_door, steady_baseline
from gridwork.matters.models import Category, Matter
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

ZONE = ZoneInfo(settings.TIME_ZONE)
FOUND_AT = datetime(2026, 3, 31, 1, 20, tzinfo=ZONE)
PHONE = "13800138000"


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def an_alert(
    community: Place, *, day: date = DAY, kind: str = RiseKind.RISE, matters: Sequence[Matter] = ()
) -> RiseAlert:
    alert = RiseAlert.objects.create(
        kind=kind,
        day=day,
        community=community,
        category=Category.objects.get(code="G1") if kind == RiseKind.RISE else None,
        place_key="" if kind == RiseKind.RISE else (matters[0].number if matters else "M0"),
        count=len(matters) or 5,
        baseline=0.5 if kind == RiseKind.RISE else 0,
        p_value=1.7e-4 if kind == RiseKind.RISE else None,
        created_at=FOUND_AT,
    )
    alert.matters.set(matters)
    return alert


def listed(response: Any) -> set[int]:
    """The alerts a list page shows."""
    return {int(pk) for pk in re.findall(r'data-testid="rise-row"[^>]*data-pk="(\d+)"', response.content.decode())}


@pytest.fixture
def alerts(tree: CityTree) -> dict[str, RiseAlert]:
    return {"own": an_alert(tree.community), "sibling": an_alert(tree.community2)}


def test_anonymous_is_sent_to_sign_in_and_staff_without_matters_are_refused(
    tree: CityTree, alerts: dict[str, RiseAlert]
) -> None:
    for url in (reverse("analytics:rises"), reverse("analytics:rise-detail", args=[alerts["own"].pk])):
        assert Client().get(url).status_code == 302
        admin = make_staff(role=Role.AUDIT_ADMIN, place=tree.city, username=f"audit{len(url)}")
        assert client_of(admin).get(url).status_code == 403


def test_community_staff_see_their_own_community_only(tree: CityTree, alerts: dict[str, RiseAlert]) -> None:
    client = client_of(make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="c1"))

    response = client.get(reverse("analytics:rises"), {"since": "2026-03-01", "until": "2026-03-31"})

    assert response.status_code == 200
    assert listed(response) == {alerts["own"].pk}
    assert client.get(reverse("analytics:rise-detail", args=[alerts["own"].pk])).status_code == 200
    assert client.get(reverse("analytics:rise-detail", args=[alerts["sibling"].pk])).status_code == 404
    assert client.get(reverse("analytics:rise-detail", args=[999_999])).status_code == 404


def test_the_street_sees_its_communities_and_the_next_street_and_a_department_nothing(
    tree: CityTree, alerts: dict[str, RiseAlert]
) -> None:
    period = {"since": "2026-03-01", "until": "2026-03-31"}
    street = client_of(make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"))
    assert listed(street.get(reverse("analytics:rises"), period)) == {alerts["own"].pk, alerts["sibling"].pk}

    other_street = client_of(make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2"))
    assert listed(other_street.get(reverse("analytics:rises"), period)) == set()
    assert other_street.get(reverse("analytics:rise-detail", args=[alerts["own"].pk])).status_code == 404

    # A department handler sees the matters sent to the department, not a community's figures.
    handler = client_of(
        make_staff(role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department, username="dept")
    )
    assert listed(handler.get(reverse("analytics:rises"), period)) == set()
    assert handler.get(reverse("analytics:rise-detail", args=[alerts["own"].pk])).status_code == 404


def test_the_list_filters_by_period_area_and_kind_newest_first(tree: CityTree) -> None:
    older = an_alert(tree.community, day=DAY - timedelta(days=3))
    newer = an_alert(tree.community)
    matter = file_here(tree, DAY, text=TEXTS[0])
    place = an_alert(tree.community2, kind=RiseKind.PLACE, matters=[matter])
    client = client_of(make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"))
    url = reverse("analytics:rises")
    month = {"since": "2026-03-01", "until": "2026-03-31"}

    page = client.get(url, month).content.decode()
    assert page.index(f'data-pk="{newer.pk}"') < page.index(f'data-pk="{older.pk}"')
    assert listed(client.get(url, {"since": "2026-03-29", "until": "2026-03-31"})) == {newer.pk, place.pk}
    assert listed(client.get(url, {**month, "kind": RiseKind.PLACE})) == {place.pk}
    assert listed(client.get(url, {**month, "area": tree.community.code})) == {older.pk, newer.pk}
    street = User.objects.get(username="street")
    assert set(rise_alert_list(user=street, area=tree.grid).values_list("pk", flat=True)) == {older.pk, newer.pk}
    assert TEXTS[0][:10] in page  # the place alert is named by its first matter's title

    refused = client.get(url, {**month, "area": tree.street2.code})
    assert refused.status_code == 200
    assert listed(refused) == set()
    assert 'data-testid="form-errors"' in refused.content.decode()
    backwards = client.get(url, {"since": "2026-03-31", "until": "2026-03-01"})
    assert 'data-testid="form-errors"' in backwards.content.decode()


def test_the_list_by_default_shows_the_last_thirty_days_and_says_how_it_is_computed(tree: CityTree) -> None:
    today = timezone.localdate()
    recent = an_alert(tree.community, day=today - timedelta(days=1))
    an_alert(tree.community, day=today - timedelta(days=45))
    client = client_of(make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="c1"))

    response = client.get(reverse("analytics:rises"), HTTP_ACCEPT_LANGUAGE="en")

    assert listed(response) == {recent.pk}
    page = response.content.decode()
    assert 'data-testid="method"' in page
    assert "Poisson" in page
    assert "1.7e-04" in page


def test_the_detail_shows_the_counts_of_the_baseline_and_the_matters(tree: CityTree) -> None:
    steady_baseline(tree)
    spike = [file_here(tree, DAY, text=TEXTS[i], minute=i) for i in range(6)]
    Matter.objects.filter(pk=spike[0].pk).update(reporter_phone=PHONE, reporter_name="王小明")
    detect_rises(DAY)
    alert = RiseAlert.objects.get(kind=RiseKind.RISE)
    client = client_of(make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="c1"))

    response = client.get(reverse("analytics:rise-detail", args=[alert.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    days = response.context["evidence"].days
    assert len(days) == BASELINE_DAYS + 1
    assert days[-1] == (DAY, 6)
    assert days[0] == (DAY - timedelta(days=BASELINE_DAYS), 1)
    assert response.context["evidence"].baseline_total == 14
    assert page.count('data-testid="day-row"') == BASELINE_DAYS + 1
    for matter in spike:
        assert reverse("matters:detail", args=[matter.number]) in page
    assert PHONE not in page
    assert "王小明" not in page
    assert "js/analytics_rise.js" in page
    assert 'id="rise-chart-data"' in page


def test_a_place_alert_shows_its_days_and_hides_matters_outside_the_area(tree: CityTree) -> None:
    own = file_here(tree, DAY - timedelta(days=2), text=TEXTS[0])
    next_door = file_next_door(DAY, text=TEXTS[0])
    alert = an_alert(tree.community, kind=RiseKind.PLACE, matters=[own, next_door])
    client = client_of(make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="c1"))

    response = client.get(reverse("analytics:rise-detail", args=[alert.pk]), HTTP_ACCEPT_LANGUAGE="en")

    evidence = response.context["evidence"]
    assert len(evidence.days) == PLACE_DAYS
    assert dict(evidence.days)[DAY - timedelta(days=2)] == 1
    assert evidence.matters == [own]
    assert evidence.hidden == 1
    assert response.context["problem"] == own.title
    page = response.content.decode()
    assert next_door.number not in page
    assert 'data-testid="hidden"' in page
    assert response.context["chart"]["expected"] is None
