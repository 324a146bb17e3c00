"""The duplicate finder (查重): a reworded report of the same problem nearby is found; the same words 5 km away, another
problem at the same spot, an old or a closed matter, and matters outside the user's area are not. The per-category
rules, the public look-up (no personal data) and the rules' page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Category, Matter
from gridwork.matters.services import matter_file, matter_transition
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.matters.workflow import Action, MatterKind
from gridwork.places import locating
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree, make_place, square
from gridwork.triage.duplicates import (
    DEFAULT_THRESHOLDS,
    likely_duplicates,
    text_likeness,
    thresholds_for,
)
from gridwork.triage.models import DuplicatePolicy

pytestmark = pytest.mark.django_db

LAMP = "小区东门路灯坏了好几天，晚上很黑"
LAMP_REWORDED = "东门那边的路灯不亮了，已经好几天"
BINS = (
    "小区东门垃圾桶满了好几天没人清理，很臭"  # another problem, at the same gate, in the same words of place and time
)
HERE = (26.6050, 106.7050)  # inside the tree's first grid
METRES_PER_DEGREE_LATITUDE = 111_320


def north_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + metres / METRES_PER_DEGREE_LATITUDE, point[1]


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def now() -> datetime:
    return timezone.now()


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


@pytest.fixture
def far_grid(tree: CityTree) -> Place:
    """A grid of the sibling street, about 5 km east of ``HERE``."""
    community = make_place("community", tree.street2, 1, "远山社区")
    grid = make_place("grid", community, 1, "远山社区第一网格", boundary=square(106.75, 26.60))
    locating.drop_grid_index()
    return grid


def file_at(point: tuple[float, float], text: str, *, at: datetime, days_ago: float = 0, **options: Any) -> Matter:
    options.setdefault("channel", "resident_web")
    options.setdefault("kind", MatterKind.PROFESSIONAL)
    receipt = matter_file(
        actor=None,
        text=text,
        latitude=point[0],
        longitude=point[1],
        now=at - timedelta(days=days_ago),
        **options,
    )
    return Matter.objects.get(pk=receipt.matter_id)


def find(
    text: str, point: tuple[float, float] | None, *, at: datetime, grid: Place | None = None, **options: Any
) -> list[Matter]:
    latitude, longitude = point if point is not None else (None, None)
    candidates = likely_duplicates(text=text, latitude=latitude, longitude=longitude, grid=grid, now=at, **options)
    return [candidate.matter for candidate in candidates]


def test_a_reworded_report_50_m_away_is_found_with_its_reasons(tree: CityTree, now: datetime) -> None:
    original = file_at(HERE, LAMP, at=now, days_ago=2)
    [candidate] = likely_duplicates(
        text=LAMP_REWORDED, latitude=north_of(HERE, 50)[0], longitude=HERE[1], grid=tree.grid, now=now
    )
    assert candidate.matter == original
    assert candidate.distance_m == pytest.approx(50, abs=1)
    assert candidate.days_ago == 2
    assert candidate.similarity >= DEFAULT_THRESHOLDS.min_similarity
    assert candidate.reason == f"text {candidate.percent}% alike · 50 m away · filed 2 days ago"


def test_the_same_words_5_km_away_are_not_a_duplicate(tree: CityTree, far_grid: Place, now: datetime) -> None:
    far_point = (HERE[0], HERE[1] + 0.05)  # 0.05° of longitude at 26.6° N: 4.97 km
    far = file_at(far_point, LAMP, at=now)
    assert far.grid == far_grid
    assert find(LAMP, HERE, at=now, grid=tree.grid) == []
    # Only the distance keeps it out: with a radius of 6 km the same search finds it.
    category = Category.objects.create(code="T1", name="照明", level=1)
    DuplicatePolicy.objects.create(category=category, radius_m=6000)
    assert find(LAMP, HERE, at=now, grid=tree.grid, category=category) == [far]


def test_another_problem_at_the_same_spot_is_not_a_duplicate(tree: CityTree, now: datetime) -> None:
    file_at(HERE, BINS, at=now)
    assert find(LAMP, HERE, at=now, grid=tree.grid) == []
    lamp = file_at(HERE, LAMP_REWORDED, at=now)
    assert find(LAMP, HERE, at=now, grid=tree.grid) == [lamp]


def test_place_and_time_words_do_not_make_two_problems_alike() -> None:
    threshold = DEFAULT_THRESHOLDS.min_similarity
    assert text_likeness(LAMP, LAMP_REWORDED) >= threshold
    assert text_likeness(LAMP, BINS) < threshold
    assert text_likeness(LAMP, LAMP) == pytest.approx(1.0)


def test_only_matters_filed_within_the_window_count(tree: CityTree, now: datetime) -> None:
    file_at(HERE, LAMP, at=now, days_ago=DEFAULT_THRESHOLDS.window_days + 1)
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid) == []
    recent = file_at(HERE, LAMP, at=now, days_ago=DEFAULT_THRESHOLDS.window_days - 1)
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid) == [recent]


def test_closed_matters_are_not_candidates(tree: CityTree, staff: LoopStaff, now: datetime) -> None:
    matter = file_at(HERE, LAMP, at=now)
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid) == [matter]
    matter_transition(actor=staff.dispatcher, matter_id=matter.pk, action=Action.DISCARD, data={"reason": "invalid"})
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid) == []


def test_a_categorys_rule_holds_for_its_subcategories(tree: CityTree, now: datetime) -> None:
    parent = Category.objects.create(code="T1", name="市政设施", level=1)
    child = Category.objects.create(code="T1.01", name="路灯", level=2, parent=parent)
    original = file_at(HERE, LAMP, at=now, category=child)
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid, category=child) == [original]
    DuplicatePolicy.objects.create(category=parent, min_similarity=0.9)
    assert thresholds_for(child).min_similarity == 0.9
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid, category=child) == []
    # Without a category given (a resident typing), the candidate's own category's rule decides.
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid) == []
    DuplicatePolicy.objects.create(category=child, min_similarity=0.3, radius_m=40)
    assert thresholds_for(child).radius_m == 40  # the nearest row: the child's own
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid, category=child) == [original]
    assert find(LAMP_REWORDED, north_of(HERE, 50), at=now, grid=tree.grid, category=child) == []


def test_a_user_sees_only_candidates_in_their_area(tree: CityTree, staff: LoopStaff, now: datetime) -> None:
    original = file_at(HERE, LAMP, at=now)
    sibling_street = make_staff(role=Role.STREET_STAFF, place=tree.street2, username="siblingstreet")
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid, visible_to=staff.dispatcher) == [original]
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid, visible_to=sibling_street) == []
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid, visible_to=staff.other_community) == []


def test_without_coordinates_the_grid_counts_and_a_neighbouring_grid_needs_a_closer_text(
    tree: CityTree, now: datetime
) -> None:
    in_building = Matter.objects.get(
        pk=matter_file(
            actor=None, channel="resident_web", text=LAMP, building=tree.microgrid, kind="professional", now=now
        ).matter_id
    )
    assert in_building.latitude is None
    assert find(LAMP_REWORDED, HERE, at=now, grid=tree.grid) == [in_building]
    assert find(LAMP_REWORDED, None, at=now, grid=tree.grid) == [in_building]
    assert find(LAMP_REWORDED, None, at=now, grid=tree.grid2) == []  # same community, another grid: stricter
    assert find(LAMP, None, at=now, grid=tree.grid2) == [in_building]  # the very same words pass the stricter bar
    assert find(LAMP, None, at=now, grid=None) == []  # no place at all: nothing is searched


def test_the_nearest_and_most_alike_come_first(tree: CityTree, now: datetime) -> None:
    farther = file_at(north_of(HERE, 400), LAMP, at=now)
    nearer = file_at(north_of(HERE, 20), LAMP, at=now)
    assert find(LAMP, HERE, at=now, grid=tree.grid) == [nearer, farther]
    assert find(LAMP, HERE, at=now, grid=tree.grid, exclude_id=nearer.pk) == [farther]
    assert find(LAMP, HERE, at=now, grid=tree.grid, limit=1) == [nearer]


def test_short_texts_are_not_compared(tree: CityTree, now: datetime) -> None:
    file_at(HERE, LAMP, at=now)
    assert find("路灯坏了", HERE, at=now, grid=tree.grid) == []


def test_the_search_reads_a_bounded_number_of_queries(
    tree: CityTree, now: datetime, django_assert_max_num_queries: Any
) -> None:
    for metres in range(0, 300, 10):
        file_at(north_of(HERE, metres), LAMP, at=now)
    with django_assert_max_num_queries(3):
        assert len(find(LAMP_REWORDED, HERE, at=now, grid=tree.grid, limit=50)) == 30


# --- while typing: the staff look-up ------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_staff_look_up_is_scoped_and_links_the_matters(tree: CityTree, staff: LoopStaff, now: datetime) -> None:
    original = file_at(HERE, LAMP, at=now, reporter_name="张三丰", reporter_phone="13812345678")
    url = reverse("triage:similar")
    params = {"text": LAMP_REWORDED, "lat": HERE[0], "lng": HERE[1]}
    answer = client_for(staff.operator).get(url, params).json()
    [result] = answer["results"]
    assert result["number"] == original.number
    assert result["url"] == reverse("matters:detail", args=[original.number])
    assert result["distance_m"] == 0
    sibling_street = make_staff(role=Role.STREET_STAFF, place=tree.street2, username="siblingstreet")
    assert client_for(sibling_street).get(url, params).json()["results"] == []
    assert client_for(staff.department).get(url, params).status_code == 403  # a handler files nothing
    assert client_for(staff.operator).get(url, {**params, "text": "路灯"}).json()["results"] == []
    by_building = {"text": LAMP_REWORDED, "building": tree.microgrid.code}
    assert [r["number"] for r in client_for(staff.grid_worker).get(url, by_building).json()["results"]] == [
        original.number
    ]


# --- while typing: the public look-up ----------------------------------------------------------------------


def test_the_public_look_up_shows_no_personal_data(tree: CityTree, now: datetime) -> None:
    original = file_at(
        HERE,
        LAMP + "，请联系我13812345678",
        at=now,
        reporter_name="张三丰",
        reporter_phone="13812345678",
        address="春晖路1号东门岗亭旁",
    )
    personal = file_at(HERE, LAMP, at=now, kind=MatterKind.PERSONAL, reporter_name="李四")
    response = Client().get(reverse("report:similar"), {"text": LAMP, "lat": north_of(HERE, 130)[0], "lng": HERE[1]})
    assert response.status_code == 200
    body = response.content.decode()
    [result] = response.json()["results"]
    assert result["number"] == original.number
    assert personal.number not in body  # a personal matter (个事) is nobody else's business
    assert result["distance_m"] == 100  # rounded: the block, not the spot
    assert set(result) == {"number", "category", "state", "distance_m", "distance", "days_ago", "age"}
    for secret in ("张三丰", "13812345678", "李四", "岗亭", "东门", original.title, str(original.latitude)):
        assert secret not in body


def test_the_public_look_up_is_bounded(tree: CityTree, now: datetime) -> None:
    for metres in range(0, 70, 10):
        file_at(north_of(HERE, metres), LAMP, at=now)
    client = Client()
    params = {"text": LAMP, "lat": HERE[0], "lng": HERE[1]}
    assert len(client.get(reverse("report:similar"), params).json()["results"]) == 5
    assert client.get(reverse("report:similar"), {**params, "text": "路灯坏"}).json()["results"] == []
    statuses = {client.get(reverse("report:similar"), params).status_code for _ in range(40)}
    assert statuses == {200, 429}


# --- the rules' page ---------------------------------------------------------------------------------------


@pytest.fixture
def manager(tree: CityTree) -> User:
    return make_staff(role=Role.CITY_STAFF, place=tree.city, username="citytriage")


POLICIES = reverse("triage:duplicate-policies")


def test_the_rule_form_names_each_bad_field(tree: CityTree, manager: User) -> None:
    category = Category.objects.create(code="T1", name="照明", level=1)
    response = client_for(manager).post(
        POLICIES,
        {"action": "save", "category": category.pk, "min_similarity": "1.5", "radius_m": "5", "window_days": "0"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("min_similarity", "radius_m", "window_days"):
        assert f'data-testid="error-{field}"' in html
    assert not DuplicatePolicy.objects.exists()
    unknown = client_for(manager).post(
        POLICIES,
        {"action": "save", "category": "999999", "min_similarity": "0.5", "radius_m": "100", "window_days": "7"},
    )
    assert 'data-testid="error-category"' in unknown.content.decode()


def test_rules_are_added_changed_and_deleted_with_an_audit_row_each(tree: CityTree, manager: User) -> None:
    category = Category.objects.create(code="T1", name="照明", level=1)
    client = client_for(manager)
    fields = {"action": "save", "category": category.pk, "min_similarity": "0.5", "radius_m": "300", "window_days": "7"}
    assert client.post(POLICIES, fields).status_code == 302
    policy = DuplicatePolicy.objects.get(category=category)
    assert (policy.min_similarity, policy.radius_m, policy.window_days) == (0.5, 300, 7)
    again = client.post(POLICIES, fields)
    assert again.status_code == 400
    assert "This category already has a rule" in again.content.decode()
    assert client.get(POLICIES, {"edit": policy.pk}).status_code == 200
    assert client.post(POLICIES, {**fields, "policy": policy.pk, "radius_m": "800"}).status_code == 302
    assert DuplicatePolicy.objects.get(pk=policy.pk).radius_m == 800
    assert category.code in client.get(POLICIES).content.decode()
    assert client.post(POLICIES, {"action": "delete", "policy": policy.pk}).status_code == 302
    assert not DuplicatePolicy.objects.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="triage.duplicate_policy")
        .order_by("pk")
        .values_list("action", "detail")
    )
    assert [action for action, _ in actions] == [
        "triage.duplicate_policy.create",
        "triage.duplicate_policy.update",
        "triage.duplicate_policy.delete",
    ]
    assert actions[1][1]["before"]["radius_m"] == 300
    assert actions[1][1]["after"]["radius_m"] == 800


def test_only_triage_managers_open_the_rules(tree: CityTree, staff: LoopStaff) -> None:
    assert client_for(staff.dispatcher).get(POLICIES).status_code == 403
    assert Client().get(POLICIES).status_code == 302
