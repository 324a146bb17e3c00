"""Schemathesis against /api/schema/, in process (WSGI): no 5xx, and every answer as the schema declares it.

Each operation is one test, with a bounded number of generated requests (the schema's examples, coverage cases,
then fuzzing), deterministic, signed in with the token of a city dispatch-centre operator who sees the whole test
city. Path parameters are drawn mostly from the matters, places and categories that exist, so that the moves
reach the workflow and the service, not only the 404.

The data is the same for every operation: matters filed on a fixed day get known numbers, the token has a known
key, the tree's codes are fixed. The fixture checks it made what the schema's dictionaries name.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.api.models import ApiToken
from gridwork.common.keys import key_digest
from gridwork.matters.models import Category
from gridwork.matters.services import matter_transition
from gridwork.matters.tests.factories import file_in_building, make_loop_staff
from gridwork.matters.workflow import Action, MatterState
from gridwork.places.tests.factories import CityTree, make_city_tree

MAX_EXAMPLES = 10
SEED = 20260302
CHECKS = ["not_a_server_error", "response_schema_conformance", "status_code_conformance", "content_type_conformance"]
TOKEN_PREFIX = "5c4e3a10"
TOKEN_KEY = f"gw_{TOKEN_PREFIX}_schemathesis-operator-key-0123456789abcdef"
FILED_ON = datetime(2026, 3, 2, 10, 0)
NUMBERS = [f"GW{FILED_ON:%Y%m%d}{sequence:07d}" for sequence in range(1, 6)]
STATES = [
    MatterState.SUBMITTED,
    MatterState.DISPATCHED,
    MatterState.IN_PROGRESS,
    MatterState.REPLIED,
    MatterState.CLOSED,
]
PLACE_CODES = ["520100000000", "520102001001", "520102001001001001"]  # the city, a community, a building
CATEGORY_CODES = ["G1", "G1.01", "G1.01.002"]


def _file_matters(tree: CityTree) -> list[str]:
    """One matter at each stage of the loop: to dispatch, to accept, in progress, replied, closed."""
    staff = make_loop_staff(tree)
    moves: list[tuple[Any, str, dict[str, Any]]] = [
        (staff.dispatcher, Action.DISPATCH, {"kind": "professional", "lead_department_id": tree.department.pk}),
        (staff.department, Action.ACCEPT, {}),
        (staff.department, Action.REPLY, {"text": "已更换灯具"}),
        (staff.dispatcher, Action.VERIFY_CLOSE, {}),
    ]
    numbers = []
    for stage in range(len(STATES)):
        receipt = file_in_building(tree, reporter_phone="13812345678", now=timezone.make_aware(FILED_ON))
        for actor, action, data in moves[:stage]:
            matter = matter_transition(actor=actor, matter_id=receipt.matter_id, action=action, data=data)
        numbers.append(receipt.number)
    assert matter.state == STATES[-1]
    return numbers


@pytest.fixture
def api_data(db: None) -> Iterator[None]:
    """The test city, its matters and the operator's token; Django's connection kept open across requests."""
    tree = make_city_tree()
    operator = make_staff(role=Role.DISPATCH_CENTRE, place=tree.city, department=tree.dispatch_centre, username="op")
    ApiToken.objects.create(name="schemathesis", user=operator, prefix=TOKEN_PREFIX, digest=key_digest(TOKEN_KEY))
    assert _file_matters(tree) == NUMBERS
    assert [tree.city.code, tree.community.code, tree.microgrid.code] == PLACE_CODES
    assert Category.objects.filter(code__in=CATEGORY_CODES).count() == len(CATEGORY_CODES)
    # What Django's test client does: a bare WSGI handler would close the test's connection after each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


CONFIG = schemathesis.Config.from_dict(
    {
        "headers": {"Authorization": f"Token {TOKEN_KEY}"},
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "seed": SEED,
        "dictionaries": {
            "numbers": {"values": NUMBERS},
            "codes": {"values": PLACE_CODES + CATEGORY_CODES},
            "buildings": {"values": PLACE_CODES[-1:]},
            "categories": {"values": CATEGORY_CODES},
            "areas": {"values": PLACE_CODES[:2]},
            "months": {"values": [f"{FILED_ON:%Y-%m}", f"{FILED_ON:%Y-%m-%d}"]},
        },
        "parameters": {
            "path.number": {"dictionary": "numbers", "probability": 0.9},
            "path.code": {"dictionary": "codes", "probability": 0.9},
            "body.building": {"dictionary": "buildings", "probability": 0.8},
            "body.category": {"dictionary": "categories", "probability": 0.5},
            "body.duplicate_of": {"dictionary": "numbers", "probability": 0.5},
            "body.original": {"dictionary": "numbers", "probability": 0.5},
            "query.area": {"dictionary": "areas", "probability": 0.5},
            "query.on": {"dictionary": "months", "probability": 0.5},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=CONFIG)


@pytest.mark.slow
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the data is meant to carry across examples
def test_api_conforms_to_its_schema(case: Any, api_data: None) -> None:
    case.call_and_validate()
