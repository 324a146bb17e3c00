"""The services of the three lists: who may write, what is checked (field by field), the moves the tables allow and
refuse, the events they leave; matches once per need and resource; projects from matches with milestones."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gridwork.accounts.roles import Perm
from gridwork.cobuild import selectors, services
from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.models import (
    Match,
    Milestone,
    NeedEvent,
    NeedSource,
    NeedState,
    ProjectEvent,
    ProjectState,
    ResourceEvent,
    ResourceState,
)
from gridwork.cobuild.tests.factories import (
    World,
    days,
    make_contact,
    make_match,
    make_project,
    make_world,
    publish_need,
    publish_resource,
)
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.matters.models import Matter
from gridwork.matters.tests.factories import file_in_building
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def _errors(info: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return info.value.message_dict


# --- needs ------------------------------------------------------------------------------------------------------------


def test_publishing_a_need_records_its_first_event(world: World) -> None:
    need = publish_need(world)
    assert (need.state, need.version, need.created_by) == (NeedState.OPEN, 1, world.staff)
    [event] = NeedEvent.objects.filter(subject=need)
    assert (event.action, event.to_state, event.actor) == ("create", NeedState.OPEN, world.staff)


def test_a_need_says_which_field_is_wrong(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        publish_need(
            world,
            title="",
            field="cooking",
            source="rumour",
            quantity=Decimal(-1),
            quantity_unit="",
            wanted_by=days(-1),
        )
    errors = _errors(info)
    assert set(errors) == {"title", "field", "source", "quantity", "quantity_unit", "wanted_by"}
    assert errors["wanted_by"] == ["The day cannot be in the past."]
    with pytest.raises(ValidationError) as info:
        publish_need(world, quantity=None, quantity_unit="份")
    assert set(_errors(info)) == {"quantity"}
    with pytest.raises(ValidationError) as info:
        publish_need(world, community=world.tree.grid)
    assert set(_errors(info)) == {"community"}


def test_only_staff_over_the_community_may_publish_its_needs(world: World) -> None:
    with pytest.raises(PermissionDenied):
        publish_need(world, actor=world.staff2)
    with pytest.raises(PermissionDenied):
        publish_need(world, actor=world.grid_worker)  # VIEW_PARTY only
    with pytest.raises(PermissionDenied):
        publish_need(world, actor=world.contact)
    assert publish_need(world, actor=world.street_staff).community == world.tree.community


def test_a_need_from_a_matter_names_a_matter_of_its_community(world: World) -> None:
    matter = Matter.objects.get(pk=file_in_building(world.tree).matter_id)
    need = publish_need(world, source=NeedSource.MATTERS, matter=matter)
    assert need.matter == matter
    with pytest.raises(ValidationError) as info:
        publish_need(world, source=NeedSource.MEETING, matter=matter)
    assert _errors(info) == {"matter": ["Link a matter only to a need that comes from residents' matters."]}
    with pytest.raises(ValidationError) as info:  # the matter is of 春晖社区, the need of 秋实社区
        publish_need(world, actor=world.staff2, community=world.tree.community2, source="matters", matter=matter)
    assert set(_errors(info)) == {"matter"}
    with pytest.raises(ValidationError) as info:
        publish_need(world, source=NeedSource.MATTERS, hotspot_key=matter.number)
    assert set(_errors(info)) == {"matter"}
    from_hot_spot = publish_need(world, source=NeedSource.MATTERS, matter=matter, hotspot_key=matter.number)
    assert from_hot_spot.hotspot_key == matter.number


def test_the_need_moves(world: World) -> None:
    need = publish_need(world)
    services.need_update(
        actor=world.staff,
        need=need,
        expected_version=1,
        title="老年人助餐",
        field=need.field,
        source=need.source,
        description=need.description,
        quantity=Decimal(40),
        quantity_unit="份",
        wanted_by=need.wanted_by,
    )
    need.refresh_from_db()
    assert (need.title, need.quantity, need.version) == ("老年人助餐", Decimal(40), 2)
    with pytest.raises(StaleState):  # the page showed version 1
        services.need_meet(actor=world.staff, need=need, expected_version=1)
    services.need_meet(actor=world.staff, need=need, expected_version=2, note="幸福食堂已开张")
    assert need.state == NeedState.MET
    assert need.closed_at is not None
    with pytest.raises(MoveRefused):
        services.need_withdraw(actor=world.staff, need=need, reason="不需要了", expected_version=3)
    with pytest.raises(ValidationError) as info:
        services.need_reopen(actor=world.staff, need=need, expected_version=3)
    assert set(_errors(info)) == {"note"}
    services.need_reopen(actor=world.staff, need=need, expected_version=3, note="又有新的老人")
    with pytest.raises(ValidationError) as info:
        services.need_withdraw(actor=world.staff, need=need, reason=" ", expected_version=4)
    assert set(_errors(info)) == {"reason"}
    services.need_withdraw(actor=world.staff, need=need, reason="由街道统一安排", expected_version=4)
    need.refresh_from_db()
    assert (need.state, need.reason) == (NeedState.WITHDRAWN, "由街道统一安排")
    actions = list(NeedEvent.objects.filter(subject=need).order_by("sequence").values_list("action", flat=True))
    assert actions == ["create", "edit", "meet", "reopen", "withdraw"]


def test_another_communitys_staff_cannot_move_a_need(world: World) -> None:
    need = publish_need(world)
    with pytest.raises(PermissionDenied):
        services.need_withdraw(actor=world.staff2, need=need, reason="x", expected_version=1)
    need.refresh_from_db()
    assert need.state == NeedState.OPEN


def test_the_event_log_is_append_only(world: World) -> None:
    need = publish_need(world)
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE cobuild_needevent SET note = 'x' WHERE subject_id = %s", [need.pk])


# --- resources --------------------------------------------------------------------------------------------------------


def test_a_units_contact_or_staff_over_it_may_publish_its_resources(world: World) -> None:
    mine = publish_resource(world, actor=world.contact)
    assert (mine.state, mine.created_by) == (ResourceState.AVAILABLE, world.contact)
    by_staff = publish_resource(world, actor=world.staff)  # on the unit's behalf
    assert by_staff.unit == world.unit
    for outsider in (world.contact2, world.staff2, world.grid_worker):
        with pytest.raises(PermissionDenied):
            publish_resource(world, actor=outsider)


def test_a_resource_says_which_field_is_wrong(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        publish_resource(world, kind="", field="", title="x" * 81, available_from=days(10), available_to=days(5))
    assert set(_errors(info)) == {"kind", "field", "title", "available_to"}
    with pytest.raises(ValidationError) as info:
        publish_resource(world, available_from=None, available_to=days(-1))
    assert set(_errors(info)) == {"available_to"}
    with pytest.raises(ValidationError) as info:
        publish_resource(world, quantity=Decimal("1.234"))
    assert set(_errors(info)) == {"quantity"}


def test_another_units_contact_cannot_change_my_resource(world: World) -> None:
    resource = publish_resource(world)
    with pytest.raises(PermissionDenied):
        services.resource_withdraw(actor=world.contact2, resource=resource, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.resource_update(
            actor=world.contact2,
            resource=resource,
            expected_version=1,
            kind=resource.kind,
            field=resource.field,
            title="被改了",
        )
    resource.refresh_from_db()
    assert (resource.state, resource.title, resource.version) == (
        ResourceState.AVAILABLE,
        "为社区老年人提供助餐服务",
        1,
    )


def test_the_resource_moves(world: World) -> None:
    resource = publish_resource(world)
    services.resource_use_up(actor=world.contact, resource=resource, expected_version=1)
    with pytest.raises(MoveRefused):
        services.resource_use_up(actor=world.contact, resource=resource, expected_version=2)
    services.resource_restore(actor=world.contact, resource=resource, expected_version=2, note="新一批餐食")
    services.resource_withdraw(actor=world.staff, resource=resource, expected_version=3, reason="食堂装修")
    with pytest.raises(MoveRefused):
        services.resource_restore(actor=world.contact, resource=resource, expected_version=4)
    actions = list(ResourceEvent.objects.filter(subject=resource).values_list("action", flat=True))
    assert actions == ["create", "use_up", "restore", "withdraw"]


# --- matches ----------------------------------------------------------------------------------------------------------


def test_a_match_keeps_the_score_and_reasons_and_is_an_event_of_the_need(world: World) -> None:
    need = publish_need(world)
    resource = publish_resource(world)
    match = make_match(world, need, resource)
    assert match.made_by == world.staff
    assert match.score > 0
    assert match.reasons[0] == "same field: Elderly care"
    event = NeedEvent.objects.get(subject=need, action="match")
    assert event.data == {"resource": resource.pk, "score": match.score}
    need.refresh_from_db()
    assert (need.state, need.version) == (NeedState.OPEN, 2)


def test_a_match_cannot_be_made_twice(world: World) -> None:
    need = publish_need(world)
    resource = publish_resource(world)
    make_match(world, need, resource)
    need.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        make_match(world, need, resource)
    assert _errors(info) == {"resource": ["This resource is already matched with this need."]}
    assert Match.objects.count() == 1


def test_only_a_suggested_resource_of_an_open_need_can_be_matched(world: World) -> None:
    need = publish_need(world)
    used_up = publish_resource(world)
    services.resource_use_up(actor=world.contact, resource=used_up, expected_version=1)
    unfit = publish_resource(world, field=ServiceField.LEGAL, title="法律咨询", description="律师坐班")
    for resource in (used_up, unfit):
        with pytest.raises(ValidationError) as info:
            make_match(world, need, resource)
        assert set(_errors(info)) == {"resource"}
    fitting = publish_resource(world)
    with pytest.raises(PermissionDenied):
        make_match(world, need, fitting, actor=world.staff2)
    services.need_withdraw(actor=world.staff, need=need, reason="已解决", expected_version=1)
    with pytest.raises(MoveRefused):
        make_match(world, need, fitting)
    assert not Match.objects.exists()


# --- projects ---------------------------------------------------------------------------------------------------------


def test_a_project_from_a_match(world: World) -> None:
    need = publish_need(world)
    match = make_match(world, need, publish_resource(world, unit=world.unit_street))
    with pytest.raises(ValidationError) as info:  # the matched resource's unit must be a party
        make_project(world, community=None, match=match, units=[world.unit])
    assert set(_errors(info)) == {"units"}
    project = make_project(world, community=None, match=match, units=[world.unit_street, world.unit])
    assert (project.community, project.state, project.match) == (world.tree.community, ProjectState.PLANNED, match)
    assert set(project.units.all()) == {world.unit, world.unit_street}
    with pytest.raises(ValidationError) as info:
        make_project(world, community=None, match=match, units=[world.unit_street])
    assert _errors(info) == {"__all__": ["A project was already made from this match."]}


def test_a_project_says_which_field_is_wrong(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        make_project(world, title="", goal="", field="x", units=[], budget=Decimal("-1"), ends_on=days(-5))
    assert set(_errors(info)) == {"title", "goal", "field", "units", "budget", "ends_on"}
    with pytest.raises(ValidationError) as info:
        make_project(world, budget=Decimal("0.001"))
    assert set(_errors(info)) == {"budget"}
    with pytest.raises(PermissionDenied):
        make_project(world, actor=world.staff2)


def test_the_project_moves_with_milestones(world: World) -> None:
    project = make_project(world)
    with pytest.raises(ValidationError) as info:
        services.milestone_add(actor=world.staff, project=project, title="开张", due_on=days(61), expected_version=1)
    assert set(_errors(info)) == {"due_on"}
    first = services.milestone_add(actor=world.staff, project=project, title="选址", due_on=days(0), expected_version=1)
    second = services.milestone_add(
        actor=world.staff, project=project, title="开张", due_on=days(30), expected_version=2
    )
    with pytest.raises(MoveRefused):  # milestones are done while the project is under way
        services.milestone_done(
            actor=world.staff, project=project, milestone=first, done_on=days(0), expected_version=3
        )
    services.project_start(actor=world.staff, project=project, expected_version=3)
    services.milestone_done(
        actor=world.staff, project=project, milestone=first, done_on=days(0), note="选在社区食堂", expected_version=4
    )
    with pytest.raises(ValidationError) as info:
        services.project_finish(actor=world.staff, project=project, expected_version=5)
    assert _errors(info) == {"__all__": ["1 milestones are not done yet; mark them done first."]}
    with pytest.raises(ValidationError) as info:
        services.milestone_done(
            actor=world.staff, project=project, milestone=second, done_on=days(1), expected_version=5
        )
    assert set(_errors(info)) == {"done_on"}
    services.milestone_done(actor=world.staff, project=project, milestone=second, done_on=days(0), expected_version=5)
    with pytest.raises(ValidationError):
        services.milestone_done(
            actor=world.staff, project=project, milestone=second, done_on=days(0), expected_version=6
        )
    services.project_finish(actor=world.staff, project=project, expected_version=6, note="已运营")
    project.refresh_from_db()
    assert project.state == ProjectState.DONE
    assert project.done_at is not None
    assert Milestone.objects.get(pk=first.pk).note == "选在社区食堂"
    actions = list(ProjectEvent.objects.filter(subject=project).values_list("action", flat=True))
    assert actions == [
        "create",
        "add_milestone",
        "add_milestone",
        "start",
        "milestone_done",
        "milestone_done",
        "finish",
    ]
    with pytest.raises(MoveRefused):
        services.project_cancel(actor=world.staff, project=project, reason="x", expected_version=7)


def test_a_milestone_of_another_project_is_refused(world: World) -> None:
    project = make_project(world)
    other = make_project(world, title="法律进社区")
    milestone = services.milestone_add(
        actor=world.staff, project=other, title="开讲", due_on=days(1), expected_version=1
    )
    services.project_start(actor=world.staff, project=project, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.milestone_done(
            actor=world.staff, project=project, milestone=milestone, done_on=days(0), expected_version=2
        )


def test_a_project_of_an_alliance(world: World) -> None:
    from gridwork.alliances.models import Alliance, AllianceState

    alliance = Alliance.objects.create(
        name="春晖社区党建联盟",
        purpose="共建共治",
        place=world.tree.community,
        started_on=days(-100),
        created_by=world.street_staff,
    )
    project = make_project(world, alliance=alliance)
    assert list(alliance.projects.all()) == [project]  # type: ignore[attr-defined]
    elsewhere = Alliance.objects.create(
        name="松林联盟",
        purpose="x",
        place=world.unit_city.place,
        started_on=days(-100),
        created_by=world.street_staff,
    )
    with pytest.raises(ValidationError) as info:
        make_project(world, alliance=elsewhere)
    assert set(_errors(info)) == {"alliance"}
    Alliance.objects.filter(pk=alliance.pk).update(state=AllianceState.DISSOLVED, dissolved_on=days(0))
    with pytest.raises(ValidationError):
        make_project(world, alliance=alliance)


def test_an_alliance_the_actor_only_sees_is_neither_offered_nor_taken_for_a_project(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gridwork.alliances.models import Alliance

    streets = Alliance.objects.create(
        name="望江街道党建联盟",
        purpose="共建共治",
        place=world.tree.street,
        started_on=days(-100),
        created_by=world.street_staff,
    )
    ours = Alliance.objects.create(
        name="春晖社区党建联盟",
        purpose="共建共治",
        place=world.tree.community,
        started_on=days(-100),
        created_by=world.street_staff,
    )
    # Staff who see the street's party work (VIEW_PARTY over the street) but manage only their community.
    paths = {Perm.VIEW_PARTY: [world.tree.street.path], Perm.MANAGE_PARTY: [world.tree.community.path]}
    monkeypatch.setattr(world.staff, "scope_paths", lambda perm: paths.get(perm, []))
    assert Alliance.objects.restrict(world.staff, Perm.VIEW_PARTY).filter(pk=streets.pk).exists()
    assert list(selectors.alliance_choices(user=world.staff)) == [ours]
    with pytest.raises(ValidationError) as info:
        make_project(world, alliance=streets)
    assert set(_errors(info)) == {"alliance"}
    assert make_project(world, alliance=ours).alliance == ours


def test_contacts_of_a_unit_do_not_reach_other_units(world: World) -> None:
    both = make_contact(world.unit_street)
    from gridwork.party.models import UnitContact

    UnitContact.objects.create(unit=world.unit, user=both)
    assert publish_resource(world, actor=both).unit == world.unit
    assert publish_resource(world, actor=both, unit=world.unit_street).unit == world.unit_street
    with pytest.raises(PermissionDenied):
        publish_resource(world, actor=both, unit=world.unit_district)
