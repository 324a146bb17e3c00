"""Reading matters: the tabs of the work queue, the filters, keyset pagination and capped counts, always in scope."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.matters import selectors
from gridwork.matters.models import Category, Matter, MatterAssignment
from gridwork.matters.selectors import (
    QueueFilters,
    QueueTab,
    decode_cursor,
    matter_get,
    matter_page,
    matter_queue,
    matter_tab_counts,
)
from gridwork.matters.tests.factories import LoopStaff, file_in_building, make_loop_staff
from gridwork.matters.workflow import MatterKind, MatterState
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree, make_place, square

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)
BASE = timezone.make_aware(datetime(2026, 3, 1, 12, 0))


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


@pytest.fixture
def template(tree: CityTree) -> Matter:
    """One matter filed through the service; the others are cheap copies of it."""
    return Matter.objects.get(pk=file_in_building(tree).matter_id)


def copies(template: Matter, count: int, *, ties: int = 1, start: datetime = BASE, **fields: Any) -> list[Matter]:
    """``count`` matters like ``template``, one hour apart going back from ``start``, ``ties`` at each hour."""
    skip = {"id", "number", "created_at"}
    values = {f.attname: getattr(template, f.attname) for f in Matter._meta.concrete_fields if f.attname not in skip}
    grid = fields.pop("grid", None)
    if grid is not None:
        parents = {p.level: p for p in Place.objects.filter(code__in=grid.ancestor_codes())}
        values.update(
            grid_id=grid.pk,
            community_id=parents["community"].pk,
            street_id=parents["street"].pk,
            district_id=parents["district"].pk,
            place_path=grid.path,
            building_id=None,
        )
    values.update(fields)
    rows = [
        Matter(**values, number=f"GW20260101{next(_numbers):07d}", created_at=start - timedelta(hours=i // ties))
        for i in range(count)
    ]
    return Matter.objects.bulk_create(rows)


def newest_first(matters: list[Matter]) -> list[int]:
    return [m.pk for m in sorted(matters, key=lambda m: (m.created_at, m.pk), reverse=True)]


# --- keyset pagination ---------------------------------------------------------------------------------------


def test_keyset_pages_cover_every_row_once_in_order_without_offset(staff: LoopStaff, template: Matter) -> None:
    rows = [template, *copies(template, 119, ties=3)]  # three matters at each hour: ties broken by id
    queue = matter_queue(user=staff.dispatcher, tab=QueueTab.ALL)
    seen: list[int] = []
    cursors: list[str] = []
    with CaptureQueriesContext(connection) as queries:
        page = matter_page(queue)
        while True:
            seen += [m.pk for m in page.items]
            if not page.has_next:
                break
            cursors.append(page.next_cursor)
            page = matter_page(queue, after=page.next_cursor)
    assert [len(chunk) for chunk in (seen[:50], seen[50:100], seen[100:])] == [50, 50, 20]
    assert seen == newest_first(rows)
    sql = " ".join(query["sql"] for query in queries.captured_queries).upper()
    assert "OFFSET" not in sql
    assert "COUNT(" not in sql
    assert len(queries.captured_queries) == 3  # one query per page, nothing else

    # Back from the last page, "newer" pages are the same pages.
    last = matter_page(queue, after=cursors[-1])
    back = matter_page(queue, before=last.previous_cursor)
    assert [m.pk for m in back.items] == seen[50:100]
    first = matter_page(queue, before=back.previous_cursor)
    assert [m.pk for m in first.items] == seen[:50]
    assert not first.has_previous


def test_a_matter_filed_while_paging_shifts_nothing(staff: LoopStaff, template: Matter) -> None:
    copies(template, 79)
    queue = matter_queue(user=staff.dispatcher, tab=QueueTab.ALL)
    first = matter_page(queue)
    copies(template, 1, start=BASE + timedelta(days=1))  # newer than everything, arrives between two clicks
    second = matter_page(queue, after=first.next_cursor)
    assert len(second.items) == 30
    assert not {m.pk for m in first.items} & {m.pk for m in second.items}


@pytest.mark.parametrize("cursor", ["", "garbage", "!!!", "MTIz", "OTk5OTk5OTk5OTk5OTk5OTk5OTkuMQ"])
def test_a_cursor_that_is_not_ours_gives_the_first_page(staff: LoopStaff, template: Matter, cursor: str) -> None:
    copies(template, 5)
    queue = matter_queue(user=staff.dispatcher, tab=QueueTab.ALL)
    assert [m.pk for m in matter_page(queue, after=cursor).items] == [m.pk for m in matter_page(queue).items]
    assert [m.pk for m in matter_page(queue, before=cursor).items] == [m.pk for m in matter_page(queue).items]


def test_decode_cursor_round_trips(template: Matter) -> None:
    assert decode_cursor(selectors.encode_cursor(template)) == (template.created_at, template.pk)
    assert decode_cursor("not-a-cursor") is None


def test_the_queue_page_walks_all_pages_by_its_links(tree: CityTree, staff: LoopStaff, template: Matter) -> None:
    rows = [template, *copies(template, 119, ties=2)]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff.dispatcher)
    url = reverse("matters:queue") + "?tab=all&kind=professional"
    seen: list[int] = []
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            response = client.get(url)
            page = response.context["page"]
            seen += [m.pk for m in page.items]
            if not page.has_next:
                break
            url = reverse("matters:queue") + f"?tab=all&kind=professional&after={page.next_cursor}"
            assert f"after={page.next_cursor}" in response.content.decode()
    assert seen == newest_first(rows)
    assert not [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]
    counts = [
        q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "matters_matter" in q["sql"]
    ]
    assert counts
    assert all("LIMIT 1000" in sql.upper() for sql in counts)  # every count is capped


def test_tab_counts_stop_at_the_cap(staff: LoopStaff, template: Matter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    copies(template, 6)  # 7 matters to dispatch
    counts = {count.tab: count for count in matter_tab_counts(user=staff.dispatcher)}
    assert (counts[QueueTab.TO_DISPATCH].display, counts[QueueTab.TO_DISPATCH].capped) == ("5+", True)
    assert counts[QueueTab.CLOSED].display == "0"
    assert list(counts) == ["to_dispatch", "to_accept", "in_progress", "to_verify", "closed", "all"]


# --- tabs -----------------------------------------------------------------------------------------------------


def test_each_tab_holds_its_states_for_the_right_units(tree: CityTree, staff: LoopStaff, template: Matter) -> None:
    department, community = tree.department.pk, tree.community.pk
    (to_dispatch,) = copies(template, 1, state=MatterState.RETURNED)
    (dept_to_accept,) = copies(template, 1, state=MatterState.DISPATCHED, lead_department_id=department)
    (community_to_accept,) = copies(template, 1, state=MatterState.DISPATCHED, lead_place_id=community)
    (dept_in_progress,) = copies(template, 1, state=MatterState.IN_PROGRESS, lead_department_id=department)
    (co_handled,) = copies(template, 1, state=MatterState.IN_PROGRESS, lead_place_id=tree.street.pk)
    MatterAssignment.objects.create(matter=co_handled, department=tree.department)
    (replied,) = copies(template, 1, state=MatterState.REPLIED, lead_department_id=department)
    (closed,) = copies(template, 1, state=MatterState.CLOSED, lead_department_id=department)

    def tab(user: Any, name: QueueTab) -> set[int]:
        return {m.pk for m in matter_queue(user=user, tab=name)}

    assert tab(staff.dispatcher, QueueTab.TO_DISPATCH) == {template.pk, to_dispatch.pk}
    assert tab(staff.department, QueueTab.TO_DISPATCH) == set()
    assert tab(staff.department, QueueTab.TO_ACCEPT) == {dept_to_accept.pk}
    assert tab(staff.community, QueueTab.TO_ACCEPT) == {community_to_accept.pk}
    assert tab(staff.dispatcher, QueueTab.TO_ACCEPT) == set()  # the street leads none of them
    assert tab(staff.department, QueueTab.IN_PROGRESS) == {dept_in_progress.pk, co_handled.pk}
    assert tab(staff.dispatcher, QueueTab.IN_PROGRESS) == {co_handled.pk}
    assert tab(staff.dispatcher, QueueTab.TO_VERIFY) == {replied.pk}
    assert tab(staff.grid_worker, QueueTab.TO_VERIFY) == set()  # a grid worker does not dispatch
    assert tab(staff.department, QueueTab.CLOSED) == {closed.pk}
    assert tab(staff.department, QueueTab.ALL) == {
        dept_to_accept.pk,
        dept_in_progress.pk,
        co_handled.pk,
        replied.pk,
        closed.pk,
    }
    assert tab(staff.other_community, QueueTab.ALL) == set()


def test_the_index_hint_never_changes_what_a_user_sees(
    tree: CityTree, staff: LoopStaff, template: Matter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The level-key equality added for the indexes gives exactly the rows of ``restrict`` alone, for every post."""
    sibling_grid = Place.objects.get(parent=tree.community2)
    far_street = Place.objects.get(parent=tree.district2)
    far_community = make_place("community", far_street, 1, "远方社区")
    far_grid = make_place("grid", far_community, 1, "远方网格", boundary=square(106.8, 26.7))
    for grid in (tree.grid, tree.grid2, sibling_grid, far_grid):
        for state in MatterState.values:
            copies(template, 1, grid=grid, state=state, lead_department_id=tree.department.pk)
    users = [
        *vars(staff).values(),
        make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district"),
        make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"),
        make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2"),
    ]
    hinted = {(u.username, t): {m.pk for m in matter_queue(user=u, tab=t)} for u in users for t in QueueTab}
    monkeypatch.setattr(selectors, "_scope_hint", lambda user, perm: Q())
    plain = {(u.username, t): {m.pk for m in matter_queue(user=u, tab=t)} for u in users for t in QueueTab}
    assert hinted == plain
    assert len(hinted[("city", QueueTab.ALL)]) == 4 * len(MatterState.values) + 1
    assert hinted[("dispatcher", QueueTab.ALL)] != hinted[("street2", QueueTab.ALL)]


