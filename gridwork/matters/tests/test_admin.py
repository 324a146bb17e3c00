"""The system administrator edits the taxonomy in the admin; every change is audited; nothing is deleted."""

from __future__ import annotations

import pytest
from django.test import Client

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Category
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


def test_the_system_administrator_edits_a_category_and_the_change_is_audited(tree: CityTree) -> None:
    admin = make_staff(role=Role.SYSTEM_ADMIN, place=tree.city, username="admin")
    category = Category.objects.get(code="G1.01.002")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/matters/category/{category.pk}/change/")
    assert page.status_code == 200
    form = {
        "code": category.code,
        "name": "路灯照明",
        "parent": category.parent_id,
        "level": category.level,
        "default_kind": "professional",
        "keywords": "路灯\n灯不亮\n照明",
        "source": category.source,
        "is_active": "on",
        "sort_order": category.sort_order,
    }
    response = client.post(f"/admin/matters/category/{category.pk}/change/", form)
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name == "路灯照明"
    assert AuditEvent.objects.filter(action="admin.category.change", object_id=str(category.pk)).exists()
    assert client.post(f"/admin/matters/category/{category.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Category.objects.filter(pk=category.pk).exists()


def test_other_staff_cannot_reach_the_taxonomy(tree: CityTree) -> None:
    city = make_staff(role=Role.CITY_STAFF, place=tree.city, username="city")
    client = Client()
    client.force_login(city)
    assert client.get("/admin/matters/category/").status_code == 302  # to the admin sign-in
