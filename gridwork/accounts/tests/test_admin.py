"""The admin site: open to the system administrator only; the audit log is not in it; changes are audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from gridwork.accounts.admin_site import admin_site
from gridwork.accounts.models import Post, User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.conftest import Staff
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.audit.models import AuditEvent
from gridwork.places.tests.factories import CityTree

ADMIN = "/admin/"


def test_the_system_administrator_gets_in(client: Client, staff: Staff) -> None:
    client.force_login(staff.system_admin)

    response = client.get(ADMIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "/admin/accounts/user/" in html
    assert "/admin/accounts/post/" in html


@pytest.mark.parametrize("who", ["audit_admin", "city", "street", "grid"])
def test_other_staff_are_sent_to_the_admin_sign_in(client: Client, staff: Staff, who: str) -> None:
    client.force_login(getattr(staff, who))

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/accounts/user/").status_code == 302


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_admin_sign_in(client: Client) -> None:
    assert client.get(ADMIN).status_code == 302


def test_the_audit_log_is_not_in_the_admin(client: Client, staff: Staff) -> None:
    assert AuditEvent not in admin_site._registry
    assert {model._meta.label for model in admin_site._registry} == {
        "accounts.User",
        "accounts.Post",
        "axes.AccessAttempt",
        "matters.Category",
        "supervision.CalendarOverride",
        "supervision.TimeLimit",
    }
    client.force_login(staff.system_admin)
    assert client.get("/admin/audit/auditevent/").status_code == 404
    assert "/admin/audit/" not in client.get(ADMIN).content.decode()


def test_the_system_administrator_reads_and_changes_users(client: Client, staff: Staff) -> None:
    client.force_login(staff.system_admin)

    assert client.get("/admin/accounts/user/").status_code == 200
    page = client.get(f"/admin/accounts/user/{staff.grid.pk}/change/")
    assert page.status_code == 200
    assert "posts-TOTAL_FORMS" in page.content.decode()


def test_accounts_and_posts_cannot_be_deleted_in_the_admin(client: Client, staff: Staff) -> None:
    client.force_login(staff.system_admin)
    post = staff.grid.posts.get()

    assert client.post(f"/admin/accounts/user/{staff.grid.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/accounts/post/{post.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=staff.grid.pk).exists()


def change_user(client: Client, user: User, **overrides: str) -> Any:
    post = user.posts.get()
    data = {
        "username": user.username,
        "kind": user.kind,
        "full_name": user.full_name,
        "phone": user.phone or "",
        "is_active": "on",
        "posts-TOTAL_FORMS": "1",
        "posts-INITIAL_FORMS": "1",
        "posts-MIN_NUM_FORMS": "0",
        "posts-MAX_NUM_FORMS": "1000",
        "posts-0-id": str(post.pk),
        "posts-0-user": str(user.pk),
        "posts-0-role": post.role,
        "posts-0-place": str(post.place_id),
        "posts-0-department": "",
        "posts-0-is_active": "on",
    }
    data.update(overrides)
    return client.post(f"/admin/accounts/user/{user.pk}/change/", data, headers={"accept-language": "en"})


def test_a_change_in_the_admin_is_audited(client: Client, staff: Staff) -> None:
    client.force_login(staff.system_admin)

    response = change_user(client, staff.grid, full_name="王五")

    assert response.status_code == 302
    assert User.objects.get(pk=staff.grid.pk).full_name == "王五"
    event = AuditEvent.objects.get(action="admin.user.change")
    assert event.actor == staff.system_admin
    assert event.object_id == str(staff.grid.pk)


def test_the_admin_refuses_a_post_at_the_wrong_level(client: Client, staff: Staff, tree: CityTree) -> None:
    client.force_login(staff.system_admin)

    response = change_user(client, staff.grid, **{"posts-0-place": str(tree.street.pk)})

    assert response.status_code == 200
    assert "A Grid worker post is held at a unit of level: grid." in response.content.decode()
    assert Post.objects.get(user=staff.grid).place == tree.grid
    assert not AuditEvent.objects.filter(action="admin.user.change").exists()


def test_the_admin_refuses_a_malformed_phone(client: Client, staff: Staff) -> None:
    client.force_login(staff.system_admin)

    response = change_user(client, staff.grid, phone="12345")

    assert response.status_code == 200
    assert "Enter a mainland mobile number" in response.content.decode()
    assert User.objects.get(pk=staff.grid.pk).phone is None


def test_unlocking_an_account_in_the_admin_is_audited(client: Client, staff: Staff) -> None:
    attempt = AccessAttempt.objects.create(
        username="street",
        ip_address="10.0.0.8",
        user_agent="test",
        failures_since_start=5,
        attempt_time=timezone.now() - timedelta(minutes=1),
    )
    client.force_login(staff.system_admin)

    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="login.unlocked")
    assert event.actor == staff.system_admin
    assert event.detail == {"username": "street", "ip_address": "10.0.0.8"}


def test_the_system_administrator_adds_a_user(client: Client, staff: Staff) -> None:
    client.force_login(staff.system_admin)

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "wangwu",
            "kind": "staff",
            "full_name": "王五",
            "phone": "13500000005",
            "usable_password": "false",
            "posts-TOTAL_FORMS": "1",
            "posts-INITIAL_FORMS": "0",
            "posts-MIN_NUM_FORMS": "0",
            "posts-MAX_NUM_FORMS": "1000",
            "posts-0-role": Role.GRID_WORKER,
            "posts-0-place": str(staff.grid.posts.get().place_id),
            "posts-0-department": "",
            "posts-0-is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="wangwu")
    assert not user.has_usable_password()
    assert Post.objects.get(user=user).role == Role.GRID_WORKER
    assert AuditEvent.objects.filter(action="admin.user.add", object_id=str(user.pk)).count() == 1


# --- separation of duties (三员分立) and staff-only posts ------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_the_system_administrator_cannot_grant_themselves_another_administrators_role(
    client: Client, staff: Staff, tree: CityTree, role: str
) -> None:
    client.force_login(staff.system_admin)

    response = client.post(
        "/admin/accounts/post/add/",
        {"user": str(staff.system_admin.pk), "role": role, "place": str(tree.city.pk), "is_active": "on"},
        headers={"accept-language": "en"},
    )

    assert response.status_code == 200
    assert "Nobody grants themselves this role" in response.content.decode()
    assert not Post.objects.filter(user=staff.system_admin, role=role).exists()
    other = User.objects.create(username="another-admin", kind="staff")
    granted = client.post(
        "/admin/accounts/post/add/",
        {"user": str(other.pk), "role": role, "place": str(tree.city.pk), "is_active": "on"},
    )
    assert granted.status_code == 302
    assert Post.objects.filter(user=other, role=role).exists()


def test_a_resident_account_holds_no_post_and_never_reaches_the_admin_site_or_the_api(
    client: Client, staff: Staff, tree: CityTree
) -> None:
    resident = make_resident_user(phone="13800009999")
    client.force_login(staff.system_admin)
    response = client.post(
        "/admin/accounts/post/add/",
        {"user": str(resident.pk), "role": Role.SYSTEM_ADMIN, "place": str(tree.city.pk), "is_active": "on"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "Only a staff account holds a post." in response.content.decode()
    assert not Post.objects.filter(user=resident).exists()

    Post.objects.create(user=resident, role=Role.SYSTEM_ADMIN, place=tree.city)  # slipped in past the forms
    as_resident = Client()
    as_resident.force_login(resident)
    assert as_resident.get(ADMIN).status_code == 302
    assert as_resident.get("/api/v1/places/").status_code == 403


def test_a_password_the_administrator_sets_must_be_replaced_at_the_next_sign_in(client: Client, staff: Staff) -> None:
    client.force_login(staff.system_admin)
    new = "Xy7#kLmn93!qZ"

    response = client.post(f"/admin/accounts/user/{staff.grid.pk}/password/", {"password1": new, "password2": new})

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(pk=staff.grid.pk)
    assert user.check_password(new)
    assert user.must_change_password
