"""GET Service Requests and GET Service Request, in XML and JSON: every field the spec names, the filters, the
default window and limit, and what is never public."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gridwork.matters.models import Matter
from gridwork.matters.tests.factories import file_in_building
from gridwork.matters.workflow import ClosureReason, MatterKind, MatterState
from gridwork.open311.tests.conftest import FORMATS, W3C, World, errors, fields, items, url

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
TEXT = "春晖路1号楼下的路灯坏了一个星期，晚上出行很不安全，请尽快维修。"
NAME, PHONE, ID_NUMBER = "王小明", "13812345678", "110101199003071234"


def file(world: World, *, days_ago: float = 1, text: str = TEXT, **options: Any) -> Matter:
    options.setdefault("category", world.services.streetlight)
    receipt = file_in_building(
        world.tree, text=text, now=timezone.now() - timedelta(days=days_ago), channel="api", **options
    )
    return Matter.objects.get(pk=receipt.matter_id)


def listed(response: Any, fmt: str) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    found = [fields(entry) for entry in items(response, fmt, "service_requests", "request")]
    for entry in found:
        assert list(entry) == REQUEST_FIELDS
    return found


def numbers(response: Any, fmt: str) -> list[str]:
    return [entry["service_request_id"] for entry in listed(response, fmt)]


def local(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def close(matter: Matter, **changes: Any) -> None:
    """Put a matter where the loop would leave it (the workflow itself is tested in matters/tests)."""
    now = timezone.now()
    Matter.objects.filter(pk=matter.pk).update(state=MatterState.CLOSED, closed_at=now, **changes)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_open_request_shows_every_field(client: Client, world: World, fmt: str) -> None:
    matter = file(world, media_url="https://example.org/lamp.jpg")
    due = timezone.now() + timedelta(days=3)
    Matter.objects.filter(pk=matter.pk).update(latitude=26.6051234, longitude=106.7059876, due_at=due)
    matter.refresh_from_db()

    [entry] = listed(client.get(url("requests", fmt), {"jurisdiction_id": "gridwork.local"}), fmt)

    as_text = {name: (None if value is None else str(value)) for name, value in entry.items()}
    assert as_text == {
        "service_request_id": matter.number,
        "status": "open",
        "status_notes": "To dispatch",
        "service_name": "路灯",
        "service_code": "Z9.01.001",
        "description": TEXT,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": local(matter.created_at),
        "updated_datetime": local(matter.updated_at),
        "expected_datetime": local(due),
        "address": "东湖区望江街道春晖社区",
        "address_id": world.tree.community.code,
        "zipcode": None,
        "lat": "26.605",
        "long": "106.706",
        "media_url": "https://example.org/lamp.jpg",
    }
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(entry[name])
        assert entry[name].endswith("+08:00")
    if fmt == "json":
        assert (entry["lat"], entry["long"]) == (26.605, 106.706)  # numbers


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_closed_request_shows_the_reply_and_the_unit(client: Client, world: World, fmt: str) -> None:
    matter = file(world)
    close(
        matter,
        closure_reason=ClosureReason.RESOLVED,
        reply_text="已更换灯泡，如有问题请拨打0851-86661234。",
        lead_department=world.tree.department,
    )
    matter.refresh_from_db()

    [entry] = listed(client.get(url("request", fmt, number=matter.number)), fmt)

    assert entry["status"] == "closed"
    assert entry["status_notes"] == "已更换灯泡，如有问题请拨打0851-****1234。"
    assert entry["agency_responsible"] == "东湖区住房和城乡建设局"
    assert entry["updated_datetime"] == local(matter.closed_at)
    assert entry["expected_datetime"] is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_lead_place_is_the_agency_when_no_department_leads(client: Client, world: World, fmt: str) -> None:
    matter = file(world)
    Matter.objects.filter(pk=matter.pk).update(state=MatterState.IN_PROGRESS, lead_place=world.tree.community)

    [entry] = listed(client.get(url("request", fmt, number=matter.number)), fmt)

    assert (entry["status"], entry["status_notes"], entry["agency_responsible"]) == ("open", "In progress", "春晖社区")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_personal_data_leaves_the_platform(client: Client, world: World, fmt: str) -> None:
    text = f"我是{NAME}，电话{PHONE}，身份证{ID_NUMBER}，邮箱wxm@example.com。{TEXT}"
    matter = file(world, text=text, reporter_name=NAME, reporter_phone=PHONE)
    duplicate = file(world, text=text, reporter_name=NAME, reporter_phone=PHONE)
    close(duplicate, reply_text=f"已联系{NAME}（{PHONE}）。", closure_reason=ClosureReason.RESOLVED)

    responses = [
        client.get(url("requests", fmt)),
        client.get(url("requests", fmt), {"service_request_id": f"{matter.number},{duplicate.number}"}),
        client.get(url("request", fmt, number=matter.number)),
        client.get(url("request", fmt, number=duplicate.number)),
    ]

    for response in responses:
        body = response.content.decode("utf-8")
        assert response.status_code == 200
        for secret in (NAME, PHONE, ID_NUMBER, "wxm@example.com"):
            assert secret not in body
        assert "王*明" in body
        assert "138****5678" in body
    first = next(entry for entry in listed(responses[0], fmt) if entry["service_request_id"] == matter.number)
    assert first["description"] == f"我是王*明，电话138****5678，身份证110101********1234，邮箱w***@example.com。{TEXT}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_personal_matter_keeps_its_text_private(client: Client, world: World, fmt: str) -> None:
    matter = file(world, kind=MatterKind.PERSONAL)

    [entry] = listed(client.get(url("request", fmt, number=matter.number)), fmt)

    assert entry["description"] is None
    assert entry["status"] == "open"


@pytest.mark.parametrize("fmt", FORMATS)
def test_invalid_matters_are_left_out_of_searches_but_found_by_id(client: Client, world: World, fmt: str) -> None:
    kept = file(world)
    spam = file(world, text="广告：代开发票，请加微信 abc123456")
    close(spam, closure_reason=ClosureReason.INVALID)

    searched = numbers(client.get(url("requests", fmt)), fmt)
    by_id = listed(client.get(url("requests", fmt), {"service_request_id": spam.number}), fmt)

    assert searched == [kept.number]
    assert by_id[0]["service_request_id"] == spam.number
    assert by_id[0]["status"] == "closed"
    assert by_id[0]["status_notes"] == "Not a matter for the platform"
    assert by_id[0]["description"] is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_default_window_is_the_last_90_days(client: Client, world: World, fmt: str) -> None:
    recent, old, older = file(world, days_ago=10), file(world, days_ago=100), file(world, days_ago=200)

    def days_ago(days: int) -> str:
        return (timezone.now() - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def search(**params: str) -> list[str]:
        return numbers(client.get(url("requests", fmt), params), fmt)

    assert search() == [recent.number]
    assert search(start_date=days_ago(210)) == [older.number]  # 90 days from the start
    assert search(end_date=days_ago(50)) == [old.number]  # 90 days up to the end
    assert search(start_date=days_ago(120), end_date=days_ago(30)) == [old.number]
    assert len(search(service_request_id=",".join(m.number for m in (recent, old, older)))) == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_at_most_the_limit_newest_first(
    client: Client, world: World, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gridwork.open311.selectors.MAX_REQUESTS", 2)
    made = [file(world, days_ago=days) for days in (4, 3, 2, 1)]

    assert numbers(client.get(url("requests", fmt)), fmt) == [made[3].number, made[2].number]


def test_the_spec_limit_is_1000_requests_and_90_days() -> None:
    from gridwork.open311 import selectors

    assert selectors.MAX_REQUESTS == 1000
    assert selectors.WINDOW.days == 90


@pytest.mark.parametrize("fmt", FORMATS)
def test_filters_by_status_and_service_code(client: Client, world: World, fmt: str) -> None:
    light = file(world)
    hole = file(world, category=world.services.pothole)
    closed = file(world)
    close(closed, closure_reason=ClosureReason.RESOLVED)

    def search(**params: str) -> set[str]:
        return set(numbers(client.get(url("requests", fmt), params), fmt))

    assert search(status="open") == {light.number, hole.number}
    assert search(status="closed") == {closed.number}
    assert search(status="open,closed") == {light.number, hole.number, closed.number}
    assert search(service_code="Z9.01.002") == {hole.number}
    assert search(service_code="Z9.01.001,Z9.01.002", status="open") == {light.number, hole.number}
    assert search(service_request_id=f"{closed.number},{hole.number}", status="open") == {closed.number, hole.number}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2010-13-45T00:00:00Z"}, "end_date"),
        ({"start_date": "2010-01-01T00:00:00Z", "end_date": "2010-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2010-06-01T00:00:00Z", "end_date": "2010-05-01T00:00:00Z"}, "before"),
        ({"status": "pending"}, "status"),
    ],
)
def test_bad_filters_are_a_400(client: Client, world: World, fmt: str, params: dict[str, str], problem: str) -> None:
    response = client.get(url("requests", fmt), params)

    assert response.status_code == 400
    [error] = errors(response, fmt)
    assert problem in error["description"]


def test_the_spec_sample_query_and_an_unencoded_offset_are_read(client: Client, world: World) -> None:
    matter = file(world, days_ago=0.5)
    hour = timedelta(hours=1)

    def utc(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def shanghai(moment: datetime) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"  # the + arrives as a space

    sample = f"start_date={utc(matter.created_at - hour)}&end_date={utc(matter.created_at + hour)}&status=open"
    after = f"start_date={shanghai(matter.created_at + hour)}"
    before = f"start_date={shanghai(matter.created_at - hour)}"

    assert numbers(client.get(f"{url('requests', 'xml')}?{sample}&jurisdiction_id=gridwork.local"), "xml") == [
        matter.number
    ]
    assert numbers(client.get(f"{url('requests', 'xml')}?{after}"), "xml") == []
    assert numbers(client.get(f"{url('requests', 'xml')}?{before}"), "xml") == [matter.number]


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_is_a_list_of_one_and_an_unknown_one_is_not_found(client: Client, world: World, fmt: str) -> None:
    matter = file(world)

    found = client.get(url("request", fmt, number=matter.number), {"jurisdiction_id": "gridwork.local"})
    missing = client.get(url("request", fmt, number="GW202601010000001"))

    assert [entry["service_request_id"] for entry in listed(found, fmt)] == [matter.number]
    assert missing.status_code == 404
    errors(missing, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_another_jurisdiction_is_not_found(client: Client, world: World, fmt: str) -> None:
    matter = file(world)

    for response in (
        client.get(url("requests", fmt), {"jurisdiction_id": "city.gov"}),
        client.get(url("request", fmt, number=matter.number), {"jurisdiction_id": "city.gov"}),
    ):
        assert response.status_code == 404
        errors(response, fmt)


def test_reads_are_open_to_browser_clients(client: Client, world: World) -> None:
    response = client.get(url("requests", "json"))

    assert response["Access-Control-Allow-Origin"] == "*"
