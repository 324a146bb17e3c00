"""Collecting opinions: the public form while the collection is open (to the 15th, and until closed), staff recording
them while the cycle collects, and matters of the community pulled in once each — never another community's."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridwork.matters.models import Matter
from gridwork.matters.services import matter_file
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree
from gridwork.serviceday.models import CycleState, Opinion, OpinionSource, ServiceCycle, Topic
from gridwork.serviceday.selectors import matter_candidates
from gridwork.serviceday.services.opinions import opinion_record, opinion_submit, opinions_from_matters
from gridwork.serviceday.tests.factories import (
    MONTH,
    YEAR,
    at,
    community_staff,
    complete,
    household_in,
    open_cycle,
    verified_resident,
)

pytestmark = pytest.mark.django_db


def _matter(building: Place, title: str = "楼道灯坏了", actor: object = None) -> Matter:
    receipt = matter_file(
        actor=actor,
        channel="resident_web",
        title=title,
        text=f"{title}，请尽快修理。",
        building=building,
        reporter_name="张三丰",
        reporter_phone="13812345678",
    )
    return Matter.objects.get(pk=receipt.matter_id)


@pytest.mark.parametrize("day", [1, 14, 15])
def test_anyone_may_give_an_opinion_until_the_15th(tree: CityTree, day: int) -> None:
    opinion = opinion_submit(
        user=None,
        community=tree.community,
        topic=Topic.HEALTH,
        text="希望来义诊",
        name="张大妈",
        phone="13800001234",
        at=at(date(YEAR, MONTH, day)),
    )
    assert opinion.source == OpinionSource.FORM
    assert opinion.user is None
    assert opinion.cycle.community == tree.community
    assert (opinion.cycle.year, opinion.cycle.month) == (YEAR, MONTH)


@pytest.mark.parametrize("day", [16, 25, 31])
def test_after_the_15th_the_form_is_closed(tree: CityTree, day: int) -> None:
    with pytest.raises(ValidationError, match=r"is closed\. The next one opens"):
        opinion_submit(user=None, community=tree.community, topic=Topic.HEALTH, text="x", at=at(date(YEAR, MONTH, day)))
    assert not Opinion.objects.exists()


def test_once_the_staff_close_the_collection_the_form_is_closed_even_before_the_16th(tree: CityTree) -> None:
    cycle = open_cycle(tree.community)
    complete(cycle, community_staff(tree.community))
    with pytest.raises(ValidationError, match="is closed"):
        opinion_submit(
            user=None, community=tree.community, topic=Topic.HEALTH, text="x", at=at(date(YEAR, MONTH, 15), 20)
        )


def test_a_signed_in_residents_opinion_keeps_their_account_and_phone(tree: CityTree) -> None:
    resident = verified_resident(tree.community, phone="13700000001")
    opinion = opinion_submit(
        user=resident, community=tree.community, topic=Topic.CARE, text="老人助餐", at=at(date(YEAR, MONTH, 3))
    )
    assert opinion.user == resident
    assert opinion.phone == "13700000001"


def test_the_form_refuses_bad_input_on_its_fields_and_saves_nothing(tree: CityTree) -> None:
    with pytest.raises(ValidationError) as refused:
        opinion_submit(
            user=None,
            community=tree.community,
            topic="weather",
            text=" ",
            name="x" * 51,
            phone="call me",
            at=at(date(YEAR, MONTH, 3)),
        )
    assert set(refused.value.message_dict) == {"topic", "text", "name", "phone"}
    with pytest.raises(ValidationError) as refused:
        opinion_submit(
            user=None, community=tree.community, topic="health", text="长" * 1001, at=at(date(YEAR, MONTH, 3))
        )
    assert "text" in refused.value.message_dict
    assert not Opinion.objects.exists()


def test_the_form_is_for_a_community_and_not_for_staff(tree: CityTree) -> None:
    with pytest.raises(ValidationError) as refused:
        opinion_submit(user=None, community=tree.grid, topic="health", text="x", at=at(date(YEAR, MONTH, 3)))
    assert "community" in refused.value.message_dict
    with pytest.raises(ValidationError, match="Staff record opinions"):
        opinion_submit(
            user=community_staff(tree.community),
            community=tree.community,
            topic="health",
            text="x",
            at=at(date(YEAR, MONTH, 3)),
        )
    assert not Opinion.objects.exists()


def test_staff_record_opinions_while_the_cycle_collects_even_late(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    opinion = opinion_record(
        actor=staff, cycle=cycle, topic="legal", text="想咨询遗产继承", name="李", at=at(date(YEAR, MONTH, 20))
    )
    assert opinion.source == OpinionSource.STAFF
    assert opinion.created_by == staff
    complete(cycle, staff, on=date(YEAR, MONTH, 20))
    with pytest.raises(ValidationError, match="collection of this cycle is closed"):
        opinion_record(actor=staff, cycle=cycle, topic="legal", text="再一条", at=at(date(YEAR, MONTH, 21)))
    with pytest.raises(PermissionDenied):
        opinion_record(
            actor=community_staff(tree.community2), cycle=open_cycle(tree.community), topic="legal", text="x"
        )
    assert Opinion.objects.count() == 1


def test_matters_of_the_community_become_opinions_once(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    reporter = verified_resident(tree.community)
    mine = _matter(tree.microgrid, "楼道灯坏了", actor=reporter)
    building2 = household_in(tree.community2).parent
    assert building2 is not None
    theirs = _matter(building2, "秋实的事")
    day = mine.created_at.date()
    assert list(matter_candidates(user=staff, cycle=cycle, on=day)) == [mine]
    opinions = opinions_from_matters(actor=staff, cycle=cycle, matters=[mine], topic=Topic.FACILITIES)
    assert [(o.source, o.matter, o.user, o.topic) for o in opinions] == [
        (OpinionSource.MATTER, mine, reporter, Topic.FACILITIES)
    ]
    assert "楼道灯坏了" in opinions[0].text
    assert opinions[0].phone == ""  # the contact stays on the matter
    assert list(matter_candidates(user=staff, cycle=cycle, on=day)) == []
    with pytest.raises(ValidationError) as refused:
        opinions_from_matters(actor=staff, cycle=cycle, matters=[mine])
    assert "already among the opinions" in str(refused.value.message_dict["matters"])
    with pytest.raises(ValidationError) as refused:
        opinions_from_matters(actor=staff, cycle=cycle, matters=[theirs])
    assert theirs.number in str(refused.value.message_dict["matters"])
    assert Opinion.objects.filter(cycle=cycle).count() == 1


def test_matters_are_pulled_only_while_collecting_and_not_by_outsiders(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    matter = _matter(tree.microgrid)
    with pytest.raises(PermissionDenied):
        opinions_from_matters(actor=community_staff(tree.community2), cycle=cycle, matters=[matter])
    with pytest.raises(ValidationError) as refused:
        opinions_from_matters(actor=staff, cycle=cycle, matters=[])
    assert "matters" in refused.value.message_dict
    complete(cycle, staff)
    with pytest.raises(ValidationError, match="collection of this cycle is closed"):
        opinions_from_matters(actor=staff, cycle=cycle, matters=[matter])
    assert not Opinion.objects.exists()
    assert ServiceCycle.objects.get(pk=cycle.pk).state == CycleState.SORT
