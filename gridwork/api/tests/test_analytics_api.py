"""/api/v1/analytics/figures/ and /rankings/: the same figures as the analytics selectors on matters moved through
the real services, each caller's scope, bad parameters named, and sign-in as for every other endpoint.

November 2026 (see ``analytics/tests/factories.py`` for the calendar: a dispatch at 09:00 is due for accepting at
11:00), in the town of ``make_town``:
- the tree's street (望江街道): ``closed`` in the tree's grid, accepted on time, rated satisfied and closed;
  ``late`` in its second grid and ``late2`` in the sibling community, dispatched and never accepted: the sweep of
  11:05 finds both deadlines passed, which puts the street on the public notice (two, the default threshold);
- the sibling street (临川街道): ``led`` dispatched to the district's department, accepted on time, rated basically
  satisfied and closed.
October: the street's matter answered on time and rated satisfied, the sibling street's answered late and rated
basically satisfied — the two streets swap places in November.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics.areas import area_of_department, area_of_place
from gridwork.analytics.measures import DEFINITIONS, Weights
from gridwork.analytics.models import COUNTERS, AnalyticsSettings, UnitKind
from gridwork.analytics.periods import Period, PeriodKind
from gridwork.analytics.rollup import category_root
from gridwork.analytics.selectors import (
    area_figures,
    children_figures,
    notice_evidence,
    notice_list,
    ranking,
    trend,
)
from gridwork.analytics.tests.factories import Town, make_town, month
from gridwork.api.serializers.analytics import FiguresSerializer
from gridwork.api.tests.conftest import ClientFor
from gridwork.api.tests.test_schema import Conformance
from gridwork.matters.models import Matter
from gridwork.matters.workflow import Satisfaction
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

FIGURES = "/api/v1/analytics/figures/"
RANKINGS = "/api/v1/analytics/rankings/"
NOVEMBER = month("2026-11")
OCTOBER = month("2026-10")
IN_NOVEMBER = {"period": "month", "on": "2026-11"}


@pytest.fixture(autouse=True)
def _fresh_category_roots() -> Iterator[None]:
    """Category ids come and go with each test's transaction: no cached first-level category survives a test."""
    category_root.cache_clear()
    yield
    category_root.cache_clear()


@dataclass
class November:
    town: Town
    closed: Matter
    late: Matter
    late2: Matter
    led: Matter


@pytest.fixture
def november(tree: CityTree) -> November:
    town = make_town(tree)
    # October, for last month's ranks.
    before = town.accepted(filed="2026-10-20 08:30", dispatched="2026-10-20 09:00", accepted="2026-10-20 09:30")
    town.rated_and_closed(
        before,
        replied="2026-10-21 10:00",
        rating=Satisfaction.SATISFIED,
        rated="2026-10-21 14:00",
        closed="2026-10-21 15:00",
    )
    before2 = town.accepted(
        filed="2026-10-20 08:30", dispatched="2026-10-20 09:00", accepted="2026-10-20 14:10", where="street2"
    )
    town.rated_and_closed(
        before2,
        replied="2026-10-21 10:00",
        rating=Satisfaction.BASICALLY,
        rated="2026-10-21 14:00",
        closed="2026-10-21 15:00",
    )
    # November.
    closed = town.accepted(filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted="2026-11-02 09:30")
    town.rated_and_closed(
        closed,
        replied="2026-11-03 10:00",
        rating=Satisfaction.SATISFIED,
        rated="2026-11-03 14:00",
        closed="2026-11-03 15:00",
    )
    late = town.file(at="2026-11-02 08:30", where="grid2")
    town.dispatch(late, at="2026-11-02 09:00")
    late2 = town.file(at="2026-11-02 08:40", where="community2")
    town.dispatch(late2, at="2026-11-02 09:00")
    assert town.sweep("2026-11-02 11:05").red == 2
    led = town.accepted(
        filed="2026-11-04 08:30",
        dispatched="2026-11-04 09:00",
        accepted="2026-11-04 09:30",
        where="street2",
        to=tree.department,
    )
    town.rated_and_closed(
        led,
        replied="2026-11-05 10:00",
        rating=Satisfaction.BASICALLY,
        rated="2026-11-05 14:00",
        closed="2026-11-05 15:00",
    )
    return November(town=town, closed=closed, late=late, late2=late2, led=led)


