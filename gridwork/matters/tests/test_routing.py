"""Routing rules (分流规则): their services validate and audit every change, their pages keep to the user's scope,
and the "test a rule" box answers what ``triage.route`` answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Category, RoutingRule
from gridwork.matters.routing import routing_rule_create, routing_rule_delete, routing_rule_update
from gridwork.matters.selectors import routing_explain
from gridwork.matters.triage import route
from gridwork.matters.units import Unit
from gridwork.places.models import Department
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(tree: CityTree) -> User:
    return make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")


@pytest.fixture
def lamps() -> Category:
    return Category.objects.get(code="G1.01.002")


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=f"matters.routing_rule.{action}").order_by("id"))


# --- services ------------------------------------------------------------------------------------------------


def test_create_update_and_delete_are_audited_with_before_and_after(
    tree: CityTree, street: User, lamps: Category
) -> None:
    rule = routing_rule_create(actor=street, area=tree.community, category=lamps, lead_department=tree.department)
    (created,) = audits("create")
    assert (created.actor, created.object_id) == (street, str(rule.pk))
    assert created.detail == {
        "before": None,
        "after": {
            "category": "G1.01.002",
            "area": tree.community.code,
            "lead_place": None,
            "lead_department": "D520102001",
        },
    }
    routing_rule_update(actor=street, rule=rule, area=tree.community, category=lamps, lead_place=tree.street)
    (updated,) = audits("update")
    assert updated.detail["before"]["lead_department"] == "D520102001"
    assert (updated.detail["after"]["lead_place"], updated.detail["after"]["lead_department"]) == (
        tree.street.code,
        None,
    )
    rule.refresh_from_db()
    assert (rule.lead_place, rule.lead_department) == (tree.street, None)
    routing_rule_update(actor=street, rule=rule, area=tree.community, category=lamps, lead_place=tree.street)
    assert len(audits("update")) == 1  # nothing changed, nothing recorded
    routing_rule_delete(actor=street, rule=rule)
    (deleted,) = audits("delete")
    assert deleted.detail == {"before": updated.detail["after"], "after": None}
    assert not RoutingRule.objects.exists()


def test_the_lead_unit_must_be_able_to_act_in_the_whole_area(tree: CityTree, street: User, lamps: Category) -> None:
    far = Department.objects.create(code="D520103001", name="西山区住建局", place=tree.district2)

    def refused(**unit: Any) -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as error:
            routing_rule_create(actor=street, area=tree.community, category=lamps, **unit)
        return error.value.message_dict

    assert "lead_unit" in refused()  # no unit
    assert "lead_unit" in refused(lead_place=tree.community, lead_department=tree.department)  # two units
    assert "lead_unit" in refused(lead_department=far)  # its jurisdiction is another district
    assert "lead_unit" in refused(lead_place=tree.grid)  # a grid cannot lead its whole community's matters
    assert "lead_unit" in refused(lead_place=tree.community2)  # a sibling, not an ancestor
    assert "lead_unit" in refused(lead_place=tree.city)  # not a handling level
    assert not AuditEvent.objects.filter(action__startswith="matters.routing_rule").exists()
    # The area itself, an ancestor, and a department whose jurisdiction contains the area are fine.
    routing_rule_create(actor=street, area=tree.community, category=None, lead_place=tree.community)
    routing_rule_create(actor=street, area=tree.grid, category=None, lead_place=tree.street)
    routing_rule_create(actor=street, area=tree.community, category=lamps, lead_department=tree.department)
    assert RoutingRule.objects.count() == 3


def test_one_rule_per_category_and_area(tree: CityTree, street: User, lamps: Category) -> None:
    routing_rule_create(actor=street, area=tree.community, category=lamps, lead_place=tree.community)
    routing_rule_create(actor=street, area=tree.community, category=None, lead_place=tree.community)
    with pytest.raises(ValidationError) as error:
        routing_rule_create(actor=street, area=tree.community, category=lamps, lead_place=tree.street)
    assert "category" in error.value.message_dict
    with pytest.raises(ValidationError):
        routing_rule_create(actor=street, area=tree.community, category=None, lead_place=tree.street)
    other = routing_rule_create(actor=street, area=tree.grid, category=lamps, lead_place=tree.community)
    with pytest.raises(ValidationError):  # moving a rule onto an existing one
        routing_rule_update(actor=street, rule=other, area=tree.community, category=lamps, lead_place=tree.street)
    assert RoutingRule.objects.count() == 3


def test_rules_are_managed_only_inside_the_users_scope(tree: CityTree, street: User, lamps: Category) -> None:
    community = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community")
    with pytest.raises(PermissionDenied):  # the sibling street's area
        routing_rule_create(actor=street, area=tree.street2, category=lamps, lead_place=tree.street2)
    with pytest.raises(PermissionDenied):  # community staff do not manage routing
        routing_rule_create(actor=community, area=tree.community, category=lamps, lead_place=tree.community)
    foreign = RoutingRule.objects.create(place=tree.street2, category=lamps, lead_place=tree.street2)
    with pytest.raises(PermissionDenied):
        routing_rule_update(actor=street, rule=foreign, area=tree.community, category=lamps, lead_place=tree.street)
    with pytest.raises(PermissionDenied):
        routing_rule_delete(actor=street, rule=foreign)
    ours = routing_rule_create(actor=street, area=tree.community, category=lamps, lead_place=tree.community)
    with pytest.raises(PermissionDenied):  # moving our rule out of our area
        routing_rule_update(actor=street, rule=ours, area=tree.street2, category=lamps, lead_place=tree.street2)
    assert RoutingRule.objects.filter(pk=foreign.pk, place=tree.street2).exists()


# --- pages ----------------------------------------------------------------------------------------------------


def test_the_pages_need_the_routing_permission(tree: CityTree) -> None:
    community = client_for(make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community"))
    assert community.get(reverse("matters:routing-list")).status_code == 403
    assert community.get(reverse("matters:routing-create")).status_code == 403


def test_the_list_shows_the_users_rules_and_hides_the_siblings(tree: CityTree, street: User, lamps: Category) -> None:
    ours = RoutingRule.objects.create(place=tree.community, category=lamps, lead_place=tree.community)
    theirs = RoutingRule.objects.create(place=tree.street2, category=lamps, lead_place=tree.street2)
    above = RoutingRule.objects.create(place=tree.district, category=lamps, lead_department=tree.department)
    client = client_for(street)
    html = client.get(reverse("matters:routing-list")).content.decode()
    assert reverse("matters:routing-edit", args=[ours.pk]) in html
    assert reverse("matters:routing-edit", args=[theirs.pk]) not in html
    assert reverse("matters:routing-edit", args=[above.pk]) not in html
    for rule in (theirs, above):
        assert client.get(reverse("matters:routing-edit", args=[rule.pk])).status_code == 404
        assert client.post(reverse("matters:routing-delete", args=[rule.pk])).status_code == 404
    assert RoutingRule.objects.count() == 3


def test_create_edit_and_delete_through_the_pages(tree: CityTree, street: User, lamps: Category) -> None:
    client = client_for(street)
    form = client.get(reverse("matters:routing-create")).context["form"]
    areas = set(form.fields["area"].queryset)
    assert tree.community in areas
    assert tree.street2 not in areas
    created = client.post(
        reverse("matters:routing-create"),
        {"area": tree.community.pk, "category": lamps.pk, "lead_unit": f"d:{tree.department.pk}"},
    )
    assert created.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.place, rule.category, rule.lead_department) == (tree.community, lamps, tree.department)
    duplicate = client.post(
        reverse("matters:routing-create"),
        {"area": tree.community.pk, "category": lamps.pk, "lead_unit": f"p:{tree.street.pk}"},
    )
    assert duplicate.status_code == 400
    assert 'data-testid="error-category"' in duplicate.content.decode()
    unfit = client.post(
        reverse("matters:routing-edit", args=[rule.pk]),
        {"area": tree.street.pk, "category": lamps.pk, "lead_unit": f"p:{tree.community.pk}"},
    )
    assert unfit.status_code == 400
    assert 'data-testid="error-lead_unit"' in unfit.content.decode()
    edited = client.post(
        reverse("matters:routing-edit", args=[rule.pk]),
        {"area": tree.community.pk, "category": "", "lead_unit": f"p:{tree.community.pk}"},
    )
    assert edited.status_code == 302
    rule.refresh_from_db()
    assert (rule.category, rule.lead_place, rule.lead_department) == (None, tree.community, None)
    assert client.get(reverse("matters:routing-delete", args=[rule.pk])).status_code == 200
    assert RoutingRule.objects.exists()  # GET only asks
    assert client.post(reverse("matters:routing-delete", args=[rule.pk])).status_code == 302
    assert not RoutingRule.objects.exists()
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="matters.routing_rule").order_by("id")] == [
        "matters.routing_rule.create",
        "matters.routing_rule.update",
        "matters.routing_rule.delete",
    ]


# --- the "test a rule" box -----------------------------------------------------------------------------------


def test_the_explanation_agrees_with_route_and_ranks_the_rules(tree: CityTree, lamps: Category) -> None:
    assert lamps.parent is not None
    RoutingRule.objects.create(place=tree.district, category=None, lead_place=tree.district)
    RoutingRule.objects.create(place=tree.district, category=lamps, lead_department=tree.department)
    RoutingRule.objects.create(place=tree.community, category=lamps.parent, lead_place=tree.community)
    RoutingRule.objects.create(place=tree.community2, category=lamps, lead_place=tree.community2)  # elsewhere
    explanation = routing_explain(grid=tree.grid, category=lamps)
    assert route(category=lamps, grid=tree.grid) == Unit(place_id=tree.community.pk)
    assert explanation.unit == tree.community.name
    assert [(c.rule.place, c.rule.category, c.wins) for c in explanation.candidates] == [
        (tree.community, lamps.parent, True),  # the deepest area wins over the deepest category
        (tree.district, lamps, False),
        (tree.district, None, False),
    ]
    without = routing_explain(grid=tree.grid, category=None)
    assert without.unit == tree.district.name
    assert [c.rule.category for c in without.candidates] == [None]


def test_the_box_on_the_list_page(tree: CityTree, street: User, lamps: Category) -> None:
    RoutingRule.objects.create(place=tree.district, category=lamps, lead_department=tree.department)
    client = client_for(street)
    page = client.get(reverse("matters:routing-list"), {"grid": tree.grid.code, "test_category": lamps.pk})
    html = page.content.decode()
    assert 'data-testid="routing-unit"' in html
    assert tree.department.name in html
    assert 'data-testid="winning-rule"' in html
    outside = client.get(reverse("matters:routing-list"), {"grid": "520199999999999"})
    assert "Choose a grid in your area." in outside.content.decode()
    sibling_grid = tree.community2.children.get()
    other = client.get(reverse("matters:routing-list"), {"grid": sibling_grid.code})
    assert other.context["explanation"] is not None  # the sibling community is under the same street
    far = client_for(make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2"))
    refused = far.get(reverse("matters:routing-list"), {"grid": tree.grid.code})
    assert refused.context["explanation"] is None
    assert "Choose a grid in your area." in refused.content.decode()
