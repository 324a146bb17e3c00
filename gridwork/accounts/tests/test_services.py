"""gridwork.accounts.services: staff, posts and their rules (phone sign-in is in test_phone_login.py)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.test import RequestFactory

from gridwork.accounts import services
from gridwork.accounts.models import Post, User, UserKind
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.conftest import Staff
from gridwork.accounts.tests.factories import STAFF_PASSWORD, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.places.models import Department
from gridwork.places.tests.factories import CityTree

GOOD_PASSWORD = "Spring-Rain-2026"


def create(tree: CityTree, **overrides: Any) -> User:
    fields: dict[str, Any] = {
        "actor": None,
        "username": "zhangsan",
        "full_name": "张三",
        "phone": "13812345678",
        "role": Role.GRID_WORKER,
        "place": tree.grid,
    }
    fields.update(overrides)
    return services.staff_create(**fields)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- staff_create: the happy path ------------------------------------------------------------------------


def test_staff_create_makes_a_staff_user_with_one_post_and_an_audit_row(tree: CityTree) -> None:
    user = create(tree, phone="138 1234 5678")

    assert user.kind == UserKind.STAFF
    assert user.full_name == "张三"
    assert user.phone == "13812345678"
    assert not user.has_usable_password()
    post = Post.objects.get(user=user)
    assert (post.role, post.place, post.department, post.is_active) == (Role.GRID_WORKER, tree.grid, None, True)
    event = AuditEvent.objects.get(action="staff.create")
    assert event.object_id == str(user.pk)
    assert event.actor is None
    assert event.actor_name == "system"
    assert event.detail["post"] == {
        "user": "zhangsan",
        "role": "grid_worker",
        "place": tree.grid.code,
        "department": None,
    }
    assert event.detail["password_set"] is False


def test_staff_create_with_password_lets_them_sign_in(tree: CityTree) -> None:
    create(tree, password=GOOD_PASSWORD)

    assert authenticate(RequestFactory().post("/"), username="zhangsan", password=GOOD_PASSWORD) is not None


def test_staff_create_records_the_acting_user(tree: CityTree, staff: Staff) -> None:
    user = create(tree, actor=staff.street)

    event = AuditEvent.objects.get(action="staff.create", object_id=str(user.pk))
    assert event.actor == staff.street
    assert event.actor_name == "street"


@pytest.mark.parametrize(
    ("role", "place_attr", "department_attr"),
    [
        (Role.DEPARTMENT_HANDLER, "district", "department"),
        (Role.DISPATCH_CENTRE, "city", "dispatch_centre"),
        (Role.COMMUNITY_STAFF, "community", None),
        (Role.STREET_STAFF, "street", None),
        (Role.DISTRICT_STAFF, "district", None),
        (Role.CITY_STAFF, "city", None),
        (Role.SYSTEM_ADMIN, "city", None),
        (Role.AUDIT_ADMIN, "city", None),
    ],
)
def test_staff_create_accepts_each_role_at_its_level(
    tree: CityTree, role: str, place_attr: str, department_attr: str | None
) -> None:
    department = getattr(tree, department_attr) if department_attr else None
    user = create(tree, role=role, place=getattr(tree, place_attr), department=department)

    assert Post.objects.get(user=user).department == department


# --- staff_create: refusals, each naming its field -------------------------------------------------------


@pytest.mark.parametrize("username", ["", "ab", "1abc", "a b", "张三", "zhang@san", "x" * 51, "r13812345678"])
def test_staff_create_refuses_a_malformed_username(tree: CityTree, username: str) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, username=username)

    assert list(errors_of(exc)) == ["username"]
    assert not User.objects.exists()


def test_staff_create_refuses_a_taken_username_whatever_its_case(tree: CityTree) -> None:
    create(tree)

    with pytest.raises(ValidationError) as exc:
        create(tree, username="ZhangSan", phone="13912345678")

    assert list(errors_of(exc)) == ["username"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "phone",
    ["", "1381234567", "138123456789", "12812345678", "23812345678", "1381234567a", "13８12345678", "13٨12345678"],
)
def test_staff_create_refuses_a_number_that_is_not_a_mainland_mobile(tree: CityTree, phone: str) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, phone=phone)

    assert list(errors_of(exc)) == ["phone"]


def test_staff_create_refuses_a_number_already_used_by_a_resident(tree: CityTree) -> None:
    User.objects.create_user(username="r13812345678", kind=UserKind.RESIDENT, phone="13812345678")

    with pytest.raises(ValidationError) as exc:
        create(tree, phone="+86 138-1234-5678")

    assert list(errors_of(exc)) == ["phone"]


def test_staff_create_refuses_an_unknown_role(tree: CityTree) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, role="superuser")

    assert list(errors_of(exc)) == ["role"]


@pytest.mark.parametrize(
    ("role", "place_attr"),
    [
        (Role.GRID_WORKER, "community"),
        (Role.COMMUNITY_STAFF, "grid"),
        (Role.STREET_STAFF, "district"),
        (Role.CITY_STAFF, "district"),
        (Role.SYSTEM_ADMIN, "street"),
        (Role.GRID_WORKER, "microgrid"),
    ],
)
def test_staff_create_refuses_a_role_at_the_wrong_level(tree: CityTree, role: str, place_attr: str) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, role=role, place=getattr(tree, place_attr))

    assert list(errors_of(exc)) == ["place"]


def test_staff_create_needs_a_department_for_a_department_handler(tree: CityTree) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, role=Role.DEPARTMENT_HANDLER, place=tree.district)

    assert list(errors_of(exc)) == ["department"]


def test_staff_create_refuses_a_department_of_another_unit(tree: CityTree) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, role=Role.DEPARTMENT_HANDLER, place=tree.district2, department=tree.department)

    assert list(errors_of(exc)) == ["department"]


def test_staff_create_refuses_an_inactive_department(tree: CityTree) -> None:
    Department.objects.filter(pk=tree.department.pk).update(is_active=False)
    tree.department.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        create(tree, role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department)

    assert list(errors_of(exc)) == ["department"]


def test_staff_create_needs_a_dispatch_centre_for_a_dispatch_centre_post(tree: CityTree) -> None:
    functional = Department.objects.create(code="D520100001", name="市城管局", place=tree.city)

    with pytest.raises(ValidationError) as exc:
        create(tree, role=Role.DISPATCH_CENTRE, place=tree.city, department=functional)

    assert list(errors_of(exc)) == ["department"]


def test_staff_create_refuses_a_department_for_a_role_without_one(tree: CityTree) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, role=Role.DISTRICT_STAFF, place=tree.district, department=tree.department)

    assert list(errors_of(exc)) == ["department"]


@pytest.mark.parametrize(
    "password",
    [
        "Sh0rt!",  # too short
        "abcdefghijk1",  # two kinds of character
        "12345678901234",  # numeric
        "Password1234",  # common
        "Zhangsan-2026x",  # too like the username
    ],
)
def test_staff_create_runs_the_password_validators(tree: CityTree, password: str) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, password=password)

    assert list(errors_of(exc)) == ["password"]
    assert not User.objects.exists()


def test_staff_create_reports_every_problem_at_once(tree: CityTree) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, username="?", phone="1", role=Role.DEPARTMENT_HANDLER, place=tree.grid, password="x")

    assert set(errors_of(exc)) == {"username", "phone", "place", "department", "password"}


def test_staff_create_turns_a_lost_race_for_the_username_into_a_field_error(tree: CityTree) -> None:
    User.objects.create_user(username="zhangsan", password=None, phone="13999999999")
    # The rival committed after our checks ran: they saw nothing (False, False); the insert then fails.
    with (
        mock.patch.object(QuerySet, "exists", side_effect=[False, False, True]),
        pytest.raises(ValidationError) as exc,
    ):
        create(tree)

    assert list(errors_of(exc)) == ["username"]
    assert User.objects.count() == 1


def test_staff_create_writes_nothing_when_the_audit_row_fails(tree: CityTree) -> None:
    with (
        mock.patch("gridwork.accounts.services.audit_record", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        create(tree)

    assert not User.objects.exists()
    assert not Post.objects.exists()


# --- staff_create: the acting user's scope ---------------------------------------------------------------


def test_an_actor_creates_staff_under_their_own_unit(tree: CityTree, staff: Staff) -> None:
    user = create(tree, actor=staff.street, role=Role.COMMUNITY_STAFF, place=tree.community)

    assert Post.objects.get(user=user).place == tree.community


def test_an_actor_cannot_create_staff_in_a_sibling_unit(tree: CityTree, staff: Staff) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, actor=staff.street2, role=Role.COMMUNITY_STAFF, place=tree.community)

    assert list(errors_of(exc)) == ["place"]
    assert not User.objects.filter(username="zhangsan").exists()


def test_an_actor_cannot_create_staff_above_their_unit(tree: CityTree, staff: Staff) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, actor=staff.street, role=Role.DISTRICT_STAFF, place=tree.district)

    assert "place" in errors_of(exc)


def test_an_actor_without_manage_staff_cannot_create_staff(tree: CityTree, staff: Staff) -> None:
    with pytest.raises(ValidationError) as exc:
        create(tree, actor=staff.community, role=Role.GRID_WORKER, place=tree.grid)

    assert list(errors_of(exc)) == ["place"]


def test_only_a_system_administrator_grants_the_administrator_roles(tree: CityTree, staff: Staff) -> None:
    for role in (Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN):
        with pytest.raises(ValidationError) as exc:
            create(tree, actor=staff.city, role=role, place=tree.city)
        assert list(errors_of(exc)) == ["role"]

    user = create(tree, actor=staff.system_admin, role=Role.AUDIT_ADMIN, place=tree.city)
    assert Post.objects.get(user=user).role == Role.AUDIT_ADMIN


# --- posts and deactivation ------------------------------------------------------------------------------


def test_post_add_gives_a_second_post_with_an_audit_row(tree: CityTree, staff: Staff) -> None:
    post = services.post_add(actor=staff.street, user=staff.grid, role=Role.GRID_WORKER, place=tree.grid2)

    assert post.is_active
    assert {p.place for p in staff.grid.posts.all()} == {tree.grid, tree.grid2}
    event = AuditEvent.objects.get(action="post.add")
    assert event.actor == staff.street
    assert event.object_id == str(post.pk)


def test_post_add_refuses_the_same_post_twice(tree: CityTree, staff: Staff) -> None:
    with pytest.raises(ValidationError) as exc:
        services.post_add(actor=None, user=staff.grid, role=Role.GRID_WORKER, place=tree.grid)

    assert list(errors_of(exc)) == ["role"]


def test_post_add_reactivates_an_ended_post(tree: CityTree, staff: Staff) -> None:
    post = staff.grid.posts.get()
    services.post_deactivate(actor=None, post=post)

    again = services.post_add(actor=None, user=staff.grid, role=Role.GRID_WORKER, place=tree.grid)

    assert again.pk == post.pk
    assert again.is_active


def test_post_add_refuses_a_unit_outside_the_actor_scope(tree: CityTree, staff: Staff) -> None:
    with pytest.raises(ValidationError) as exc:
        services.post_add(actor=staff.street2, user=staff.grid, role=Role.GRID_WORKER, place=tree.grid2)

    assert list(errors_of(exc)) == ["place"]


def test_post_add_refuses_residents(tree: CityTree) -> None:
    resident = User.objects.create_user(username="r13900000000", kind=UserKind.RESIDENT, phone="13900000000")

    with pytest.raises(ValidationError) as exc:
        services.post_add(actor=None, user=resident, role=Role.GRID_WORKER, place=tree.grid)

    assert list(errors_of(exc)) == ["user"]


def test_post_deactivate_ends_a_post_and_the_scope_with_it(tree: CityTree, staff: Staff) -> None:
    post = staff.grid.posts.get()

    services.post_deactivate(actor=staff.street, post=post)

    post.refresh_from_db()
    assert not post.is_active
    assert User.objects.get(pk=staff.grid.pk).scope_paths("places.view") == []
    assert AuditEvent.objects.filter(action="post.deactivate", object_id=str(post.pk)).count() == 1
    with pytest.raises(ValidationError):
        services.post_deactivate(actor=staff.street, post=post)


def test_post_deactivate_refuses_an_actor_from_a_sibling_unit(tree: CityTree, staff: Staff) -> None:
    post = staff.grid.posts.get()

    with pytest.raises(PermissionDenied):
        services.post_deactivate(actor=staff.street2, post=post)

    post.refresh_from_db()
    assert post.is_active
    assert not AuditEvent.objects.filter(action="post.deactivate").exists()


def test_staff_deactivate_ends_the_account_and_its_posts(tree: CityTree, staff: Staff) -> None:
    services.staff_deactivate(actor=staff.street, user=staff.grid)

    user = User.objects.get(pk=staff.grid.pk)
    assert not user.is_active
    assert not user.posts.filter(is_active=True).exists()
    assert authenticate(RequestFactory().post("/"), username="gridworker", password=STAFF_PASSWORD) is None
    event = AuditEvent.objects.get(action="staff.deactivate")
    assert event.actor == staff.street
    assert event.detail["posts"][0]["place"] == tree.grid.code


def test_staff_deactivate_needs_every_post_in_the_actor_scope(tree: CityTree, staff: Staff) -> None:
    services.post_add(actor=None, user=staff.grid, role=Role.COMMUNITY_STAFF, place=tree.community2)
    street2_community = make_staff(role=Role.STREET_STAFF, place=tree.street2, username="s2")

    with pytest.raises(PermissionDenied):
        services.staff_deactivate(actor=street2_community, user=staff.grid)
    with pytest.raises(PermissionDenied):
        services.staff_deactivate(actor=staff.community, user=staff.grid)  # no MANAGE_STAFF at all

    assert User.objects.get(pk=staff.grid.pk).is_active


def test_nobody_deactivates_their_own_account(staff: Staff) -> None:
    with pytest.raises(PermissionDenied):
        services.staff_deactivate(actor=staff.city, user=staff.city)

    assert User.objects.get(pk=staff.city.pk).is_active


def test_only_a_system_administrator_deactivates_an_administrator(staff: Staff) -> None:
    with pytest.raises(PermissionDenied):
        services.staff_deactivate(actor=staff.city, user=staff.audit_admin)

    services.staff_deactivate(actor=staff.system_admin, user=staff.audit_admin)
    assert not User.objects.get(pk=staff.audit_admin.pk).is_active


def test_user_password_change_validates_sets_and_audits(staff: Staff) -> None:
    with pytest.raises(ValidationError):
        services.user_password_change(user=staff.grid, password="short")

    services.user_password_change(user=staff.grid, password=GOOD_PASSWORD)

    assert User.objects.get(pk=staff.grid.pk).check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.filter(action="password.change", actor=staff.grid).count() == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("86138", "86138"),
    ],
)
def test_phone_normalise(raw: str, expected: str) -> None:
    assert services.phone_normalise(raw) == expected
