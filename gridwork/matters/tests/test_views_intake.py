"""Staff intake: the 12345 seat with the caller's earlier matters, and the grid worker's patrol report (随手拍)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.matters.forms.intake import new_form_token, patrol_categories
from gridwork.matters.models import Category, Matter
from gridwork.matters.services import matter_file, matter_receipt_lookup
from gridwork.matters.tests.factories import TEXT, file_in_building
from gridwork.matters.workflow import MatterKind, MatterState
from gridwork.places import locating
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

HOTLINE = reverse("intake:hotline")
HISTORY = reverse("intake:hotline-history")
PATROL = reverse("intake:patrol")
INSIDE = {"location_lat": "26.605", "location_lng": "106.705"}  # the tree's first grid (春晖社区)
CALLER = "13812345678"
TRACKING_CODE_RE = re.compile(r'data-testid="tracking-code">([2-9A-Z]{5}-[2-9A-Z]{5})<')
NUMBER_RE = re.compile(r'data-testid="receipt-number">(GW\d{15})<')


@pytest.fixture(autouse=True)
def _fresh(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    locating.drop_grid_index()
    cache.clear()
    yield
    locating.drop_grid_index()
    cache.clear()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def operator(tree: CityTree) -> User:
    """A 12345 seat at the city's joint dispatch centre: every matter of the city is in scope."""
    return make_staff(role=Role.DISPATCH_CENTRE, place=tree.city, department=tree.dispatch_centre, username="seat")


def jpeg(name: str = "patrol.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 90, 90)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def hotline(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "token": new_form_token(),
        "caller_phone": CALLER,
        "caller_name": "陈先生",
        "text": TEXT,
        **INSIDE,
        "building": "",
        "address": "春晖路1号东门",
        "category": "",
        "urgency": "normal",
    }
    data.update(fields)
    return data


def streetlight() -> Category:
    return Category.objects.get(code="G1.01.002")


def patrol(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "token": new_form_token(),
        "photos": [jpeg()],
        **INSIDE,
        "building": "",
        "category": streetlight().pk,
        "note": "",
    }
    data.update(fields)
    return data


# --- access ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [HOTLINE, HISTORY, PATROL])
def test_intake_needs_the_filing_permission(tree: CityTree, url: str) -> None:
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    assert signed_in(make_resident_user(phone="13700001111")).get(url).status_code == 403
    handler = make_staff(role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department, username="h")
    assert signed_in(handler).get(url).status_code == 403
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="worker")
    assert signed_in(worker).get(url).status_code == 200


# --- the 12345 seat ----------------------------------------------------------------------------------------


def test_the_seat_files_a_hotline_matter_and_gets_the_code_to_read_out(tree: CityTree) -> None:
    seat = operator(tree)
    response = signed_in(seat).post(HOTLINE, hotline(urgency="urgent", category=streetlight().pk))
    assert response.status_code == 200
    html = response.content.decode()
    number = NUMBER_RE.search(html)
    code = TRACKING_CODE_RE.search(html)
    assert number is not None
    assert code is not None
    matter = Matter.objects.get(number=number.group(1))
    assert (matter.channel, matter.filed_by, matter.reporter) == ("hotline", seat, None)
    assert (matter.reporter_name, matter.reporter_phone, matter.address) == ("陈先生", CALLER, "春晖路1号东门")
    assert (matter.category, matter.urgency, matter.grid) == (streetlight(), "urgent", tree.grid)
    assert matter_receipt_lookup(number=matter.number, tracking_code=code.group(1)) == matter


def test_a_landline_caller_is_accepted_and_a_bad_number_named(tree: CityTree) -> None:
    client = signed_in(operator(tree))
    assert client.post(HOTLINE, hotline(caller_phone="0851-8612 3456")).status_code == 200
    assert Matter.objects.get().reporter_phone == "085186123456"
    bad = client.post(HOTLINE, hotline(caller_phone="12345"))
    assert bad.status_code == 400
    assert 'data-testid="error-caller_phone"' in bad.content.decode()
    assert Matter.objects.count() == 1


