"""/api/v1/matters/: filing, the list's scope, filters and pages, one matter, its record, and the loop's moves."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.api.models import ApiIdempotencyKey
from gridwork.api.tests.conftest import ClientFor
from gridwork.matters.models import Category, CategoryQuestion, Matter, MatterPhoto
from gridwork.matters.services import matter_file, matter_transition
from gridwork.matters.tests.factories import TEXT, LoopStaff, file_in_building
from gridwork.matters.workflow import Action, MatterState
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

MATTERS = "/api/v1/matters/"
# A point inside the sibling community's grid (秋实社区第一网格, see places.tests.factories).
SIBLING_POINT = {"latitude": 26.605, "longitude": 106.725}


def _url(number: str, action: str = "") -> str:
    return f"{MATTERS}{number}/{action}/" if action else f"{MATTERS}{number}/"


def _file_in_sibling(**options: Any) -> str:
    return matter_file(actor=None, channel="resident_web", text=TEXT, **SIBLING_POINT, **options).number


def _dispatch_to_department(tree: CityTree, staff: LoopStaff, number: str) -> None:
    matter_transition(
        actor=staff.dispatcher,
        matter_id=Matter.objects.get(number=number).pk,
        action=Action.DISPATCH,
        data={"kind": "professional", "lead_department_id": tree.department.pk},
    )


def _png() -> SimpleUploadedFile:
    raw = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 120, 200)).save(raw, format="PNG")
    return SimpleUploadedFile("site.png", raw.getvalue(), content_type="image/png")


def _numbers(response: Any) -> list[str]:
    return [row["number"] for row in response.json()["results"]]


# Filing


def test_filing_answers_201_with_location_etag_tracking_code_and_a_masked_phone(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    body = {"text": TEXT, "building": tree.microgrid.code, "reporter_name": "张晓明", "reporter_phone": "13812345678"}
    response = client_for(staff.dispatcher).post(MATTERS, body, format="json")
    assert response.status_code == 201
    data = response.json()
    matter = Matter.objects.get()
    assert data["number"] == matter.number
    assert response["Location"] == _url(matter.number)
    assert response["ETag"] == '"1"'
    assert data["version"] == 1
    assert data["tracking_code"]
    assert (data["state"], data["channel"]) == (MatterState.SUBMITTED, "api")
    assert data["reporter"] == {"name": "张*明", "phone": "138****5678", "anonymous": False}
    assert "13812345678" not in response.content.decode()
    assert (data["grid"]["code"], data["building"]["code"]) == (tree.grid.code, tree.microgrid.code)
    assert matter.reporter_phone == "13812345678"
    assert matter.filed_by == staff.dispatcher


def test_filing_by_a_point_on_the_map_locates_the_grid(staff: LoopStaff, client_for: ClientFor) -> None:
    response = client_for(staff.operator).post(MATTERS, {"text": TEXT, **SIBLING_POINT}, format="json")
    assert response.status_code == 201
    assert response.json()["community"]["name"] == "秋实社区"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "短"}, "text"),
        ({"text": TEXT, "building": ""}, "location"),
        ({"text": TEXT, "category": "NO.SUCH"}, "category"),
        ({"text": TEXT, "building": "999999999999999999"}, "building"),
        ({"text": TEXT, "latitude": 95}, "latitude"),
        ({"text": TEXT, "urgency": "whenever"}, "urgency"),
        ({"text": TEXT, "attributes": {"no_such_question": "x"}}, "attribute[no_such_question]"),
        ({"text": TEXT, "attributes": "not an object"}, "attributes"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_files_nothing(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor, body: dict[str, Any], field: str
) -> None:
    body = {"building": tree.microgrid.code, **body}
    response = client_for(staff.dispatcher).post(MATTERS, body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert data["message"]
    assert field in data["errors"]
    assert all(isinstance(message, str) for message in data["errors"][field])
    assert Matter.objects.count() == 0


def test_the_category_questions_are_answered_in_attributes(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    category = Category.objects.get(code="G1.01.002")
    CategoryQuestion.objects.create(
        category=category, code="poles", question="How many poles?", datatype="number", required=True
    )
    client = client_for(staff.dispatcher)
    body = {"text": TEXT, "building": tree.microgrid.code, "category": category.code}
    missing = client.post(MATTERS, body, format="json")
    assert missing.status_code == 400
    assert "attribute[poles]" in missing.json()["errors"]
    wrong = client.post(MATTERS, {**body, "attributes": {"poles": "many"}}, format="json")
    assert "attribute[poles]" in wrong.json()["errors"]
    filed = client.post(MATTERS, {**body, "attributes": {"poles": "3"}}, format="json")
    assert filed.status_code == 201
    assert filed.json()["attributes"] == {"poles": 3}
    assert filed.json()["category"]["code"] == category.code


def test_a_user_who_may_not_file_is_403(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    response = client_for(staff.department).post(MATTERS, {"text": TEXT, "building": tree.microgrid.code})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Matter.objects.count() == 0


# The list


def test_the_list_holds_only_the_users_area(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    own = file_in_building(tree).number
    sibling = _file_in_sibling()
    assert _numbers(client_for(staff.community).get(MATTERS)) == [own]
    assert _numbers(client_for(staff.other_community).get(MATTERS)) == [sibling]
    assert _numbers(client_for(staff.dispatcher).get(MATTERS)) == [sibling, own]
    assert _numbers(client_for(staff.department).get(MATTERS)) == []  # nothing dispatched to it yet
    _dispatch_to_department(tree, staff, own)
    assert _numbers(client_for(staff.department).get(MATTERS)) == [own]


def test_a_user_without_matters_view_gets_403_from_the_list(tree: CityTree, client_for: ClientFor) -> None:
    admin = make_staff(role=Role.SYSTEM_ADMIN, place=tree.city, username="sysadmin")
    response = client_for(admin).get(MATTERS)
    assert response.status_code == 403


def test_the_list_filters(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    lamp = Category.objects.get(code="G1.01.002")
    day = timezone.make_aware(datetime(2026, 3, 2, 10, 0))
    old = file_in_building(tree, now=day - timedelta(days=30), text="小区门口的井盖松动了，踩上去咣当响").number
    dispatched = file_in_building(tree, now=day).number
    _dispatch_to_department(tree, staff, dispatched)
    personal = file_in_building(tree, kind="personal", category=lamp, now=day).number
    sibling = _file_in_sibling(now=day)
    hotline = file_in_building(tree, channel="hotline", external_ref="12345-0001", now=day).number
    client = client_for(staff.dispatcher)

    def numbers(**query: str) -> set[str]:
        response = client.get(MATTERS, query)
        assert response.status_code == 200, response.json()
        return set(_numbers(response))

    assert numbers() == {old, dispatched, personal, sibling, hotline}
    assert numbers(state="dispatched") == {dispatched}
    assert numbers(kind="personal") == {personal}
    assert numbers(category="G1.01") == {personal}  # a class and those under it
    assert numbers(place=tree.community2.code) == {sibling}
    assert numbers(place=tree.grid.code) == {old, dispatched, personal, hotline}
    assert numbers(since="2026-03-01") == {dispatched, personal, sibling, hotline}
    assert numbers(until="2026-02-28") == {old}
    assert numbers(since="2026-03-02", until="2026-03-02", channel="hotline") == {hotline}
    assert numbers(q="井盖") == {old}
    assert numbers(q=old) == {old}
    assert numbers(external_ref="12345-0001") == {hotline}
    assert numbers(queue="to_dispatch") == {old, personal, sibling, hotline}
    assert numbers(queue="closed") == set()
    assert numbers(deadline="overdue") == set()
    Matter.objects.filter(number=dispatched).update(due_at=timezone.now() - timedelta(hours=1))
    assert numbers(deadline="overdue") == {dispatched}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"state": "lost"}, "state"),
        ({"kind": "small"}, "kind"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"deadline": "soon"}, "deadline"),
        ({"queue": "mine"}, "queue"),
        ({"category": "NO.SUCH"}, "category"),
        ({"place": "520102001002"}, "place"),  # the sibling community: not in a community user's area
        ({"q": "x" * 101}, "q"),
    ],
)
def test_a_bad_filter_value_is_400_naming_it(
    staff: LoopStaff, client_for: ClientFor, query: dict[str, str], field: str
) -> None:
    response = client_for(staff.community).get(MATTERS, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_cursor_pages_walk_every_matter_once_both_ways(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    start = timezone.now() - timedelta(hours=8)
    filed = [file_in_building(tree, now=start + timedelta(minutes=minute)).number for minute in range(7)]
    client = client_for(staff.community)
    seen: list[str] = []
    pages = []
    url: str | None = f"{MATTERS}?page_size=3"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response.json())
        seen += _numbers(response)
        url = response.json()["next"]
    assert seen == list(reversed(filed))
    assert [len(page["results"]) for page in pages] == [3, 3, 1]
    assert pages[0]["previous"] is None
    assert "cursor=" in pages[1]["next"]
    back = client.get(pages[2]["previous"])
    assert _numbers(back) == [row["number"] for row in pages[1]["results"]]
    assert urlsplit(pages[1]["next"]).path == MATTERS


def test_ordering_oldest_or_newest_first(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    start = timezone.now() - timedelta(hours=3)
    filed = [file_in_building(tree, now=start + timedelta(minutes=minute)).number for minute in range(4)]
    client = client_for(staff.community)
    assert _numbers(client.get(MATTERS)) == list(reversed(filed))
    assert _numbers(client.get(MATTERS, {"ordering": "-created_at"})) == list(reversed(filed))
    oldest_first = client.get(MATTERS, {"ordering": "created_at", "page_size": 3})
    assert _numbers(oldest_first) == filed[:3]
    assert _numbers(client.get(oldest_first.json()["next"])) == filed[3:]


# One matter and its record


def test_a_matter_out_of_scope_is_404_exactly_like_one_that_does_not_exist(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    sibling = _file_in_sibling()
    client = client_for(staff.community)
    hidden = client.get(_url(sibling))
    missing = client.get(_url("GW202001010000001"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert hidden.json()["code"] == "not_found"
    assert client.get(_url(sibling, "events")).status_code == 404
    assert client.post(_url(sibling, "accept"), {}, format="json").status_code == 404
    assert client_for(staff.other_community).get(_url(sibling)).status_code == 200


def test_detail_has_an_etag_and_if_none_match_answers_304(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    number = file_in_building(tree, reporter_phone="13912345678").number
    client = client_for(staff.dispatcher)
    response = client.get(_url(number))
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    data = response.json()
    assert (data["number"], data["version"], data["text"]) == (number, 1, TEXT)
    assert data["reporter"]["phone"] == "139****5678"
    assert "dispatch" in data["allowed_actions"]
    assert "accept" not in data["allowed_actions"]
    not_modified = client.get(_url(number), HTTP_IF_NONE_MATCH='"1"')
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == '"1"'
    _dispatch_to_department(tree, staff, number)
    changed = client.get(_url(number), HTTP_IF_NONE_MATCH='"1"')
    assert changed.status_code == 200
    assert changed["ETag"] == '"2"'


def test_events_are_the_record_oldest_first(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    number = file_in_building(tree).number
    _dispatch_to_department(tree, staff, number)
    response = client_for(staff.dispatcher).get(_url(number, "events"))
    assert response.status_code == 200
    events = response.json()
    assert [(e["sequence"], e["action"], e["from_state"], e["to_state"]) for e in events] == [
        (1, "file", "", "submitted"),
        (2, "dispatch", "submitted", "dispatched"),
    ]
    assert events[1]["data"]["lead_department_id"] == tree.department.pk
    assert events[1]["label"]


# The loop, one endpoint per move


def test_the_whole_loop_through_the_move_endpoints(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor, media_root: None
) -> None:
    dispatcher, handler, operator = (client_for(user) for user in (staff.dispatcher, staff.department, staff.operator))
    number = dispatcher.post(MATTERS, {"text": TEXT, "building": tree.microgrid.code}, format="json").json()["number"]

    def move(client: APIClient, action: str, body: dict[str, Any], state: str, **extra: Any) -> dict[str, Any]:
        response = client.post(_url(number, action), body, **extra)
        assert response.status_code == 200, response.json()
        data = response.json()
        assert data["state"] == state
        assert response["ETag"] == f'"{data["version"]}"'
        return data

    dispatched = move(
        dispatcher,
        "dispatch",
        {"kind": "professional", "lead_department_id": tree.department.pk, "version": 1},
        MatterState.DISPATCHED,
        format="json",
    )
    assert dispatched["lead_unit"]["code"] == tree.department.code
    assert "accept" not in dispatched["allowed_actions"]  # the dispatcher's view: the department accepts
    accepted = move(handler, "accept", {}, MatterState.IN_PROGRESS, format="json", HTTP_IF_MATCH='"2"')
    assert "reply" in accepted["allowed_actions"]
    move(
        handler, "progress", {"note": "已派人现场查看", "photos": [_png()]}, MatterState.IN_PROGRESS, format="multipart"
    )
    assert MatterPhoto.objects.filter(matter__number=number, event__action="progress").count() == 1
    replied = move(handler, "reply", {"text": "已更换灯具"}, MatterState.REPLIED, format="json")
    assert replied["reply_text"] == "已更换灯具"
    rated = move(
        operator, "rate", {"satisfaction": "satisfied", "by": "call_back"}, MatterState.TO_VERIFY, format="json"
    )
    assert rated["satisfaction"] == "satisfied"
    closed = move(dispatcher, "verify_close", {"note": "核实无误"}, MatterState.CLOSED, format="json")
    assert (closed["status"], closed["closure_reason"], closed["version"]) == ("closed", "resolved", 7)
    events = dispatcher.get(_url(number, "events")).json()
    assert [event["action"] for event in events] == [
        "file",
        "dispatch",
        "accept",
        "progress",
        "reply",
        "rate",
        "verify_close",
    ]
    assert events[5]["data"]["by"] == "call_back"


def test_verify_close_straight_from_the_reply(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    number = file_in_building(tree).number
    _dispatch_to_department(tree, staff, number)
    handler = client_for(staff.department)
    handler.post(_url(number, "accept"), {}, format="json")
    handler.post(_url(number, "reply"), {"text": "已处理"}, format="json")
    response = client_for(staff.dispatcher).post(_url(number, "verify_close"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == MatterState.CLOSED


def test_a_move_the_user_may_not_take_is_403(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    number = file_in_building(tree).number
    response = client_for(staff.grid_worker).post(_url(number, "dispatch"), {"kind": "personal"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    _dispatch_to_department(tree, staff, number)
    assert client_for(staff.dispatcher).post(_url(number, "accept"), {}, format="json").status_code == 403
    assert Matter.objects.get(number=number).state == MatterState.DISPATCHED


def test_a_move_the_state_does_not_allow_is_409(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    number = file_in_building(tree).number
    response = client_for(staff.dispatcher).post(_url(number, "verify_close"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"
    assert response.json()["message"]
    assert Matter.objects.get(number=number).state == MatterState.SUBMITTED


def test_bad_move_data_is_400_naming_the_field(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    number = file_in_building(tree).number
    client = client_for(staff.dispatcher)
    typed = client.post(_url(number, "dispatch"), {"kind": "huge"}, format="json")
    assert typed.status_code == 400
    assert "kind" in typed.json()["errors"]
    checked = client.post(_url(number, "dispatch"), {"kind": "personal", "lead_place_id": 999999}, format="json")
    assert checked.status_code == 400
    assert checked.json()["errors"]
    assert Matter.objects.get(number=number).version == 1


def test_a_stale_version_is_409_and_a_stale_if_match_is_412(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    number = file_in_building(tree).number
    client = client_for(staff.dispatcher)
    body = {"kind": "professional", "lead_department_id": tree.department.pk}
    stale_body = client.post(_url(number, "dispatch"), {**body, "version": 0}, format="json")
    assert stale_body.status_code == 409
    assert stale_body.json()["code"] == "conflict"
    stale_header = client.post(_url(number, "dispatch"), body, format="json", HTTP_IF_MATCH='"0"')
    assert stale_header.status_code == 412
    assert stale_header.json()["code"] == "precondition_failed"
    garbled = client.post(_url(number, "dispatch"), body, format="json", HTTP_IF_MATCH="yesterday")
    assert garbled.status_code == 400
    assert "If-Match" in garbled.json()["errors"]
    assert Matter.objects.get(number=number).version == 1
    fresh = client.post(_url(number, "dispatch"), body, format="json", HTTP_IF_MATCH='W/"1"')
    assert fresh.status_code == 200
    assert fresh["ETag"] == '"2"'


def test_discard_as_a_duplicate_names_the_original_by_number(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    original = file_in_building(tree).number
    repeat = file_in_building(tree).number
    client = client_for(staff.dispatcher)
    unknown = client.post(_url(repeat, "discard"), {"reason": "duplicate", "duplicate_of": "GW1"}, format="json")
    assert unknown.status_code == 400
    assert "duplicate_of" in unknown.json()["errors"]
    response = client.post(_url(repeat, "discard"), {"reason": "duplicate", "duplicate_of": original}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["state"], data["closure_reason"], data["duplicate_of"]) == ("closed", "duplicate", original)
    assert Matter.objects.get(number=repeat).duplicate_of == Matter.objects.get(number=original)


def test_a_bad_photo_is_400_and_records_nothing(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor, media_root: None
) -> None:
    number = file_in_building(tree).number
    _dispatch_to_department(tree, staff, number)
    handler = client_for(staff.department)
    handler.post(_url(number, "accept"), {}, format="json")
    fake = SimpleUploadedFile("site.png", b"\x89PNG\r\n\x1a\n not really", content_type="image/png")
    response = handler.post(_url(number, "progress"), {"note": "现场照片", "photos": [fake]}, format="multipart")
    assert response.status_code == 400
    assert "photos" in response.json()["errors"]
    assert Matter.objects.get(number=number).version == 3
    assert MatterPhoto.objects.count() == 0


# Idempotency-Key


def test_the_same_key_and_body_replay_the_first_answer_and_file_once(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    client = client_for(staff.dispatcher)
    body = {"text": TEXT, "building": tree.microgrid.code}
    first = client.post(MATTERS, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = client.post(MATTERS, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert (again["Location"], again["ETag"]) == (first["Location"], first["ETag"])
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Matter.objects.count() == 1


def test_the_same_key_with_another_body_is_422(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    client = client_for(staff.dispatcher)
    body = {"text": TEXT, "building": tree.microgrid.code}
    client.post(MATTERS, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    response = client.post(MATTERS, {**body, "text": TEXT + "。"}, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_conflict"
    assert Matter.objects.count() == 1


def test_keys_belong_to_their_user(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    body = {"text": TEXT, "building": tree.microgrid.code}
    one = client_for(staff.dispatcher).post(MATTERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = client_for(staff.community).post(MATTERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert one.status_code == other.status_code == 201
    assert one.json()["number"] != other.json()["number"]
    assert not other.has_header("Idempotent-Replayed")
    assert Matter.objects.count() == 2


def test_a_failed_request_is_not_stored_under_its_key(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    client = client_for(staff.dispatcher)
    failed = client.post(MATTERS, {"text": "短", "building": tree.microgrid.code}, HTTP_IDEMPOTENCY_KEY="k")
    assert failed.status_code == 400
    assert not ApiIdempotencyKey.objects.exists()
    filed = client.post(MATTERS, {"text": TEXT, "building": tree.microgrid.code}, HTTP_IDEMPOTENCY_KEY="k")
    assert filed.status_code == 201
    assert Matter.objects.count() == 1


def test_a_retried_move_replays_its_answer_instead_of_409(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    number = file_in_building(tree).number
    client = client_for(staff.dispatcher)
    body = {"kind": "professional", "lead_department_id": tree.department.pk, "version": 1}
    first = client.post(_url(number, "dispatch"), body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    again = client.post(_url(number, "dispatch"), body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["version"] == 2
    assert Matter.objects.get(number=number).version == 2
    without_key = client.post(_url(number, "dispatch"), body, format="json")
    assert without_key.status_code == 409


def test_an_overlong_key_is_400(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    body = {"text": TEXT, "building": tree.microgrid.code}
    response = client_for(staff.dispatcher).post(MATTERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k" * 129)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert Matter.objects.count() == 0


# Requests that must not reach the database as they are (each was a 500, on SQLite or PostgreSQL)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/matters/GW%00/",
        "/api/v1/matters/GW%00/events/",
        "/api/v1/places/5201%00/",
        "/api/v1/categories/G1%00/",
    ],
)
def test_a_nul_in_a_path_is_404(staff: LoopStaff, client_for: ClientFor, path: str) -> None:
    response = client_for(staff.operator).get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_nul_in_a_moves_path_is_404(staff: LoopStaff, client_for: ClientFor) -> None:
    assert client_for(staff.operator).post(_url("GW%00", "accept"), {}, format="json").status_code == 404


def test_the_first_and_last_days_of_the_calendar_filter_without_error(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    number = file_in_building(tree).number
    client = client_for(staff.dispatcher)
    assert _numbers(client.get(MATTERS, {"since": "0001-01-01", "until": "9999-12-31"})) == [number]
    assert _numbers(client.get(MATTERS, {"since": "9999-12-31"})) == []
    assert _numbers(client.get(MATTERS, {"until": "0001-01-01"})) == []


def test_a_nul_in_an_answer_is_400(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    lamp = Category.objects.get(code="G1.01.002")
    CategoryQuestion.objects.create(category=lamp, code="where", question="Where?", datatype="string")
    body = {"text": TEXT, "building": tree.microgrid.code, "category": lamp.code, "attributes": {"where": "门\x00口"}}
    response = client_for(staff.dispatcher).post(MATTERS, body, format="json")
    assert response.status_code == 400
    assert "attributes" in response.json()["errors"]
    assert Matter.objects.count() == 0


def test_a_nul_in_the_idempotency_key_is_400(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    body = {"text": TEXT, "building": tree.microgrid.code}
    response = client_for(staff.dispatcher).post(MATTERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k\x00")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert Matter.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[" * 100_000, "application/json"),  # deeper than the JSON decoder goes
        ("&".join(f"f{n}=1" for n in range(1200)), "application/x-www-form-urlencoded"),  # over Django's field limit
    ],
)
def test_a_body_the_parser_cannot_take_is_400_json(
    staff: LoopStaff, client_for: ClientFor, body: str, content_type: str
) -> None:
    response = client_for(staff.dispatcher).generic("POST", MATTERS, body, content_type=content_type)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "parse_error"


def test_a_body_without_a_content_type_is_415_json(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    response = client_for(staff.dispatcher).generic("POST", MATTERS, b"text=x", content_type="")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
