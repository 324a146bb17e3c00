"""Service discovery, GET Service List and GET Service Definition, in XML and JSON, shaped as the spec shapes them."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from gridwork.open311.tests.conftest import (
    FORMATS,
    W3C,
    Services,
    errors,
    fields,
    items,
    parse_json,
    parse_xml,
    plain,
    url,
)

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]


def _text(value: object) -> str | None:
    """A JSON value as the XML writes it, to compare both formats with one expectation."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@override_settings(OPEN311_CONTACT="12345 热线")
def test_discovery_lists_the_endpoint_and_its_formats(client: Client, fmt: str) -> None:
    response = client.get(url("discovery", fmt))

    assert response.status_code == 200
    if fmt == "json":
        document = parse_json(response)
    else:
        root = parse_xml(response)
        assert root.tag == "discovery"
        document = plain(root)
    assert list(document) == ["changeset", "contact", "key_service", "endpoints"]
    assert document["contact"] == "12345 热线"
    assert document["key_service"]
    assert W3C.match(document["changeset"])
    [endpoint] = document["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/open311/v2",
        "changeset": document["changeset"],
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_leaves_with_group_and_metadata(client: Client, services: Services, fmt: str) -> None:
    response = client.get(url("services", fmt), {"jurisdiction_id": "gridwork.local"})

    assert response.status_code == 200
    listed = [fields(entry) for entry in items(response, fmt, "services", "service")]
    by_code = {_text(service["service_code"]): service for service in listed}
    for service in listed:
        assert list(service) == SERVICE_FIELDS
    assert "Z9" not in by_code  # a group, not a service
    assert "Z9.01" not in by_code
    assert "Z9.01.003" not in by_code  # switched off
    streetlight = {name: _text(value) for name, value in by_code["Z9.01.001"].items()}
    assert streetlight == {
        "service_code": "Z9.01.001",
        "service_name": "路灯",
        "description": "市政设施 / 照明与道路 / 路灯",
        "metadata": "true",
        "type": "realtime",
        "keywords": "路灯, 灯不亮",
        "group": "市政设施",
    }
    assert _text(by_code["Z9.01.002"]["metadata"]) == "false"


@pytest.mark.django_db
def test_json_keeps_types_and_chinese_text_unescaped(client: Client, services: Services) -> None:
    response = client.get(url("services", "json"))

    assert "路灯" in response.content.decode("utf-8")  # ensure_ascii=False
    streetlight = next(s for s in parse_json(response) if s["service_code"] == "Z9.01.001")
    assert streetlight["metadata"] is True


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_lists_the_questions_as_attributes(client: Client, services: Services, fmt: str) -> None:
    response = client.get(url("service-definition", fmt, code="Z9.01.001"), {"jurisdiction_id": "gridwork.local"})

    assert response.status_code == 200
    if fmt == "json":
        document = parse_json(response)
    else:
        root = parse_xml(response)
        assert root.tag == "service_definition"
        document = plain(root)
    assert list(document) == ["service_code", "attributes"]
    assert document["service_code"] == "Z9.01.001"
    attributes = document["attributes"]
    assert [attribute["code"] for attribute in attributes] == ["WHISPAWN", "WHISDORN", "hazards"]  # not the retired
    for attribute in attributes:
        assert list(attribute) == ATTRIBUTE_FIELDS
    spawn, dorn, hazards = ({name: _text(v) if name != "values" else v for name, v in a.items()} for a in attributes)
    assert spawn == {
        "variable": "true",
        "code": "WHISPAWN",
        "datatype": "string",
        "required": "true",
        "datatype_description": "The number on the pole",
        "order": "1",
        "description": "What is the ticket/tag/DL number?",
        "values": [],
    }
    assert dorn["datatype"] == "singlevaluelist"
    assert dorn["required"] == "false"
    assert dorn["datatype_description"] is None
    assert dorn["values"] == [{"key": "COISL001", "name": "Sodium"}, {"key": "COISL002", "name": "LED"}]
    assert hazards["datatype"] == "multivaluelist"
    assert [value["key"] for value in hazards["values"]] == ["lane", "school", "dark"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_without_questions_has_no_attributes(client: Client, services: Services, fmt: str) -> None:
    response = client.get(url("service-definition", fmt, code="Z9.01.002"))

    document = parse_json(response) if fmt == "json" else plain(parse_xml(response))
    assert document["service_code"] == "Z9.01.002"
    assert document["attributes"] == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["Z9.99.999", "Z9.01", "Z9.01.003"])
def test_an_unknown_group_or_inactive_service_code_is_not_found(
    client: Client, services: Services, fmt: str, code: str
) -> None:
    response = client.get(url("service-definition", fmt, code=code))

    assert response.status_code == 404
    [error] = errors(response, fmt)
    assert code in str(error["description"])


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["services", "discovery", "service-definition"])
def test_another_jurisdiction_is_not_found(client: Client, services: Services, fmt: str, name: str) -> None:
    kwargs = {"code": "Z9.01.001"} if name == "service-definition" else {}
    response = client.get(url(name, fmt, **kwargs), {"jurisdiction_id": "sfgov.org"})

    assert response.status_code == 404
    [error] = errors(response, fmt)
    assert "jurisdiction_id" in error["description"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/open311/v2/services.html", "/open311/v2/services/Z9.01.001.csv", "/open311/v2/", "/open311/v2/nothing"]
)
def test_unknown_formats_and_resources_are_not_found_in_xml(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    errors(response, "xml")


@pytest.mark.django_db
def test_an_unknown_resource_asked_in_json_answers_json(client: Client) -> None:
    response = client.get("/open311/v2/nothing.json")

    assert response.status_code == 404
    errors(response, "json")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["services", "discovery"])
def test_reads_take_no_writes(client: Client, name: str) -> None:
    response = client.post(url(name, "json"))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    errors(response, "json")


@pytest.mark.django_db
def test_the_demo_questions_show_as_attributes(client: Client) -> None:
    from gridwork.demo.questions import demo_questions_seed

    assert demo_questions_seed() == 6
    assert demo_questions_seed() == 0  # added once

    definition = parse_json(client.get(url("service-definition", "json", code="G1.01.002")))
    listed = {s["service_code"]: s for s in parse_json(client.get(url("services", "json")))}
    assert [a["code"] for a in definition["attributes"]] == ["fault", "pole_number", "lamps"]
    assert (listed["G1.01.002"]["metadata"], listed["G1.01.003"]["metadata"]) == (True, False)
