"""The demo city: counts, determinism, codes and paths, posts, party, identifiers, geometry and the commands."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date
from io import StringIO

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.db.models import Count

from gridwork.accounts.models import Post, User
from gridwork.accounts.roles import ROLE_LEVELS, ROLES_WITH_DEPARTMENT
from gridwork.audit.models import AuditEvent
from gridwork.demo import identifiers
from gridwork.demo.build import DEMO_PASSWORD, REFERENCE_DATE, BuildSummary, demo_city_build, demo_city_reset
from gridwork.demo.geometry import apportion, gilbert_curve, split_sizes
from gridwork.demo.names import chinese_number
from gridwork.demo.plan import CITY_CODE, SCALES, plan_city
from gridwork.party.models import PARTY_PARENT_KINDS, PARTY_PLACE_LEVELS, PartTimeMember, PartyOrganisation
from gridwork.people.models import Resident, ResidentUnit
from gridwork.places import locating
from gridwork.places.codes import validate_place_code
from gridwork.places.models import BoundaryVersion, Department, DepartmentKind, Place
from gridwork.places.tests.factories import CityTree

SMALL = SCALES["small"]
# A middle-sized city for geometry checks that need more than the small one but no database.
MEDIUM = dataclasses.replace(SCALES["city"], name="medium", columns=20, rows=16, streets=6, communities=40)


@pytest.fixture
def small_city(db: None) -> BuildSummary:
    locating.drop_grid_index()
    return demo_city_build(scale=SMALL)


# -- counts ---------------------------------------------------------------------------------------------------


def test_small_scale_builds_the_expected_counts(small_city: BuildSummary) -> None:
    levels = dict(Place.objects.values_list("level").annotate(n=Count("pk")).values_list("level", "n"))

    assert levels == {
        "city": 1,
        "district": 2,
        "street": 4,
        "community": 8,
        "grid": 24,
        "microgrid": 48,
        "household": 144,
    }
    # 11 departments and a dispatch centre per district; the city has 3 public services besides.
    assert Department.objects.count() == 2 * 12 + 15
    assert Department.objects.filter(kind=DepartmentKind.DISPATCH_CENTRE).count() == 3
    # admin, auditor, city, dispatch; 2 district staff and 2 district dispatchers; 36 handlers; 4 + 8 + 24 units.
    assert User.objects.count() == 4 + 4 + 36 + 4 + 8 + 24
    assert Resident.objects.count() == Place.objects.get(level="city").population
    assert ResidentUnit.objects.count() == 4 * SMALL.resident_units_per_street
    assert small_city.counts["residents"] == Resident.objects.count()


def test_every_place_counts_its_children(small_city: BuildSummary) -> None:
    residents = dict(Resident.objects.values_list("household").annotate(n=Count("pk")).values_list("household", "n"))
    places = list(Place.objects.all())
    children: dict[int | None, list[Place]] = {}
    for place in places:
        children.setdefault(place.parent_id, []).append(place)

    for place in places:
        if place.level == "household":
            assert (place.households, place.population) == (1, residents.get(place.pk, 0)), place.code
        else:
            below = children[place.pk]
            assert place.households == sum(child.households for child in below), place.code
            assert place.population == sum(child.population for child in below), place.code
        assert place.population > 0


def test_city_scale_sizes_are_those_of_the_source_documents() -> None:
    scale = SCALES["city"]
    assert scale.districts == 6
    assert scale.grids == 5040
    assert 65 <= scale.streets <= 75
    assert 650 <= scale.communities <= 750


def test_communities_hold_1500_to_3000_households_at_city_scale_on_average() -> None:
    plan = plan_city(MEDIUM)
    households = [community.households for community in plan.places("community")]

    assert 1500 <= sum(households) / len(households) <= 3000
    assert all(30 <= building.households <= 50 for building in plan.places("microgrid"))


# -- determinism ----------------------------------------------------------------------------------------------


def _fingerprint(seed: int) -> list[tuple[str, str, object]]:
    plan = plan_city(SMALL, seed)
    return [(p.code, p.name, p.boundary) for level in plan.by_level.values() for p in level]


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    assert _fingerprint(7) == _fingerprint(7)
    assert [name for _code, name, _b in _fingerprint(7)] != [name for _code, name, _b in _fingerprint(8)]


def test_the_same_seed_gives_the_same_people_after_a_rebuild(small_city: BuildSummary) -> None:
    def people() -> list[tuple[str, str, str]]:
        return list(Resident.objects.order_by("household__code", "id_number").values_list("name", "id_number", "phone"))

    def staff() -> list[tuple[str, str, str | None]]:
        return list(User.objects.order_by("username").values_list("username", "full_name", "phone"))

    before = (people(), staff(), sorted(ResidentUnit.objects.values_list("credit_code", "name")))
    demo_city_reset()
    assert not Place.objects.exists()
    demo_city_build(scale=SMALL)

    assert (people(), staff(), sorted(ResidentUnit.objects.values_list("credit_code", "name"))) == before


# -- codes, paths, posts, party -------------------------------------------------------------------------------


def test_codes_are_valid_and_paths_follow_the_parents(small_city: BuildSummary) -> None:
    by_id = {place.pk: place for place in Place.objects.all()}

    for place in by_id.values():
        parent = by_id.get(place.parent_id) if place.parent_id else None
        validate_place_code(place.level, place.code, parent.code if parent else None)
        assert place.path == f"{parent.path if parent else '/'}{place.code}/"
    assert Place.objects.get(level="city").code == CITY_CODE


def test_every_post_is_held_at_a_level_its_role_allows(small_city: BuildSummary) -> None:
    posts = list(Post.objects.select_related("place", "department"))

    assert posts
    for post in posts:
        assert post.place.level in ROLE_LEVELS[post.role], (post.user_id, post.role, post.place.level)
        if post.role in ROLES_WITH_DEPARTMENT:
            assert post.department is not None
            assert post.department.place_id == post.place_id


def test_every_unit_has_its_staff_and_every_grid_a_grid_worker(small_city: BuildSummary) -> None:
    staffed = set(Post.objects.values_list("place_id", flat=True))
    handled = set(Post.objects.exclude(department=None).values_list("department_id", flat=True))

    assert set(Place.objects.exclude(level__in=["microgrid", "household"]).values_list("pk", flat=True)) <= staffed
    assert set(Department.objects.values_list("pk", flat=True)) == handled
    assert Post.objects.filter(role="grid_worker").count() == 24


def test_all_demo_accounts_share_the_demo_password(small_city: BuildSummary) -> None:
    hashes = set(User.objects.values_list("password", flat=True))

    assert len(hashes) == 1
    assert User.objects.get(username="grid00001").check_password(DEMO_PASSWORD)
    assert User.objects.filter(full_name="").count() == 0
    assert User.objects.filter(phone=None).count() == 0


def test_party_organisations_fit_their_kinds(small_city: BuildSummary) -> None:
    organisations = list(PartyOrganisation.objects.select_related("place", "parent"))

    for org in organisations:
        assert org.place.level in PARTY_PLACE_LEVELS[org.kind], org.code
        if org.parent is None:
            assert not PARTY_PARENT_KINDS[org.kind], org.code
        else:
            assert org.parent.kind in PARTY_PARENT_KINDS[org.kind], org.code
            assert org.place.path.startswith(org.parent.place.path), org.code
    branches = PartyOrganisation.objects.filter(kind="branch")
    assert branches.count() == 24
    assert all(branch.members.exists() for branch in branches)
    assert {org.code for org in organisations} >= {
        f"P{code}"
        for code in Place.objects.values_list("code", flat=True).filter(level__in=["street", "community", "grid"])
    }


def test_part_time_members_sit_on_working_and_community_committees(small_city: BuildSummary) -> None:
    kinds = set(PartTimeMember.objects.values_list("organisation__kind", flat=True))

    assert kinds == {"working_committee", "community_committee"}
    for member in PartTimeMember.objects.select_related("organisation__place", "resident_unit__place"):
        street_path = member.organisation.place.path.split("/")[:4]
        assert member.resident_unit.place.path.split("/")[:4] == street_path
        assert member.term_end > member.term_start


# -- identifiers ------------------------------------------------------------------------------------------------


def test_credit_codes_and_id_numbers_pass_their_checksums(small_city: BuildSummary) -> None:
    codes = list(ResidentUnit.objects.values_list("credit_code", flat=True))
    numbers = list(Resident.objects.values_list("id_number", flat=True))

    assert codes
    assert all(identifiers.credit_code_is_valid(code) for code in codes)
    assert all(code[16] == identifiers.organisation_check_character(code[8:16]) for code in codes)
    assert numbers
    assert all(identifiers.id_number_is_valid(number) for number in numbers)
    assert len(set(numbers)) == len(numbers)


def test_birth_dates_are_plausible(small_city: BuildSummary) -> None:
    for household in Place.objects.filter(level="household").prefetch_related("residents"):
        residents = list(household.residents.all())
        births = [date(int(r.id_number[6:10]), int(r.id_number[10:12]), int(r.id_number[12:14])) for r in residents]
        ages = [(REFERENCE_DATE - birth).days / 365.25 for birth in births]
        assert all(0 <= age <= 100 for age in ages)
        householder = next(age for r, age in zip(residents, ages, strict=True) if r.is_householder)
        assert householder >= 18
        assert sum(r.is_householder for r in residents) == 1
        # Adults carry a mobile number; young children do not.
        assert all(bool(r.phone) == (age >= 14) for r, age in zip(residents, ages, strict=True))


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B"])
def test_real_credit_codes_are_valid_and_one_changed_character_is_not(code: str) -> None:
    assert identifiers.credit_code_is_valid(code)
    assert not identifiers.credit_code_is_valid(code[:5] + ("1" if code[5] != "1" else "2") + code[6:])
    assert not identifiers.credit_code_is_valid(code[:17] + "I")


def test_the_standard_id_number_example_is_valid_and_one_changed_digit_is_not() -> None:
    assert identifiers.id_number_is_valid("11010519491231002X")
    assert not identifiers.id_number_is_valid("11010519491231003X")
    assert not identifiers.id_number_is_valid("11010519491331002X")  # month 13
    made = identifiers.id_number(area_code="520102", birth_date=date(1990, 2, 28), sequence=12, male=False)
    assert identifiers.id_number_is_valid(made)
    assert int(made[16]) % 2 == 0


# -- geometry -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(6, 4), (4, 6), (72, 70), (20, 16)])
def test_the_curve_visits_every_cell_stepping_to_an_edge_neighbour(width: int, height: int) -> None:
    cells = gilbert_curve(width, height)

    assert sorted(cells) == sorted(itertools.product(range(width), range(height)))
    assert all(abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1 for a, b in itertools.pairwise(cells))


def test_split_sizes_add_up_and_respect_the_minimum() -> None:
    import random

    rng = random.Random(1)
    for total, parts in [(5040, 6), (72, 10), (7, 2), (24, 8)]:
        sizes = split_sizes(total, parts, rng, spread=0.25, minimum=3 if total >= 3 * parts else 1)
        assert sum(sizes) == total
        assert len(sizes) == parts
    assert apportion(10, [1.0, 1.0, 1.0]) in ([4, 3, 3], [3, 4, 3], [3, 3, 4])
    with pytest.raises(ValueError, match="Cannot split"):
        split_sizes(5, 3, rng, spread=0, minimum=2)


@pytest.mark.parametrize("scale", [SMALL, MEDIUM], ids=["small", "medium"])
def test_grids_are_valid_and_do_not_overlap_and_tile_the_city(scale: object) -> None:
    plan = plan_city(scale)  # type: ignore[arg-type]
    grids = [shapely.geometry.shape(grid.boundary) for grid in plan.places("grid")]
    city = shapely.geometry.shape(plan.city.boundary)

    assert all(grid.is_valid and grid.geom_type == "Polygon" for grid in grids)
    tree = shapely.STRtree(grids)
    left, right = tree.query(grids, predicate="intersects")
    overlaps = [
        (i, j) for i, j in zip(left, right, strict=True) if i < j and grids[i].intersection(grids[j]).area > 1e-14
    ]
    assert overlaps == []
    assert city.is_valid
    assert sum(grid.area for grid in grids) == pytest.approx(city.area, rel=1e-9)


@pytest.mark.parametrize("scale", [SMALL, MEDIUM], ids=["small", "medium"])
def test_every_level_is_one_polygon_made_of_its_children(scale: object) -> None:
    plan = plan_city(scale)  # type: ignore[arg-type]

    for level in ("community", "street", "district", "city"):
        for place in plan.places(level):
            shape = shapely.geometry.shape(place.boundary)
            assert shape.is_valid, place.code
            assert shape.geom_type == "Polygon", place.code
            children = sum(shapely.geometry.shape(child.boundary).area for child in place.children)
            assert shape.area == pytest.approx(children, rel=1e-9)
            assert shape.contains(shapely.Point(place.longitude, place.latitude)), place.code


def test_buildings_and_households_stand_inside_their_grid() -> None:
    plan = plan_city(SMALL)

    for grid in plan.places("grid"):
        shape = shapely.geometry.shape(grid.boundary)
        for building in grid.children:
            assert shape.contains(shapely.Point(building.longitude, building.latitude)), building.code
            for household in building.children:
                assert (household.longitude, household.latitude) == (building.longitude, building.latitude)


def test_the_city_is_around_guiyang_latitude_and_longitude() -> None:
    plan = plan_city(SCALES["small"])

    assert plan.city.latitude == pytest.approx(26.6, abs=0.05)
    assert plan.city.longitude == pytest.approx(106.7, abs=0.05)


def test_the_built_city_is_located_at_once(small_city: BuildSummary) -> None:
    grid = Place.objects.filter(level="grid").order_by("code").last()
    assert grid is not None

    location = locating.locate(grid.latitude, grid.longitude)  # type: ignore[arg-type]

    assert location.grid_id == grid.pk
    assert location.inside
    assert BoundaryVersion.objects.get().version >= 1


def test_grid_names_use_chinese_numbers() -> None:
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 35)] == ["一", "九", "十", "十一", "二十", "三十五"]
    assert plan_city(SMALL).places("grid")[2].name.endswith("第三网格")


# -- commands -------------------------------------------------------------------------------------------------


def _run(*args: str, **options: object) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_demo_city_with_if_empty_builds_once_then_does_nothing(db: None) -> None:
    first = _run("demo_city", scale="small", if_empty=True, allow_without_debug=True)
    count = Place.objects.count()
    second = _run("demo_city", scale="small", if_empty=True, allow_without_debug=True)

    assert "residents" in first
    assert count == 231
    assert Place.objects.count() == count
    assert "not built again" in second


def test_demo_city_with_if_empty_leaves_any_existing_places_alone(tree: CityTree) -> None:
    count = Place.objects.count()

    _run("demo_city", scale="small", if_empty=True, allow_without_debug=True)

    assert Place.objects.count() == count


def test_demo_city_refuses_to_build_twice_without_reset(small_city: BuildSummary) -> None:
    with pytest.raises(CommandError, match="already"):
        _run("demo_city", scale="small", allow_without_debug=True)


def test_demo_city_refuses_to_run_without_debug_unless_told(db: None) -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        _run("demo_city", scale="small")
    assert not Place.objects.exists()


def test_reset_rebuilds_and_keeps_the_audit_log_and_other_users(small_city: BuildSummary) -> None:
    other = User.objects.create_user(username="someone", password="Long-enough-1")
    audit_rows = AuditEvent.objects.count()
    first_ids = set(Place.objects.values_list("pk", flat=True))

    output = _run("demo_city", scale="small", reset=True, allow_without_debug=True)

    assert "Deleted" in output or "删除" in output
    assert Place.objects.count() == len(first_ids)
    assert not first_ids & set(Place.objects.values_list("pk", flat=True))
    assert User.objects.filter(pk=other.pk).exists()
    assert AuditEvent.objects.count() == audit_rows + 1  # nothing deleted, one row for the new build


def test_reset_deletes_everything_of_the_demo_city(small_city: BuildSummary) -> None:
    deleted = demo_city_reset()

    assert deleted["places.Place"] == 231
    for model in (Place, Department, Post, PartyOrganisation, PartTimeMember, ResidentUnit, Resident):
        assert not model.objects.exists(), model
    assert not User.objects.exists()


def test_demo_logins_lists_the_accounts_and_the_password(small_city: BuildSummary) -> None:
    output = _run("demo_logins")

    assert DEMO_PASSWORD in output
    for username in ("admin", "auditor", "city", "dispatch", "district01", "street001", "community0001", "grid00001"):
        assert f"\n{username} " in output
    assert "dept520100001" in output
    assert "东湖区" in output


def test_demo_logins_says_so_on_an_empty_database(db: None) -> None:
    output = _run("demo_logins")

    assert DEMO_PASSWORD not in output
    assert "demo_city" in output