def test_a_retried_hotline_form_files_once(tree: CityTree) -> None:
    client = signed_in(operator(tree))
    data = hotline()
    first, again = client.post(HOTLINE, data), client.post(HOTLINE, data)
    assert NUMBER_RE.findall(first.content.decode()) == NUMBER_RE.findall(again.content.decode())
    assert TRACKING_CODE_RE.findall(first.content.decode()) == TRACKING_CODE_RE.findall(again.content.decode())
    assert Matter.objects.count() == 1


def test_the_callers_earlier_matters_are_listed_newest_first_within_scope(tree: CityTree) -> None:
    seat = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="seat")  # 春晖社区 only
    older = file_in_building(tree, reporter_phone=CALLER, text="楼下路灯不亮，晚上很黑。")
    newer = file_in_building(tree, reporter_phone=CALLER, text="小区门口的井盖松动了。")
    elsewhere = matter_file(  # in 秋实社区第一网格, outside the seat's community
        actor=None,
        channel="resident_web",
        text="垃圾桶满了没人清运。",
        reporter_phone=CALLER,
        latitude=26.605,
        longitude=106.725,
    )
    someone_else = file_in_building(tree, reporter_phone="13900000000", text="别人的诉求，不应出现在列表里。")
    html = signed_in(seat).get(HISTORY, {"caller_phone": "138-1234-5678"}).content.decode()
    listed = re.findall(r'data-number="(GW\d+)"', html)
    assert listed == [newer.number, older.number]
    assert elsewhere.number not in html
    assert someone_else.number not in html
    assert str(MatterState.SUBMITTED.label) in html


def test_at_most_ten_earlier_matters_are_listed(tree: CityTree) -> None:
    for n in range(12):
        file_in_building(tree, reporter_phone=CALLER, text=f"第{n}次来电反映路灯问题。")
    html = signed_in(operator(tree)).get(HISTORY, {"caller_phone": CALLER}).content.decode()
    assert len(re.findall(r'data-number="GW\d+"', html)) == 10


def test_no_history_without_a_valid_number(tree: CityTree) -> None:
    file_in_building(tree, reporter_phone="")
    html = signed_in(operator(tree)).get(HISTORY, {"caller_phone": ""}).content.decode()
    assert "data-number" not in html
    assert "Enter the caller's number" in html


def test_the_seat_page_asks_for_history_on_leaving_the_phone_field_and_shows_it_after_an_error(
    tree: CityTree,
) -> None:
    earlier = file_in_building(tree, reporter_phone=CALLER)
    client = signed_in(operator(tree))
    page = client.get(HOTLINE).content.decode()
    assert f'hx-get="{HISTORY}"' in page
    assert 'hx-trigger="blur changed' in page
    assert 'hx-target="#caller-history"' in page
    refused = client.post(HOTLINE, hotline(text="太吵"))
    assert refused.status_code == 400
    assert 'data-testid="error-text"' in refused.content.decode()
    assert f'data-number="{earlier.number}"' in refused.content.decode()
    assert Matter.objects.count() == 1


def test_the_seat_needs_a_place(tree: CityTree) -> None:
    response = signed_in(operator(tree)).post(HOTLINE, hotline(location_lat="", location_lng=""))
    assert response.status_code == 400
    assert "Put a pin on the map or choose the building" in " ".join(response.context["form"].errors["location"])
    assert Matter.objects.count() == 0


# --- patrol ------------------------------------------------------------------------------------------------


