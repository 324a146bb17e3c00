"""The pages of the three lists: staff (needs, matching, resources, matches, projects, exports) and a unit's contact
(our resources, the needs around us). Bad input names the field (400), a stale page is refused (409), and whatever is
outside the user's scope or not their unit's is not found (404) and left unchanged — forged POSTs included."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.cobuild import services, suggestions
from gridwork.cobuild.models import Match, Milestone, Need, NeedState, Project, Resource, ResourceState
from gridwork.cobuild.tests.factories import (
    World,
    days,
    make_match,
    make_project,
    make_world,
    publish_need,
    publish_resource,
)
from gridwork.cobuild.views import common
from gridwork.matters.tests.factories import file_in_building
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _need_post(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "community": world.tree.community.pk,
        "title": "老年人助餐服务",
        "description": "独居老人午餐",
        "field": "elderly",
        "source": "meeting",
        "matter_number": "",
        "hotspot_key": "",
        "quantity": "30",
        "quantity_unit": "份",
        "wanted_by": days(30).isoformat(),
    }
    data.update(changes)
    return data


def _resource_post(**changes: Any) -> dict[str, Any]:
    data = {
        "kind": "people",
        "field": "elderly",
        "title": "为社区老年人提供助餐服务",
        "description": "食堂每天中午助餐",
        "quantity": "50",
        "quantity_unit": "份",
        "available_from": days(0).isoformat(),
        "available_to": days(90).isoformat(),
        "availability": "工作日中午",
    }
    data.update(changes)
    return data


# --- who gets in ------------------------------------------------------------------------------------------------------


def test_staff_pages_send_the_anonymous_to_sign_in_and_refuse_others(world: World) -> None:
    urls = [
        reverse("cobuild:need-list"),
        reverse("cobuild:resource-list"),
        reverse("cobuild:match-list"),
        reverse("cobuild:project-list"),
        reverse("cobuild:figures"),
    ]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"], url
        assert client_for(world.contact).get(url).status_code == 403, url
        assert client_for(world.staff).get(url).status_code == 200, url
    # VIEW_PARTY without MANAGE_PARTY: reads, but may not publish
    assert client_for(world.grid_worker).get(urls[0]).status_code == 200
    assert client_for(world.grid_worker).post(reverse("cobuild:need-create"), _need_post(world)).status_code == 403
    assert not Need.objects.exists()


def test_unit_pages_are_for_unit_contacts(world: World) -> None:
    urls = [reverse("unit_cobuild:resource-list"), reverse("unit_cobuild:need-list")]
    stranger = make_resident_user(phone="13700000009")
    for url in urls:
        assert Client().get(url).status_code == 302
        assert client_for(stranger).get(url).status_code == 403
        assert client_for(world.contact).get(url).status_code == 200


# --- needs and matching -----------------------------------------------------------------------------------------------


def test_publishing_a_need_then_accepting_a_suggestion(world: World) -> None:
    resource = publish_resource(world)
    client = client_for(world.staff)
    response = client.post(reverse("cobuild:need-create"), _need_post(world))
    need = Need.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cobuild:need-matching", args=[need.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-resource="{resource.pk}"' in body
    assert "same field: Elderly care" in body
    assert "the unit sits in the same community" in body
    response = client.post(
        reverse("cobuild:need-match", args=[need.pk]), {"version": need.version, "resource": resource.pk}
    )
    assert response.status_code == 302
    match = Match.objects.get()
    assert (match.need, match.resource, match.made_by) == (need, resource, world.staff)
    detail = client.get(reverse("cobuild:need-detail", args=[need.pk])).content.decode()
    assert reverse("cobuild:match-project", args=[match.pk]) in detail


def test_a_match_post_ranks_the_offers_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    resource = publish_resource(world)
    client = client_for(world.staff)
    client.post(reverse("cobuild:need-create"), _need_post(world))
    need = Need.objects.get()
    rankings: list[int] = []
    real_rank = suggestions.rank_offers

    def counting_rank(**kwargs: Any) -> Any:
        rankings.append(1)
        return real_rank(**kwargs)

    monkeypatch.setattr(suggestions, "rank_offers", counting_rank)
    response = client.post(
        reverse("cobuild:need-match", args=[need.pk]), {"version": need.version, "resource": resource.pk}
    )
    assert response.status_code == 302
    assert len(rankings) == 1
    assert Match.objects.get().score > 0


def test_need_form_errors_name_the_field(world: World) -> None:
    client = client_for(world.staff)
    response = client.post(
        reverse("cobuild:need-create"),
        _need_post(world, title="", field="", quantity="-3", wanted_by=days(-1).isoformat()),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("title", "field"):
        assert f'data-testid="error-{field}"' in body
    response = client.post(reverse("cobuild:need-create"), _need_post(world, wanted_by=days(-1).isoformat()))
    assert response.status_code == 400
    assert "The day cannot be in the past." in response.content.decode()
    response = client.post(reverse("cobuild:need-create"), _need_post(world, matter_number="M-NOPE"))
    assert response.status_code == 400
    assert 'data-testid="error-matter_number"' in response.content.decode()
    # a community outside the user's scope is not a choice
    response = client.post(reverse("cobuild:need-create"), _need_post(world, community=world.tree.community2.pk))
    assert response.status_code == 400
    assert 'data-testid="error-community"' in response.content.decode()
    assert not Need.objects.exists()


def test_a_need_taken_from_a_matter(world: World) -> None:
    receipt = file_in_building(world.tree)
    client = client_for(world.staff)
    page = client.get(reverse("cobuild:need-create") + f"?matter={receipt.number}")
    assert page.status_code == 200
    assert receipt.number in page.content.decode()
    response = client.post(
        reverse("cobuild:need-create"), _need_post(world, source="matters", matter_number=receipt.number)
    )
    assert response.status_code == 302
    assert Need.objects.get().matter_id == receipt.matter_id
    # another community's staff cannot name that matter
    client2 = client_for(world.staff2)
    response = client2.post(
        reverse("cobuild:need-create"),
        _need_post(world, community=world.tree.community2.pk, source="matters", matter_number=receipt.number),
    )
    assert response.status_code == 400
    assert Need.objects.count() == 1


def test_another_communitys_staff_get_404_and_change_nothing(world: World) -> None:
    need = publish_need(world)
    resource = publish_resource(world)
    project = make_project(world)
    outsider = client_for(world.staff2)
    for url in [
        reverse("cobuild:need-detail", args=[need.pk]),
        reverse("cobuild:need-edit", args=[need.pk]),
        reverse("cobuild:need-matching", args=[need.pk]),
        reverse("cobuild:resource-detail", args=[resource.pk]),
        reverse("cobuild:resource-edit", args=[resource.pk]),
        reverse("cobuild:project-detail", args=[project.pk]),
        reverse("cobuild:project-edit", args=[project.pk]),
    ]:
        assert outsider.get(url).status_code == 404, url
    posts = [
        (reverse("cobuild:need-match", args=[need.pk]), {"version": 1, "resource": resource.pk}),
        (reverse("cobuild:need-withdraw", args=[need.pk]), {"withdraw-version": 1, "withdraw-reason": "x"}),
        (reverse("cobuild:need-edit", args=[need.pk]), {**_need_post(world), "version": 1}),
        (reverse("cobuild:resource-withdraw", args=[resource.pk]), {"withdraw-version": 1}),
        (reverse("cobuild:project-cancel", args=[project.pk]), {"cancel-version": 1, "cancel-reason": "x"}),
        (reverse("cobuild:project-start", args=[project.pk]), {"start-version": 1}),
    ]
    for url, data in posts:
        assert outsider.post(url, data).status_code == 404, url
    need.refresh_from_db()
    resource.refresh_from_db()
    project.refresh_from_db()
    assert (need.state, need.version, resource.state, project.state) == ("open", 1, "available", "planned")
    assert not Match.objects.exists()
    # and the lists show none of it
    assert need.title not in outsider.get(reverse("cobuild:need-list")).content.decode()


def test_a_forged_match_of_a_resource_not_offered_is_refused(world: World) -> None:
    need = publish_need(world)
    used_up = publish_resource(world)
    services.resource_use_up(actor=world.contact, resource=used_up, expected_version=1)
    unfit = publish_resource(world, field="legal", title="法律咨询", description="律师坐班")
    client = client_for(world.staff)
    for resource in (used_up, unfit):
        response = client.post(reverse("cobuild:need-match", args=[need.pk]), {"version": 1, "resource": resource.pk})
        assert response.status_code == 400
    response = client.post(reverse("cobuild:need-match", args=[need.pk]), {"version": 1, "resource": 999999})
    assert response.status_code == 400
    response = client.post(reverse("cobuild:need-match", args=[need.pk]), {"version": "x", "resource": "y"})
    assert response.status_code == 400
    assert not Match.objects.exists()


def test_a_stale_page_is_refused_with_409(world: World) -> None:
    need = publish_need(world)
    resource = publish_resource(world)
    client = client_for(world.staff)
    client.post(reverse("cobuild:need-meet", args=[need.pk]), {"meet-version": 1, "meet-note": ""})
    response = client.post(reverse("cobuild:need-match", args=[need.pk]), {"version": 1, "resource": resource.pk})
    assert response.status_code == 409
    response = client.post(
        reverse("cobuild:need-withdraw", args=[need.pk]), {"withdraw-version": 2, "withdraw-reason": "x"}
    )
    assert response.status_code == 400  # met: withdrawing is not a move from there
    assert Need.objects.get().state == NeedState.MET


# --- resources --------------------------------------------------------------------------------------------------------


def test_a_contact_adds_edits_and_withdraws_our_resource(world: World) -> None:
    client = client_for(world.contact)
    response = client.post(reverse("unit_cobuild:resource-create"), {**_resource_post(), "unit": world.unit.pk})
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.unit, resource.created_by) == (world.unit, world.contact)
    response = client.post(
        reverse("unit_cobuild:resource-edit", args=[resource.pk]),
        {**_resource_post(title="午间助餐"), "version": 1},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("unit_cobuild:resource-withdraw", args=[resource.pk]), {"withdraw-version": 2, "withdraw-reason": ""}
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.title, resource.state) == ("午间助餐", ResourceState.WITHDRAWN)
    listing = client.get(reverse("unit_cobuild:resource-list")).content.decode()
    assert "午间助餐" in listing


def test_another_units_contact_cannot_see_or_change_my_resource(world: World) -> None:
    resource = publish_resource(world)
    other = client_for(world.contact2)
    for url in [
        reverse("unit_cobuild:resource-detail", args=[resource.pk]),
        reverse("unit_cobuild:resource-edit", args=[resource.pk]),
    ]:
        assert other.get(url).status_code == 404
    forged = [
        (reverse("unit_cobuild:resource-edit", args=[resource.pk]), {**_resource_post(title="被改了"), "version": 1}),
        (reverse("unit_cobuild:resource-withdraw", args=[resource.pk]), {"withdraw-version": 1}),
        (reverse("unit_cobuild:resource-use-up", args=[resource.pk]), {"use_up-version": 1}),
    ]
    for url, data in forged:
        assert other.post(url, data).status_code == 404
    # nor add a resource in my unit's name
    response = other.post(reverse("unit_cobuild:resource-create"), {**_resource_post(), "unit": world.unit.pk})
    assert response.status_code == 400
    resource.refresh_from_db()
    assert (resource.title, resource.state, resource.version) == ("为社区老年人提供助餐服务", "available", 1)
    assert Resource.objects.count() == 1
    assert resource.title not in other.get(reverse("unit_cobuild:resource-list")).content.decode()


def test_resource_form_errors_name_the_field(world: World) -> None:
    client = client_for(world.contact)
    response = client.post(
        reverse("unit_cobuild:resource-create"),
        {
            **_resource_post(kind="", title="", available_from=days(9).isoformat(), available_to=days(1).isoformat()),
            "unit": world.unit.pk,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("kind", "title"):
        assert f'data-testid="error-{field}"' in body
    response = client.post(
        reverse("unit_cobuild:resource-create"),
        {**_resource_post(available_from=days(9).isoformat(), available_to=days(1).isoformat()), "unit": world.unit.pk},
    )
    assert response.status_code == 400
    assert 'data-testid="error-available_to"' in response.content.decode()
    assert not Resource.objects.exists()


def test_staff_enter_a_resource_only_for_units_of_their_area(world: World) -> None:
    client = client_for(world.staff)
    response = client.post(reverse("cobuild:resource-create"), {**_resource_post(), "unit": world.unit_street.pk})
    assert response.status_code == 400
    assert 'data-testid="error-unit"' in response.content.decode()
    response = client.post(reverse("cobuild:resource-create"), {**_resource_post(), "unit": world.unit.pk})
    assert response.status_code == 302
    assert Resource.objects.get().created_by == world.staff


def test_the_needs_around_a_unit(world: World) -> None:
    ours = publish_need(world)
    theirs = publish_need(world, actor=world.staff2, community=world.tree.community2, title="青少年课后托管")
    closed = publish_need(world, title="已满足的需求")
    services.need_meet(actor=world.staff, need=closed, expected_version=1)
    client = client_for(world.contact)
    body = client.get(reverse("unit_cobuild:need-list")).content.decode()
    assert ours.title in body
    assert theirs.title not in body
    assert closed.title not in body
    assert client.get(reverse("unit_cobuild:need-detail", args=[ours.pk])).status_code == 200
    assert client.get(reverse("unit_cobuild:need-detail", args=[theirs.pk])).status_code == 404
    # the school in 秋实社区 sees 秋实社区's need only
    body2 = client_for(world.contact2).get(reverse("unit_cobuild:need-list")).content.decode()
    assert theirs.title in body2
    assert ours.title not in body2


# --- projects ---------------------------------------------------------------------------------------------------------


def test_a_match_becomes_a_project_with_milestones(world: World) -> None:
    need = publish_need(world)
    match = make_match(world, need, publish_resource(world))
    client = client_for(world.staff)
    page = client.get(reverse("cobuild:match-project", args=[match.pk]))
    assert page.status_code == 200
    data = {
        "title": "幸福食堂",
        "goal": "每天为独居老人提供午餐",
        "field": "elderly",
        "units": [world.unit.pk],
        "budget": "12000.50",
        "starts_on": days(0).isoformat(),
        "ends_on": days(60).isoformat(),
    }
    response = client.post(reverse("cobuild:match-project", args=[match.pk]), {**data, "units": []})
    assert response.status_code == 400
    assert 'data-testid="error-units"' in response.content.decode()
    response = client.post(reverse("cobuild:match-project", args=[match.pk]), {**data, "budget": "abc"})
    assert response.status_code == 400
    response = client.post(reverse("cobuild:match-project", args=[match.pk]), data)
    assert response.status_code == 302
    project = Project.objects.get()
    assert (project.match, project.community, project.budget) == (match, world.tree.community, Decimal("12000.50"))
    # made once: the second visit goes to the project
    assert client.get(reverse("cobuild:match-project", args=[match.pk]))["Location"] == reverse(
        "cobuild:project-detail", args=[project.pk]
    )
    url = reverse("cobuild:milestone-add", args=[project.pk])
    response = client.post(url, {"milestone-version": 1, "milestone-title": "开张", "milestone-due_on": ""})
    assert response.status_code == 400
    response = client.post(
        url, {"milestone-version": 1, "milestone-title": "开张", "milestone-due_on": days(10).isoformat()}
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    client.post(reverse("cobuild:project-start", args=[project.pk]), {"start-version": 2})
    done_url = reverse("cobuild:milestone-done", args=[project.pk, milestone.pk])
    response = client.post(
        done_url, {f"done{milestone.pk}-version": 3, f"done{milestone.pk}-done_on": days(0).isoformat()}
    )
    assert response.status_code == 302
    response = client.post(reverse("cobuild:project-finish", args=[project.pk]), {"finish-version": 4})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == "done"


def test_a_forged_milestone_of_another_project_is_not_found(world: World) -> None:
    project = make_project(world)
    other = make_project(world, title="法律进社区")
    milestone = services.milestone_add(
        actor=world.staff, project=other, title="开讲", due_on=days(1), expected_version=1
    )
    services.project_start(actor=world.staff, project=project, expected_version=1)
    response = client_for(world.staff).post(
        reverse("cobuild:milestone-done", args=[project.pk, milestone.pk]),
        {f"done{milestone.pk}-version": 2, f"done{milestone.pk}-done_on": days(0).isoformat()},
    )
    assert response.status_code == 404
    assert Milestone.objects.get(pk=milestone.pk).done_on is None


def test_the_clause_link_appears_only_when_the_contracts_page_exists(world: World, monkeypatch: Any) -> None:
    match = make_match(world, publish_need(world), publish_resource(world))
    monkeypatch.setattr(common, "CLAUSE_FROM_MATCH", "contracts:no-such-page")
    assert common.clause_from_match_url(match) == ""
    body = client_for(world.staff).get(reverse("cobuild:need-detail", args=[match.need.pk])).content.decode()
    assert 'data-testid="to-clause"' not in body
    monkeypatch.setattr(common, "CLAUSE_FROM_MATCH", "cobuild:match-project")
    assert common.clause_from_match_url(match) == reverse("cobuild:match-project", args=[match.pk])
    body = client_for(world.staff).get(reverse("cobuild:need-detail", args=[match.need.pk])).content.decode()
    assert 'data-testid="to-clause"' in body


# --- exports ----------------------------------------------------------------------------------------------------------


def test_each_list_exports_to_excel_with_the_users_rows_only(world: World) -> None:
    need = publish_need(world, title="=HYPERLINK(1)")
    publish_need(world, actor=world.staff2, community=world.tree.community2, title="秋实的需求")
    resource = publish_resource(world)
    make_match(world, need, resource)
    make_project(world)
    client = client_for(world.staff)
    expected = {
        "cobuild:need-export": 1,
        "cobuild:resource-export": 1,
        "cobuild:match-export": 1,
        "cobuild:project-export": 1,
    }
    for name, rows in expected.items():
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert response["Content-Type"] == XLSX
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        assert len(values) == 1 + rows, (name, values)
    sheet = load_workbook(io.BytesIO(client.get(reverse("cobuild:need-export")).content)).worksheets[0]
    [_header, row] = list(sheet.iter_rows(values_only=True))
    assert row[2] == "=HYPERLINK(1)"  # kept as text
    assert sheet.cell(row=2, column=3).data_type == "s"


# --- every page renders -----------------------------------------------------------------------------------------------


def test_every_page_renders_for_its_users(world: World) -> None:
    need = publish_need(world)
    resource = publish_resource(world)
    match = make_match(world, need, resource)
    project = make_project(world, match=match, community=None)
    services.milestone_add(actor=world.staff, project=project, title="开张", due_on=days(5), expected_version=1)
    staff = client_for(world.staff)
    for name, args in [
        ("cobuild:need-list", []),
        ("cobuild:need-create", []),
        ("cobuild:need-detail", [need.pk]),
        ("cobuild:need-edit", [need.pk]),
        ("cobuild:need-matching", [need.pk]),
        ("cobuild:resource-list", []),
        ("cobuild:resource-create", []),
        ("cobuild:resource-detail", [resource.pk]),
        ("cobuild:resource-edit", [resource.pk]),
        ("cobuild:match-list", []),
        ("cobuild:project-list", []),
        ("cobuild:project-create", []),
        ("cobuild:project-detail", [project.pk]),
        ("cobuild:project-edit", [project.pk]),
        ("cobuild:figures", []),
    ]:
        response = staff.get(reverse(name, args=args))
        assert response.status_code == 200, name
    filtered = staff.get(reverse("cobuild:need-list"), {"state": "open", "field": "elderly", "q": "助餐"})
    assert need.title in filtered.content.decode()
    assert need.title not in staff.get(reverse("cobuild:need-list"), {"state": "met"}).content.decode()
    contact = client_for(world.contact)
    for name, args in [
        ("unit_cobuild:resource-list", []),
        ("unit_cobuild:resource-create", []),
        ("unit_cobuild:resource-detail", [resource.pk]),
        ("unit_cobuild:resource-edit", [resource.pk]),
        ("unit_cobuild:need-list", []),
        ("unit_cobuild:need-detail", [need.pk]),
    ]:
        response = contact.get(reverse(name, args=args))
        assert response.status_code == 200, name
    # the unit's page names the need it was matched with, and no staff member
    body = contact.get(reverse("unit_cobuild:resource-detail", args=[resource.pk])).content.decode()
    assert need.title in body
    assert world.staff.get_username() not in body


def test_a_need_taken_from_a_hot_spot(world: World) -> None:
    receipts = [file_in_building(world.tree) for _ in range(3)]
    client = client_for(world.staff)
    page = client.get(reverse("cobuild:need-create")).content.decode()
    assert 'data-testid="hot-spots"' in page
    key = receipts[0].number
    assert f"?hotspot={key}" in page
    prefilled = client.get(reverse("cobuild:need-create"), {"hotspot": key}).content.decode()
    assert 'data-testid="from-hotspot"' in prefilled
    response = client.post(
        reverse("cobuild:need-create"),
        _need_post(world, source="matters", matter_number=key, hotspot_key=key),
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.hotspot_key, need.matter_id) == (key, receipts[0].matter_id)
