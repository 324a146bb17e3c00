"""The services of households in difficulty: who may flag, pair, visit and convert; the rules field by field; the
audit rows; visits append-only; a need becoming one thing, once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from gridwork.audit.models import AuditEvent
from gridwork.care import services
from gridwork.care.models import Difficulty, HouseholdInDifficulty, Need, Pairing, Visit, VisitorRole
from gridwork.care.tests.factories import CareWorld, days_ago, flag, make_member, pair, visit
from gridwork.common import need_outcomes
from gridwork.matters.models import Channel, Matter
from gridwork.party.models import RegistrationState
from gridwork.wishes.models import Wish, WishState

pytestmark = pytest.mark.django_db


def _audit(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- flagging -------------------------------------------------------------------------------------------------------


def test_community_staff_flag_a_household_of_their_community_and_it_is_audited(world: CareWorld) -> None:
    record = flag(world, kinds=[Difficulty.MINIMUM_LIVING, Difficulty.ELDERLY_ALONE, Difficulty.MINIMUM_LIVING])
    assert record.household == world.household
    assert record.kinds == [Difficulty.MINIMUM_LIVING, Difficulty.ELDERLY_ALONE]  # canonical order, no repeats
    assert record.recorded_by == world.staff
    assert record.is_open
    [row] = _audit("care.household.flag")
    assert row.actor == world.staff
    assert row.object_id == str(record.pk)
    assert row.detail["household"] == world.household.code
    assert "王" not in row.object_repr
    assert "春晖路" not in row.object_repr


@pytest.mark.parametrize("who", ["staff2", "grid_worker", "street", "department", "dispatcher"])
def test_only_staff_managing_the_household_may_flag_it(world: CareWorld, who: str) -> None:
    with pytest.raises(PermissionDenied):
        flag(world, actor=getattr(world, who))
    assert not HouseholdInDifficulty.objects.exists()
    assert not _audit("care.household.flag")


def test_flagging_is_refused_field_by_field(world: CareWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        services.household_flag(
            actor=world.staff, household=world.tree.microgrid, kinds=[], since=None, note="x" * 1001
        )
    assert set(refused.value.message_dict) == {"household", "kinds", "since", "note"}
    with pytest.raises(ValidationError) as refused:
        services.household_flag(
            actor=world.staff,
            household=world.household,
            kinds=["rich"],
            since=timezone.localdate() + timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"kinds", "since"}
    assert not HouseholdInDifficulty.objects.exists()


def test_a_household_has_one_open_record_and_a_new_one_after_it_ends(world: CareWorld) -> None:
    first = flag(world)
    with pytest.raises(ValidationError) as refused:
        flag(world)
    assert set(refused.value.message_dict) == {"household"}
    services.household_end(actor=world.staff, record=first, reason="已就业，收入稳定")
    second = flag(world, kinds=[Difficulty.SERIOUS_ILLNESS])
    assert second.pk != first.pk
    assert HouseholdInDifficulty.objects.filter(household=world.household).count() == 2


def test_the_database_refuses_two_open_records_of_one_household(world: CareWorld) -> None:
    record = flag(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        HouseholdInDifficulty.objects.create(
            household=world.household, kinds=["other"], since=record.since, recorded_by=world.staff
        )


def test_updating_changes_only_what_changed_and_is_audited(world: CareWorld) -> None:
    record = flag(world)
    services.household_update(
        actor=world.staff, record=record, kinds=[Difficulty.DISABILITY], since=record.since, note=record.note
    )
    record.refresh_from_db()
    assert record.kinds == [Difficulty.DISABILITY]
    [row] = _audit("care.household.update")
    assert row.detail["fields"] == ["kinds"]
    services.household_update(
        actor=world.staff, record=record, kinds=record.kinds, since=record.since, note=record.note
    )
    assert len(_audit("care.household.update")) == 1  # nothing changed, nothing recorded
    with pytest.raises(PermissionDenied):
        services.household_update(actor=world.street, record=record, kinds=["other"], since=record.since, note="")


def test_ending_a_record_ends_its_pairings_and_stops_new_visits(world: CareWorld) -> None:
    record = flag(world)
    pairing = pair(world, record)
    with pytest.raises(ValidationError) as refused:
        services.household_end(actor=world.staff, record=record, reason="")
    assert set(refused.value.message_dict) == {"reason"}
    services.household_end(actor=world.staff, record=record, reason="迁出本社区")
    record.refresh_from_db()
    pairing.refresh_from_db()
    assert record.ended_on == timezone.localdate()
    assert record.ended_by == world.staff
    assert pairing.ended_on == timezone.localdate()
    assert pairing.ended_reason == "迁出本社区"
    with pytest.raises(ValidationError) as refused:
        visit(world, record)
    assert NON_FIELD_ERRORS in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.household_end(actor=world.staff, record=record, reason="again")
    assert len(_audit("care.household.end")) == 1


# --- pairing --------------------------------------------------------------------------------------------------------


def test_a_household_is_paired_with_a_member_of_its_community(world: CareWorld) -> None:
    record = flag(world)
    pairing = pair(world, record)
    assert pairing.member == world.member
    assert pairing.leader is None
    assert _audit("care.pairing.create")[0].detail["member"] == world.member.pk


def test_pairing_refuses_a_member_of_another_community(world: CareWorld) -> None:
    record = flag(world)
    with pytest.raises(ValidationError) as refused:
        pair(world, record, member=world.member2)
    assert set(refused.value.message_dict) == {"member"}
    assert not Pairing.objects.exists()


def test_pairing_refuses_an_unconfirmed_member_a_second_open_pairing_and_no_or_two_partners(world: CareWorld) -> None:
    record = flag(world)
    pending = make_member(
        phone="13900000009",
        community=world.tree.community,
        building=world.tree.microgrid,
        name="孙待定",
        state=RegistrationState.PENDING,
    )
    with pytest.raises(ValidationError) as refused:
        pair(world, record, member=pending)
    assert set(refused.value.message_dict) == {"member"}
    pair(world, record)
    with pytest.raises(ValidationError) as refused:
        pair(world, record)
    assert set(refused.value.message_dict) == {"member"}
    with pytest.raises(ValidationError) as refused:
        services.pairing_create(actor=world.staff, record=record)
    assert set(refused.value.message_dict) == {"partner"}
    with pytest.raises(ValidationError) as refused:
        services.pairing_create(actor=world.staff, record=record, member=world.member, leader=world.street)
    assert set(refused.value.message_dict) == {"partner"}
    assert Pairing.objects.count() == 1


def test_leaders_are_staff_over_the_household(world: CareWorld) -> None:
    record = flag(world)
    pairing = pair(world, record, leader=world.street)
    assert pairing.leader == world.street
    with pytest.raises(ValidationError) as refused:
        pair(world, record, leader=world.staff2)  # a post at another community
    assert set(refused.value.message_dict) == {"leader"}
    with pytest.raises(ValidationError) as refused:
        pair(world, record, leader=world.member.user)  # a resident account
    assert set(refused.value.message_dict) == {"leader"}
    with pytest.raises(ValidationError) as refused:
        pair(world, record, leader=world.street)
    assert set(refused.value.message_dict) == {"leader"}


def test_only_managers_pair_and_unpair(world: CareWorld) -> None:
    record = flag(world)
    with pytest.raises(PermissionDenied):
        services.pairing_create(actor=world.grid_worker, record=record, member=world.member)
    with pytest.raises(PermissionDenied):
        services.pairing_create(actor=world.staff2, record=record, member=world.member)
    pairing = pair(world, record)
    with pytest.raises(PermissionDenied):
        services.pairing_end(actor=world.staff2, pairing=pairing, reason="x")
    with pytest.raises(ValidationError) as refused:
        services.pairing_end(actor=world.staff, pairing=pairing, reason="换人", ended_on=days_ago(301))
    assert set(refused.value.message_dict) == {"ended_on"}
    services.pairing_end(actor=world.staff, pairing=pairing, reason="党员调动工作")
    pairing.refresh_from_db()
    assert not pairing.is_open
    with pytest.raises(ValidationError):
        services.pairing_end(actor=world.staff, pairing=pairing, reason="again")
    assert pair(world, record).pk != pairing.pk  # the same member may be paired again


# --- visits ---------------------------------------------------------------------------------------------------------


def test_the_paired_member_records_a_visit_under_their_pairing(world: CareWorld) -> None:
    record = flag(world)
    pairing = pair(world, record)
    recorded = services.visit_record(
        actor=world.member.user,
        record=record,
        visited_on=days_ago(3),
        notes="陪老人聊天，屋顶漏水",
        needs=["屋顶漏水需要修补", "  ", "需要一台新电饭煲"],
    )
    assert recorded.pairing == pairing
    assert recorded.visitor_role == VisitorRole.MEMBER
    assert [need.text for need in recorded.needs.order_by("id")] == ["屋顶漏水需要修补", "需要一台新电饭煲"]
    assert _audit("care.visit.record")[0].detail["needs"] == 2


def test_the_paired_leader_records_a_visit(world: CareWorld) -> None:
    record = flag(world)
    pairing = pair(world, record, leader=world.department)  # a department cadre, post at the district
    recorded = services.visit_record(actor=world.department, record=record, visited_on=days_ago(1), notes="送米面油")
    assert recorded.pairing == pairing
    assert recorded.visitor_role == VisitorRole.LEADER


def test_staff_over_the_place_record_visits_and_others_may_not(world: CareWorld) -> None:
    record = flag(world)
    pairing = pair(world, record)
    own = visit(world, record)
    assert own.pairing is None
    assert own.visitor_role == VisitorRole.STAFF
    for_member = services.visit_record(
        actor=world.staff, record=record, visited_on=days_ago(2), notes="代党员登记", pairing=pairing
    )
    assert for_member.visitor_role == VisitorRole.MEMBER
    unpaired = make_member(
        phone="13900000007", community=world.tree.community, building=world.tree.microgrid, name="周"
    )
    for outsider in (world.grid2_worker, world.staff2, world.department, world.member2.user, unpaired.user):
        with pytest.raises(PermissionDenied):
            visit(world, record, actor=outsider)
    assert Visit.objects.count() == 2


def test_a_member_records_only_under_their_own_pairing(world: CareWorld) -> None:
    record = flag(world)
    pair(world, record)
    other = pair(world, record, leader=world.street)
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=world.member.user, record=record, visited_on=days_ago(1), notes="x", pairing=other)


def test_a_visit_is_refused_field_by_field(world: CareWorld) -> None:
    record = flag(world, since=days_ago(10))
    with pytest.raises(ValidationError) as refused:
        services.visit_record(actor=world.grid_worker, record=record, visited_on=None, notes=" ", needs=["x" * 501])
    assert set(refused.value.message_dict) == {"visited_on", "notes", "needs"}
    with pytest.raises(ValidationError) as refused:
        services.visit_record(
            actor=world.grid_worker, record=record, visited_on=timezone.localdate() + timedelta(days=1), notes="x"
        )
    assert set(refused.value.message_dict) == {"visited_on"}
    with pytest.raises(ValidationError) as refused:
        services.visit_record(actor=world.grid_worker, record=record, visited_on=days_ago(11), notes="x")
    assert set(refused.value.message_dict) == {"visited_on"}
    with pytest.raises(ValidationError) as refused:
        services.visit_record(
            actor=world.grid_worker, record=record, visited_on=days_ago(1), notes="x", needs=["需要"] * 21
        )
    assert set(refused.value.message_dict) == {"needs"}
    assert not Visit.objects.exists()


def test_visits_are_append_only(world: CareWorld) -> None:
    record = flag(world)
    recorded = visit(world, record)
    with pytest.raises(DatabaseError), transaction.atomic():
        Visit.objects.filter(pk=recorded.pk).update(notes="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        Visit.objects.filter(pk=recorded.pk).delete()
    assert Visit.objects.get(pk=recorded.pk).notes == "老人身体尚可，冰箱坏了"


# --- needs: one step to a matter or a micro-wish -------------------------------------------------------------------


def _need(world: CareWorld, text: str = "冰箱坏了，需要维修或更换") -> Need:
    record = flag(world)
    return visit(world, record, needs=(text,)).needs.get()


def test_a_need_becomes_a_matter_at_the_households_building_once(world: CareWorld) -> None:
    need = _need(world)
    matter = services.need_file_matter(actor=world.grid_worker, need=need)
    assert matter.building == world.tree.microgrid
    assert matter.grid == world.tree.grid
    assert matter.community == world.tree.community
    assert matter.channel == Channel.PATROL
    assert matter.text == "冰箱坏了，需要维修或更换"
    assert matter.filed_by == world.grid_worker
    assert HOUSEHOLD_WORDS.isdisjoint({matter.address, matter.reporter_name})
    need.refresh_from_db()
    assert need.matter == matter
    assert need.converted_by == world.grid_worker
    assert need.converted_at is not None
    with pytest.raises(services.NeedAlreadyConverted):
        services.need_file_matter(actor=world.staff, need=need)
    with pytest.raises(services.NeedAlreadyConverted):
        services.need_post_wish(
            actor=world.staff, need=need, title="冰箱", value=Decimal(300), beneficiary_name="王秀英"
        )
    assert Matter.objects.count() == 1
    assert not Wish.objects.exists()
    assert len(_audit("care.need.file_matter")) == 1


HOUSEHOLD_WORDS = {"春晖路1号1号楼1单元101", "王秀英"}


def test_a_conversion_that_loses_the_race_is_refused_and_its_matter_rolled_back(
    world: CareWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else posts the need as a wish while this filing is under way: the filing's compare-and-set finds the
    need taken, and the matter it filed disappears with its transaction."""
    need = _need(world)
    real_file = need_outcomes.matter_file

    def file_while_another_takes_it(**kwargs: object) -> object:
        receipt = real_file(**kwargs)  # type: ignore[arg-type]
        wish = Wish.objects.create(
            title="冰箱",
            value=Decimal(300),
            beneficiary_name="王秀英",
            community=world.tree.community,
            posted_by=world.staff,
            version=1,
        )
        Need.objects.filter(pk=need.pk).update(wish=wish, converted_by=world.staff, converted_at=timezone.now())
        return receipt

    monkeypatch.setattr(need_outcomes, "matter_file", file_while_another_takes_it)
    with pytest.raises(services.NeedAlreadyConverted):
        services.need_file_matter(actor=world.grid_worker, need=need)
    assert not Matter.objects.exists()
    assert not Need.objects.filter(pk=need.pk, wish__isnull=False).exists()  # rolled back with the same transaction
    assert not _audit("care.need.file_matter")


