"""The pages: scope (another street's staff find nothing: 404; those without the permission: 403), refused forms
(400 with the field named), masking of the contact phone, the Excel export, the public pages and residents' rating."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.places.tests.factories import CityTree
from gridwork.propertyfirms.models import PropertyCompany, ResidentRating, ServiceContract
from gridwork.propertyfirms.tests.factories import CODE2, World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def client_of(user: Any = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def detail(world: World) -> str:
    return reverse("propertyfirms:company-detail", args=[world.company.pk])


def test_list_and_detail_scope(world: World) -> None:
    page = client_of(world.community).get(reverse("propertyfirms:company-list"))
    assert page.status_code == 200
    assert world.company.name in page.content.decode()
    assert client_of(world.other_street).get(detail(world)).status_code == 404
    assert client_of(world.community2).get(detail(world)).status_code == 200
    end = reverse("propertyfirms:contract-end", args=[world.contract.pk])
    assert client_of(world.community2).get(end).status_code == 404  # another community's contract
    assert client_of(world.other_street).get(end).status_code == 404


def test_phone_in_full_only_where_the_company_serves(world: World) -> None:
    assert "13800001111" in client_of(world.community).get(detail(world)).content.decode()
    for user in (world.community2, world.street):  # another community; the street holds no personal data
        masked = client_of(user).get(detail(world)).content.decode()
        assert "13800001111" not in masked
        assert "138****1111" in masked


def test_who_registers(world: World) -> None:
    create = reverse("propertyfirms:company-create")
    assert client_of(world.grid).get(create).status_code == 403  # no MANAGE_ACTORS
    assert client_of(world.community).get(create).status_code == 403  # not a street
    form = {
        "name": "临川物业",
        "credit_code": "91520102MA6DLX0B0X",
        "contact_name": "赵经理",
        "contact_phone": "13800002222",
        "registered_in": world.tree.street.pk,
        "party_members": 2,
        "party_members_in_management": 3,
        "is_active": "on",
    }
    refused = client_of(world.street).post(create, form)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'data-testid="error-credit_code"' in body
    assert 'data-testid="error-party_members_in_management"' in body
    outside = client_of(world.street).post(
        create, form | {"credit_code": CODE2, "registered_in": world.tree.street2.pk}
    )
    assert outside.status_code == 400  # not one of the street's units
    done = client_of(world.street).post(create, form | {"credit_code": CODE2, "party_members_in_management": 1})
    assert done.status_code == 302
    assert PropertyCompany.objects.filter(credit_code=CODE2, registered_in=world.tree.street).exists()


def test_contract_form_refuses_overlap(world: World) -> None:
    url = reverse("propertyfirms:contract-create", args=[world.company.pk])
    refused = client_of(world.community).post(
        url, {"estate": world.estate.pk, "starts_on": "2027-06-01", "ends_on": "2028-06-01"}
    )
    assert refused.status_code == 400
    assert 'data-testid="error-starts_on"' in refused.content.decode()
    other = client_of(world.community).post(
        url, {"estate": world.estate2.pk, "starts_on": "2027-06-01", "ends_on": "2028-06-01"}
    )
    assert other.status_code == 400  # 秋实社区's estate is not a choice for 春晖社区's staff
    assert 'data-testid="error-estate"' in other.content.decode()
    done = client_of(world.community).post(
        url, {"estate": world.estate_b.pk, "starts_on": "2026-06-01", "ends_on": "2028-06-01"}
    )
    assert done.status_code == 302
    assert ServiceContract.objects.filter(estate=world.estate_b).count() == 1


def test_recognise_needs_a_street(world: World) -> None:
    url = reverse("propertyfirms:recognise", args=[world.company.pk])
    assert client_of(world.community).get(url).status_code == 403
    refused = client_of(world.street).post(url, {"valid_from": "2026-06-01", "valid_until": "2027-06-01"})
    assert refused.status_code == 400  # the criteria are not met: said on the form
    assert "Criteria not met" in refused.content.decode()


def test_ratings_page_and_export(world: World) -> None:
    assert client_of(world.community).get(reverse("propertyfirms:ratings")).status_code == 200
    assert client_of(world.street).get(reverse("propertyfirms:coverage")).status_code == 200
    response = client_of(world.street).get(reverse("propertyfirms:ratings-export"), {"quarter": "2026Q1"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == (world.company.name, world.company.credit_code, "2026Q1")
    assert "13800001111" not in str(rows)
    empty = client_of(world.other_street).get(reverse("propertyfirms:ratings-export"))
    assert len(list(load_workbook(io.BytesIO(empty.content)).worksheets[0].iter_rows())) == 1


def test_public_pages(world: World) -> None:
    page = client_of().get(reverse("propertyfirms_public:list"))
    assert page.status_code == 200
    assert world.company.name in page.content.decode()
    company = client_of().get(reverse("propertyfirms_public:company", args=[world.company.pk]))
    assert company.status_code == 200
    assert "13800001111" not in company.content.decode()
    ServiceContract.objects.filter(pk=world.contract.pk).update(starts_on=date(2020, 1, 1), ends_on=date(2021, 1, 1))
    assert client_of().get(reverse("propertyfirms_public:company", args=[world.company.pk])).status_code == 404


def test_resident_rates(world: World) -> None:
    url = reverse("propertyfirms_public:rate")
    assert client_of().get(url).status_code == 302  # sign in first
    assert client_of(world.community).get(url).status_code == 403
    resident = client_of(world.resident)
    assert resident.get(url).status_code == 200
    refused = resident.post(url, {"estate": world.estate.pk, "score": "9"})
    assert refused.status_code == 400
    assert 'data-testid="error-score"' in refused.content.decode()
    foreign = resident.post(url, {"estate": world.estate2.pk, "score": "4"})
    assert foreign.status_code == 400  # not an estate of the resident's community
    assert resident.post(url, {"estate": world.estate.pk, "score": "4", "comment": "很好"}).status_code == 302
    again = resident.post(url, {"estate": world.estate.pk, "score": "5"})
    assert again.status_code == 400
    assert 'data-testid="error-estate"' in again.content.decode()
    assert ResidentRating.objects.filter(account=world.resident).count() == 1


def test_recognise_badge_and_revoke(world: World, tree: CityTree) -> None:
    from gridwork.party.models import PartyOrganisation
    from gridwork.propertyfirms import services
    from gridwork.propertyfirms.models import Recognition
    from gridwork.propertyfirms.quarters import last_quarters, quarter_bounds

    organisation = PartyOrganisation.objects.create(
        code="P-WY-2", name="安居物业党支部", kind="branch", place=tree.street
    )
    PropertyCompany.objects.filter(pk=world.company.pk).update(party_organisation=organisation)
    today = timezone.localdate()
    ServiceContract.objects.filter(pk=world.contract.pk).update(
        starts_on=date(2000, 1, 1), ends_on=date(2099, 1, 1), agreed_ends_on=date(2099, 1, 1)
    )
    for year, quarter in last_quarters(today, 2):
        services.rating_submit(
            actor=world.resident, estate=world.estate, score=5, today=quarter_bounds(year, quarter)[1]
        )
    url = reverse("propertyfirms:recognise", args=[world.company.pk])
    until = date(today.year + 1, today.month, 1).isoformat()
    done = client_of(world.street).post(
        url, {"valid_from": today.isoformat(), "valid_until": until, "joint_meeting": "on"}
    )
    assert done.status_code == 302
    public = client_of().get(reverse("propertyfirms_public:company", args=[world.company.pk])).content.decode()
    assert 'data-testid="red-badge"' in public
    recognition = Recognition.objects.get(company=world.company)
    revoke = reverse("propertyfirms:revoke", args=[recognition.pk])
    assert client_of(world.community).get(revoke).status_code == 403
    assert client_of(world.other_street).get(revoke).status_code == 404
    refused = client_of(world.street).post(revoke, {"reason": ""})
    assert refused.status_code == 400
    assert 'data-testid="error-reason"' in refused.content.decode()
    assert client_of(world.street).post(revoke, {"reason": "服务质量下降"}).status_code == 302
    public = client_of().get(reverse("propertyfirms_public:company", args=[world.company.pk])).content.decode()
    assert 'data-testid="red-badge"' not in public
