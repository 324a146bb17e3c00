"""The map page and its two GeoJSON sources — the grids with their figures, the open matters — on the month of
``test_views_dashboard``, as the right and the wrong users. The open matters carry no personal data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.tests.factories import make_resident_user
from gridwork.analytics.tests.test_views_dashboard import (
    CALLER_NAME,
    CALLER_PHONE,
    IN_GRID2,
    MARCH,
    March,
    _file,
    at,
    build_march,
    client_for,
)
from gridwork.analytics.views import maps
from gridwork.matters.models import Matter
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

COMMUNITY2_POINT = (26.605, 106.725)


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


@pytest.fixture
def march(tree: CityTree, staff: LoopStaff) -> March:
    return build_march(tree, staff)


def grids(client: Client, **query: str) -> dict[str, Any]:
    answer = client.get(reverse("analytics:map-grids"), query)
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def open_numbers(client: Client, **query: str) -> list[str]:
    answer = client.get(reverse("analytics:map-open"), query)
    assert answer.status_code == 200
    return [feature["properties"]["number"] for feature in answer.json()["features"]]


def test_the_map_page_points_its_script_at_the_selection(march: March) -> None:
    page = client_for(march.staff.dispatcher).get(
        reverse("analytics:map"), {"area": march.tree.community.code, **MARCH}
    )
    assert page.status_code == 200
    html = page.content.decode()
    query = f"area={march.tree.community.code}&amp;period=month&amp;on=2026-03-01"
    assert f'data-grids="{reverse("analytics:map-grids")}?{query}"' in html
    assert f'data-open="{reverse("analytics:map-open")}?{query}"' in html
    assert 'data-tile-url=""' in html  # no tiles unless the deployment names a service
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert "vendor/leaflet.markercluster/MarkerCluster.Default.css" in html
    assert 'id="analytics-map-labels"' in html
    assert 'data-testid="selection-form"' in html


def test_a_tile_service_is_used_only_when_configured(march: March, settings: Any) -> None:
    settings.ANALYTICS_MAP_TILE_URL = "https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}"
    settings.ANALYTICS_MAP_TILE_ATTRIBUTION = "天地图"
    html = client_for(march.staff.dispatcher).get(reverse("analytics:map")).content.decode()
    assert 'data-tile-url="https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&amp;x={x}&amp;y={y}&amp;l={z}"' in html
    assert 'data-tile-attribution="天地图"' in html


def test_the_grids_carry_their_figures_for_the_period(march: March) -> None:
    collection = grids(client_for(march.staff.dispatcher), area=march.tree.community.code, **MARCH)
    assert collection["type"] == "FeatureCollection"
    features = {f["properties"]["code"]: f for f in collection["features"]}
    assert set(features) == {march.tree.grid.code, march.tree.grid2.code}
    one = features[march.tree.grid.code]
    assert one["geometry"] == march.tree.grid.boundary
    props = one["properties"]
    assert (props["received"], props["dispatched"], props["overdue"]) == (2, 2, 1)
    assert props["response_rate"] == 0.5
    assert props["resolution_rate"] == 1.0
    assert props["overdue_share"] == 0.5
    assert props["display"]["overdue_share"] == "50.0%"
    # Every grid of the community has a household count: density per 1,000 households.
    assert collection["density_basis"] == "households"
    assert props["density"] == round(2 * 1000 / 320, 2)
    two = features[march.tree.grid2.code]["properties"]
    assert (two["received"], two["dispatched"], two["overdue_share"]) == (1, 0, None)
    assert two["display"]["overdue_share"] == "—"
    assert two["url"] == f"{reverse('analytics:dashboard')}?area={march.tree.grid2.code}&period=month&on=2026-03-01"
    # Another month: the same grids, nothing counted.
    april = grids(client_for(march.staff.dispatcher), area=march.tree.community.code, period="month", on="2026-04")
    assert [f["properties"]["received"] for f in april["features"]] == [0, 0]


def test_a_grid_without_households_makes_the_density_per_grid(march: March) -> None:
    """The street's grids include the sibling community's, which has no household count: one basis for all."""
    collection = grids(client_for(march.staff.dispatcher), area=march.tree.street.code, **MARCH)
    assert len(collection["features"]) == 3
    assert collection["density_basis"] == "grid"
    by_code = {f["properties"]["code"]: f["properties"] for f in collection["features"]}
    assert by_code[march.tree.grid.code]["density"] == 2.0


@pytest.mark.parametrize("name", ["analytics:map", "analytics:map-grids", "analytics:map-open"])
def test_a_unit_outside_the_users_areas_is_not_found(march: March, name: str) -> None:
    client = client_for(march.staff.other_community)
    assert client.get(reverse(name), {"area": march.tree.community.code}).status_code == 404
    assert client.get(reverse(name), {"area": march.tree.community2.code}).status_code == 200


@pytest.mark.parametrize("name", ["analytics:map-grids", "analytics:map-open"])
def test_the_geojson_refuses_a_bad_period(march: March, name: str) -> None:
    client = client_for(march.staff.dispatcher)
    answer = client.get(reverse(name), {"area": march.tree.community.code, "period": "decade"})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("period:")
    assert client.get(reverse(name), {"on": "2026-02-30"}).status_code == 400


def test_the_map_page_shows_a_bad_period_and_asks_for_the_fallback(march: March) -> None:
    client = client_for(march.staff.dispatcher)
    page = client.get(reverse("analytics:map"), {"area": march.tree.community.code, "on": "2026-02-30"})
    assert page.status_code == 200
    assert 'data-testid="selection-error"' in page.content.decode()
    # The map's own requests carry the period shown instead (this month), which the endpoints accept.
    grids_url = page.context["grids_url"]
    assert client.get(grids_url).status_code == 200
    assert client.get(page.context["open_url"]).status_code == 200


def test_the_open_matters_are_the_units_unclosed_ones_without_personal_data(march: March) -> None:
    client = client_for(march.staff.dispatcher)
    answer = client.get(reverse("analytics:map-open"), {"area": march.tree.community.code})
    assert answer.status_code == 200
    body = answer.content.decode()
    data = answer.json()
    numbers = [feature["properties"]["number"] for feature in data["features"]]
    assert numbers == [march.waiting.number, march.overdue.number]  # newest first; the closed one left out
    assert (data["capped"], data["total"], data["limit"]) == (False, 2, maps.OPEN_MATTERS_LIMIT)
    feature = data["features"][1]
    assert feature["geometry"] == {"type": "Point", "coordinates": [march.overdue.longitude, march.overdue.latitude]}
    assert set(feature["properties"]) == {"number", "title", "state", "state_label", "url"}
    assert feature["properties"]["url"] == reverse("matters:detail", args=[march.overdue.number])
    assert feature["properties"]["state_label"] == "To accept"
    assert CALLER_NAME not in body
    assert CALLER_PHONE not in body
    assert march.overdue.reporter_phone == CALLER_PHONE  # it was there to leak
    # One grid of it.
    assert open_numbers(client, area=march.tree.grid2.code) == [march.waiting.number]


def test_the_open_matters_stay_within_the_users_scope(march: March) -> None:
    elsewhere = Matter.objects.get(pk=_file(COMMUNITY2_POINT, at(7), actor=None))
    assert elsewhere.community_id == march.tree.community2.pk
    other = client_for(march.staff.other_community)
    assert open_numbers(other, area=march.tree.community2.code) == [elsewhere.number]
    assert open_numbers(other) == [elsewhere.number]  # their own unit by default
    street = client_for(march.staff.dispatcher)
    assert set(open_numbers(street, area=march.tree.street.code)) == {
        elsewhere.number,
        march.waiting.number,
        march.overdue.number,
    }
    # The department handler: the open matters their department leads, not the community's others.
    department = client_for(march.staff.department)
    assert open_numbers(department) == [march.overdue.number]
    assert department.get(reverse("analytics:map-open"), {"area": march.tree.grid2.code}).status_code == 404


def test_the_open_matters_are_capped_and_say_so(march: March, monkeypatch: pytest.MonkeyPatch) -> None:
    _file(IN_GRID2, at(8), actor=None, text="第二网格的楼道灯不亮了，晚上上下楼很危险，请物业尽快修理。")
    monkeypatch.setattr(maps, "OPEN_MATTERS_LIMIT", 2)
    data = client_for(march.staff.dispatcher).get(reverse("analytics:map-open"), {"area": march.tree.community.code})
    assert data.json()["capped"] is True
    assert data.json()["total"] == 3
    assert len(data.json()["features"]) == 2


def test_a_department_has_no_grids_on_the_map(march: March) -> None:
    client = client_for(march.staff.department)
    page = client.get(reverse("analytics:map"))
    assert page.status_code == 200
    assert 'data-testid="department-note"' in page.content.decode()
    assert grids(client)["features"] == []


@pytest.mark.parametrize("name", ["analytics:map", "analytics:map-grids", "analytics:map-open"])
def test_anonymous_users_are_sent_to_sign_in_and_residents_refused(db: None, name: str) -> None:
    answer = Client().get(reverse(name))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("accounts:login"))
    resident = make_resident_user(phone="13700004321")
    assert client_for(resident).get(reverse(name)).status_code == 403


def test_a_grid_without_a_boundary_is_its_centre_and_one_without_either_is_left_off_the_map(march: March) -> None:
    Place.objects.filter(pk=march.tree.grid.pk).update(boundary=None, latitude=26.61, longitude=106.71)
    Place.objects.filter(pk=march.tree.grid2.pk).update(boundary=None, latitude=None, longitude=None)
    collection = grids(client_for(march.staff.dispatcher), area=march.tree.community.code, **MARCH)
    features = {f["properties"]["code"]: f for f in collection["features"]}
    assert set(features) == {march.tree.grid.code}
    assert features[march.tree.grid.code]["geometry"] == {"type": "Point", "coordinates": [106.71, 26.61]}