# --- filters --------------------------------------------------------------------------------------------------


def test_a_category_filter_takes_in_its_sub_categories(staff: LoopStaff, template: Matter) -> None:
    top = Category.objects.get(code="G1")
    middle = Category.objects.get(code="G1.01")
    leaf = Category.objects.get(code="G1.01.002")
    other = Category.objects.filter(level=1).exclude(code="G1").first()
    assert other is not None
    rows = {c.code: copies(template, 1, category_id=c.pk)[0].pk for c in (top, middle, leaf, other)}

    def found(category: Category) -> set[int]:
        queue = matter_queue(user=staff.dispatcher, tab=QueueTab.ALL, filters=QueueFilters(category=category))
        return {m.pk for m in queue}

    assert found(top) == {rows["G1"], rows["G1.01"], rows["G1.01.002"]}
    assert found(middle) == {rows["G1.01"], rows["G1.01.002"]}
    assert found(leaf) == {rows["G1.01.002"]}


def test_filters_by_kind_channel_urgency_state_and_place(tree: CityTree, staff: LoopStaff, template: Matter) -> None:
    (personal,) = copies(template, 1, kind=MatterKind.PERSONAL)
    (hotline,) = copies(template, 1, channel="hotline")
    (urgent,) = copies(template, 1, urgency="urgent")
    (closed,) = copies(template, 1, state=MatterState.CLOSED)
    (in_second_grid,) = copies(template, 1, grid=tree.grid2)
    (in_sibling_community,) = copies(template, 1, grid=Place.objects.get(parent=tree.community2))

    def found(**filters: Any) -> set[int]:
        queue = matter_queue(user=staff.dispatcher, tab=QueueTab.ALL, filters=QueueFilters(**filters))
        return {m.pk for m in queue}

    assert found(kind=MatterKind.PERSONAL) == {personal.pk}
    assert found(channel="hotline") == {hotline.pk}
    assert found(urgency="urgent") == {urgent.pk}
    assert found(state=MatterState.CLOSED) == {closed.pk}
    assert found(place=tree.community2) == {in_sibling_community.pk}
    assert found(place=tree.grid2) == {in_second_grid.pk}
    assert in_sibling_community.pk not in found(place=tree.community)
    assert len(found(place=tree.street)) == 7


