"""The ranked suggestions of members for an order: skill, nearness by the places tree (and metres), load; stable ties;
the reasons staff read."""

from __future__ import annotations

import pytest

from gridwork.accounts.tests.factories import make_resident_user
from gridwork.party.models import RegistrationState
from gridwork.places.tests.factories import CityTree
from gridwork.volunteers import services
from gridwork.volunteers.suggestions import (
    BUILDING_POINTS,
    COMMUNITY_POINTS,
    GRID_POINTS,
    LOAD_PENALTY,
    SKILL_POINTS,
    Candidate,
    Spot,
    distance_m,
    order_suggestions,
    rank_members,
)
from gridwork.volunteers.tests.factories import (
    Buildings,
    issued_order,
    make_buildings,
    make_community_staff,
    make_item,
    make_member,
    place_order,
)

HOME = Spot("/c/d/s/com/g1/b1/")
SAME_BUILDING = Spot("/c/d/s/com/g1/b1/")
SAME_GRID = Spot("/c/d/s/com/g1/b2/")
SAME_COMMUNITY = Spot("/c/d/s/com/g2/b3/")
SISTER = Spot("/c/d/s/com2/g1/b1/")
OTHER_STREET = Spot("/c/d/s2/com/g1/b1/")


def cand(member_id: int, home: Spot, skills: tuple[str, ...] = (), load: int = 0) -> Candidate:
    return Candidate(member_id=member_id, skills=frozenset(skills), home=home, load=load)


def ids(suggestions: list) -> list[int]:  # type: ignore[type-arg]
    return [s.member_id for s in suggestions]


def test_the_skill_counts_more_than_living_in_the_same_building() -> None:
    ranked = rank_members(
        skill="tutoring",
        place=HOME,
        candidates=[cand(1, SAME_BUILDING), cand(2, SAME_COMMUNITY, ("tutoring",))],
    )
    assert ids(ranked) == [2, 1]
    assert ranked[0].score == SKILL_POINTS + COMMUNITY_POINTS
    assert ranked[0].reasons == ("has skill: Tutoring", "same community", "no orders in hand")
    assert ranked[1].reasons == ("does not list Tutoring", "same building", "no orders in hand")


def test_nearer_by_the_places_tree_ranks_higher() -> None:
    ranked = rank_members(
        skill="", place=HOME, candidates=[cand(1, SAME_COMMUNITY), cand(2, SAME_GRID), cand(3, SAME_BUILDING)]
    )
    assert ids(ranked) == [3, 2, 1]
    assert [s.score for s in ranked] == [BUILDING_POINTS, GRID_POINTS, COMMUNITY_POINTS]
    assert [s.reasons[0] for s in ranked] == ["same building", "same grid", "same community"]


def test_orders_in_hand_lower_the_score_and_are_given_as_a_reason() -> None:
    ranked = rank_members(
        skill="tutoring",
        place=HOME,
        candidates=[cand(1, SAME_BUILDING, ("tutoring",), load=2), cand(2, SAME_BUILDING, ("tutoring",), load=1)],
    )
    assert ids(ranked) == [2, 1]
    assert ranked[1].score == SKILL_POINTS + BUILDING_POINTS - 2 * LOAD_PENALTY
    assert ranked[1].reasons[-1] == "2 orders in hand"
    assert ranked[0].reasons[-1] == "1 order in hand"


def test_equal_scores_keep_the_earlier_registration_first_whatever_the_input_order() -> None:
    members = [cand(7, SAME_GRID), cand(3, SAME_GRID), cand(5, SAME_GRID)]
    assert ids(rank_members(skill="", place=HOME, candidates=members)) == [3, 5, 7]
    assert ids(rank_members(skill="", place=HOME, candidates=reversed(members))) == [3, 5, 7]


