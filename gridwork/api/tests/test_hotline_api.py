"""/api/v1/hotline/orders/: the 12345 hotline pushes its work orders (工单); a repeated push files nothing."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.api.tests.conftest import ClientFor
from gridwork.matters.models import Matter
from gridwork.matters.tests.factories import TEXT, LoopStaff
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/hotline/orders/"


def _order(tree: CityTree, **fields: Any) -> dict[str, Any]:
    return {
        "order_no": "12345-20260302-0001",
        "text": TEXT,
        "building": tree.microgrid.code,
        "reporter_name": "李大伟",
        "reporter_phone": "13698765432",
        **fields,
    }


def test_a_pushed_order_is_filed_as_a_hotline_matter_keeping_its_number(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    response = client_for(staff.operator).post(ORDERS, _order(tree), format="json")
    assert response.status_code == 201
    data = response.json()
    matter = Matter.objects.get()
    assert (data["number"], data["channel"], data["external_ref"]) == (matter.number, "hotline", "12345-20260302-0001")
    assert (matter.channel, matter.external_ref, matter.reporter_phone) == (
        "hotline",
        data["external_ref"],
        "13698765432",
    )
    assert data["reporter"]["phone"] == "136****5432"
    assert data["tracking_code"]
    assert response["Location"] == f"/api/v1/matters/{matter.number}/"
    assert response["ETag"] == '"1"'
    assert not response.has_header("Idempotent-Replayed")


def test_pushing_the_same_order_again_answers_200_with_the_same_matter(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    client = client_for(staff.operator)
    first = client.post(ORDERS, _order(tree), format="json")
    again = client.post(ORDERS, _order(tree, text=TEXT + "（重复推送）"), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["text"] == TEXT
    assert again.json()["tracking_code"] == ""  # shown once, on filing
    assert again["Idempotent-Replayed"] == "true"
    assert Matter.objects.count() == 1
    other = client.post(ORDERS, _order(tree, order_no="12345-20260302-0002"), format="json")
    assert other.status_code == 201
    assert Matter.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"order_no": ""}, "order_no"), ({"order_no": "x" * 65}, "order_no"), ({"building": ""}, "location")],
)
def test_an_order_without_its_number_or_place_is_400_and_files_nothing(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor, fields: dict[str, str], field: str
) -> None:
    response = client_for(staff.operator).post(ORDERS, _order(tree, **fields), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Matter.objects.count() == 0


def test_a_missing_order_number_is_400(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    body = _order(tree)
    del body["order_no"]
    response = client_for(staff.operator).post(ORDERS, body, format="json")
    assert response.status_code == 400
    assert "order_no" in response.json()["errors"]
    assert Matter.objects.count() == 0


def test_an_account_that_may_not_file_is_403(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    response = client_for(staff.department).post(ORDERS, _order(tree), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Matter.objects.count() == 0


def test_an_earlier_order_outside_the_pushers_area_is_not_shown(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    client_for(staff.community).post(ORDERS, _order(tree), format="json")
    response = client_for(staff.other_community).post(ORDERS, _order(tree), format="json")
    assert response.status_code == 404
    assert Matter.objects.count() == 1