def _staff(role: str, place: Any, username: str) -> User:
    return make_staff(role=role, place=place, username=username)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content.decode()[:500]
    assert response["Content-Type"] == "application/json"
    return dict(response.json())


def _refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()[:500]
    assert response["Content-Type"] == "application/json"
    body = dict(response.json())
    assert set(body) == {"code", "message", "errors"}
    if field is not None:
        assert set(body["errors"]) == {field}
        assert body["errors"][field][0]
    return body


# --- the figures ------------------------------------------------------------------------------------------


def test_the_figures_are_the_selectors_figures_of_the_unit_its_children_and_its_trend(
    november: November, client_for: ClientFor
) -> None:
    tree = november.town.tree
    district = _staff(Role.DISTRICT_STAFF, tree.district, "district")
    body = _ok(client_for(district).get(FIGURES, {"area": tree.street.code, **IN_NOVEMBER}))

    street = area_of_place(tree.street)
    weights = Weights.current()
    assert body["area"] == {"code": tree.street.code, "name": tree.street.name, "kind": "street"}
    assert body["period"] == {"kind": "month", "start": "2026-11-01", "end": "2026-11-30", "label": "2026-11"}
    assert body["figures"] == area_figures(street, NOVEMBER, weights).as_dict()
    assert [(child["area"]["code"], child["figures"]) for child in body["children"]] == [
        (child.code, found.as_dict()) for child, found in children_figures(street, NOVEMBER, weights)
    ]
    assert [(bucket["period"]["start"], bucket["figures"]) for bucket in body["trend"]] == [
        (bucket.start.isoformat(), found.as_dict()) for bucket, found in trend(street, NOVEMBER, weights)
    ]
    assert len(body["trend"]) == 30
    assert body["trend"][1]["period"] == {
        "kind": "day",
        "start": "2026-11-02",
        "end": "2026-11-02",
        "label": "2026-11-02",
    }
    # By hand, from the scenario: three filed; one answer on time and two deadlines passed unanswered; one closure,
    # resolved, on time, rated satisfied; composite 20 × 1/3 + 40 × 1 + 40 × 1 = 86.67.
    figures = body["figures"]
    assert (figures["received"], figures["dispatched"], figures["overdue"], figures["closed"]) == (3, 3, 2, 1)
    assert figures["response_rate"] == pytest.approx(1 / 3)
    assert (figures["resolution_rate"], figures["satisfaction_rate"], figures["on_time_rate"]) == (1.0, 1.0, 1.0)
    assert figures["reopen_rate"] == 0.0
    assert figures["composite"] == pytest.approx(20 / 3 + 80)
    assert body["trend"][1]["figures"]["received"] == 3
    # The communities of the street: the tree's (closed, late) and its sibling (late2).
    by_code = {child["area"]["code"]: child["figures"] for child in body["children"]}
    assert (by_code[tree.community.code]["received"], by_code[tree.community2.code]["received"]) == (2, 1)
    assert by_code[tree.community2.code]["response_rate"] == 0.0


