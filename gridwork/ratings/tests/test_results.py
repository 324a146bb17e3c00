"""The results of star ratings (``ratings.results``): ranks and totals at the deciding level, vetoed and drafting
targets, shares of stars against the year's goal overall and by street, star history across rounds with lowering,
以星定酬 from a secretary's stars on the ladder, and the scope of each (another community sees only its own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree, make_place
from gridwork.ratings import results, services
from gridwork.ratings.models import Assessment, AssessmentState, Round, Target
from gridwork.ratings.tests.factories import Built, assessment_of, open_round, published_version
from gridwork.schemes.models import TargetKind
from gridwork.workforce import services as workforce_services
from gridwork.workforce.models import Post, Worker

pytestmark = pytest.mark.django_db


# --- building results through the services ---------------------------------------------------------------------------


@dataclass
class Scores:
    """One level's answers for the version of ``published_version(computed=False)``:
    total = 60 × (a1 + 10·a2) / 20 + 40 × (b1 + b2) / 30."""

    a1: int
    a2: bool
    b1: int
    b2: int

    def values(self, built: Built, vetoes: dict[int, str] | None = None) -> services.LevelInput:
        return services.LevelInput(
            answers={
                built.a1.pk: Decimal(self.a1),
                built.a2.pk: self.a2,
                built.b1.pk: Decimal(self.b1),
                built.b2.pk: Decimal(self.b2),
            },
            vetoes=vetoes or {},
        )


FULL = Scores(10, True, 20, 10)  # 100.00 → 5★
GOOD = Scores(8, True, 15, 9)  # 54 + 32 = 86.00 → 4★
FAIR = Scores(8, True, 12, 6)  # 54 + 24 = 78.00 → 2★
POOR = Scores(6, False, 12, 6)  # 18 + 24 = 42.00 → 0★


@dataclass
class People:
    city: Any
    street: Any
    community: Any
    community2: Any
    community3: Any  # of 临川街道's 新桥社区
    street2: Any


@pytest.fixture(name="people")
def people_fixture(tree: CityTree, newbridge: Place) -> People:
    return People(
        city=make_staff(role=Role.CITY_STAFF, place=tree.city, username="r-city"),
        street=make_staff(role=Role.STREET_STAFF, place=tree.street, username="r-street"),
        community=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="r-chunhui"),
        community2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="r-qiushi"),
        community3=make_staff(role=Role.COMMUNITY_STAFF, place=newbridge, username="r-xinqiao"),
        street2=make_staff(role=Role.STREET_STAFF, place=tree.street2, username="r-linchuan"),
    )


@pytest.fixture(name="newbridge")
def newbridge_fixture(tree: CityTree) -> Place:
    """A community of the second street (临川街道), for the by-street shares."""
    return make_place("community", tree.street2, 1, "新桥社区", households=1500)


@pytest.fixture(name="manual")
def manual_fixture(db: None) -> Built:
    return published_version(computed=False)


def _round(people: People, built: Built, tree: CityTree, *, year: int = 2026, name: str = "") -> Round:
    round_ = open_round(people.city, built.version)
    if year != 2026 or name:
        Round.objects.filter(pk=round_.pk).update(year=year, name=name or f"{year}年度五星达标")
        round_.refresh_from_db()
    services.round_add_all(actor=people.city, round_=round_, under=tree.district)
    return round_


def _self_staff(people: People, assessment: Assessment, tree: CityTree) -> Any:
    place_id = assessment.target.place_id
    return {tree.community.pk: people.community, tree.community2.pk: people.community2}.get(place_id, people.community3)


def _reviewer(people: People, assessment: Assessment, tree: CityTree) -> Any:
    return people.street2 if assessment.target.place.parent_id == tree.street2.pk else people.street


def submit(people: People, tree: CityTree, built: Built, assessment: Assessment, scores: Scores) -> Assessment:
    actor = _self_staff(people, assessment, tree)
    services.evidence_add(
        actor=actor,
        assessment=assessment,
        link="/staff/ratings/",
        indicator=built.a1.pk,
        expected_version=assessment.version,
    )
    assessment.refresh_from_db()
    services.assessment_submit(
        actor=actor, assessment=assessment, values=scores.values(built), expected_version=assessment.version
    )
    assessment.refresh_from_db()
    return assessment


def review(
    people: People, tree: CityTree, built: Built, assessment: Assessment, scores: Scores, **vetoes: str
) -> Assessment:
    services.assessment_approve(
        actor=_reviewer(people, assessment, tree),
        assessment=assessment,
        values=scores.values(built, {built.veto.pk: vetoes["veto"]} if vetoes else None),
        expected_version=assessment.version,
    )
    assessment.refresh_from_db()
    return assessment


def accept(
    people: People, built: Built, assessment: Assessment, scores: Scores, *, stars: int | None = None, reason: str = ""
) -> Assessment:
    services.assessment_accept(
        actor=people.city,
        assessment=assessment,
        values=scores.values(built),
        stars=stars,
        reason=reason,
        expected_version=assessment.version,
    )
    assessment.refresh_from_db()
    return assessment


def through(people: People, tree: CityTree, built: Built, place: Place, *, round_: Round, scores: Scores) -> Assessment:
    assessment = assessment_of(round_, place)
    submit(people, tree, built, assessment, scores)
    review(people, tree, built, assessment, scores)
    return accept(people, built, assessment, scores)


# --- pure figures -----------------------------------------------------------------------------------------------------


def test_competition_ranks_share_a_place_and_skip_the_next() -> None:
    ranks = results.competition_ranks([(1, Decimal(90)), (2, Decimal(95)), (3, Decimal(90)), (4, Decimal(80))])
    assert ranks == {2: 1, 1: 2, 3: 2, 4: 4}


def test_share_rounds_half_up_to_one_place_and_is_none_of_nothing() -> None:
    assert results.share(2, 3) == Decimal("66.7")
    assert results.share(1, 8) == Decimal("12.5")
    assert results.share(0, 0) is None


# --- the league table -----------------------------------------------------------------------------------------------


def test_league_table_ranks_by_the_deciding_total_with_vetoed_and_drafting_targets_after(
    tree: CityTree, people: People, manual: Built, newbridge: Place
) -> None:
    round_ = _round(people, manual, tree)
    chunhui = through(people, tree, manual, tree.community, round_=round_, scores=GOOD)  # accepted at 86.00 → 4★
    qiushi = assessment_of(round_, tree.community2)
    submit(people, tree, manual, qiushi, FULL)  # self 100.00, not reviewed yet
    xinqiao = assessment_of(round_, newbridge)
    submit(people, tree, manual, xinqiao, FULL)
    review(people, tree, manual, xinqiao, FULL, veto="2026年3月发生一起较大安全责任事故。")

    table = results.league_table(user=people.city, round_=round_)

    by_pk = {row.assessment.pk: row for row in table.rows}
    assert [row.assessment.pk for row in table.rows] == [qiushi.pk, chunhui.pk, xinqiao.pk]
    assert table.ranked == 2
    assert (by_pk[qiushi.pk].rank, by_pk[qiushi.pk].total, by_pk[qiushi.pk].stars) == (1, Decimal("100.00"), None)
    assert by_pk[qiushi.pk].level == "Self-assessment"
    assert (by_pk[chunhui.pk].rank, by_pk[chunhui.pk].total, by_pk[chunhui.pk].stars) == (2, Decimal("86.00"), 4)
    assert by_pk[chunhui.pk].level == "City acceptance"
    assert by_pk[chunhui.pk].final
    vetoed = by_pk[xinqiao.pk]
    assert vetoed.rank is None
    assert vetoed.score_stars == 0
    assert vetoed.vetoes == ["发生重大安全责任事故: 2026年3月发生一起较大安全责任事故。"]
    assert by_pk[chunhui.pk].street == "望江街道"
    assert vetoed.street == "临川街道"


def test_a_target_still_drafting_has_no_rank_and_comes_last(tree: CityTree, people: People, manual: Built) -> None:
    round_ = _round(people, manual, tree)
    qiushi = assessment_of(round_, tree.community2)
    services.assessment_save(
        actor=people.community2, assessment=qiushi, values=FULL.values(manual), expected_version=qiushi.version
    )
    chunhui = through(people, tree, manual, tree.community, round_=round_, scores=POOR)

    table = results.league_table(user=people.city, round_=round_)

    assert table.rows[0].assessment.pk == chunhui.pk
    assert table.rows[0].rank == 1
    drafting = next(row for row in table.rows if row.assessment.pk == qiushi.pk)
    assert drafting.rank is None
    assert drafting.total == Decimal("100.00")
    assert table.rows[-1].assessment.state == AssessmentState.DRAFT


def test_the_league_table_is_scoped_and_ranks_among_what_the_user_sees(
    tree: CityTree, people: People, manual: Built
) -> None:
    round_ = _round(people, manual, tree)
    through(people, tree, manual, tree.community, round_=round_, scores=FULL)
    qiushi = through(people, tree, manual, tree.community2, round_=round_, scores=GOOD)

    own = results.league_table(user=people.community2, round_=round_)
    assert [(row.assessment.pk, row.rank) for row in own.rows] == [(qiushi.pk, 1)]
    assert {
        row.assessment.target.place_id for row in results.league_table(user=people.street2, round_=round_).rows
    } == {Place.objects.get(name="新桥社区").pk}
    street = results.league_table(user=people.street, round_=round_)
    assert [row.rank for row in street.rows][:2] == [1, 2]
    within = results.league_table(user=people.city, round_=round_, under=tree.street2)
    assert all(row.street == "临川街道" for row in within.rows)
    assert len(within.rows) == 1
    final = results.league_table(user=people.city, round_=round_, final_only=True)
    assert len(final.rows) == 2


# --- shares against the goal ----------------------------------------------------------------------------------------


def test_star_shares_count_each_level_against_all_targets_and_the_goal_by_street(
    tree: CityTree, people: People, manual: Built, newbridge: Place
) -> None:
    round_ = _round(people, manual, tree)  # goal: 70 % at five stars
    through(people, tree, manual, tree.community, round_=round_, scores=FULL)  # 5★
    through(people, tree, manual, tree.community2, round_=round_, scores=GOOD)  # 4★
    submit(people, tree, manual, assessment_of(round_, newbridge), FULL)  # not rated yet

    shares = results.star_shares(user=people.city, round_=round_)

    whole = shares.whole
    assert (whole.targets, whole.rated, whole.not_rated, whole.at_goal) == (3, 2, 1, 1)
    assert {count.stars: count.count for count in whole.counts} == {5: 1, 4: 1, 3: 0, 2: 0, 1: 0, 0: 0}
    assert {count.stars: count.share for count in whole.counts}[5] == Decimal("33.3")
    assert whole.at_goal_share == Decimal("33.3")
    assert whole.goal == Decimal("70.00")
    assert not whole.met
    assert whole.needed == 2
    wangjiang, linchuan = shares.streets
    assert (wangjiang.name, wangjiang.targets, wangjiang.at_goal, wangjiang.at_goal_share) == (
        "望江街道",
        2,
        1,
        Decimal("50.0"),
    )
    assert (linchuan.name, linchuan.targets, linchuan.rated, linchuan.at_goal) == ("临川街道", 1, 0, 0)

    Round.objects.filter(pk=round_.pk).update(star_goal=Decimal(50), goal_stars=4)
    round_.refresh_from_db()
    lowered_goal = results.star_shares(user=people.city, round_=round_)
    assert lowered_goal.whole.at_goal == 2
    assert lowered_goal.whole.met
    assert lowered_goal.whole.needed == 0
    assert lowered_goal.streets[0].met
    assert not lowered_goal.streets[1].met


def test_star_shares_see_only_the_users_targets(tree: CityTree, people: People, manual: Built) -> None:
    round_ = _round(people, manual, tree)
    through(people, tree, manual, tree.community, round_=round_, scores=FULL)
    own = results.star_shares(user=people.community2, round_=round_)
    assert (own.whole.targets, own.whole.rated) == (1, 0)
    assert [line.name for line in own.streets] == ["望江街道"]


# --- star history ---------------------------------------------------------------------------------------------------


def test_history_follows_a_community_across_rounds_with_its_lowering(
    tree: CityTree, people: People, manual: Built
) -> None:
    first = _round(people, manual, tree, year=2025)
    chunhui_2025 = through(people, tree, manual, tree.community, round_=first, scores=FULL)
    second = _round(people, manual, tree, year=2026)
    chunhui_2026 = through(people, tree, manual, tree.community, round_=second, scores=FULL)
    services.assessment_lower_stars(
        actor=people.city,
        assessment=chunhui_2026,
        stars=3,
        reason="2026年9月群众满意度测评未达标，按动态调整降为三星。",
        expected_version=chunhui_2026.version,
    )
    through(people, tree, manual, tree.community2, round_=second, scores=GOOD)

    history = results.target_history(user=people.community, pk=chunhui_2026.target_id)

    assert [item.round.pk for item in history.rounds] == [first.pk, second.pk]
    assert [item.stars for item in history.rounds] == [5, 3]
    assert history.rounds[1].accepted_stars == 5
    assert history.rounds[1].lowered
    moves = history.rounds[1].moves
    assert [(move.action, move.from_stars, move.stars) for move in moves] == [("accept", None, 5), ("lower", 5, 3)]
    assert moves[1].reason.startswith("2026年9月")
    assert not history.rounds[0].lowered
    assert chunhui_2025.stars == 5

    matrix = results.star_history(user=people.city, kind=TargetKind.COMMUNITY)
    assert [r.pk for r in matrix.rounds] == [first.pk, second.pk]
    rows = {row.target.place_id: row for row in matrix.rows}
    assert [cell.stars for cell in rows[tree.community.pk].cells] == [5, 3]
    assert rows[tree.community.pk].lowered == 1
    assert [cell.stars for cell in rows[tree.community2.pk].cells] == [None, 4]  # 2025: not accepted
    assert rows[tree.community.pk].target.round_id == second.pk  # the link goes to the latest round's target
    changes = results.history_changes(matrix)
    assert [(row.target.place_id, move.action) for row, _round_, move in changes].count(
        (tree.community.pk, "lower")
    ) == 1


def test_another_communitys_history_is_not_found(tree: CityTree, people: People, manual: Built) -> None:
    from django.http import Http404

    round_ = _round(people, manual, tree)
    chunhui = assessment_of(round_, tree.community)
    with pytest.raises(Http404):
        results.target_history(user=people.community2, pk=chunhui.target_id)
    with pytest.raises(Http404):
        results.target_history(user=people.street2, pk=chunhui.target_id)
    assert results.target_history(user=people.street, pk=chunhui.target_id).rounds[0].stars is None
    rows = results.star_history(user=people.community2, kind=TargetKind.COMMUNITY).rows
    assert [row.target.place_id for row in rows] == [tree.community2.pk]


# --- 以星定酬 ---------------------------------------------------------------------------------------------------------


@pytest.fixture(name="secretaries")
def secretaries_fixture(tree: CityTree, people: People) -> tuple[Worker, Worker]:
    ladder = workforce_services.ladder_preset_install(actor=people.city, key="three_posts_18", place=tree.city)
    made = []
    for community, name, grade in ((tree.community, "李国华", 8), (tree.community2, "王秀英", 14)):
        made.append(
            workforce_services.worker_create(
                actor=people.city,
                community=community,
                details=workforce_services.WorkerDetails(name=name, title="党委书记", party_member=True),
                post=Post.HEAD,
                is_secretary=True,
                ladder=ladder,
                grade=grade,
                joined_on=date(2020, 3, 1),
            )
        )
    return made[0], made[1]


def test_pay_grades_follow_a_secretarys_stars_on_the_ladder(
    tree: CityTree, people: People, secretaries: tuple[Worker, Worker]
) -> None:
    built = published_version(TargetKind.SECRETARY, name="社区书记星级评定", computed=False)
    round_ = open_round(people.city, built.version)
    services.round_add_all(actor=people.city, round_=round_, under=tree.street)
    li, wang = secretaries
    li_target = Target.objects.get(round=round_, worker=li)
    li_assessment = Assessment.objects.get(target=li_target)
    submit(people, tree, built, li_assessment, GOOD)
    review(people, tree, built, li_assessment, GOOD)
    accept(people, built, li_assessment, GOOD)  # 4★ → grade 13 (example rule of 三岗十八级)
    wang_assessment = Assessment.objects.get(target__round=round_, target__worker=wang)
    submit(people, tree, built, wang_assessment, FAIR)
    review(people, tree, built, wang_assessment, FAIR)
    accept(people, built, wang_assessment, FAIR)  # 2★ → grade 7

    rows = {row.worker.pk: row for row in results.pay_table(user=people.city, round_=round_)}

    li_row, wang_row = rows[li.pk], rows[wang.pk]
    assert li_row.stars == 4
    assert li_row.current is not None
    assert li_row.by_stars is not None
    assert (li_row.current.grade, li_row.current.monthly_pay) == (8, Decimal("6600.00"))  # 5200 + 7 × 200
    assert (li_row.by_stars.grade, li_row.by_stars.monthly_pay) == (13, Decimal("7600.00"))
    assert (li_row.grade_change, li_row.change) == (5, Decimal("1000.00"))
    assert wang_row.stars == 2
    assert wang_row.by_stars is not None
    assert wang_row.by_stars.grade == 7
    assert wang_row.change == Decimal("-1400.00")  # grade 14 → 7
    assert li_row.name == "李*华"
    assert not li_row.unmasked

    own = results.pay_table(user=people.community, round_=round_)
    assert [(row.worker.pk, row.name, row.unmasked) for row in own] == [(li.pk, "李国华", True)]
    assert results.pay_table(user=people.street2, round_=round_) == []


def test_pay_table_is_empty_before_acceptance_and_for_other_rounds(
    tree: CityTree, people: People, secretaries: tuple[Worker, Worker], manual: Built
) -> None:
    built = published_version(TargetKind.SECRETARY, name="社区书记星级评定", computed=False)
    round_ = open_round(people.city, built.version)
    services.round_add_all(actor=people.city, round_=round_, under=tree.street)
    rows = results.pay_table(user=people.city, round_=round_)
    assert len(rows) == 2
    assert all(row.stars is None and row.by_stars is None for row in rows)
    assert all(row.current is not None for row in rows)
    community_round = _round(people, manual, tree)
    assert results.pay_table(user=people.city, round_=community_round) == []
