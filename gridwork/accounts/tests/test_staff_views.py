"""The staff list, a staff member's page, the new-staff form and deactivation: scope in every direction."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import Post, User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.conftest import Staff
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.places.tests.factories import CityTree

LIST = "/staff/accounts/"


def detail(user: User) -> str:
    return reverse("staff_accounts:staff-detail", args=[user.pk])


def listed_usernames(client: Client, **params: str) -> set[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {post.user.username for post in response.context["page_obj"]}


def test_the_urls_are_where_the_brief_says() -> None:
    assert reverse("staff_accounts:staff-list") == LIST
    assert reverse("staff_accounts:staff-detail", args=[7]) == "/staff/accounts/7/"


# --- who may open the list -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_residents_grid_workers_and_the_audit_administrator_are_refused(client: Client, staff: Staff) -> None:
    resident = make_resident_user(phone="13700000009")
    for user in (resident, staff.grid, staff.audit_admin):
        client.force_login(user)
        assert client.get(LIST).status_code == 403, user.username
        assert client.get(detail(staff.community)).status_code == 403, user.username


# --- scope -----------------------------------------------------------------------------------------------


def test_community_staff_see_their_own_community_only(client: Client, staff: Staff) -> None:
    client.force_login(staff.community)

    assert listed_usernames(client) == {"community", "gridworker"}


def test_street_staff_see_their_street_and_below_but_not_the_sibling_street(client: Client, staff: Staff) -> None:
    client.force_login(staff.street)

    assert listed_usernames(client) == {"street", "community", "community2", "gridworker"}


def test_city_staff_see_everyone(client: Client, staff: Staff) -> None:
    client.force_login(staff.city)

    assert listed_usernames(client) == {
        "city",
        "sysadmin",
        "auditor",
        "district",
        "street",
        "street2",
        "community",
        "community2",
        "gridworker",
    }


def test_the_list_masks_phone_numbers(client: Client, staff: Staff) -> None:
    User.objects.filter(pk=staff.grid.pk).update(phone="13812345678")
    client.force_login(staff.community)

    html = client.get(LIST).content.decode()

    assert "138****5678" in html
    assert "13812345678" not in html


def test_the_list_searches_and_filters_by_status(client: Client, staff: Staff) -> None:
    Post.objects.filter(user=staff.community2).update(is_active=False)
    client.force_login(staff.street)

    assert listed_usernames(client, q="grid") == {"gridworker"}
    assert listed_usernames(client, status="inactive") == {"community2"}
    assert "community2" not in listed_usernames(client)
    assert "community2" in listed_usernames(client, status="all")


def test_a_staff_member_in_scope_has_a_page_with_a_masked_phone(client: Client, staff: Staff) -> None:
    User.objects.filter(pk=staff.grid.pk).update(phone="13812345678")
    client.force_login(staff.community)

    response = client.get(detail(staff.grid))

    assert response.status_code == 200
    html = response.content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html
    assert response.context["breadcrumbs"][0]["url"] == LIST


def test_a_staff_member_out_of_scope_is_not_found(client: Client, staff: Staff) -> None:
    client.force_login(staff.community2)

    assert client.get(detail(staff.grid)).status_code == 404  # sibling community
    assert client.get(detail(staff.street)).status_code == 404  # parent unit
    assert client.get(detail(staff.community2)).status_code == 200  # themselves


def test_a_resident_or_missing_account_is_not_found(client: Client, staff: Staff) -> None:
    resident = make_resident_user(phone="13700000009")
    client.force_login(staff.city)

    assert client.get(detail(resident)).status_code == 404
    assert client.get(reverse("staff_accounts:staff-detail", args=[999999])).status_code == 404


def test_the_page_shows_only_the_posts_in_scope(client: Client, staff: Staff, tree: CityTree) -> None:
    Post.objects.create(user=staff.grid, role=Role.COMMUNITY_STAFF, place=tree.community2)
    client.force_login(staff.community)

    response = client.get(detail(staff.grid))

    assert [post.place for post in response.context["posts"]] == [tree.grid]


# --- new staff member ------------------------------------------------------------------------------------


def new_staff(place_pk: int, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": "lisi",
        "full_name": "李四",
        "phone": "13600000001",
        "role": Role.GRID_WORKER,
        "place": place_pk,
        "department": "",
        "password": "",
        "password_confirm": "",
    }
    data.update(overrides)
    return data


def test_only_holders_of_manage_staff_see_the_form(client: Client, staff: Staff) -> None:
    client.force_login(staff.community)  # VIEW_STAFF but not MANAGE_STAFF

    assert client.get(reverse("staff_accounts:staff-create")).status_code == 403
    assert client.post(reverse("staff_accounts:staff-create"), new_staff(1)).status_code == 403
    assert 'data-testid="staff-create"' not in client.get(LIST).content.decode()


def test_the_unit_list_holds_only_the_user_scope(client: Client, staff: Staff, tree: CityTree) -> None:
    client.force_login(staff.street)

    response = client.get(reverse("staff_accounts:staff-create"))

    places = set(response.context["form"].fields["place"].queryset)
    assert tree.street in places
    assert tree.community in places
    assert tree.grid in places
    assert tree.street2 not in places
    assert tree.district not in places
    assert tree.microgrid not in places  # no post is held at a micro-grid


def test_street_staff_create_a_grid_worker_in_their_street(client: Client, staff: Staff, tree: CityTree) -> None:
    client.force_login(staff.street)

    response = client.post(reverse("staff_accounts:staff-create"), new_staff(tree.grid2.pk))

    user = User.objects.get(username="lisi")
    assert response.status_code == 302
    assert response["Location"] == detail(user)
    assert Post.objects.get(user=user).place == tree.grid2
    assert AuditEvent.objects.get(action="staff.create").actor == staff.street


def test_creating_staff_in_a_sibling_unit_is_refused(client: Client, staff: Staff, tree: CityTree) -> None:
    sibling_grid = tree.community2.children.get()
    client.force_login(staff.street2)

    response = client.post(reverse("staff_accounts:staff-create"), new_staff(sibling_grid.pk))

    assert response.status_code == 200
    assert 'data-testid="error-place"' in response.content.decode()
    assert not User.objects.filter(username="lisi").exists()
    assert not AuditEvent.objects.filter(action="staff.create").exists()


def test_the_service_errors_show_next_to_their_fields(client: Client, staff: Staff, tree: CityTree) -> None:
    client.force_login(staff.street)

    response = client.post(
        reverse("staff_accounts:staff-create"),
        new_staff(tree.community.pk, username="street", phone="12345", password="weak", password_confirm="weak"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    for field in ("username", "phone", "place", "password"):
        assert f'data-testid="error-{field}"' in html, field
    assert not User.objects.filter(username="lisi").exists()


def test_the_two_passwords_must_agree(client: Client, staff: Staff, tree: CityTree) -> None:
    client.force_login(staff.street)

    response = client.post(
        reverse("staff_accounts:staff-create"),
        new_staff(tree.grid.pk, password="Spring-Rain-2026", password_confirm="Spring-Rain-2027"),
    )

    assert 'data-testid="error-password_confirm"' in response.content.decode()
    assert not User.objects.filter(username="lisi").exists()


def test_a_department_handler_is_created_with_their_department(client: Client, staff: Staff, tree: CityTree) -> None:
    client.force_login(staff.district)

    client.post(
        reverse("staff_accounts:staff-create"),
        new_staff(tree.district.pk, role=Role.DEPARTMENT_HANDLER, department=tree.department.pk),
    )

    assert Post.objects.get(user__username="lisi").department == tree.department


# --- deactivation ----------------------------------------------------------------------------------------


def test_street_staff_deactivate_a_grid_worker_of_their_street(client: Client, staff: Staff) -> None:
    client.force_login(staff.street)
    assert 'data-testid="staff-deactivate"' in client.get(detail(staff.grid)).content.decode()

    response = client.post(reverse("staff_accounts:staff-deactivate", args=[staff.grid.pk]))

    assert response.status_code == 302
    assert not User.objects.get(pk=staff.grid.pk).is_active
    assert AuditEvent.objects.filter(action="staff.deactivate", actor=staff.street).count() == 1


def test_deactivation_is_post_only(client: Client, staff: Staff) -> None:
    client.force_login(staff.street)

    assert client.get(reverse("staff_accounts:staff-deactivate", args=[staff.grid.pk])).status_code == 405
    assert User.objects.get(pk=staff.grid.pk).is_active


def test_deactivating_someone_out_of_scope_is_not_found(client: Client, staff: Staff) -> None:
    client.force_login(staff.street2)

    response = client.post(reverse("staff_accounts:staff-deactivate", args=[staff.grid.pk]))

    assert response.status_code == 404
    assert User.objects.get(pk=staff.grid.pk).is_active


def test_deactivating_a_superior_in_view_is_refused(client: Client, staff: Staff, tree: CityTree) -> None:
    # The district staff member can see the street staff member's page, and manage the street...
    two_posts = make_staff(role=Role.STREET_STAFF, place=tree.street, username="twoposts")
    Post.objects.create(user=two_posts, role=Role.DISTRICT_STAFF, place=tree.district2)
    client.force_login(staff.district)
    assert 'data-testid="staff-deactivate"' not in client.get(detail(two_posts)).content.decode()

    # ...but not the other post in the sibling district, so the account stays active.
    client.post(reverse("staff_accounts:staff-deactivate", args=[two_posts.pk]))

    assert User.objects.get(pk=two_posts.pk).is_active
    assert not AuditEvent.objects.filter(action="staff.deactivate").exists()
