"""The workforce's services: appointments and moves as history, the secretary rule, ladders and presets, training,
standards and the reserve pool; and the attacks (a place outside the actor's scope, a stale page, forged values)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.places.tests.factories import CityTree
from gridwork.workforce import services
from gridwork.workforce.models import Appointment, PayGrade, PayLadder, Post, StaffingRule, WorkerEvent, WorkerState
from gridwork.workforce.tests.factories import (
    city_staff,
    community_staff,
    make_course,
    make_ladder,
    make_worker,
    street_staff,
)

pytestmark = pytest.mark.django_db


def test_appointing_a_worker_opens_the_first_appointment_and_event(tree: CityTree) -> None:
    actor = street_staff(tree)
    ladder = make_ladder(tree, city_staff(tree))
    worker = make_worker(actor, tree.community, "王小梅", ladder=ladder, grade=3, title="网格员", phone="13800001111")
    assert (worker.state, worker.active, worker.version) == (WorkerState.SERVING, True, 1)
    [appointment] = Appointment.objects.filter(worker=worker)
    assert (appointment.community, appointment.post, appointment.grade, appointment.end) == (
        tree.community,
        Post.WORKER,
        3,
        None,
    )
    assert list(worker.events.values_list("action", flat=True)) == ["create"]


def test_move_and_regrade_close_the_open_appointment_and_keep_the_history(tree: CityTree) -> None:
    actor = street_staff(tree)
    ladder = make_ladder(tree, city_staff(tree))
    worker = make_worker(actor, tree.community, ladder=ladder, grade=3, joined_on=date(2024, 1, 1))
    services.worker_regrade(
        actor=actor,
        worker=worker,
        post=Post.DEPUTY,
        title="副主任",
        is_secretary=False,
        ladder=ladder,
        grade=4,
        on=date(2025, 1, 1),
        reason="竞聘副主任",
        expected_version=1,
    )
    services.worker_move(
        actor=actor,
        worker=worker,
        community=tree.community2,
        post=Post.DEPUTY,
        title="副主任",
        is_secretary=False,
        ladder=ladder,
        grade=4,
        on=date(2025, 6, 1),
        reason="街道统筹调配",
        expected_version=2,
    )
    worker.refresh_from_db()
    assert (worker.community, worker.post, worker.grade, worker.version) == (tree.community2, Post.DEPUTY, 4, 3)
    rows = list(
        Appointment.objects.filter(worker=worker)
        .order_by("start")
        .values_list("community", "post", "grade", "start", "end")
    )
    assert rows == [
        (tree.community.pk, Post.WORKER, 3, date(2024, 1, 1), date(2025, 1, 1)),
        (tree.community.pk, Post.DEPUTY, 4, date(2025, 1, 1), date(2025, 6, 1)),
        (tree.community2.pk, Post.DEPUTY, 4, date(2025, 6, 1), None),
    ]
    assert list(worker.events.order_by("sequence").values_list("action", flat=True)) == ["create", "regrade", "move"]


def test_a_stale_page_is_refused_and_nothing_is_saved(tree: CityTree) -> None:
    actor = street_staff(tree)
    worker = make_worker(actor, tree.community)
    services.worker_update(
        actor=actor, worker=worker, details=services.WorkerDetails(name="王小梅", title="网格长"), expected_version=1
    )
    with pytest.raises(StaleState):
        services.worker_leave(actor=actor, worker=worker, on=None, reason="辞职", expected_version=1)
    worker.refresh_from_db()
    assert (worker.active, worker.title) == (True, "网格长")
    assert Appointment.objects.get(worker=worker).end is None


def test_leaving_and_returning(tree: CityTree) -> None:
    actor = street_staff(tree)
    worker = make_worker(actor, tree.community, post=Post.HEAD, is_secretary=True)
    services.worker_leave(actor=actor, worker=worker, on=date(2025, 3, 1), reason="退休", expected_version=1)
    assert (worker.state, worker.active) == (WorkerState.LEFT, False)
    with pytest.raises(MoveRefused):
        services.worker_leave(actor=actor, worker=worker, on=None, reason="again", expected_version=2)
    # The community may appoint a new secretary once the old one has left.
    make_worker(actor, tree.community, "新书记", post=Post.HEAD, is_secretary=True)
    services.worker_return(actor=actor, worker=worker, on=date(2025, 9, 1), reason="返聘", expected_version=2)
    assert (worker.active, worker.is_secretary) == (True, False)
    assert Appointment.objects.filter(worker=worker, end__isnull=True).count() == 1


def test_one_serving_secretary_per_community_holding_the_head_post(tree: CityTree) -> None:
    actor = street_staff(tree)
    make_worker(actor, tree.community, "李书记", post=Post.HEAD, is_secretary=True)
    with pytest.raises(ValidationError) as error:
        make_worker(actor, tree.community, "第二书记", post=Post.HEAD, is_secretary=True)
    assert "is_secretary" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_worker(actor, tree.community2, "副职书记", post=Post.DEPUTY, is_secretary=True)
    assert "is_secretary" in error.value.message_dict
    # The database holds the rule too (a race past the check).
    worker = make_worker(actor, tree.community, "普通")
    with pytest.raises(IntegrityError), transaction.atomic():
        type(worker).objects.filter(pk=worker.pk).update(post=Post.HEAD, is_secretary=True)


def test_bad_input_names_each_field(tree: CityTree) -> None:
    actor = street_staff(tree)
    ladder = make_ladder(tree, city_staff(tree), "three_posts_11")
    with pytest.raises(ValidationError) as error:
        services.worker_create(
            actor=actor,
            community=tree.community,
            details=services.WorkerDetails(
                name=" ",
                id_number="12345",
                phone="call me",
                birth_date=timezone.localdate() + timedelta(days=1),
                social_work_cert="phd",
            ),
            post="boss",
            ladder=ladder,
            grade=12,
        )
    assert set(error.value.message_dict) >= {
        "name",
        "id_number",
        "phone",
        "birth_date",
        "social_work_cert",
        "post",
        "grade",
    }
    with pytest.raises(ValidationError) as error:
        services.worker_create(
            actor=actor, community=tree.grid, details=services.WorkerDetails(name="甲"), post="worker"
        )
    assert "community" in error.value.message_dict


def test_actors_outside_the_scope_are_refused(tree: CityTree) -> None:
    other_street = make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2")
    community = community_staff(tree)
    with pytest.raises(PermissionDenied):
        make_worker(other_street, tree.community)
    with pytest.raises(PermissionDenied):
        make_worker(community, tree.community)  # community staff only read the workforce
    worker = make_worker(street_staff(tree), tree.community)
    with pytest.raises(PermissionDenied):
        services.worker_leave(actor=other_street, worker=worker, on=None, reason="x", expected_version=1)
    district2 = make_staff(role=Role.DISTRICT_STAFF, place=tree.district2, username="district2")
    with pytest.raises(PermissionDenied):
        services.worker_move(
            actor=district2,
            worker=worker,
            community=tree.community2,
            post=Post.WORKER,
            title="",
            is_secretary=False,
            ladder=None,
            grade=None,
            on=None,
            reason="x",
            expected_version=1,
        )


def test_moving_needs_both_communities_in_scope(tree: CityTree) -> None:
    from gridwork.places.models import Place

    actor = street_staff(tree)
    worker = make_worker(actor, tree.community)
    elsewhere = Place.objects.get(name="松林街道")
    from gridwork.places.tests.factories import make_place

    far = make_place("community", elsewhere, 1, "远方社区")
    with pytest.raises(PermissionDenied):
        services.worker_move(
            actor=actor,
            worker=worker,
            community=far,
            post=Post.WORKER,
            title="",
            is_secretary=False,
            ladder=None,
            grade=None,
            on=None,
            reason="调走",
            expected_version=1,
        )
    assert worker.events.count() == 1


def test_a_ladder_must_apply_in_the_community(tree: CityTree) -> None:
    city = city_staff(tree)
    ladder = services.ladder_preset_install(actor=city, key="three_posts_11", place=tree.district2)
    with pytest.raises(ValidationError) as error:
        make_worker(city, tree.community, ladder=ladder, grade=1)
    assert "ladder" in error.value.message_dict


def test_preset_ladders_install_with_example_figures_once_per_place(tree: CityTree) -> None:
    city = city_staff(tree)
    eighteen = make_ladder(tree, city, "three_posts_18")
    eleven = make_ladder(tree, city, "three_posts_11")
    assert (eighteen.name, eighteen.grades, eighteen.example_figures) == ("三岗十八级", 18, True)
    assert PayGrade.objects.filter(ladder=eighteen).count() == 3 * 18
    assert PayGrade.objects.filter(ladder=eleven).count() == 3 * 11
    assert eleven.star_rules.count() == 6
    with pytest.raises(ValidationError) as error:
        make_ladder(tree, city, "three_posts_18")
    assert "key" in error.value.message_dict
    assert PayLadder.objects.filter(name="三岗十八级").count() == 1
    with pytest.raises(ValidationError):
        services.ladder_preset_install(actor=city, key="three_posts_18", place=tree.street)
    with pytest.raises(PermissionDenied):
        services.ladder_preset_install(actor=street_staff(tree), key="three_posts_18", place=tree.district)


def test_the_pay_table_is_set_by_the_administrator(tree: CityTree) -> None:
    city = city_staff(tree)
    ladder = make_ladder(tree, city, "three_posts_11")
    with pytest.raises(ValidationError) as error:
        services.pay_table_set(
            actor=city, ladder=ladder, pays={(Post.HEAD, 1): "-5", (Post.HEAD, 12): "100", (Post.WORKER, 2): "1.234"}
        )
    assert set(error.value.message_dict) == {"pay_head_1", "pay_head_12", "pay_worker_2"}
    services.pay_table_set(actor=city, ladder=ladder, pays={(Post.HEAD, 1): "6100.50", (Post.WORKER, 11): ""})
    ladder.refresh_from_db()
    assert ladder.example_figures is False
    assert PayGrade.objects.get(ladder=ladder, post=Post.HEAD, grade=1).monthly_pay == Decimal("6100.50")
    assert not PayGrade.objects.filter(ladder=ladder, post=Post.WORKER, grade=11).exists()
    assert AuditEvent.objects.filter(action="pay_ladder.pay_table").count() == 1


def test_star_rules_cannot_pay_more_stars_less(tree: CityTree) -> None:
    city = city_staff(tree)
    ladder = make_ladder(tree, city, "three_posts_11")
    with pytest.raises(ValidationError) as error:
        services.star_rules_set(actor=city, ladder=ladder, grades={4: 9, 5: 8})
    assert "stars_5" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.star_rules_set(actor=city, ladder=ladder, grades={5: 12})
    assert "stars_5" in error.value.message_dict


def test_training_records_are_bounded_and_scoped(tree: CityTree) -> None:
    city = city_staff(tree)
    actor = street_staff(tree)
    worker = make_worker(actor, tree.community)
    course = make_course(city, tree.city, hours="24")
    with pytest.raises(ValidationError) as error:
        services.training_record_add(actor=actor, course=course, worker=worker, hours=Decimal(25), passed=True)
    assert "hours" in error.value.message_dict
    services.training_record_add(actor=actor, course=course, worker=worker, hours=Decimal(24), passed=True)
    with pytest.raises(ValidationError) as error:
        services.training_record_add(actor=actor, course=course, worker=worker, hours=Decimal(2), passed=True)
    assert "worker" in error.value.message_dict
    other_street = make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2")
    with pytest.raises(PermissionDenied):
        services.training_record_add(actor=other_street, course=course, worker=worker, hours=Decimal(1), passed=True)
    # A community's own course is not for another community's workers.
    local = make_course(actor, tree.community2, hours="4", title="秋实社区内训")
    with pytest.raises(ValidationError) as error:
        services.training_record_add(actor=actor, course=local, worker=worker, hours=Decimal(1), passed=True)
    assert "worker" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.course_update(
            actor=city,
            course=course,
            fields=services.CourseFields(
                title=course.title,
                organiser="",
                start_date=course.start_date,
                end_date=course.end_date,
                hours=Decimal(8),
            ),
        )
    assert "hours" in error.value.message_dict


def test_the_standards_are_the_citys(tree: CityTree) -> None:
    fields = services.RuleFields(
        base_min=6,
        base_max=9,
        threshold=1500,
        per_extra_low=250,
        per_extra_high=350,
        reserve_ratio=Decimal("1.5"),
        training_min_hours=Decimal(60),
        certified_goal=Decimal(60),
    )
    with pytest.raises(PermissionDenied):
        services.staffing_rule_update(actor=street_staff(tree), fields=fields)
    city = city_staff(tree)
    with pytest.raises(ValidationError) as error:
        services.staffing_rule_update(
            actor=city, fields=services.RuleFields(**{**fields.__dict__, "base_max": 5, "per_extra_high": 100})
        )
    assert set(error.value.message_dict) == {"base_max", "per_extra_high"}
    services.staffing_rule_update(actor=city, fields=fields)
    rule = StaffingRule.current()
    assert (rule.base_min, rule.threshold, rule.reserve_ratio) == (6, 1500, Decimal("1.50"))


def test_the_reserve_pool(tree: CityTree) -> None:
    actor = street_staff(tree)
    with pytest.raises(ValidationError) as error:
        services.reserve_add(actor=actor, street=tree.community, fields=services.CandidateFields(name="甲"))
    assert "street" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.reserve_add(actor=actor, street=tree.street2, fields=services.CandidateFields(name="甲"))
    candidate = services.reserve_add(actor=actor, street=tree.street, fields=services.CandidateFields(name="张后备"))
    with pytest.raises(ValidationError) as error:
        services.reserve_leave(actor=actor, candidate=candidate, on=None, reason="")
    assert "reason" in error.value.message_dict
    services.reserve_leave(actor=actor, candidate=candidate, on=None, reason="任副书记")
    with pytest.raises(ValidationError):
        services.reserve_leave(actor=actor, candidate=candidate, on=None, reason="again")


def test_the_event_log_is_append_only(tree: CityTree) -> None:
    worker = make_worker(street_staff(tree), tree.community)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017, PT011 - the database trigger's own error
        WorkerEvent.objects.filter(subject=worker).update(note="rewritten")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017, PT011
        WorkerEvent.objects.filter(subject=worker).delete()
