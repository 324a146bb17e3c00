"""The writers of both formats: XML escaped, declared UTF-8 and free of characters XML cannot hold; JSON unescaped."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from gridwork.open311.formats import respond, to_json, to_xml


def test_xml_escapes_markup_and_drops_characters_xml_cannot_hold() -> None:
    text = to_xml("service_requests", [{"description": "<b>路灯</b> & \x00\x1b“坏了”", "lat": 26.6, "ok": True}])

    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<service_requests>')
    assert "&lt;b&gt;路灯&lt;/b&gt; &amp; “坏了”" in text
    root = ET.fromstring(text.encode("utf-8"))  # noqa: S314 — our own output
    [request] = root
    assert request.tag == "request"
    assert [(child.tag, child.text) for child in request] == [
        ("description", "<b>路灯</b> & “坏了”"),
        ("lat", "26.6"),
        ("ok", "true"),
    ]


def test_none_is_an_empty_element_and_null() -> None:
    document = [{"service_request_id": "GW1", "account_id": None}]

    assert "<account_id />" in to_xml("service_requests", document)
    assert json.loads(to_json(document)) == document


def test_lists_inside_objects_are_wrappers_of_items() -> None:
    text = to_xml("discovery", {"endpoints": [{"formats": ["text/xml", "application/json"]}]})

    root = ET.fromstring(text.encode("utf-8"))  # noqa: S314
    formats = root.find("endpoints/endpoint/formats")
    assert formats is not None
    assert [e.text for e in formats] == ["text/xml", "application/json"]
    assert [e.tag for e in root.iter()] == ["discovery", "endpoints", "endpoint", "formats", "format", "format"]


def test_responses_carry_the_spec_content_types() -> None:
    xml = respond("xml", "errors", [{"code": 400, "description": "坏"}], status=400)
    json_response = respond("json", "errors", [{"code": 400, "description": "坏"}], status=400)

    assert (xml.status_code, xml["Content-Type"]) == (400, "text/xml; charset=utf-8")
    assert json_response["Content-Type"] == "application/json; charset=utf-8"
    assert json_response.content.decode("utf-8") == '[{"code": 400, "description": "坏"}]'
