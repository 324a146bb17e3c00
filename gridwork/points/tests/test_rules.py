"""Points rules (``rules``): made and ended by the city's staff only, never overlapping another of the same basis
(the field and the other rule's dates named), never ended before a day they paid for, audited."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.audit.models import AuditEvent
from gridwork.places.tests.factories import CityTree
from gridwork.points.models import PointBasis, PointRule
from gridwork.points.rules import point_rule_create, point_rule_delete, point_rule_end
from gridwork.points.services import Source, points_earn
from gridwork.points.tests.factories import (
    city_staff,
    community_staff,
    district_staff,
    make_member,
    make_rule,
    street_staff,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HOUR = PointBasis.SERVICE_HOUR


def _day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def _create(actor: object, valid_from: datetime.date, valid_to: datetime.date | None, **kwargs: object) -> PointRule:
    options: dict[str, object] = {"basis": HOUR, "points": 10, "note": "", **kwargs}
    return point_rule_create(actor=actor, valid_from=valid_from, valid_to=valid_to, **options)  # type: ignore[arg-type]


def test_the_city_makes_a_rule_and_it_is_audited(tree: CityTree) -> None:
    city = city_staff(tree)
    rule = _create(city, TODAY, None, note="2026年标准")
    assert (rule.basis, rule.points, rule.valid_from, rule.valid_to, rule.created_by) == (HOUR, 10, TODAY, None, city)
    audit = AuditEvent.objects.get(action="point_rule.create")
    assert (audit.actor, audit.object_id, audit.detail["points"]) == (city, str(rule.pk), 10)


@pytest.mark.parametrize("make", [district_staff, street_staff, community_staff])
def test_staff_below_the_city_cannot_make_or_end_rules(tree: CityTree, make: object) -> None:
    user = make(tree)  # type: ignore[operator]
    with pytest.raises(PermissionDenied):
        _create(user, TODAY, None)
    rule = make_rule()
    with pytest.raises(PermissionDenied):
        point_rule_end(actor=user, rule=rule, valid_to=TODAY)
    assert PointRule.objects.get(pk=rule.pk).valid_to is None


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (15, None, "valid_from"),  # starts inside the other rule
        (10, 20, "valid_from"),  # exactly the same dates
        (5, 10, "valid_to"),  # runs into its first day
        (5, None, "valid_to"),  # an open rule before it runs into it
        (1, 30, "valid_to"),  # covers it entirely
        (20, 25, "valid_from"),  # starts on its last day
    ],
)
def test_a_rule_overlapping_another_of_its_basis_is_refused_naming_the_field_and_the_dates(
    tree: CityTree, start: int, end: int | None, field: str
) -> None:
    city = city_staff(tree)
    _create(city, _day(10), _day(20), points=12)
    with pytest.raises(ValidationError) as refused:
        _create(city, _day(start), _day(end) if end is not None else None)
    errors = refused.value.message_dict
    assert list(errors) == [field]
    assert f"{_day(10):%Y-%m-%d}" in errors[field][0]
    assert f"{_day(20):%Y-%m-%d}" in errors[field][0]
    assert "12" in errors[field][0]
    assert PointRule.objects.count() == 1


def test_an_open_rule_is_named_as_having_no_end(tree: CityTree) -> None:
    city = city_staff(tree)
    _create(city, _day(3), None)
    with pytest.raises(ValidationError) as refused:
        _create(city, _day(30), _day(40))
    assert "no end" in refused.value.message_dict["valid_from"][0]


def test_rules_of_other_bases_and_the_days_either_side_do_not_overlap(tree: CityTree) -> None:
    city = city_staff(tree)
    _create(city, _day(10), _day(20))
    _create(city, _day(21), None)
    _create(city, _day(1), _day(9))
    _create(city, _day(10), _day(20), basis=PointBasis.WISH)
    assert PointRule.objects.count() == 4


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"valid_from": _day(-1)}, "valid_from"),
        ({"valid_to": _day(-1)}, "valid_to"),
        ({"points": 0}, "points"),
        ({"basis": "nonsense"}, "basis"),
        ({"note": "长" * 201}, "note"),
    ],
)
def test_bad_values_are_refused_field_by_field(tree: CityTree, values: dict[str, object], field: str) -> None:
    options: dict[str, object] = {"basis": HOUR, "points": 5, "valid_from": TODAY, "valid_to": None, "note": ""}
    options.update(values)
    with pytest.raises(ValidationError) as refused:
        point_rule_create(actor=city_staff(tree), **options)  # type: ignore[arg-type]
    assert field in refused.value.message_dict


def test_a_new_rate_is_a_new_rule_after_the_old_one_ends(tree: CityTree) -> None:
    city = city_staff(tree)
    member = make_member(community=tree.community)
    old = make_rule(points=10, valid_from=_day(-100))
    with pytest.raises(ValidationError) as refused:
        _create(city, _day(1), None, points=15)
    assert "valid_from" in refused.value.message_dict
    point_rule_end(actor=city, rule=old, valid_to=TODAY)
    new = _create(city, _day(1), None, points=15)
    today = points_earn(member=member, basis=HOUR, quantity=1, source=Source("order", 1), actor=None)
    tomorrow = points_earn(member=member, basis=HOUR, quantity=1, source=Source("order", 2), actor=None, on=_day(1))
    assert (today.rule, today.points) == (old, 10)  # type: ignore[union-attr]
    assert (tomorrow.rule, tomorrow.points) == (new, 15)  # type: ignore[union-attr]
    old.refresh_from_db()
    assert (old.points, old.valid_from) == (10, _day(-100))  # the rate and start never change
    assert AuditEvent.objects.filter(action="point_rule.end", object_id=str(old.pk)).count() == 1


def test_a_rule_cannot_end_before_a_day_it_paid_for(tree: CityTree) -> None:
    city = city_staff(tree)
    member = make_member(community=tree.community)
    rule = make_rule(points=10, valid_from=_day(-10))
    points_earn(member=member, basis=HOUR, quantity=1, source=Source("order", 1), actor=None, on=_day(5))
    with pytest.raises(ValidationError) as refused:
        point_rule_end(actor=city, rule=rule, valid_to=_day(4))
    assert f"{_day(5):%Y-%m-%d}" in refused.value.message_dict["valid_to"][0]
    point_rule_end(actor=city, rule=rule, valid_to=_day(5))
    rule.refresh_from_db()
    assert rule.valid_to == _day(5)


@pytest.mark.parametrize(
    ("rule_dates", "valid_to", "why"),
    [
        ((-10, None), -2, "yesterday"),  # the past is not rewritten
        ((5, None), 4, "first day"),
        ((-10, -3), 10, "ended on"),  # an ended rule stays ended
    ],
)
def test_ends_that_would_rewrite_the_past_are_refused(
    tree: CityTree, rule_dates: tuple[int, int | None], valid_to: int, why: str
) -> None:
    start, end = rule_dates
    rule = make_rule(valid_from=_day(start), valid_to=_day(end) if end is not None else None)
    with pytest.raises(ValidationError) as refused:
        point_rule_end(actor=city_staff(tree), rule=rule, valid_to=_day(valid_to))
    assert why in refused.value.message_dict["valid_to"][0]


def test_moving_an_end_later_into_the_next_rule_is_refused(tree: CityTree) -> None:
    city = city_staff(tree)
    first = _create(city, TODAY, _day(9))
    _create(city, _day(10), None, points=20)
    with pytest.raises(ValidationError) as refused:
        point_rule_end(actor=city, rule=first, valid_to=_day(12))
    assert "valid_to" in refused.value.message_dict
    first.refresh_from_db()
    assert first.valid_to == _day(9)


def test_only_a_rule_that_paid_nothing_may_be_deleted(tree: CityTree) -> None:
    city = city_staff(tree)
    unused = _create(city, _day(30), None, points=99)
    point_rule_delete(actor=city, rule=unused)
    assert not PointRule.objects.filter(pk=unused.pk).exists()
    used = make_rule()
    points_earn(member=make_member(community=tree.community), basis=HOUR, quantity=1, source=Source("o", 1), actor=None)
    with pytest.raises(ValidationError):
        point_rule_delete(actor=city, rule=used)
    assert PointRule.objects.filter(pk=used.pk).exists()
    assert AuditEvent.objects.filter(action="point_rule.delete").count() == 1


# --- pages ----------------------------------------------------------------------------------------------------------


def _client(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the messages checked are the English ones
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_rules_page_lists_rules_to_everyone_of_the_party_and_offers_changes_to_the_city(tree: CityTree) -> None:
    rule = make_rule(points=13)
    community = _client(community_staff(tree)).get(reverse("points:rule-list"))
    city = _client(city_staff(tree)).get(reverse("points:rule-list"))
    assert community.status_code == city.status_code == 200
    assert f'data-testid="rule-{rule.pk}"' in community.content.decode()
    assert reverse("points:rule-create") not in community.content.decode()
    assert reverse("points:rule-create") in city.content.decode()
    assert reverse("points:rule-end", args=[rule.pk]) in city.content.decode()


def test_the_create_page_is_refused_below_the_city(tree: CityTree) -> None:
    client = _client(district_staff(tree))
    assert client.get(reverse("points:rule-create")).status_code == 403
    response = client.post(reverse("points:rule-create"), {"basis": HOUR, "points": 5, "valid_from": TODAY})
    assert response.status_code == 403
    assert not PointRule.objects.exists()


def test_an_overlapping_rule_posted_shows_the_field_and_saves_nothing(tree: CityTree) -> None:
    make_rule(points=10, valid_from=_day(-5))
    client = _client(city_staff(tree))
    response = client.post(
        reverse("points:rule-create"), {"basis": HOUR, "points": 15, "valid_from": f"{_day(3):%Y-%m-%d}"}
    )
    assert response.status_code == 400
    assert 'data-testid="error-valid_from"' in response.content.decode()
    assert PointRule.objects.count() == 1
    end = reverse("points:rule-end", args=[PointRule.objects.get().pk])
    assert client.get(end).status_code == 200
    assert client.get(reverse("points:rule-create")).status_code == 200
    response = client.post(end, {"valid_to": _day(2)})
    assert response.status_code == 302
    response = client.post(
        reverse("points:rule-create"), {"basis": HOUR, "points": 15, "valid_from": f"{_day(3):%Y-%m-%d}"}
    )
    assert response.status_code == 302
    assert list(PointRule.objects.order_by("valid_from").values_list("points", "valid_to")) == [
        (10, _day(2)),
        (15, None),
    ]