def test_filing_a_need_needs_the_right_to_file_matters_over_the_household(world: CareWorld) -> None:
    need = _need(world)
    for outsider in (world.staff2, world.grid2_worker, world.department):
        with pytest.raises(PermissionDenied):
            services.need_file_matter(actor=outsider, need=need)
    with pytest.raises(ValidationError) as refused:
        services.need_file_matter(actor=world.grid_worker, need=need, text="短")
    assert set(refused.value.message_dict) == {"text"}
    assert not Matter.objects.exists()
    assert not Need.objects.get(pk=need.pk).is_converted


def test_a_need_becomes_a_micro_wish_awaiting_review_once(world: CareWorld) -> None:
    need = _need(world, "想要一台新电饭煲")
    wish = services.need_post_wish(
        actor=world.staff,
        need=need,
        title="一台电饭煲",
        value=Decimal("199.00"),
        beneficiary_name="王秀英",
        beneficiary_phone="13800001234",
    )
    assert wish.on_behalf
    assert wish.state == WishState.SUBMITTED
    assert wish.community == world.tree.community
    assert wish.building == world.tree.microgrid
    assert Need.objects.get(pk=need.pk).wish == wish
    with pytest.raises(services.NeedAlreadyConverted):
        services.need_file_matter(actor=world.staff, need=need)
    assert not Matter.objects.exists()
    assert len(_audit("care.need.post_wish")) == 1


