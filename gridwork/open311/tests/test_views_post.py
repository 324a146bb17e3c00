"""POST Service Request (and the token it leaves), in XML and JSON, from the spec's example request."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from gridwork.matters.models import Channel, Matter
from gridwork.matters.workflow import MatterState
from gridwork.open311.models import Open311Token
from gridwork.open311.services import open311_key_revoke
from gridwork.open311.tests.conftest import FORMATS, INSIDE, World, errors, fields, items, url
from gridwork.places.tests.factories import make_place

FORM = "application/x-www-form-urlencoded; charset=utf-8"
NUMBER = re.compile(r"^GW\d{8}\d{7}$")


def spec_example(secret: str, **changes: str) -> str:
    """The spec's example request, word for word but for our key, jurisdiction, service code and a point in our
    city (the example's point is in San Francisco)."""
    body = (
        f"api_key={secret}&jurisdiction_id=gridwork.local&service_code=Z9.01.001"
        f"&lat={INSIDE['lat']}&long={INSIDE['long']}&address_string=1234+5th+street"
        "&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith"
        "&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
        "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
        "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
    )
    for name, value in changes.items():
        body = re.sub(rf"(^|&){name}=[^&]*", rf"\g<1>{name}={value}", body)
    return body


def post(client: Client, fmt: str, body: str | dict[str, object], query: str = "") -> Any:
    data = body if isinstance(body, str) else urlencode(body, doseq=True)
    return client.post(url("requests", fmt) + query, data=data, content_type=FORM)


def _created(response: Any, fmt: str) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    [entry] = items(response, fmt, "service_requests", "request")
    return fields(entry)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_spec_example_files_a_matter(client: Client, world: World, fmt: str) -> None:
    response = post(client, fmt, spec_example(world.secret))

    created = _created(response, fmt)
    assert list(created) == ["service_request_id", "service_notice", "account_id"]  # an id, so no token
    number = str(created["service_request_id"])
    assert NUMBER.match(number)
    assert created["account_id"] == "123456"
    assert number in str(created["service_notice"])
    matter = Matter.objects.get(number=number)
    assert matter.channel == Channel.API
    assert matter.state == MatterState.SUBMITTED
    assert matter.category == world.services.streetlight
    assert matter.text == "A large sinkhole is destroying the street"
    assert matter.attributes == {"WHISPAWN": "123456", "WHISDORN": "COISL001"}
    assert (matter.latitude, matter.longitude) == (26.605, 106.705)
    assert matter.grid == world.tree.grid
    assert matter.address == "1234 5th street"
    assert matter.media_url == "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"
    assert (matter.reporter_name, matter.reporter_phone) == ("john smith", "111111111")
    assert matter.reporter is None
    assert matter.tracking_code_hash  # an anonymous reporter: the code is in the notice
    world.key.refresh_from_db()
    assert world.key.last_used_at is not None


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_token_of_a_request_gives_its_id(client: Client, world: World, fmt: str) -> None:
    response = post(client, "json", spec_example(world.secret))
    token = response["Open311-Token"]
    number = _created(response, "json")["service_request_id"]
    assert Open311Token.objects.get(token=token).key == world.key

    found = client.get(url("token", fmt, token=token), {"jurisdiction_id": "gridwork.local"})

    assert found.status_code == 200
    [entry] = items(found, fmt, "service_requests", "request")
    assert fields(entry) == {"service_request_id": number, "token": token}


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_token_is_not_found(client: Client, fmt: str) -> None:
    response = client.get(url("token", fmt, token="12345"))

    assert response.status_code == 404
    errors(response, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_spec_example_point_is_outside_the_service_area(client: Client, world: World, fmt: str) -> None:
    response = post(client, fmt, spec_example(world.secret, lat="37.76524078", long="-122.4212043"))

    assert response.status_code == 400
    [error] = errors(response, fmt)
    assert error["description"].startswith("lat/long: ")
    assert not Matter.objects.exists()


def test_a_multivaluelist_takes_several_values(client: Client, world: World) -> None:
    body = spec_example(world.secret) + "&attribute[hazards][]=lane&attribute[hazards][]=school"

    number = _created(post(client, "xml", body), "xml")["service_request_id"]

    assert Matter.objects.get(number=number).attributes["hazards"] == ["lane", "school"]


def test_a_multivaluelist_takes_one_value_without_brackets(client: Client, world: World) -> None:
    number = _created(post(client, "json", spec_example(world.secret) + "&attribute[hazards]=dark"), "json")[
        "service_request_id"
    ]

    assert Matter.objects.get(number=number).attributes["hazards"] == ["dark"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_problem_is_one_error(client: Client, world: World, fmt: str) -> None:
    body = {
        "api_key": world.secret,
        "service_code": "Z9.01.001",
        "description": "灯坏",  # too short
        "media_url": "javascript:alert(1)",
        "attribute[WHISDORN]": "NOPE",
        "attribute[hazards][]": ["lane", "moon"],
        "attribute[unasked]": "x",
    }

    response = post(client, fmt, body)

    assert response.status_code == 400
    descriptions = sorted(str(error["description"]) for error in errors(response, fmt))
    prefixes = [description.split(":")[0] for description in descriptions]
    assert prefixes == sorted(
        [
            "Send the location",
            "media_url must be an http or https URL.",
            "description",
            "attribute[WHISPAWN]",  # required, not answered
            "attribute[WHISDORN]",
            "attribute[hazards]",
            "attribute[unasked]",
        ]
    )
    assert not Matter.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "明川市东湖区望江街道春晖路1号1号楼",  # the whole address, with the city and district before it
        "春晖路1号1号楼 3单元 502",  # the address, with more after it
        "晖路1号1号楼",  # part of exactly one building's address
    ],
)
def test_address_string_finds_the_building(client: Client, world: World, address: str) -> None:
    body = {
        "api_key": world.secret,
        "service_code": "Z9.01.002",
        "address_string": address,
        "description": "路面有个大坑，电动车容易摔倒。",
    }

    number = _created(post(client, "json", body), "json")["service_request_id"]

    matter = Matter.objects.get(number=number)
    assert matter.building == world.tree.microgrid
    assert matter.grid == world.tree.grid
    assert matter.address == address


@pytest.mark.parametrize(
    ("address", "problem"),
    [("火星路99号", "matches no building"), ("1号楼", "matches no building"), ("晖路5号1号楼", "several buildings")],
)
def test_address_string_that_names_no_single_building_asks_for_lat_long(
    client: Client, world: World, address: str, problem: str
) -> None:
    make_place("microgrid", world.tree.grid2, 1, "1号楼", address="春晖路5号1号楼")
    make_place("microgrid", world.tree.grid2, 2, "1号楼东", address="春晖路5号1号楼东")
    body = {"api_key": world.secret, "service_code": "Z9.01.002", "address_string": address}

    response = post(client, "xml", {**body, "description": "路面有个大坑，电动车容易摔倒。"})

    assert response.status_code == 400
    [error] = errors(response, "xml")
    assert problem in str(error["description"])
    assert "lat" in str(error["description"])


def test_address_id_is_a_building_code(client: Client, world: World) -> None:
    body = {"api_key": world.secret, "service_code": "Z9.01.002", "description": "路面有个大坑，电动车容易摔倒。"}

    number = _created(post(client, "json", {**body, "address_id": world.tree.microgrid.code}), "json")[
        "service_request_id"
    ]
    unknown = post(client, "json", {**body, "address_id": world.tree.grid.code})  # a grid, not a building

    assert Matter.objects.get(number=number).building == world.tree.microgrid
    assert unknown.status_code == 400
    errors(unknown, "json")


def test_lat_without_long_is_refused(client: Client, world: World) -> None:
    response = post(client, "json", spec_example(world.secret, long=""))

    assert response.status_code == 400
    descriptions = [error["description"] for error in errors(response, "json")]
    assert "lat and long must both be sent." in descriptions


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("key", "message"),
    [("", "api_key was not provided"), ("xyz", "Invalid api_key"), ("o311_abcdefgh_wrong", "Invalid api_key")],
)
def test_a_missing_or_invalid_api_key_is_forbidden(
    client: Client, world: World, fmt: str, key: str, message: str
) -> None:
    response = post(client, fmt, spec_example(key))

    assert response.status_code == 403
    [error] = errors(response, fmt)
    assert message in error["description"]
    assert not Matter.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_revoked_key_is_forbidden(client: Client, world: World, fmt: str) -> None:
    assert post(client, fmt, spec_example(world.secret)).status_code == 200
    open311_key_revoke(actor=None, key=world.key, actor_name="test")

    response = post(client, fmt, spec_example(world.secret))

    assert response.status_code == 403
    errors(response, fmt)
    assert Matter.objects.count() == 1