def test_the_answer_carries_every_counter_and_measure_the_weights_and_the_definitions(
    november: November, client_for: ClientFor
) -> None:
    tree = november.town.tree
    AnalyticsSettings.objects.update_or_create(pk=1, defaults={"response_weight": 50, "resolution_weight": 50})
    city = _staff(Role.CITY_STAFF, tree.city, "city")
    client = client_for(city)
    with translation.override("zh-hans"):
        body = _ok(client.get(FIGURES, IN_NOVEMBER, HTTP_ACCEPT_LANGUAGE="zh-hans"))
        expected = [{"key": d.key, "label": str(d.label), "how": str(d.how), "rate": d.percent} for d in DEFINITIONS]
    assert body["definitions"] == expected
    assert body["definitions"][2]["label"] != "Response rate"  # in the request's language
    every = set(COUNTERS) | {definition.key for definition in DEFINITIONS}
    assert set(body["figures"]) == every == set(FiguresSerializer().fields)
    assert body["weights"] == {
        "response": 50,
        "resolution": 50,
        "satisfaction": 40,
        "satisfied_value": 1.0,
        "basically_value": 0.8,
    }
    # The city (its first unit: no area asked for): the weights in force make the composite.
    assert body["area"] == {"code": tree.city.code, "name": tree.city.name, "kind": "city"}
    city_figures = area_figures(area_of_place(tree.city), NOVEMBER, Weights.current())
    assert body["figures"]["composite"] == city_figures.composite
    assert body["figures"]["received"] == 4
    assert [child["area"]["code"] for child in body["children"]] == [tree.district.code, tree.district2.code]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"period": "day", "on": "2026-11-02"}, ("day", "2026-11-02", "2026-11-02", 1)),
        ({"period": "week", "on": "2026-11-04"}, ("week", "2026-11-02", "2026-11-08", 7)),
        ({"period": "quarter", "on": "2026-11"}, ("quarter", "2026-10-01", "2026-12-31", 14)),
        ({"period": "year", "on": "2026-11-30"}, ("year", "2026-01-01", "2026-12-31", 12)),
    ],
)
def test_every_period_kind(
    november: November, client_for: ClientFor, query: dict[str, str], expected: tuple[str, str, str, int]
) -> None:
    """The period containing ``on``, and its buckets: days of a day or week, weeks of a quarter, months of a year."""
    kind, start, end, buckets = expected
    tree = november.town.tree
    street = _staff(Role.STREET_STAFF, tree.street, "street")
    body = _ok(client_for(street).get(FIGURES, query))
    assert (body["period"]["kind"], body["period"]["start"], body["period"]["end"]) == (kind, start, end)
    assert len(body["trend"]) == buckets
    period = Period(kind, date.fromisoformat(start), date.fromisoformat(end))
    assert body["figures"] == area_figures(area_of_place(tree.street), period, Weights.current()).as_dict()
    assert body["area"]["code"] == tree.street.code  # the street's staff: their street by default


def test_without_a_period_it_is_this_month(november: November, client_for: ClientFor) -> None:
    street = _staff(Role.STREET_STAFF, november.town.tree.street, "street")
    body = _ok(client_for(street).get(FIGURES, {"area": "", "period": "", "on": ""}))
    current = Period.current(PeriodKind.MONTH)
    assert (body["period"]["kind"], body["period"]["start"]) == ("month", current.start.isoformat())


def test_a_department_and_a_grid_have_no_children(november: November, client_for: ClientFor) -> None:
    tree = november.town.tree
    city = client_for(_staff(Role.CITY_STAFF, tree.city, "city"))
    body = _ok(city.get(FIGURES, {"area": f"dept-{tree.department.code}", **IN_NOVEMBER}))
    assert body["area"] == {"code": f"dept-{tree.department.code}", "name": tree.department.name, "kind": "department"}
    assert body["children"] == []
    expected = area_figures(area_of_department(tree.department), NOVEMBER, Weights.current())
    assert body["figures"] == expected.as_dict()
    assert (body["figures"]["received"], body["figures"]["closed"], body["figures"]["satisfaction_rate"]) == (0, 1, 0.8)
    grid = _ok(city.get(FIGURES, {"area": tree.grid.code, **IN_NOVEMBER}))
    assert (grid["area"]["kind"], grid["children"], grid["figures"]["received"]) == ("grid", [], 1)


# --- scope -----------------------------------------------------------------------------------------------


def test_a_unit_outside_the_callers_areas_is_not_found(november: November, client_for: ClientFor) -> None:
    tree = november.town.tree
    street = client_for(_staff(Role.STREET_STAFF, tree.street, "street"))
    assert _ok(street.get(FIGURES, {"area": tree.community2.code}))["area"]["code"] == tree.community2.code
    for code in (
        tree.street2.code,  # the sibling street
        tree.district.code,  # the parent
        tree.city.code,
        "520199999999",  # no such place
        tree.microgrid.code,  # a place below the grid: not analysed
        f"dept-{tree.department.code}",  # a department at the district, not under the street
        "dept-nothing",
    ):
        body = _refused(street.get(FIGURES, {"area": code}), 404)
        assert (body["code"], body["errors"]) == ("not_found", {})


