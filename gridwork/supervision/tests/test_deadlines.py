"""Deadlines the loop stores, on a fixed clock around China's 2026 National Day week.

chinese_calendar 2026: 1–7 October are the holiday, Thursday 8 October is a working day again, Saturday
10 October is an adjusted working day (调休), Sunday 11 October is not. Office hours: 08:30–12:00, 14:00–17:30.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from gridwork.matters.models import Category, Matter
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.matters.workflow import Action, DueStage, MatterKind
from gridwork.places.tests.factories import CityTree
from gridwork.supervision.calendar import OfficeHours, WorkCalendar
from gridwork.supervision.deadlines import DEFAULT_LIMITS, Limit, deadline, due_after, limit_for
from gridwork.supervision.models import LimitStage, LimitUnit, TimeLimit
from gridwork.supervision.tests.factories import at, filed, move

# -- the calendar facts the tests below rely on ----------------------------------------------------------------


def test_the_2026_national_day_schedule_is_what_these_tests_assume() -> None:
    import chinese_calendar

    assert chinese_calendar.is_workday(date(2026, 9, 30))
    assert not any(chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # Saturday, 调休
    assert not chinese_calendar.is_workday(date(2026, 10, 11))


# -- the loop's deadlines --------------------------------------------------------------------------------------


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


def to_department(tree: CityTree, staff: LoopStaff, matter: Matter, when: datetime, **data: object) -> Matter:
    payload = {"kind": MatterKind.PROFESSIONAL, "lead_department_id": tree.department.pk, **data}
    return move(staff.dispatcher, matter, Action.DISPATCH, payload, now=when)


def stored(matter: Matter) -> tuple[str, datetime | None, datetime | None]:
    return (matter.due_stage, matter.due_at, matter.warn_at)


@pytest.mark.django_db
def test_the_accept_limit_runs_in_office_hours_across_the_holiday(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree, now=at("2026-09-30 15:00"))
    matter = to_department(tree, staff, matter, at("2026-09-30 16:00"))
    # 16:00–17:30 on the 30th is 1½ working hours; the last ½ hour runs on 8 October, the first working day after
    # the holiday. The yellow warning starts when ½ hour (25 % of 2 hours) is left: at 17:30 on the 30th.
    assert stored(matter) == (DueStage.ACCEPT, at("2026-10-08 09:00"), at("2026-09-30 17:30"))
    event = matter.events.get(action=Action.DISPATCH)
    assert event.data["deadline"] == {
        "stage": "accept",
        "due_at": at("2026-10-08 09:00").isoformat(),
        "warn_at": at("2026-09-30 17:30").isoformat(),
    }


@pytest.mark.django_db
def test_the_reply_limit_counts_the_adjusted_saturday(tree: CityTree, staff: LoopStaff) -> None:
    matter = to_department(tree, staff, filed(tree, now=at("2026-09-30 15:00")), at("2026-09-30 16:00"))
    matter = move(staff.department, matter, Action.ACCEPT, now=at("2026-10-08 10:00"))
    # 7 working days: 9, 10 (Saturday, 调休), 12, 13, 14, 15, 16 October — not the 19th as Monday to Friday gives.
    assert matter.due_stage == DueStage.REPLY
    assert matter.due_at == at("2026-10-16 10:00")
    # 49 working hours in all (5½ on the 8th, 6 × 7 on the working days between, 1½ on the 16th): the warning
    # starts when 12¼ hours are left, at 11:45 on the 14th.
    assert matter.warn_at == at("2026-10-14 11:45")
    calendar = WorkCalendar.load()
    total = calendar.working_time_between(at("2026-10-08 10:00"), matter.due_at)
    assert total == timedelta(hours=49)
    assert calendar.working_time_between(matter.warn_at, matter.due_at) == total * settings.SUPERVISION_WARN_FRACTION


@pytest.mark.django_db
def test_an_urgent_matter_runs_in_calendar_hours(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree, now=at("2026-09-30 15:00"), urgency="urgent")
    matter = to_department(tree, staff, matter, at("2026-09-30 17:00"))
    # accept within one calendar hour, holiday or not; warn at 45 minutes
    assert stored(matter) == (DueStage.ACCEPT, at("2026-09-30 18:00"), at("2026-09-30 17:45"))
    matter = move(staff.department, matter, Action.ACCEPT, now=at("2026-09-30 17:20"))
    # reply within 24 calendar hours, straight into the holiday; warn when 6 hours are left
    assert stored(matter) == (DueStage.REPLY, at("2026-10-01 17:20"), at("2026-10-01 11:20"))


@pytest.mark.django_db
def test_a_hard_matter_has_fifteen_working_days_to_reply(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree, now=at("2026-09-29 09:00"), kind=MatterKind.HARD)
    matter = to_department(tree, staff, matter, at("2026-09-29 09:30"), kind=MatterKind.HARD)
    matter = move(staff.department, matter, Action.ACCEPT, now=at("2026-09-30 10:00"))
    # 8, 9, 10, 12–16, 19–23, 26, 27 October: fifteen working days
    assert matter.due_at == at("2026-10-27 10:00")
    # …while a personal matter (个事) has three: 8, 9, 10 October
    personal = filed(tree, now=at("2026-09-29 09:00"), kind=MatterKind.PERSONAL)
    personal = to_department(tree, staff, personal, at("2026-09-29 09:30"), kind=MatterKind.PERSONAL)
    personal = move(staff.department, personal, Action.ACCEPT, now=at("2026-09-30 10:00"))
    assert personal.due_at == at("2026-10-10 10:00")


@pytest.mark.django_db
def test_an_approved_extension_moves_the_reply_deadline_by_working_days(tree: CityTree, staff: LoopStaff) -> None:
    matter = to_department(tree, staff, filed(tree, now=at("2026-09-30 15:00")), at("2026-09-30 16:00"))
    matter = move(staff.department, matter, Action.ACCEPT, now=at("2026-10-08 10:00"))
    assert matter.due_at == at("2026-10-16 10:00")
    matter = move(
        staff.department, matter, Action.REQUEST_EXTENSION, {"days": 3}, note="需采购", now=at("2026-10-12 09:00")
    )
    assert matter.due_at == at("2026-10-16 10:00")  # a request alone moves nothing
    refused = move(staff.dispatcher, matter, Action.DECIDE_EXTENSION, {"approved": False}, now=at("2026-10-12 10:00"))
    assert refused.due_at == at("2026-10-16 10:00")
    move(staff.department, matter, Action.REQUEST_EXTENSION, {"days": 3}, note="需采购", now=at("2026-10-12 11:00"))
    matter = move(
        staff.dispatcher, matter, Action.DECIDE_EXTENSION, {"approved": True, "days": 3}, now=at("2026-10-13 09:00")
    )
    # three working days after the 16th: 19, 20, 21 October (not three calendar days: the 19th)
    assert matter.due_stage == DueStage.REPLY
    assert matter.due_at == at("2026-10-21 10:00")
    # the warning is recomputed from the approval: a quarter of the working time from then is left
    calendar = WorkCalendar.load()
    left = calendar.working_time_between(matter.warn_at, matter.due_at)
    assert left == calendar.working_time_between(at("2026-10-13 09:00"), matter.due_at) * 0.25
    assert at("2026-10-13 09:00") < matter.warn_at < matter.due_at


@pytest.mark.django_db
def test_a_return_stops_the_clock_and_a_new_dispatch_starts_a_new_accept_limit(
    tree: CityTree, staff: LoopStaff
) -> None:
    matter = to_department(tree, staff, filed(tree, now=at("2026-10-08 08:00")), at("2026-10-08 09:00"))
    assert matter.due_at == at("2026-10-08 11:00")
    matter = move(staff.department, matter, Action.RETURN, {"reason": "非本部门职责"}, now=at("2026-10-08 09:30"))
    assert stored(matter) == ("", None, None)
    matter = move(
        staff.dispatcher,
        matter,
        Action.DISPATCH,
        {"kind": MatterKind.PROFESSIONAL, "lead_place_id": tree.community.pk},
        now=at("2026-10-09 11:00"),
    )
    # 11:00–12:00, then 14:00–15:00
    assert stored(matter) == (DueStage.ACCEPT, at("2026-10-09 15:00"), at("2026-10-09 14:30"))


@pytest.mark.django_db
def test_an_overrule_restarts_the_accept_limit(tree: CityTree, staff: LoopStaff) -> None:
    matter = to_department(tree, staff, filed(tree, now=at("2026-10-08 08:00")), at("2026-10-08 09:00"))
    matter = move(staff.department, matter, Action.RETURN, {"reason": "非本部门职责"}, now=at("2026-10-08 09:30"))
    matter = move(staff.dispatcher, matter, Action.OVERRULE, note="属于住建职责", now=at("2026-10-09 17:00"))
    # ½ hour on Friday the 9th, 1½ hours on Saturday the 10th (调休)
    assert stored(matter) == (DueStage.ACCEPT, at("2026-10-10 10:00"), at("2026-10-10 09:30"))


# -- which limit applies ---------------------------------------------------------------------------------------


@pytest.fixture
def categories(db: None) -> tuple[Category, Category, Category]:
    top = Category.objects.create(code="C05", name="市政设施", level=1)
    middle = Category.objects.create(code="C05.03", name="路灯", level=2, parent=top)
    leaf = Category.objects.create(code="C05.03.002", name="路灯不亮", level=3, parent=middle)
    return top, middle, leaf


def reply_limit(category: Category | None, *, kind: str = MatterKind.PROFESSIONAL, urgency: str = "normal") -> Limit:
    return limit_for(LimitStage.REPLY, category_id=category.pk if category else None, kind=kind, urgency=urgency)


def set_default(stage: str, amount: int, unit: str, *, kind: str = "", urgency: str = "") -> None:
    TimeLimit.objects.update_or_create(
        stage=stage, category=None, kind=kind, urgency=urgency, defaults={"amount": amount, "unit": unit}
    )


@pytest.mark.django_db
def test_a_category_row_beats_the_default_and_a_deeper_category_beats_its_parent(
    categories: tuple[Category, Category, Category],
) -> None:
    top, middle, leaf = categories
    set_default(LimitStage.REPLY, 7, LimitUnit.WORKING_DAYS)
    assert reply_limit(leaf) == Limit(7, LimitUnit.WORKING_DAYS)
    TimeLimit.objects.create(stage=LimitStage.REPLY, category=top, amount=5, unit=LimitUnit.WORKING_DAYS)
    assert reply_limit(leaf) == Limit(5, LimitUnit.WORKING_DAYS)  # the parent's row reaches the leaf
    TimeLimit.objects.create(stage=LimitStage.REPLY, category=middle, amount=48, unit=LimitUnit.HOURS)
    assert reply_limit(leaf) == Limit(48, LimitUnit.HOURS)  # the deeper row wins
    assert reply_limit(top) == Limit(5, LimitUnit.WORKING_DAYS)  # …but never reaches up to its parent
    assert reply_limit(None) == Limit(7, LimitUnit.WORKING_DAYS)


@pytest.mark.django_db
def test_a_category_row_beats_a_kind_row(categories: tuple[Category, Category, Category]) -> None:
    top, _middle, leaf = categories
    set_default(LimitStage.REPLY, 15, LimitUnit.WORKING_DAYS, kind=MatterKind.HARD)
    assert reply_limit(leaf, kind=MatterKind.HARD) == Limit(15, LimitUnit.WORKING_DAYS)
    TimeLimit.objects.create(stage=LimitStage.REPLY, category=top, amount=20, unit=LimitUnit.WORKING_DAYS)
    assert reply_limit(leaf, kind=MatterKind.HARD) == Limit(20, LimitUnit.WORKING_DAYS)


@pytest.mark.django_db
def test_an_urgency_row_beats_a_category_row(categories: tuple[Category, Category, Category]) -> None:
    _top, middle, leaf = categories
    set_default(LimitStage.REPLY, 24, LimitUnit.HOURS, urgency="urgent")
    TimeLimit.objects.create(stage=LimitStage.REPLY, category=middle, amount=2, unit=LimitUnit.WORKING_DAYS)
    assert reply_limit(leaf, urgency="normal") == Limit(2, LimitUnit.WORKING_DAYS)
    assert reply_limit(leaf, urgency="urgent") == Limit(24, LimitUnit.HOURS)
    # and an urgency row of the category beats the category-free urgency row
    TimeLimit.objects.create(stage=LimitStage.REPLY, category=middle, urgency="urgent", amount=12, unit=LimitUnit.HOURS)
    assert reply_limit(leaf, urgency="urgent") == Limit(12, LimitUnit.HOURS)


@pytest.mark.django_db
def test_a_category_limit_reaches_the_stored_deadline(
    tree: CityTree, staff: LoopStaff, categories: tuple[Category, Category, Category]
) -> None:
    _top, middle, leaf = categories
    TimeLimit.objects.create(stage=LimitStage.REPLY, category=middle, amount=2, unit=LimitUnit.WORKING_DAYS)
    matter = to_department(
        tree, staff, filed(tree, now=at("2026-10-08 08:00")), at("2026-10-08 09:00"), category_id=leaf.pk
    )
    matter = move(staff.department, matter, Action.ACCEPT, now=at("2026-10-08 10:00"))
    assert matter.due_at == at("2026-10-10 10:00")  # 9th and the adjusted Saturday


@pytest.mark.django_db
def test_an_edited_default_row_wins_and_deleted_rows_fall_back_to_the_built_in_defaults(
    tree: CityTree, staff: LoopStaff
) -> None:
    set_default(LimitStage.ACCEPT, 4, LimitUnit.WORKING_HOURS)
    assert limit_for(LimitStage.ACCEPT, category_id=None, kind="", urgency="normal") == Limit(
        4, LimitUnit.WORKING_HOURS
    )
    TimeLimit.objects.all().delete()
    for stage in LimitStage.values:
        amount, unit = DEFAULT_LIMITS[(stage, "", "")]
        assert limit_for(stage, category_id=None, kind=MatterKind.PROFESSIONAL, urgency="normal") == Limit(amount, unit)
    assert reply_limit(None, kind=MatterKind.HARD) == Limit(15, LimitUnit.WORKING_DAYS)
    assert reply_limit(None, urgency="urgent") == Limit(24, LimitUnit.HOURS)
    matter = to_department(tree, staff, filed(tree, now=at("2026-10-08 08:00")), at("2026-10-08 09:00"))
    assert matter.due_at == at("2026-10-08 11:00")
    matter = move(staff.department, matter, Action.ACCEPT, now=at("2026-10-08 10:00"))
    assert matter.due_at == at("2026-10-16 10:00")


# -- property: a stored deadline is never earlier than the same limit in calendar time -------------------------

ZONE = ZoneInfo(settings.TIME_ZONE)
PLAIN_CALENDAR = WorkCalendar(
    overrides={}, hours=OfficeHours.parse(settings.SUPERVISION_OFFICE_HOURS), zone=ZoneInfo(settings.TIME_ZONE)
)
starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31, 23, 59)).map(
    lambda moment: moment.replace(tzinfo=ZONE)
)
limits = st.builds(Limit, amount=st.integers(min_value=1, max_value=30), unit=st.sampled_from(LimitUnit.values))


def calendar_span(limit: Limit) -> timedelta:
    return timedelta(days=limit.amount) if limit.unit == LimitUnit.WORKING_DAYS else timedelta(hours=limit.amount)


@hypothesis_settings(max_examples=300, deadline=None)
@given(start=starts, limit=limits)
def test_a_deadline_is_never_earlier_than_the_limit_in_calendar_time(start: datetime, limit: Limit) -> None:
    due = due_after(start, limit, PLAIN_CALENDAR)
    assert due >= start + calendar_span(limit)
    stored_deadline = deadline("reply", start, limit, PLAIN_CALENDAR)
    stored_due = datetime.fromisoformat(stored_deadline["due_at"])
    warn = datetime.fromisoformat(stored_deadline["warn_at"])
    assert stored_due == due
    assert start <= warn <= stored_due


@pytest.mark.django_db
@hypothesis_settings(max_examples=40, deadline=None)
@given(start=starts, amount=st.integers(min_value=1, max_value=30), unit=st.sampled_from(LimitUnit.values))
def test_a_planned_reply_deadline_is_never_earlier_than_the_limit_in_calendar_time(
    start: datetime, amount: int, unit: str
) -> None:
    from gridwork.matters.workflow import Snapshot
    from gridwork.supervision.deadlines import plan_move

    set_default(LimitStage.REPLY, amount, unit)
    before = Snapshot(state="dispatched", kind=MatterKind.PROFESSIONAL, urgency="normal", lead_department_id=1)
    after = Snapshot(state="in_progress", kind=MatterKind.PROFESSIONAL, urgency="normal", lead_department_id=1)
    planned = plan_move(before=before, after=after, action=Action.ACCEPT, data={}, when=start)
    due = datetime.fromisoformat(planned["deadline"]["due_at"])
    assert due >= start + calendar_span(Limit(amount, unit))
    assert start <= datetime.fromisoformat(planned["deadline"]["warn_at"]) <= due
