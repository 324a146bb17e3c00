"""The OpenAPI 3 schema at /api/schema/ and its documentation pages, served without any outside resource.

The schema is checked against the OpenAPI 3 specification, against the URL table (every route, every move its own
operation with its own request body), and against the answers: a walk through the loop and the supervision moves
validates every successful answer with Schemathesis' response validation, which the fuzzing run reaches rarely.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLPattern
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from gridwork.api import urls as api_urls
from gridwork.api.serializers.actions import ACTION_SERIALIZERS
from gridwork.api.tests.conftest import ClientFor
from gridwork.matters.tests.factories import TEXT, LoopStaff
from gridwork.matters.workflow import TRANSITIONS, Action
from gridwork.places.tests.factories import CityTree
from gridwork.supervision.models import UnitTask, Whistle

pytestmark = pytest.mark.django_db

DOCUMENTATION = {"schema", "docs"}
MOVES = [action for action in TRANSITIONS if action != Action.FILE]


@pytest.fixture
def raw_schema() -> dict[str, Any]:
    response = Client().get("/api/schema/")  # public: no sign-in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    return dict(yaml.safe_load(response.content))


def _openapi_path(pattern: URLPattern) -> str:
    return "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))


def _resolve(raw: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = raw["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_the_schema_is_valid_openapi_3_in_yaml_and_json(raw_schema: dict[str, Any]) -> None:
    assert raw_schema["openapi"].startswith("3.")
    validate_schema(raw_schema)
    as_json = Client().get("/api/schema/", {"format": "json"})
    assert json.loads(as_json.content) == raw_schema
    scheme = raw_schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


def test_every_route_is_in_the_schema_and_nothing_else(raw_schema: dict[str, Any]) -> None:
    routes = {_openapi_path(pattern) for pattern in api_urls.urlpatterns if pattern.name not in DOCUMENTATION}
    assert len(routes) == len(api_urls.urlpatterns) - len(DOCUMENTATION)
    assert set(raw_schema["paths"]) == routes


def test_every_move_is_its_own_operation_with_its_own_request_body(raw_schema: dict[str, Any]) -> None:
    operation_ids = set()
    for action in MOVES:
        operation = raw_schema["paths"][f"/api/v1/matters/{{number}}/{action}/"]["post"]
        operation_ids.add(operation["operationId"])
        assert operation["operationId"] == f"matters_{action}"
        content = operation["requestBody"]["content"]
        assert set(content) >= {"application/json", "multipart/form-data"}
        body = _resolve(raw_schema, content["application/json"]["schema"])
        serializer = ACTION_SERIALIZERS[action]()
        assert set(body["properties"]) == set(serializer.fields), action
        required = {name for name, field in serializer.fields.items() if field.required}
        assert set(body.get("required", [])) == required, action
        assert {"200", "400", "401", "403", "404", "409", "412", "415", "422"} <= set(operation["responses"])
        headers = {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "header"}
        assert headers == {"Idempotency-Key", "If-Match"}
    assert len(operation_ids) == len(MOVES)


def test_the_other_operations_document_their_answers(raw_schema: dict[str, Any]) -> None:
    paths = raw_schema["paths"]
    assert {"201", "400", "403", "415", "422"} <= set(paths["/api/v1/matters/"]["post"]["responses"])
    assert {"200", "201", "400", "403", "415"} <= set(paths["/api/v1/hotline/orders/"]["post"]["responses"])
    assert {"200", "304", "404"} <= set(paths["/api/v1/matters/{number}/"]["get"]["responses"])
    filters = {parameter["name"] for parameter in paths["/api/v1/matters/"]["get"]["parameters"]}
    assert {"state", "kind", "category", "place", "since", "until", "deadline", "q", "external_ref", "queue"} <= filters
    assert {"cursor", "page_size", "ordering"} <= filters
    for path, methods in paths.items():
        for method, operation in methods.items():
            assert "401" in operation["responses"], f"{method} {path}"


class _Assets(HTMLParser):
    """Every URL the page makes the browser load: scripts, styles, icons, preconnects, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href", "spec-url") and value]


