"""The writes posted from a company's page or a contract's (``views/actions.py``), each the same way: the form on its
page, a refused form again with the field named (400), a done one with its message, its audit row and a redirect to
the company's page; staff without the permission 403, another unit's object 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Matter
from gridwork.matters.tests.factories import file_in_building
from gridwork.places.tests.factories import CityTree
from gridwork.propertyfirms import services
from gridwork.propertyfirms.models import (
    CommunityAssessment,
    MatterLink,
    Recognition,
    RecognitionState,
    ServiceContract,
    SurveyResult,
)
from gridwork.propertyfirms.tests.factories import World, make_world

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def said(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def audited(action: str) -> int:
    return AuditEvent.objects.filter(action=f"propertyfirms.{action}").count()


def done(response: HttpResponse, world: World, message: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == reverse("propertyfirms:company-detail", args=[world.company.pk])
    assert said(response) == [message]


def shown(response: HttpResponse, testid: str, title: str) -> str:
    body = response.content.decode()
    assert f'data-testid="{testid}-form"' in body
    assert f'<h1 class="h3">{title}</h1>' in body
    assert "Property companies" in body  # the breadcrumbs
    return body


def test_contract_create(world: World) -> None:
    url = reverse("propertyfirms:contract-create", args=[world.company.pk])
    shown(client_of(world.community).get(url), "contract", "New service contract")
    assert client_of(world.grid).get(url).status_code == 403
    assert client_of(world.other_street).get(url).status_code == 404
    refused = client_of(world.community).post(url, {"estate": world.estate_b.pk, "starts_on": "2027-06-01"})
    assert refused.status_code == 400
    assert 'data-testid="error-ends_on"' in shown(refused, "contract", "New service contract")
    form = {"estate": world.estate_b.pk, "starts_on": "2026-06-01", "ends_on": "2028-06-01"}
    before = audited("contract_create")
    done(client_of(world.community).post(url, form), world, "Contract recorded.")
    assert ServiceContract.objects.filter(estate=world.estate_b).count() == 1
    assert audited("contract_create") == before + 1


def test_contract_end(world: World) -> None:
    url = reverse("propertyfirms:contract-end", args=[world.contract.pk])
    body = shown(client_of(world.community).get(url), "end", "End the contract early")
    assert "春晖花园 · End the contract early" in body  # the contract's estate in the breadcrumbs
    assert client_of(world.community2).post(url, {"last_day": "2026-12-31", "reason": "x"}).status_code == 404
    refused = client_of(world.community).post(url, {"last_day": "2026-12-31", "reason": ""})
    assert refused.status_code == 400
    assert 'data-testid="error-reason"' in refused.content.decode()
    empty = client_of(world.community).post(url, {})
    assert empty.status_code == 400
    done(
        client_of(world.community).post(url, {"last_day": "2026-12-31", "reason": "业主大会解聘"}),
        world,
        "The contract is ended.",
    )
    world.contract.refresh_from_db()
    assert world.contract.ended_early
    assert audited("contract_end_early") == 1


def test_survey(world: World) -> None:
    url = reverse("propertyfirms:survey-create", args=[world.contract.pk])
    shown(client_of(world.community).get(url), "survey", "Survey result")
    assert client_of(world.community2).get(url).status_code == 404
    refused = client_of(world.community).post(url, {"quarter": "2026Q1", "score": "4.5", "sample_size": "0"})
    assert refused.status_code == 400
    assert 'data-testid="error-sample_size"' in refused.content.decode()
    form = {"quarter": "2026Q1", "score": "4.5", "sample_size": "30"}
    done(client_of(world.community).post(url, form), world, "Survey result recorded.")
    assert SurveyResult.objects.filter(estate=world.estate, year=2026, quarter=1).count() == 1
    assert audited("survey_record") == 1
    again = client_of(world.community).post(url, form)
    assert again.status_code == 400  # once a quarter: the service's refusal on the form
    assert SurveyResult.objects.filter(estate=world.estate).count() == 1


def test_assessment(world: World) -> None:
    from gridwork.propertyfirms.models import ASSESSMENT_ITEMS

    url = reverse("propertyfirms:assessment-create", args=[world.contract.pk])
    shown(client_of(world.community).get(url), "assessment", "Community assessment")
    items = {name: str(points) for name, _label, points in ASSESSMENT_ITEMS}
    first = ASSESSMENT_ITEMS[0][0]
    refused = client_of(world.community).post(url, {"quarter": "2026Q1", **items, first: "999"})
    assert refused.status_code == 400
    assert f'data-testid="error-{first}"' in refused.content.decode()
    assert client_of(world.community2).post(url, {"quarter": "2026Q1", **items}).status_code == 404
    done(client_of(world.community).post(url, {"quarter": "2026Q1", **items}), world, "Assessment recorded.")
    assert CommunityAssessment.objects.filter(estate=world.estate).count() == 1
    assert audited("assessment_record") == 1


def _matter(world: World, day: date) -> Matter:
    receipt = file_in_building(world.tree, title="电梯故障", text="小区电梯坏了三天，物业一直没有修理，老人出行困难。")
    moment = datetime(day.year, day.month, day.day, 10, tzinfo=ZONE)
    Matter.objects.filter(pk=receipt.matter_id).update(created_at=moment)
    return Matter.objects.get(pk=receipt.matter_id)


def test_matter_link(world: World) -> None:
    url = reverse("propertyfirms:matter-link", args=[world.company.pk])
    assert client_of(world.community).get(url).status_code == 405  # posted from the company's page only
    matter = _matter(world, date(2026, 2, 3))
    unknown = client_of(world.community).post(url, {"matter": "NO-SUCH"})
    assert unknown.status_code == 400
    assert "No such matter in your units." in shown(unknown, "link", "Link a matter")
    assert client_of(world.other_street).post(url, {"matter": matter.number}).status_code == 404
    done(client_of(world.community).post(url, {"matter": matter.number}), world, "Matter linked.")
    assert MatterLink.objects.filter(company=world.company, matter=matter).exists()
    assert audited("matter_link") == 1


def test_recognise_and_revoke_need_a_street_over_the_company(world: World) -> None:
    recognise = reverse("propertyfirms:recognise", args=[world.company.pk])
    forbidden = client_of(world.community).post(recognise, {"valid_from": "2026-06-01", "valid_until": "2027-06-01"})
    assert forbidden.status_code == 403
    shown(client_of(world.street).get(recognise), "recognise", "Recognise as red property")
    today = timezone.localdate()
    recognition = Recognition.objects.create(
        company=world.company,
        decided_in=world.tree.street,
        valid_from=today,
        valid_until=date(today.year + 1, 1, 1),
        state=RecognitionState.RECOGNISED,
        decided_by=world.street,
    )
    revoke = reverse("propertyfirms:revoke", args=[recognition.pk])
    assert client_of(world.community).post(revoke, {"reason": "x"}).status_code == 403
    assert client_of(world.other_street).post(revoke, {"reason": "x"}).status_code == 404
    shown(client_of(world.street).get(revoke), "revoke", "Revoke the recognition")
    done(client_of(world.street).post(revoke, {"reason": "服务质量下降"}), world, "Recognition revoked.")
    recognition.refresh_from_db()
    assert recognition.state == RecognitionState.REVOKED
    assert audited("revoke") == 1
    assert services.recognising_place(world.community, world.company, today) is None