def test_posting_a_wish_needs_the_right_to_post_on_behalf_and_valid_fields(world: CareWorld) -> None:
    need = _need(world)
    with pytest.raises(PermissionDenied):  # grid workers see the household but do not post wishes on behalf
        services.need_post_wish(
            actor=world.grid_worker, need=need, title="冰箱", value=Decimal(300), beneficiary_name="王秀英"
        )
    with pytest.raises(ValidationError) as refused:
        services.need_post_wish(actor=world.staff, need=need, title="", value=Decimal(100000), beneficiary_name="")
    assert {"title", "value", "beneficiary_name"} <= set(refused.value.message_dict)
    assert not Wish.objects.exists()
    assert not Need.objects.get(pk=need.pk).is_converted


def test_the_database_refuses_a_need_that_is_two_things(world: CareWorld) -> None:
    need = _need(world)
    matter = services.need_file_matter(actor=world.staff, need=need)
    wish = services.need_post_wish(
        actor=world.staff, need=_other_need(world), title="电饭煲", value=Decimal(100), beneficiary_name="王秀英"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Need.objects.filter(pk=need.pk).update(wish=wish)
    assert Need.objects.get(pk=need.pk).matter == matter


def _other_need(world: CareWorld) -> Need:
    record = HouseholdInDifficulty.objects.get(household=world.household, ended_on__isnull=True)
    return visit(world, record, needs=("需要电饭煲",)).needs.get()


def test_audit_rows_of_opening_and_exporting(world: CareWorld) -> None:
    record = flag(world)
    services.household_opened(actor=world.street, record=record)
    services.households_exported(actor=world.street, rows=1, unmasked=0, filters={"kind": "disability"})
    [opened] = _audit("care.household.view")
    assert (opened.actor, opened.object_id) == (world.street, str(record.pk))
    [exported] = _audit("care.household.export")
    assert exported.detail == {"rows": 1, "unmasked": 0, "filters": {"kind": "disability"}}