@pytest.mark.parametrize("page", ["/api/docs/"])
def test_the_documentation_pages_load_only_the_platforms_own_assets(page: str) -> None:
    response = Client().get(page)
    assert response.status_code == 200
    html = response.content.decode()
    parser = _Assets()
    parser.feed(html)
    assert parser.urls
    assert not re.findall(r"(?:https?:)?//[\w.-]+\.\w+/", html), "a resource from another host"
    assets = [url for url in parser.urls if url.startswith(settings.STATIC_URL)]
    assert any(url.endswith(".js") for url in assets)
    for url in assets:
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is not among the static files"
    # Swagger UI's init script is served by the docs view itself (?script), not inline: Content-Security-Policy.
    assert {url for url in parser.urls if url not in assets} <= {"/api/schema/", "/api/docs/?script="}


def test_swagger_ui_asks_no_outside_validator() -> None:
    """Swagger UI's default validator badge would load an image from validator.swagger.io."""
    html = Client().get("/api/docs/?script=").content.decode()
    settings_json = re.search(r"const swaggerSettings = (\{.*?\});", html, re.S)
    assert settings_json is not None
    assert json.loads(settings_json.group(1)).get("validatorUrl", "default") is None


# The answers, checked against the schema


class Conformance:
    """Validates Django test responses against the schema's operations (Schemathesis' response validation)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.schema = schemathesis.openapi.from_dict(raw)
        self.checked: set[str] = set()

    def check(self, response: Any, method: str, path: str, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.content.decode()[:500]
        request = requests.Request(method, f"http://testserver{response.request['PATH_INFO']}").prepare()
        answer = schemathesis.Response(
            status_code=response.status_code,
            headers={name.lower(): [value] for name, value in response.items()},
            content=response.content,
            request=request,
            elapsed=0.0,
            verify=True,
        )
        self.schema[path][method].validate_response(answer)
        self.checked.add(f"{method} {path}")
        return response.json() if response.content else {}


def test_every_successful_answer_matches_the_schema(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor, raw_schema: dict[str, Any], media_root: None
) -> None:
    conformance = Conformance(raw_schema)
    dispatcher, handler, centre, community = (
        client_for(user) for user in (staff.dispatcher, staff.department, staff.operator, staff.community)
    )
    matter_path = "/api/v1/matters/{number}/"

    def file(client: APIClient, **fields: Any) -> str:
        body = {"text": TEXT, "building": tree.microgrid.code, **fields}
        response = client.post("/api/v1/matters/", body, format="json")
        return str(conformance.check(response, "POST", "/api/v1/matters/", 201)["number"])

    def move(client: APIClient, number: str, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = client.post(f"/api/v1/matters/{number}/{action}/", body or {}, format="json")
        return conformance.check(response, "POST", f"/api/v1/matters/{{number}}/{action}/", 200)

    # A hard matter through the centre's levels and stages, supervised, extended and closed.
    hard = file(dispatcher, reporter_phone="13812345678", attributes={})
    move(centre, hard, "dispatch", {"kind": "hard", "urgency": "urgent", "lead_department_id": tree.department.pk})
    move(centre, hard, "field_check", {"note": "现场核实属实"})
    move(centre, hard, "urge", {"note": "请尽快签收"})
    move(handler, hard, "accept")
    due_at = (timezone.now() + timedelta(days=10)).isoformat()
    move(centre, hard, "supervise", {"note": "请十日内办结", "due_at": due_at})
    move(handler, hard, "answer_supervision", {"note": "已安排"})
    move(handler, hard, "request_extension", {"days": 3, "note": "需采购"})
    move(dispatcher, hard, "decide_extension", {"approved": True, "days": 3})
    move(centre, hard, "escalate", {"note": "涉及多个部门"})
    meeting = {
        "held_on": timezone.localdate().isoformat(),
        "participants": "住建局、街道",
        "analysis": "灯具老化",
        "decision": "统一更换",
        "tasks": [{"department_id": tree.department.pk, "task": "更换灯具", "days": 5}],
    }
    move(centre, hard, "record_meeting", meeting)
    move(centre, hard, "deescalate", {"note": "已明确责任"})
    move(handler, hard, "progress", {"note": "已采购灯具"})
    move(centre, hard, "track", {"note": "跟踪进度"})
    move(handler, hard, "return", {"reason": "非本部门职责"})
    move(dispatcher, hard, "overrule", {"note": "属于住建职责"})
    move(handler, hard, "accept")
    move(handler, hard, "reply", {"text": "已更换灯具"})
    move(centre, hard, "rate", {"satisfaction": "basically", "by": "call_back"})
    move(dispatcher, hard, "verify_close")
    move(centre, hard, "use_results", {"note": "纳入考核"})

    # A community matter: a whistle to the department, its report and the joint result; a consultation.
    shared = file(dispatcher)
    move(dispatcher, shared, "dispatch", {"kind": "community", "lead_place_id": tree.community.pk})
    move(community, shared, "accept")
    move(
        community,
        shared,
        "whistle",
        {"note": "需要住建配合", "calls": [{"department_id": tree.department.pk, "task": "查看"}]},
    )
    task = UnitTask.objects.get(matter__number=shared)
    move(handler, shared, "report", {"task_id": task.pk, "action": "已到场"})
    whistle = Whistle.objects.get(matter__number=shared)
    move(community, shared, "conclude_whistle", {"whistle_id": whistle.pk, "result": "联合处置完毕"})
    move(
        community, shared, "record_consultation", {"date": "2026-03-02", "participants": "居民代表", "decision": "同意"}
    )

    # A personal matter closed with the resident's agreement; a duplicate discarded.
    personal = file(dispatcher)
    move(dispatcher, personal, "dispatch", {"kind": "personal", "lead_place_id": tree.community.pk})
    move(community, personal, "accept")
    move(community, personal, "close_by_agreement", {"note": "居民同意办结"})
    repeat = file(dispatcher)
    move(dispatcher, repeat, "discard", {"reason": "duplicate", "duplicate_of": personal})

    # Smart triage: a repeat of the community matter, found among its likely duplicates and merged into it.
    twin = file(dispatcher)
    similar = centre.get(f"/api/v1/matters/{twin}/similar/")
    conformance.check(similar, "GET", f"{matter_path}similar/", 200)
    assert shared in [row["number"] for row in similar.json()]
    merged = move(dispatcher, twin, "merge", {"original": shared, "note": "同一路灯"})
    assert (merged["closure_reason"], merged["duplicate_of"]) == ("duplicate", shared)
    assert merged["suggestion"] is not None

    order = {"order_no": "12345-1", "text": TEXT, "building": tree.microgrid.code}
    conformance.check(centre.post("/api/v1/hotline/orders/", order), "POST", "/api/v1/hotline/orders/", 201)
    conformance.check(centre.post("/api/v1/hotline/orders/", order), "POST", "/api/v1/hotline/orders/", 200)
    for number in (hard, shared, personal, repeat):
        conformance.check(centre.get(f"/api/v1/matters/{number}/"), "GET", matter_path, 200)
        conformance.check(centre.get(f"/api/v1/matters/{number}/events/"), "GET", f"{matter_path}events/", 200)
    conformance.check(centre.get("/api/v1/matters/", {"page_size": 2}), "GET", "/api/v1/matters/", 200)
    for path in ("/api/v1/me/", "/api/v1/places/", "/api/v1/departments/", "/api/v1/categories/"):
        conformance.check(centre.get(path), "GET", path, 200)
    conformance.check(centre.get(f"/api/v1/places/{tree.grid.code}/"), "GET", "/api/v1/places/{code}/", 200)
    conformance.check(centre.get("/api/v1/categories/G1.01.002/"), "GET", "/api/v1/categories/{code}/", 200)
    for query in ({}, {"area": tree.street.code, "period": "year"}, {"area": f"dept-{tree.department.code}"}):
        answer = conformance.check(
            centre.get("/api/v1/analytics/figures/", query), "GET", "/api/v1/analytics/figures/", 200
        )
        assert answer["figures"]["received"] or answer["area"]["kind"] == "department"
    for unit in ("street", "community", "department"):
        rankings = centre.get("/api/v1/analytics/rankings/", {"unit": unit})
        assert conformance.check(rankings, "GET", "/api/v1/analytics/rankings/", 200)["rows"]

    operations = {f"{method.upper()} {path}" for path, methods in raw_schema["paths"].items() for method in methods}
    assert conformance.checked == operations
