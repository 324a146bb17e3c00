"""The rankings page (三率), the definitions page and the assessment settings: who sees what, bad input, audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics.measures import DEFINITIONS
from gridwork.analytics.models import AnalyticsSettings, UnitKind
from gridwork.analytics.rollup import add_counts
from gridwork.analytics.tests.factories import Town
from gridwork.audit.models import AuditEvent
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

MONTH = date(2026, 10, 1)


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _total(unit_kind: str, unit_id: int, day: date, **counts: int) -> None:
    """A unit's total row of a day, written by the rollup's own writer (the daily and the monthly rows)."""
    add_counts({(day, unit_kind, unit_id, False, 0, "", ""): counts})


def _rated_month(place: Place, day: date, *, on_time: int, resolved: int, satisfied: int) -> None:
    """Ten answers, ten closures, ten ratings of which ``satisfied`` were satisfied and the rest not."""
    _total(
        UnitKind.STREET,
        place.pk,
        day,
        received=10,
        responded=10,
        responded_on_time=on_time,
        closed=10,
        resolved=resolved,
        rated=10,
        satisfied=satisfied,
        unsatisfied=10 - satisfied,
    )


def test_the_ranking_orders_streets_by_composite_and_shows_last_months_rank(tree: CityTree) -> None:
    # October: street scores 20×1.0 + 40×0.5 + 40×0.5 = 60; street2 scores 20×0.5 + 40×1.0 + 40×1.0 = 90.
    _rated_month(tree.street, date(2026, 10, 3), on_time=10, resolved=5, satisfied=5)
    _rated_month(tree.street2, date(2026, 10, 4), on_time=5, resolved=10, satisfied=10)
    # September: the other way round.
    _rated_month(tree.street, date(2026, 9, 3), on_time=10, resolved=10, satisfied=10)
    _rated_month(tree.street2, date(2026, 9, 4), on_time=0, resolved=0, satisfied=0)
    district = client_for(make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district"))
    response = district.get(reverse("analytics:rankings"), {"unit": "street", "on": "2026-10"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row.area.code, row.rank, round(row.score, 1)) for row in rows] == [
        (tree.street2.code, 1, 90.0),
        (tree.street.code, 2, 60.0),
    ]
    assert [(row.previous_rank, row.rank_change) for row in rows] == [(2, 1), (1, -1)]


def test_a_street_outside_the_users_district_is_not_ranked_for_them(tree: CityTree) -> None:
    other = Place.objects.get(level="street", parent=tree.district2)
    _rated_month(other, date(2026, 10, 3), on_time=10, resolved=10, satisfied=10)
    district = client_for(make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district"))
    response = district.get(reverse("analytics:rankings"), {"unit": "street", "on": "2026-10"})
    assert other.code not in {row.area.code for row in response.context["rows"]}
    assert other.name not in response.content.decode()


def test_the_weights_change_the_order(tree: CityTree) -> None:
    _rated_month(tree.street, date(2026, 10, 3), on_time=10, resolved=5, satisfied=5)
    _rated_month(tree.street2, date(2026, 10, 4), on_time=5, resolved=10, satisfied=10)
    AnalyticsSettings.objects.update_or_create(
        pk=1, defaults={"response_weight": 100, "resolution_weight": 0, "satisfaction_weight": 0}
    )
    city = client_for(make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"))
    rows = city.get(reverse("analytics:rankings"), {"unit": "street", "on": "2026-10"}).context["rows"]
    assert rows[0].area.code == tree.street.code  # 100 × 1.0 against 100 × 0.5


@pytest.mark.parametrize(("params", "field"), [({"unit": "planet"}, "unit"), ({"on": "2026-13"}, "on")])
def test_bad_parameters_are_named(tree: CityTree, params: dict[str, str], field: str) -> None:
    city = client_for(make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"))
    response = city.get(reverse("analytics:rankings"), params)
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in response.content.decode()


def test_the_notice_list_names_units_at_the_threshold(tree: CityTree) -> None:
    _total(UnitKind.STREET, tree.street.pk, date(2026, 10, 5), overdue=2)
    _total(UnitKind.STREET, tree.street2.pk, date(2026, 10, 5), overdue=1)
    city = client_for(make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"))
    notices = city.get(reverse("analytics:rankings"), {"unit": "street", "on": "2026-10"}).context["notices"]
    assert [(n.area.code, n.overdue) for n in notices] == [(tree.street.code, 2)]


def test_the_definitions_page_says_how_every_measure_is_computed(tree: CityTree) -> None:
    grid = client_for(make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid"))
    body = grid.get(reverse("analytics:definitions")).content.decode()
    for definition in DEFINITIONS:
        assert str(definition.label) in body
    assert "Composite score: response 20, resolution 40, satisfaction 40." in body


def test_only_the_city_may_change_the_weights(tree: CityTree) -> None:
    street = client_for(make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"))
    assert street.get(reverse("analytics:settings")).status_code == 403
    assert street.post(reverse("analytics:settings"), {"response_weight": 100}).status_code == 403
    assert AnalyticsSettings.current().response_weight == 20


def _form(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "response_weight": 30,
        "resolution_weight": 30,
        "satisfaction_weight": 40,
        "satisfied_value": "1.00",
        "basically_value": "0.60",
        "notice_overdue": 3,
    }
    values.update(changes)
    return values


def test_weights_that_do_not_add_up_to_100_are_refused_by_field(tree: CityTree) -> None:
    city = client_for(make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"))
    response = city.post(reverse("analytics:settings"), _form(response_weight=50))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-response_weight"' in body
    assert "now 120" in body
    assert AnalyticsSettings.current().response_weight == 20


def test_basically_satisfied_cannot_be_worth_more_than_satisfied(tree: CityTree) -> None:
    city = client_for(make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"))
    response = city.post(reverse("analytics:settings"), _form(satisfied_value="0.50", basically_value="0.90"))
    assert response.status_code == 400
    assert 'data-testid="error-basically_value"' in response.content.decode()


def test_saving_the_settings_is_audited_with_before_and_after(tree: CityTree) -> None:
    city = client_for(make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"))
    response = city.post(reverse("analytics:settings"), _form())
    assert response.status_code == 302
    saved = AnalyticsSettings.current()
    assert (saved.response_weight, saved.resolution_weight, saved.basically_value) == (30, 30, Decimal("0.60"))
    event = AuditEvent.objects.get(action="analytics.settings.changed")
    assert event.detail["before"]["response_weight"] == "20"
    assert event.detail["after"]["basically_value"] == "0.60"
    assert event.at <= timezone.now()


def test_departments_are_ranked_by_what_was_dispatched_to_them(tree: CityTree) -> None:
    """A department receives no filings (they belong to places): its volume column is its dispatches."""
    _total(UnitKind.DEPARTMENT, tree.department.pk, date(2026, 10, 3), dispatched=7, responded=4, responded_on_time=3)
    city = client_for(make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"))
    response = city.get(reverse("analytics:rankings"), {"unit": "department", "on": "2026-10"})
    body = response.content.decode()
    row = body[body.index(f'data-code="dept-{tree.department.code}"') :]
    assert '<td class="text-end" data-testid="volume">7</td>' in row[: row.index("</tr>")]
    assert ">Dispatched</th>" in body


NOTICE = reverse("analytics:notice")


def test_the_notice_page_names_a_units_overdue_matters_in_its_scope(town: Town) -> None:
    tree = town.tree
    late = town.file(at="2026-12-01 08:30")
    other = town.file(at="2026-12-01 08:30", where="street2")
    town.dispatch(late, at="2026-12-01 09:00")
    town.dispatch(other, at="2026-12-01 09:00")
    assert town.sweep("2026-12-01 11:05").red == 2  # both accept deadlines
    town.accept(late, at="2026-12-01 14:00")
    assert town.sweep("2026-12-10 14:05").red == 1  # the late one's reply deadline
    city = client_for(make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"))
    rankings = city.get(reverse("analytics:rankings"), {"unit": "street", "on": "2026-12"}).content.decode()
    assert f"{NOTICE}?area={tree.street.code}&amp;on=2026-12" in rankings
    response = city.get(NOTICE, {"area": tree.street.code, "on": "2026-12"})
    assert response.status_code == 200
    assert response.context["overdue"] == 2
    assert [(m.number, m.times) for m in response.context["matters"]] == [(late.number, 2)]
    assert f'data-number="{late.number}"' in response.content.decode()
    assert other.number not in response.content.decode()
    # the month before: the unit had no deadline pass
    assert city.get(NOTICE, {"area": tree.street.code, "on": "2026-11"}).context["matters"] == []
    # street2's staff may not look at the tree's street; a grid is not ranked; no such unit
    street2 = client_for(make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2"))
    assert street2.get(NOTICE, {"area": tree.street.code, "on": "2026-12"}).status_code == 404
    assert street2.get(NOTICE, {"area": tree.street2.code, "on": "2026-12"}).context["overdue"] == 1
    assert city.get(NOTICE, {"area": tree.grid.code, "on": "2026-12"}).status_code == 404
    assert city.get(NOTICE, {"area": "nowhere", "on": "2026-12"}).status_code == 404
    assert city.get(NOTICE, {"on": "2026-12"}).status_code == 404
    bad = city.get(NOTICE, {"area": tree.street.code, "on": "2026-13"})
    assert bad.status_code == 400
    assert 'data-testid="error-on"' in bad.content.decode()
