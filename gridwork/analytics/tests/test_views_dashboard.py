"""The dashboard, its JSON and the big screen, as the right and the wrong users, on a month of matters moved through
the real services (``matter_file``, ``matter_transition``, the deadline sweep) with their own times.

March 2026 in the tree's community (春晖社区), led by the district's department:
- A, filed on the web in grid 1 on 2 March: dispatched, accepted on time, replied, rated satisfied, closed on 4 March;
- B, filed at the hotline in grid 1 on 5 March (with the caller's name and phone): dispatched, never accepted; the
  sweep of 20 March finds the accept deadline passed (overdue, and a late answer);
- C, filed on the web in grid 2 on 6 March: waiting for dispatch.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.analytics.areas import area_of_place
from gridwork.analytics.measures import DEFINITIONS
from gridwork.analytics.periods import Period
from gridwork.analytics.selectors import area_figures
from gridwork.analytics.views.dashboard import HEADLINE, display
from gridwork.matters.models import Matter
from gridwork.matters.services import matter_file, matter_transition
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.matters.workflow import Action, MatterState, Satisfaction
from gridwork.places.tests.factories import CityTree
from gridwork.supervision.sweep import run_sweep

pytestmark = pytest.mark.django_db

CHINA = ZoneInfo("Asia/Shanghai")
MARCH = {"period": "month", "on": "2026-03-01"}
CALLER_NAME = "赵丽华"
CALLER_PHONE = "13800001111"
# Inside the tree's grids (0.01° squares with their south-west corners at these points).
IN_GRID = (26.605, 106.705)
IN_GRID2 = (26.605, 106.715)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=CHINA)


@dataclass
class March:
    tree: CityTree
    staff: LoopStaff
    closed: Matter
    overdue: Matter
    waiting: Matter


def _move(actor: User, matter_id: int, action: str, when: datetime, data: dict[str, Any] | None = None) -> None:
    matter_transition(actor=actor, matter_id=matter_id, action=action, data=data or {}, now=when)


def _file(point: tuple[float, float], when: datetime, **options: Any) -> int:
    options.setdefault("channel", "resident_web")
    return matter_file(
        text=options.pop("text", "春晖路1号楼下的路灯坏了一个星期，晚上出行很不安全，请尽快维修。"),
        latitude=point[0],
        longitude=point[1],
        now=when,
        **options,
    ).matter_id


def build_march(tree: CityTree, staff: LoopStaff) -> March:
    to_department = {"kind": "professional", "lead_department_id": tree.department.pk}
    closed = _file(IN_GRID, at(2), actor=None)
    _move(staff.dispatcher, closed, Action.DISPATCH, at(2, 11), to_department)
    _move(staff.department, closed, Action.ACCEPT, at(2, 12))
    _move(staff.department, closed, Action.REPLY, at(3), {"text": "已更换灯具"})
    _move(staff.operator, closed, Action.RATE, at(4, 9), {"satisfaction": Satisfaction.SATISFIED})
    _move(staff.dispatcher, closed, Action.VERIFY_CLOSE, at(4))
    overdue = _file(
        IN_GRID,
        at(5),
        actor=staff.operator,
        channel="hotline",
        reporter_name=CALLER_NAME,
        reporter_phone=CALLER_PHONE,
        text="小区东门垃圾桶满了好几天没人清理，气味很大，请尽快处理。",
    )
    _move(staff.dispatcher, overdue, Action.DISPATCH, at(5, 11), to_department)
    run_sweep(now=at(20))
    waiting = _file(IN_GRID2, at(6), actor=None, text="第二网格小区里有一棵大树的树枝快断了，下面经常有人走过。")
    matters = Matter.objects.in_bulk([closed, overdue, waiting])
    return March(tree, staff, matters[closed], matters[overdue], matters[waiting])


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


@pytest.fixture
def march(tree: CityTree, staff: LoopStaff) -> March:
    return build_march(tree, staff)


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def by_testid(html: str, testid: str) -> str:
    """The text of the element with ``data-testid`` (the first one), stripped."""
    found = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>([^<]*)<', html)
    assert found is not None, f"no element with data-testid={testid}"
    return found.group(1).strip()


def embedded(html: str, element_id: str) -> dict[str, Any]:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_the_scenario_is_what_the_services_made(march: March) -> None:
    assert march.closed.state == MatterState.CLOSED
    assert march.overdue.state == MatterState.DISPATCHED
    assert march.overdue.overdue_count == 1
    assert march.waiting.state == MatterState.SUBMITTED
    assert (march.closed.grid_id, march.overdue.grid_id, march.waiting.grid_id) == (
        march.tree.grid.pk,
        march.tree.grid.pk,
        march.tree.grid2.pk,
    )


def test_the_dashboard_shows_the_months_figures(march: March) -> None:
    page = client_for(march.staff.dispatcher).get(
        reverse("analytics:dashboard"), {"area": march.tree.community.code, **MARCH}
    )
    assert page.status_code == 200
    html = page.content.decode()
    shown = {key: by_testid(html, f"value-{key}") for key in HEADLINE}
    assert shown["received"] == "3"
    assert shown["dispatched"] == "2"
    # A answered on time; B's deadline passed unanswered, a late answer: 1 of 2.
    assert shown["response_rate"] == "50.0%"
    assert shown["resolution_rate"] == "100.0%"
    assert shown["satisfaction_rate"] == "100.0%"
    assert shown["on_time_rate"] == "100.0%"
    assert shown["reopen_rate"] == "0.0%"
    assert shown["overdue"] == "1"
    assert shown["returned"] == "0"
    assert shown["average_days"] == "2.0"  # filed 2 March 10:00, closed 4 March 10:00
    # And every card is the selector's figure, the way the pages write it.
    figures = area_figures(area_of_place(march.tree.community), Period.containing("month", at(1).date()))
    assert shown == {key: display(key, figures.value(key)) for key in HEADLINE}
    assert by_testid(html, "period-text").startswith("2026-03")


def test_the_dashboard_tables_give_the_charts_figures(march: March) -> None:
    html = (
        client_for(march.staff.dispatcher)
        .get(reverse("analytics:dashboard"), {"area": march.tree.community.code, **MARCH})
        .content.decode()
    )
    assert by_testid(html, "channel-total-resident_web") == "2"
    assert by_testid(html, "channel-total-hotline") == "1"
    payload = embedded(html, "analytics-data")
    assert [c["key"] for c in payload["channels"]] == ["resident_web", "hotline"]
    assert sum(payload["trend"]["received"]) == 3
    assert sum(payload["trend"]["overdue"]) == 1
    assert payload["buckets"][0] == "2026-03-01"
    assert len(payload["buckets"]) == 31
    assert sum(row["value"] for row in payload["kinds"]) == 3
    # Rates by unit: the community's two grids, with their own figures, each a link to its dashboard.
    children = {child["code"]: child for child in payload["children"]}
    assert set(children) == {march.tree.grid.code, march.tree.grid2.code}
    assert children[march.tree.grid.code]["received"] == 2
    assert children[march.tree.grid.code]["overdue"] == 1
    assert children[march.tree.grid.code]["response_rate"] == 50.0
    assert children[march.tree.grid2.code]["received"] == 1
    assert children[march.tree.grid2.code]["response_rate"] is None
    assert children[march.tree.grid2.code]["display"]["response_rate"] == "—"
    assert html.count('data-testid="child-row"') == 2
    drill = children[march.tree.grid.code]["url"]
    assert f"area={march.tree.grid.code}" in drill
    assert "period=month" in drill
    assert "on=2026-03-01" in drill
    assert f'href="{drill.replace("&", "&amp;")}" data-testid="child-link"' in html


def test_drilling_down_to_a_grid_shows_its_figures_and_the_way_back(march: March) -> None:
    client = client_for(march.staff.community)
    page = client.get(reverse("analytics:dashboard"), {"area": march.tree.grid.code, **MARCH})
    assert page.status_code == 200
    html = page.content.decode()
    assert by_testid(html, "value-received") == "2"
    assert 'data-testid="child-row"' not in html  # a grid has no units below it
    crumbs = page.context["breadcrumbs"]
    assert [c["label"] for c in crumbs][1:] == [
        march.tree.city.name,
        march.tree.district.name,
        march.tree.street.name,
        march.tree.community.name,
        march.tree.grid.name,
    ]
    # The community staff may open their community, not the street, district or city above it.
    linked = [c["label"] for c in crumbs if c["url"]]
    assert linked == ["Analysis", march.tree.community.name]


def test_the_dashboard_links_carry_the_selection(march: March) -> None:
    html = (
        client_for(march.staff.dispatcher)
        .get(reverse("analytics:dashboard"), {"area": march.tree.community.code, **MARCH})
        .content.decode()
    )
    query = f"area={march.tree.community.code}&amp;period=month&amp;on=2026-03-01"
    for name, testid in (
        ("analytics:map", "link-map"),
        ("analytics:screen", "link-screen"),
        ("analytics:rankings", "link-rankings"),
        ("analytics:export-measures", "link-export"),
    ):
        assert f'href="{reverse(name)}?{query}" data-testid="{testid}"' in html
    for definition in DEFINITIONS:
        assert f'id="definition-{definition.key}"' in html
    assert 'href="#definition-response_rate"' in html


def test_without_a_selection_the_dashboard_opens_the_users_unit_this_month(march: March) -> None:
    page = client_for(march.staff.community).get(reverse("analytics:dashboard"))
    assert page.status_code == 200
    assert page.context["selection"].area.code == march.tree.community.code
    assert page.context["selection"].period == Period.current()
    assert by_testid(page.content.decode(), "value-received") == "0"  # nothing was filed this month
    assert by_testid(page.content.decode(), "value-response_rate") == "—"


def test_a_department_handler_sees_their_departments_figures(march: March) -> None:
    page = client_for(march.staff.department).get(reverse("analytics:dashboard"), MARCH)
    assert page.status_code == 200
    assert page.context["selection"].area.code == f"dept-{march.tree.department.code}"
    html = page.content.decode()
    assert by_testid(html, "value-dispatched") == "2"
    assert by_testid(html, "value-overdue") == "1"
    assert by_testid(html, "value-received") == "0"  # filing is counted for places, not for the lead department
    # Not the community's figures.
    other = client_for(march.staff.department).get(
        reverse("analytics:dashboard"), {"area": march.tree.community.code, **MARCH}
    )
    assert other.status_code == 404


@pytest.mark.parametrize("name", ["analytics:dashboard", "analytics:screen", "analytics:data"])
def test_a_unit_outside_the_users_areas_is_not_found(march: March, name: str) -> None:
    client = client_for(march.staff.other_community)
    assert client.get(reverse(name), {"area": march.tree.community.code, **MARCH}).status_code == 404
    assert client.get(reverse(name), {"area": march.tree.street.code, **MARCH}).status_code == 404
    assert client.get(reverse(name), {"area": "no-such-unit", **MARCH}).status_code == 404
    assert client.get(reverse(name), {"area": march.tree.community2.code, **MARCH}).status_code == 200


def test_the_data_json_answers_404_as_json(march: March) -> None:
    answer = client_for(march.staff.other_community).get(reverse("analytics:data"), {"area": march.tree.grid.code})
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/json"
    assert "error" in answer.json()


@pytest.mark.parametrize(
    ("query", "field"),
    [({"period": "fortnight"}, "period"), ({"on": "2026-13-01"}, "on"), ({"on": "1999-12-31"}, "on")],
)
def test_a_bad_period_is_shown_beside_the_period_fields(march: March, query: dict[str, str], field: str) -> None:
    page = client_for(march.staff.dispatcher).get(
        reverse("analytics:dashboard"), {"area": march.tree.community.code, **query}
    )
    assert page.status_code == 200
    html = page.content.decode()
    error = by_testid(html, "selection-error")
    assert error.startswith(f"{field}:")
    assert "Showing" in error
    assert re.search(r'class="form-select form-select-sm is-invalid" id="selection-period"', html)
    assert re.search(r'class="form-control form-control-sm is-invalid" type="date" id="selection-on"', html)
    assert 'aria-describedby="selection-error"' in html
    assert page.context["selection"].period == Period.current()


@pytest.mark.parametrize(
    "query", [{"period": "fortnight"}, {"on": "2026-13-01"}, {"on": "yesterday"}, {"period": "month", "on": "10000-01"}]
)
def test_the_data_json_refuses_a_bad_period(march: March, query: dict[str, str]) -> None:
    answer = client_for(march.staff.dispatcher).get(
        reverse("analytics:data"), {"area": march.tree.community.code, **query}
    )
    assert answer.status_code == 400
    assert answer.json()["error"].split(":")[0] in {"period", "on"}


def test_the_data_json_is_the_dashboards_payload(march: March) -> None:
    client = client_for(march.staff.dispatcher)
    query = {"area": march.tree.community.code, **MARCH}
    answer = client.get(reverse("analytics:data"), query)
    assert answer.status_code == 200
    assert answer["Cache-Control"].startswith("max-age=0")
    data = answer.json()
    assert data["area"] == {"code": march.tree.community.code, "name": march.tree.community.name, "kind": "community"}
    assert data["period"]["start"] == "2026-03-01"
    assert data["period"]["end"] == "2026-03-31"
    assert data["figures"]["received"] == 3
    assert data["figures"]["response_rate"] == 0.5
    cards = {card["key"]: card["display"] for card in data["cards"]}
    assert cards["overdue"] == "1"
    page = embedded(client.get(reverse("analytics:dashboard"), query).content.decode(), "analytics-data")
    assert {k: v for k, v in data.items() if k != "generated_at"} == {
        k: v for k, v in page.items() if k != "generated_at"
    }


def test_the_big_screen_refreshes_from_the_data_json(march: March) -> None:
    client = client_for(march.staff.dispatcher)
    page = client.get(reverse("analytics:screen"), {"area": march.tree.community.code, "period": "month"})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="300">' in html
    assert 'data-refresh-seconds="60"' in html
    assert 'class="analytics-screen"' in html
    # With no day asked for, the screen follows the calendar: its data address names none.
    data_url = page.context["data_url"]
    assert data_url == f"{reverse('analytics:data')}?area={march.tree.community.code}&period=month"
    assert f'data-src="{data_url.replace("&", "&amp;")}"' in html
    assert by_testid(html, "refreshed").startswith("Last refreshed ")
    # A day asked for is kept.
    fixed = client.get(reverse("analytics:screen"), {"area": march.tree.community.code, **MARCH})
    assert fixed.context["data_url"].endswith("&on=2026-03-01")
    assert by_testid(fixed.content.decode(), "tile-value-received") == "3"
    assert client.get(fixed.context["data_url"]).json()["figures"]["received"] == 3


@pytest.mark.parametrize("name", ["analytics:dashboard", "analytics:data", "analytics:screen"])
def test_anonymous_users_are_sent_to_sign_in(db: None, name: str) -> None:
    answer = Client().get(reverse(name))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["analytics:dashboard", "analytics:data", "analytics:screen"])
def test_residents_are_refused(db: None, name: str) -> None:
    resident = make_resident_user(phone="13700001234")
    assert client_for(resident).get(reverse(name)).status_code == 403


def test_staff_without_the_matters_permission_are_refused(tree: CityTree) -> None:
    """The audit administrator holds no matters permission: refused, like every page of matters."""
    auditor = make_staff(role=Role.AUDIT_ADMIN, place=tree.city, username="auditor")
    assert client_for(auditor).get(reverse("analytics:dashboard")).status_code == 403