def test_the_api_key_may_be_in_the_query_string_and_csrf_is_not_asked(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    body = spec_example(world.secret).replace(f"api_key={world.secret}&", "")

    response = post(client, "json", body, query=f"?api_key={world.secret}")

    assert response.status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("code", "status"), [("", 400), ("Z9.99.999", 404), ("Z9.01.003", 404), ("Z9.01", 404)])
def test_service_code_must_be_a_service(client: Client, world: World, fmt: str, code: str, status: int) -> None:
    response = post(client, fmt, spec_example(world.secret, service_code=code))

    assert response.status_code == status
    [error] = errors(response, fmt)
    assert "service_code" in error["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_another_jurisdiction_is_not_found(client: Client, world: World, fmt: str) -> None:
    in_body = post(client, fmt, spec_example(world.secret, jurisdiction_id="city.gov"))
    in_query = post(client, fmt, spec_example(world.secret, jurisdiction_id=""), query="?jurisdiction_id=city.gov")

    assert (in_body.status_code, in_query.status_code) == (404, 404)
    errors(in_body, fmt)
    assert not Matter.objects.exists()


def test_chinese_names_are_family_name_first(client: Client, world: World) -> None:
    body = spec_example(world.secret, first_name="%E4%B8%89", last_name="%E5%BC%A0")  # 三, 张

    number = _created(post(client, "json", body), "json")["service_request_id"]

    assert Matter.objects.get(number=number).reporter_name == "张三"
