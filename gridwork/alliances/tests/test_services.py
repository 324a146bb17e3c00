"""Writing alliances: forming, members joining and leaving, the rotating chair over two years with an early
hand-over, the chair order and term, joint meetings with their minutes, dissolving; and the refusals — outside the
actor's area, twice at once, stale pages, missing minutes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from gridwork.alliances import services
from gridwork.alliances.models import (
    AllianceEvent,
    AllianceMember,
    AllianceState,
    ChairChange,
    ChairChangeKind,
    JointMeeting,
    MeetingAttendance,
)
from gridwork.alliances.rotation import add_months
from gridwork.alliances.selectors import alliance_members, alliance_rotation, spell_rows
from gridwork.alliances.tests.factories import MINUTES, AllianceWorld, form_alliance, meet, member_of
from gridwork.common.flows import MoveRefused, StaleState

pytestmark = pytest.mark.django_db


def chair_on(alliance: object, day: date) -> str | None:
    rotation = alliance_rotation(alliance=alliance, today=day)  # type: ignore[arg-type]
    member = rotation.chair_on(day)
    return AllianceMember.objects.get(pk=member).name if member is not None else None


def test_forming_an_alliance_makes_its_members_and_the_first_chair(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    assert alliance.state == AllianceState.ACTIVE
    assert [m.name for m in alliance_members(alliance=alliance)] == ["春晖社区", "秋实社区", "明川市供电公司"]
    change = ChairChange.objects.get(alliance=alliance)
    assert (change.kind, change.starts_on, change.chair) == (
        ChairChangeKind.START,
        date(2023, 1, 1),
        member_of(alliance, world.tree.community),
    )
    event = AllianceEvent.objects.get(subject=alliance)
    assert (event.action, event.note, event.actor) == (
        "create",
        "春晖社区、秋实社区、明川市供电公司",
        world.street_staff,
    )
    assert [unit["name"] for unit in event.data["units"]] == ["明川市供电公司"]


def test_the_chair_rotates_over_two_years_with_members_coming_and_going_and_a_hand_over(
    world: AllianceWorld,
) -> None:
    """春晖 → 秋实 → 供电公司 every six months from 2023; the school joins in September 2023, the power company leaves
    in November 2023 (before its turn), and in March 2025 秋实 hands over early to the school."""
    alliance = form_alliance(world)
    services.alliance_members_add(
        actor=world.street_staff, alliance=alliance, communities=[], units=[world.unit2], joined_on=date(2023, 9, 1)
    )
    services.alliance_member_leave(
        actor=world.street_staff,
        alliance=alliance,
        member=member_of(alliance, world.unit),
        left_on=date(2023, 11, 15),
        reason="单位搬迁",
    )
    assert chair_on(alliance, date(2023, 3, 1)) == "春晖社区"
    assert chair_on(alliance, date(2023, 7, 1)) == "秋实社区"
    assert chair_on(alliance, date(2024, 1, 1)) == "明川市第一中学"  # the power company left before its turn
    assert chair_on(alliance, date(2024, 7, 1)) == "春晖社区"
    assert chair_on(alliance, date(2025, 1, 1)) == "秋实社区"

    services.alliance_chair_hand_over(
        actor=world.street_staff,
        alliance=alliance,
        to=member_of(alliance, world.unit2),
        on=date(2025, 3, 1),
        reason="秋实社区书记调任",
    )
    assert chair_on(alliance, date(2025, 2, 28)) == "秋实社区"
    assert chair_on(alliance, date(2025, 3, 1)) == "明川市第一中学"
    assert chair_on(alliance, date(2025, 8, 31)) == "明川市第一中学"  # a full term from the hand-over
    assert chair_on(alliance, date(2025, 9, 1)) == "春晖社区"
    assert chair_on(alliance, date(2026, 3, 1)) == "秋实社区"

    handover = ChairChange.objects.get(alliance=alliance, kind=ChairChangeKind.HANDOVER)
    assert (handover.reason, handover.recorded_by) == ("秋实社区书记调任", world.street_staff)
    event = AllianceEvent.objects.get(subject=alliance, action="hand_over")
    assert event.note == "秋实社区书记调任"
    rotation = alliance_rotation(alliance=alliance, today=date(2026, 1, 1))
    history = spell_rows(rotation=rotation, members=alliance_members(alliance=alliance), today=date(2026, 1, 1))
    assert [(row.member.name if row.member else None, row.starts_on.isoformat(), row.reason) for row in history] == [
        ("春晖社区", "2025-09-01", ""),
        ("明川市第一中学", "2025-03-01", "秋实社区书记调任"),
        ("秋实社区", "2025-01-01", ""),
        ("春晖社区", "2024-07-01", ""),
        ("明川市第一中学", "2024-01-01", ""),
        ("秋实社区", "2023-07-01", ""),
        ("春晖社区", "2023-01-01", ""),
    ]
    assert history[1].ends_on == date(2025, 9, 1)
    assert history[2].ends_on == date(2025, 3, 1)


def test_when_the_chair_leaves_the_next_member_takes_it_that_day_for_a_full_term(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    services.alliance_member_leave(
        actor=world.street_staff,
        alliance=alliance,
        member=member_of(alliance, world.tree.community),
        left_on=date(2023, 4, 10),
    )
    assert chair_on(alliance, date(2023, 4, 9)) == "春晖社区"
    assert chair_on(alliance, date(2023, 4, 10)) == "秋实社区"
    assert chair_on(alliance, date(2023, 10, 10)) == "明川市供电公司"
    assert ChairChange.objects.filter(alliance=alliance, kind=ChairChangeKind.LEFT).count() == 1


def test_a_new_order_and_a_new_term_keep_the_running_term(world: AllianceWorld) -> None:
    today = timezone.localdate()
    alliance = form_alliance(world, started_on=add_months(today, -2))
    first, second, third = (m.pk for m in alliance_members(alliance=alliance))
    services.alliance_chair_order(actor=world.street_staff, alliance=alliance, order=[first, third, second])
    alliance.refresh_from_db()
    services.alliance_update(
        actor=world.street_staff,
        alliance=alliance,
        name=alliance.name,
        purpose=alliance.purpose,
        place=alliance.place,
        started_on=alliance.started_on,
        term_months=12,
    )
    end = add_months(alliance.started_on, 6)
    rotation = alliance_rotation(alliance=alliance, today=add_months(end, 13))
    assert rotation.chair_on(today) == first
    assert rotation.chair_on(add_months(end, -1)) == first
    assert rotation.chair_on(end) == third
    assert rotation.chair_on(add_months(end, 11)) == third  # twelve months now
    assert rotation.chair_on(add_months(end, 12)) == second


def test_the_order_must_name_every_current_member_once(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    first, second, _third = (m.pk for m in alliance_members(alliance=alliance))
    with pytest.raises(ValidationError) as caught:
        services.alliance_chair_order(actor=world.street_staff, alliance=alliance, order=[first, second, second])
    assert "order" in caught.value.message_dict


def test_a_hand_over_needs_a_reason_and_another_member_in_the_alliance(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    with pytest.raises(ValidationError) as caught:
        services.alliance_chair_hand_over(
            actor=world.street_staff,
            alliance=alliance,
            to=member_of(alliance, world.tree.community),
            on=date(2023, 2, 1),
            reason="",
        )
    assert set(caught.value.message_dict) == {"to", "reason"}  # 春晖 already chairs then
    assert not ChairChange.objects.filter(kind=ChairChangeKind.HANDOVER).exists()


def test_a_meeting_needs_minutes_and_two_members_present_who_were_in_the_alliance(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    community, community2, unit = alliance_members(alliance=alliance)
    with pytest.raises(ValidationError) as caught:
        services.alliance_meeting_record(
            actor=world.street_staff,
            alliance=alliance,
            held_on=date(2023, 3, 1),
            venue="党群服务中心",
            topic="联席会议",
            attendees=[community],
            minutes="   ",
        )
    assert set(caught.value.message_dict) == {"minutes", "attendees"}
    services.alliance_member_leave(actor=world.street_staff, alliance=alliance, member=unit, left_on=date(2023, 5, 1))
    with pytest.raises(ValidationError) as caught:
        meet(world, alliance, held_on=date(2023, 6, 1), attendees=[community, unit])
    assert "明川市供电公司" in caught.value.message_dict["attendees"][0]
    assert not JointMeeting.objects.exists()
    meet(world, alliance, held_on=date(2023, 6, 1), attendees=[community, community2])
    meeting = JointMeeting.objects.get()
    assert meeting.minutes == MINUTES
    assert meeting.chair == community
    assert set(meeting.attendees.all()) == {community, community2}


def test_members_outside_the_actors_area_are_refused(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    with pytest.raises(ValidationError) as caught:
        services.alliance_members_add(
            actor=world.street_staff,
            alliance=alliance,
            communities=[world.community3],
            units=[world.far_unit],
            joined_on=date(2024, 1, 1),
        )
    assert set(caught.value.message_dict) == {"communities", "units"}
    assert not AllianceMember.objects.filter(community=world.community3).exists()
    with pytest.raises(ValidationError) as caught:
        form_alliance(world, communities=[world.tree.community, world.tree.community], units=[])
    assert "twice" in caught.value.message_dict["communities"][0]


def test_only_the_organising_places_staff_change_an_alliance(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    for outsider in (world.far_staff, world.community_staff, world.grid_worker):
        with pytest.raises(PermissionDenied):
            services.alliance_members_add(
                actor=outsider, alliance=alliance, communities=[], units=[world.unit2], joined_on=date(2024, 1, 1)
            )
        with pytest.raises(PermissionDenied):
            services.alliance_meeting_record(
                actor=outsider,
                alliance=alliance,
                held_on=date(2024, 1, 1),
                venue="党群服务中心",
                topic="联席会议",
                attendees=list(alliance.members.all()),
                minutes=MINUTES,
            )
        with pytest.raises(PermissionDenied):
            services.alliance_dissolve(actor=outsider, alliance=alliance, on=date(2024, 1, 1), reason="x")
    assert JointMeeting.objects.count() == 0
    assert AllianceMember.objects.filter(unit=world.unit2).count() == 0
    with pytest.raises(ValidationError) as caught:
        form_alliance(world, place=world.tree.street2, communities=[], units=[])
    assert "place" in caught.value.message_dict


def test_a_member_already_in_cannot_join_again_until_it_has_left(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    with pytest.raises(ValidationError) as caught:
        services.alliance_members_add(
            actor=world.street_staff,
            alliance=alliance,
            communities=[world.tree.community],
            units=[],
            joined_on=date(2024, 1, 1),
        )
    assert "already a member" in caught.value.message_dict["communities"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        AllianceMember.objects.create(
            alliance=alliance, community=world.tree.community, joined_on=date(2024, 1, 1), added_by=world.street_staff
        )
    member = member_of(alliance, world.tree.community)
    services.alliance_member_leave(actor=world.street_staff, alliance=alliance, member=member, left_on=date(2024, 2, 1))
    services.alliance_members_add(
        actor=world.street_staff,
        alliance=alliance,
        communities=[world.tree.community],
        units=[],
        joined_on=date(2024, 5, 1),
    )
    rows = AllianceMember.objects.filter(alliance=alliance, community=world.tree.community).order_by("id")
    assert [(m.joined_on, m.left_on) for m in rows] == [(date(2023, 1, 1), date(2024, 2, 1)), (date(2024, 5, 1), None)]


def test_a_change_made_on_a_stale_page_is_refused(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    seen = alliance.version
    services.alliance_members_add(
        actor=world.street_staff, alliance=alliance, communities=[], units=[world.unit2], joined_on=date(2024, 1, 1)
    )
    with pytest.raises(StaleState):
        services.alliance_member_leave(
            actor=world.street_staff,
            alliance=alliance,
            member=member_of(alliance, world.unit),
            left_on=date(2024, 2, 1),
            expected_version=seen,
        )
    assert member_of(alliance, world.unit).left_on is None


def test_dissolving_ends_every_membership_and_every_further_change(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    services.alliance_dissolve(actor=world.street_staff, alliance=alliance, on=date(2024, 6, 30), reason="任务完成")
    alliance.refresh_from_db()
    assert (alliance.state, alliance.dissolved_on) == (AllianceState.DISSOLVED, date(2024, 6, 30))
    assert set(alliance.members.values_list("left_on", flat=True)) == {date(2024, 6, 30)}
    with pytest.raises(MoveRefused):
        services.alliance_members_add(
            actor=world.street_staff, alliance=alliance, communities=[], units=[world.unit2], joined_on=date(2024, 7, 1)
        )


def test_the_logs_cannot_be_changed_or_erased(world: AllianceWorld) -> None:
    alliance = form_alliance(world)
    meet(world, alliance, held_on=date(2023, 6, 1))
    with pytest.raises(DatabaseError), transaction.atomic():
        ChairChange.objects.filter(alliance=alliance).update(reason="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        JointMeeting.objects.filter(alliance=alliance).update(minutes="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        AllianceEvent.objects.filter(subject=alliance).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        MeetingAttendance.objects.all().delete()
    assert JointMeeting.objects.get().minutes == MINUTES
