"""The duty lists and approving bodies: the default list (22 + 22), edits with their versions and append-only history,
who keeps which list, and the lists a community sees (its city's and its district's, not another district's)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from gridwork.admission import duties, selectors
from gridwork.admission.duties import DutyInput
from gridwork.admission.models import ApprovingBody, DutyChange, DutyKind
from gridwork.admission.tests.factories import World, make_world
from gridwork.audit.models import AuditEvent
from gridwork.common.flows import StaleState
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def test_the_default_list_is_22_duties_and_22_assisting_duties(world: World) -> None:
    items = duties.default_items()
    assert sum(item.kind == DutyKind.DUTY for item in items) == 22
    assert sum(item.kind == DutyKind.ASSISTING for item in items) == 22
    assert all(item.assists for item in items if item.kind == DutyKind.ASSISTING)
    assert duties.duty_list_load_defaults(actor=world.city, scope=world.tree.city) == 44
    assert duties.duty_list_load_defaults(actor=world.city, scope=world.tree.city) == 0
    assert DutyChange.objects.count() == 44


def test_district_staff_cannot_load_the_city_list(world: World) -> None:
    with pytest.raises(PermissionDenied):
        duties.duty_list_load_defaults(actor=world.district, scope=world.tree.city)


def test_edit_retire_restore_with_history(world: World) -> None:
    item = duties.duty_item_create(
        actor=world.district,
        scope=world.tree.district,
        values=DutyInput(kind=DutyKind.DUTY, number=23, title="区级增补事项"),
    )
    duties.duty_item_update(
        actor=world.district,
        item=item,
        values=DutyInput(kind=DutyKind.DUTY, number=23, title="区级增补事项(修订)", legal_basis="区委文件"),
        expected_version=1,
    )
    duties.duty_item_set_active(actor=world.district, item=item, active=False, expected_version=2)
    item.refresh_from_db()
    assert (item.version, item.is_active, item.title) == (3, False, "区级增补事项(修订)")
    changes = list(item.changes.order_by("version").values_list("action", "version"))
    assert changes == [("create", 1), ("update", 2), ("retire", 3)]
    assert item.changes.get(version=2).before["title"] == "区级增补事项"
    assert AuditEvent.objects.filter(action__startswith="admission.duty_", object_id=str(item.pk)).count() == 3
    with pytest.raises(StaleState):
        duties.duty_item_set_active(actor=world.district, item=item, active=True, expected_version=2)
    with pytest.raises(DatabaseError), transaction.atomic():
        DutyChange.objects.filter(item=item).update(action="x")


def test_numbers_are_unique_per_list_and_kind(world: World) -> None:
    values = DutyInput(kind=DutyKind.ASSISTING, number=1, title="协助事项", assists="民政局")
    duties.duty_item_create(actor=world.district, scope=world.tree.district, values=values)
    with pytest.raises(ValidationError) as refused:
        duties.duty_item_create(actor=world.district, scope=world.tree.district, values=values)
    assert "number" in refused.value.message_dict


def test_an_assisting_duty_names_the_department_it_assists(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        duties.duty_item_create(
            actor=world.district,
            scope=world.tree.district,
            values=DutyInput(kind=DutyKind.ASSISTING, number=1, title="协助事项"),
        )
    assert "assists" in refused.value.message_dict


def test_streets_and_others_keep_no_list(world: World) -> None:
    values = DutyInput(kind=DutyKind.DUTY, number=1, title="x")
    for actor, scope in (
        (world.street, world.tree.district),
        (world.district, world.tree.city),
        (world.district, world.tree.district2),
    ):
        with pytest.raises(PermissionDenied):
            duties.duty_item_create(actor=actor, scope=scope, values=values)
    with pytest.raises(ValidationError):
        duties.duty_item_create(actor=world.district, scope=world.tree.street, values=values)


def test_a_community_sees_its_city_and_district_lists_only(world: World) -> None:
    duties.duty_list_load_defaults(actor=world.city, scope=world.tree.city)
    values = DutyInput(kind=DutyKind.DUTY, number=23, title="增补")
    own = duties.duty_item_create(actor=world.district, scope=world.tree.district, values=values)
    city = world.city
    other = duties.duty_item_create(actor=city, scope=world.tree.district2, values=values)
    seen = set(selectors.duty_items(user=world.community))
    assert own in seen
    assert other not in seen
    assert len(seen) == 45
    assert selectors.duty_items(user=world.grid).count() == 0  # grid workers hold no VIEW_ADMISSION


def test_approving_bodies_marked_and_unmarked(world: World) -> None:
    with pytest.raises(ValidationError):
        duties.approving_body_add(actor=world.district, department=world.organisation.department)
    duties.approving_body_remove(actor=world.district, body=world.organisation)
    with pytest.raises(PermissionDenied):
        duties.approving_body_remove(actor=world.district, body=world.civil)
    body = duties.approving_body_add(actor=world.district, department=world.organisation.department)
    assert body.is_active
    assert ApprovingBody.objects.count() == 2
    with pytest.raises(PermissionDenied):
        duties.approving_body_add(actor=world.street, department=world.tree.department)