def test_a_department_handler_sees_their_department_and_no_place(november: November, client_for: ClientFor) -> None:
    tree = november.town.tree
    handler = client_for(november.town.department_handler(tree.department))
    body = _ok(handler.get(FIGURES, IN_NOVEMBER))
    assert body["area"]["code"] == f"dept-{tree.department.code}"
    assert body["figures"]["closed"] == 1
    for code in (tree.street2.code, tree.street.code, tree.district.code, f"dept-{november.town.department2.code}"):
        _refused(handler.get(FIGURES, {"area": code}), 404)
    # Ranked, their department alone; no street.
    departments = _ok(handler.get(RANKINGS, {"unit": "department", "on": "2026-11"}))
    assert [row["unit"]["code"] for row in departments["rows"]] == [f"dept-{tree.department.code}"]
    assert _ok(handler.get(RANKINGS, {"unit": "street", "on": "2026-11"}))["rows"] == []


# --- bad parameters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "fortnight"}, "period"),
        ({"period": "month", "on": "2026-13"}, "on"),
        ({"on": "yesterday"}, "on"),
        ({"on": "1999-12-31"}, "on"),
        ({"on": "2026-11-31"}, "on"),
        ({"on": "x" * 33}, "on"),
        ({"area": "5" * 65}, "area"),
        ({"area": "5201\x00"}, "area"),
    ],
)
def test_bad_figures_parameters_are_400_naming_them(
    tree: CityTree, client_for: ClientFor, query: dict[str, str], field: str
) -> None:
    city = client_for(_staff(Role.CITY_STAFF, tree.city, "city"))
    assert _refused(city.get(FIGURES, query), 400, field)["code"] == "invalid"


@pytest.mark.parametrize(
    ("query", "field"),
    [({"unit": "grid"}, "unit"), ({"unit": "planet"}, "unit"), ({"on": "2026-13"}, "on"), ({"on": "\x00"}, "on")],
)
def test_bad_rankings_parameters_are_400_naming_them(
    tree: CityTree, client_for: ClientFor, query: dict[str, str], field: str
) -> None:
    city = client_for(_staff(Role.CITY_STAFF, tree.city, "city"))
    _refused(city.get(RANKINGS, query), 400, field)


def test_a_bad_unit_says_which_units_are_ranked(tree: CityTree, client_for: ClientFor) -> None:
    city = client_for(_staff(Role.CITY_STAFF, tree.city, "city"))
    body = _refused(city.get(RANKINGS, {"unit": "grid"}, HTTP_ACCEPT_LANGUAGE="en"), 400, "unit")
    assert body["errors"]["unit"] == ["Choose streets, communities or departments."]


# --- rankings -----------------------------------------------------------------------------------------------


def test_the_rankings_are_the_selectors_league_table_and_notice(november: November, client_for: ClientFor) -> None:
    tree = november.town.tree
    district = _staff(Role.DISTRICT_STAFF, tree.district, "district")
    body = _ok(client_for(district).get(RANKINGS, {"unit": "street", "on": "2026-11"}))
    weights = Weights.current()
    rows = ranking(district, UnitKind.STREET, NOVEMBER, weights)
    assert body["unit_kind"] == "street"
    assert body["period"]["label"] == "2026-11"
    assert body["previous_period"] == {"kind": "month", "start": "2026-10-01", "end": "2026-10-31", "label": "2026-10"}
    assert [
        (row["unit"]["code"], row["rank"], row["score"], row["previous_rank"], row["rank_change"], row["figures"])
        for row in body["rows"]
    ] == [
        (row.area.code, row.rank, row.score, row.previous_rank, row.rank_change, row.figures.as_dict()) for row in rows
    ]
    # By hand: November, the sibling street 20 + 40 + 40 × 0.8 = 92 over the street's 86.67; October, the street
    # 100 over the sibling's 0 + 40 + 32 = 72 (its only answer late).
    assert [(row["unit"]["code"], row["rank"], row["previous_rank"], row["rank_change"]) for row in body["rows"]] == [
        (tree.street2.code, 1, 2, 1),
        (tree.street.code, 2, 1, -1),
    ]
    assert body["rows"][0]["score"] == pytest.approx(92)
    assert body["rows"][0]["previous_score"] == pytest.approx(72)
    assert body["rows"][0]["score_change"] == pytest.approx(20)
    # The notice: the street let two deadlines pass, one on each of two matters.
    notices = notice_list(district, UnitKind.STREET, NOVEMBER)
    evidence = notice_evidence(UnitKind.STREET, [notice.area.unit_id for notice in notices], NOVEMBER)
    assert body["notice_overdue"] == 2
    assert body["notices"] == [
        {
            "unit": {"code": notice.area.code, "name": notice.area.name, "kind": "street"},
            "overdue": notice.overdue,
            "matters": [{"number": m.number, "overdue": m.times} for m in evidence[notice.area.unit_id]],
        }
        for notice in notices
    ]
    assert [(notice["unit"]["code"], notice["overdue"]) for notice in body["notices"]] == [(tree.street.code, 2)]
    assert sorted(matter["number"] for matter in body["notices"][0]["matters"]) == sorted(
        [november.late.number, november.late2.number]
    )
    # October's table: the month before has no previous ranks.
    october = _ok(client_for(district).get(RANKINGS, {"on": "2026-10-15"}))
    assert [(row["unit"]["code"], row["rank"], row["previous_rank"]) for row in october["rows"]] == [
        (tree.street.code, 1, None),
        (tree.street2.code, 2, None),
    ]
    assert october["notices"] == []