def test_a_date_range_takes_whole_local_days(staff: LoopStaff, template: Matter) -> None:
    def at(day: int, hour: int) -> datetime:
        return timezone.make_aware(datetime(2026, 3, day, hour, 30))

    early, late, next_day = (copies(template, 1, start=at(d, h))[0] for d, h in ((1, 0), (1, 23), (2, 0)))
    day = at(1, 0).date()
    queue = matter_queue(user=staff.dispatcher, tab=QueueTab.ALL, filters=QueueFilters(since=day, until=day))
    assert {m.pk for m in queue} == {early.pk, late.pk}
    queue = matter_queue(
        user=staff.dispatcher, tab=QueueTab.ALL, filters=QueueFilters(since=next_day.created_at.date())
    )
    assert {m.pk for m in queue} == {next_day.pk, template.pk}


def test_a_date_range_at_the_ends_of_the_calendar_holds_everything(staff: LoopStaff, template: Matter) -> None:
    """The first and last days a date field takes: their bounds overflow as datetimes, and mean "no bound"."""
    widest = QueueFilters(since=date.min, until=date.max)
    assert {m.pk for m in matter_queue(user=staff.dispatcher, tab=QueueTab.ALL, filters=widest)} == {template.pk}


def test_search_by_number_exact_or_prefix_and_by_words(staff: LoopStaff, template: Matter) -> None:
    rows = copies(template, 12, title="小区门口积水", text="下雨后小区门口积水严重，老人出行困难。")

    def found(search: str) -> set[int]:
        queue = matter_queue(user=staff.dispatcher, tab=QueueTab.ALL, filters=QueueFilters(search=search))
        return {m.pk for m in queue}

    assert found(rows[0].number) == {rows[0].pk}
    assert found(rows[0].number.lower()) == {rows[0].pk}
    prefix = rows[10].number[:-1]  # GW20260101000001x: ten numbers share it
    assert found(prefix) == {m.pk for m in rows if m.number.startswith(prefix)}
    assert found("积水") == {m.pk for m in rows}
    assert found("老人出行") == {m.pk for m in rows}
    assert found("路灯") == {template.pk}
    assert found("GW2099") == set()


def test_matter_get_is_404_out_of_scope_and_reads_any_case(tree: CityTree, staff: LoopStaff, template: Matter) -> None:
    assert matter_get(user=staff.grid_worker, number=template.number.lower()) == template
    with pytest.raises(Http404):
        matter_get(user=staff.other_community, number=template.number)
    with pytest.raises(Http404):
        matter_get(user=staff.department, number=template.number)  # not dispatched to the department
    with pytest.raises(Http404):
        matter_get(user=staff.dispatcher, number="GW000")