def test_the_patrol_page_starts_with_the_camera_and_offers_groups_then_choices(tree: CityTree) -> None:
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="worker")
    html = signed_in(worker).get(PATROL).content.decode()
    form = html[html.index('data-testid="patrol-form"') :]
    first_control = re.search(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*>', form)
    assert first_control is not None
    assert 'name="photos"' in first_control.group(0)
    assert 'capture="environment"' in first_control.group(0)
    groups = patrol_categories()
    codes = [group.code for group, _ in groups]
    assert "G1.01" in codes
    assert "L1" in codes
    assert all(code[0] in "GL" for code in codes)
    assert all(child.parent_id == group.pk and not child.children.exists() for group, kids in groups for child in kids)
    assert 'data-tap-group="G1.01"' in html
    assert f'value="{streetlight().pk}"' in html
    assert "js/patrol.js" in html


def test_a_patrol_report_is_filed_with_the_category_its_kind_and_a_default_text(tree: CityTree) -> None:
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="worker")
    response = signed_in(worker).post(PATROL, patrol(urgent="on"))
    assert response.status_code == 200
    matter = Matter.objects.get()
    assert (matter.channel, matter.filed_by, matter.category) == ("patrol", worker, streetlight())
    assert matter.kind == streetlight().default_kind == MatterKind.PROFESSIONAL
    assert matter.text == "路灯 (reported on patrol)"
    assert matter.urgency == "urgent"
    assert matter.photos.count() == 1
    assert matter.number in response.content.decode()
    assert 'data-testid="tracking-code"' not in response.content.decode()


def test_a_patrol_note_becomes_the_text_and_the_kind_follows_the_category(tree: CityTree) -> None:
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="worker")
    parking = Category.objects.get(code="L1.001")
    signed_in(worker).post(PATROL, patrol(category=parking.pk, note="3号楼消防通道被车辆堵住"))
    matter = Matter.objects.get()
    assert (matter.text, matter.kind, matter.category) == ("3号楼消防通道被车辆堵住", MatterKind.COMMUNITY, parking)


def test_a_retried_patrol_report_files_once(tree: CityTree) -> None:
    client = signed_in(make_staff(role=Role.GRID_WORKER, place=tree.grid, username="worker"))
    data = patrol()
    first = client.post(PATROL, data)
    again = client.post(PATROL, {**data, "photos": [jpeg()]})
    assert NUMBER_RE.findall(first.content.decode()) == NUMBER_RE.findall(again.content.decode()) != []
    assert Matter.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"photos": []}, "photos"),
        ({"note": "坏了"}, "note"),
        ({"category": ""}, "category"),
        ({"location_lat": "10", "location_lng": "10"}, "location"),
        ({"location_lat": "", "location_lng": ""}, "location"),
        ({"photos": [SimpleUploadedFile("p.jpg", b"GIF89a not really", content_type="image/jpeg")]}, "photos"),
    ],
)
def test_a_bad_patrol_report_names_the_field_and_files_nothing(
    tree: CityTree, fields: dict[str, Any], field: str
) -> None:
    client = signed_in(make_staff(role=Role.GRID_WORKER, place=tree.grid, username="worker"))
    response = client.post(PATROL, patrol(**fields))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert Matter.objects.count() == 0


def test_a_category_outside_the_patrol_set_is_refused(tree: CityTree) -> None:
    taxonomy = Category.objects.filter(code__startswith="T", level=3).first()
    assert taxonomy is not None
    client = signed_in(make_staff(role=Role.GRID_WORKER, place=tree.grid, username="worker"))
    response = client.post(PATROL, patrol(category=taxonomy.pk))
    assert response.status_code == 400
    assert "category" in response.context["form"].errors
    assert Matter.objects.count() == 0


def test_patrol_by_building_when_the_device_gives_no_place(tree: CityTree) -> None:
    client = signed_in(make_staff(role=Role.GRID_WORKER, place=tree.grid, username="worker"))
    response = client.post(PATROL, patrol(location_lat="", location_lng="", building=tree.microgrid.code, photos=[]))
    # Without a photo it is refused, but the building was accepted as the place.
    assert "location" not in response.context["form"].errors
    assert "building" not in response.context["form"].errors
    assert "photos" in response.context["form"].errors