def test_the_rankings_hold_only_units_under_the_callers_areas(november: November, client_for: ClientFor) -> None:
    tree = november.town.tree
    street = client_for(_staff(Role.STREET_STAFF, tree.street, "street"))
    streets = _ok(street.get(RANKINGS, {"unit": "street", "on": "2026-11"}))
    assert [row["unit"]["code"] for row in streets["rows"]] == [tree.street.code]
    communities = _ok(street.get(RANKINGS, {"unit": "community", "on": "2026-11"}))
    codes = {row["unit"]["code"] for row in communities["rows"]}
    assert {tree.community.code, tree.community2.code} <= codes
    assert all(code.startswith(tree.street.code[:9]) for code in codes)
    assert _ok(street.get(RANKINGS, {"unit": "department", "on": "2026-11"}))["rows"] == []
    city = client_for(_staff(Role.CITY_STAFF, tree.city, "city"))
    departments = _ok(city.get(RANKINGS, {"unit": "department", "on": "2026-11"}))
    assert f"dept-{tree.department.code}" in [row["unit"]["code"] for row in departments["rows"]]


def test_the_answers_match_the_schema_notice_and_all(november: November, client_for: ClientFor) -> None:
    """The schema's own check (``test_schema.Conformance``) on answers with children, a trend and a public notice."""
    tree = november.town.tree
    conformance = Conformance(yaml.safe_load(Client().get("/api/schema/").content))
    city = client_for(_staff(Role.CITY_STAFF, tree.city, "city"))
    conformance.check(city.get(FIGURES, {"area": tree.district.code, **IN_NOVEMBER}), "GET", FIGURES, 200)
    answer = conformance.check(city.get(RANKINGS, {"on": "2026-11"}), "GET", RANKINGS, 200)
    assert answer["notices"]
    # Every answer out of the figures, with the rates of a unit with nothing to count left null.
    empty = conformance.check(city.get(FIGURES, {"area": tree.street2.code, "on": "2026-09"}), "GET", FIGURES, 200)
    assert (empty["figures"]["response_rate"], empty["figures"]["composite"]) == (None, None)


# --- sign-in ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [FIGURES, RANKINGS])
def test_sign_in_as_for_every_endpoint(tree: CityTree, client_for: ClientFor, path: str) -> None:
    body = _refused(APIClient().get(path), 401)
    assert body["code"] == "not_authenticated"
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token gw_deadbeef_not-a-key-that-was-ever-issued")
    assert _refused(wrong.get(path), 401)["code"] == "authentication_failed"
    # A token works; an account that may not see matters is refused.
    _ok(client_for(_staff(Role.GRID_WORKER, tree.grid, "grid")).get(path))
    administrator = client_for(_staff(Role.SYSTEM_ADMIN, tree.city, "administrator"))
    assert _refused(administrator.get(path), 403)["code"] == "permission_denied"


def test_the_urls_are_the_ones_documented() -> None:
    assert (reverse("api:analytics-figures"), reverse("api:analytics-rankings")) == (FIGURES, RANKINGS)