def test_the_streets_other_communities_come_second_and_other_streets_not_at_all() -> None:
    ranked = rank_members(
        skill="tutoring",
        place=HOME,
        candidates=[cand(1, SISTER, ("tutoring",)), cand(2, SAME_COMMUNITY), cand(3, OTHER_STREET, ("tutoring",))],
    )
    assert ids(ranked) == [2, 1]
    assert [s.tier for s in ranked] == [1, 2]
    assert "another community of the street" in ranked[1].reasons


def test_with_coordinates_the_distance_in_metres_adds_points_and_a_reason() -> None:
    home = Spot("/c/d/s/com/g1/b1/", 26.6000, 106.7000)
    near = Spot("/c/d/s/com/g2/b3/", 26.6030, 106.7000)  # about 334 m north
    far = Spot("/c/d/s/com/g2/b4/", 26.6300, 106.7000)  # about 3.3 km north
    assert distance_m(home, near) == pytest.approx(334, abs=3)
    ranked = rank_members(skill="", place=home, candidates=[cand(1, far), cand(2, near), cand(3, SAME_COMMUNITY)])
    assert ids(ranked) == [2, 1, 3]
    assert ranked[0].score == COMMUNITY_POINTS + 8
    assert "about 330 m away" in ranked[0].reasons
    assert "about 3.3 km away" in ranked[1].reasons
    assert ranked[1].score == ranked[2].score == COMMUNITY_POINTS  # beyond 2 km: no bonus; no coordinates: none
    assert not any("away" in reason for reason in ranked[2].reasons)


def test_a_free_text_order_ranks_without_a_skill() -> None:
    ranked = rank_members(skill="", place=HOME, candidates=[cand(1, SAME_GRID, ("tutoring",))])
    assert ranked[0].reasons == ("same grid", "no orders in hand")


# --- from the database ------------------------------------------------------------------------------------------------


@pytest.fixture
def buildings(tree: CityTree) -> Buildings:
    return make_buildings(tree)


@pytest.mark.django_db
def test_order_suggestions_rank_the_confirmed_members_of_the_street_with_their_load(
    tree: CityTree, buildings: Buildings
) -> None:
    staff = make_community_staff(tree)
    resident = make_resident_user(phone="13700000001")
    item = make_item(place=tree.community, skill="tutoring")
    tutor_far = make_member(building=buildings.same_community, skills=["tutoring"], name="张老师")
    neighbour = make_member(building=buildings.home, skills=["household_repairs"], name="赵师傅")
    busy_tutor = make_member(building=buildings.home, skills=["tutoring"], name="钱老师")
    sister = make_member(building=buildings.sister_community, skills=["tutoring"], name="孙老师")
    make_member(building=buildings.other_street, skills=["tutoring"], name="周老师")
    pending = make_member(building=buildings.home, skills=["tutoring"], name="吴老师")
    pending.state = RegistrationState.PENDING
    pending.save(update_fields=["state"])
    own = make_member(building=buildings.home, skills=["tutoring"], name="郑老师", user=resident)
    # The busy tutor has two orders in hand.
    for i in range(2):
        other = issued_order(
            resident=make_resident_user(phone=f"1370000{i + 10:04d}"),
            staff=staff,
            building=buildings.home,
            members=[busy_tutor],
        )
        services.order_take(actor=busy_tutor.user, order=other)

    order = place_order(resident=resident, building=buildings.home, item=item)
    ranked = order_suggestions(order)

    # The busy tutor next door (100 + 40 − 2 × 15) falls behind the free one of grid 2 (100 + 15).
    assert [r.member.pk for r in ranked] == [tutor_far.pk, busy_tutor.pk, neighbour.pk, sister.pk]
    assert own.pk not in {r.member.pk for r in ranked}  # never the person who ordered
    by_member = {r.member.pk: r.suggestion for r in ranked}
    assert by_member[busy_tutor.pk].reasons == ("has skill: Tutoring", "same building", "2 orders in hand")
    assert by_member[busy_tutor.pk].score == SKILL_POINTS + BUILDING_POINTS - 2 * LOAD_PENALTY
    assert by_member[sister.pk].tier == 2
