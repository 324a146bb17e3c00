"""The audit log is append-only in the database, and only the audit administrator can read it."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.audit.services import audit_record
from gridwork.places.tests.factories import CityTree


@pytest.mark.django_db
def test_audit_rows_cannot_be_updated_or_deleted(tree: CityTree) -> None:
    event = audit_record(actor=None, action="test.event", target=tree.city, actor_name="someone")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.action == "test.event"


@pytest.mark.django_db
def test_audit_record_names_the_target_and_actor(tree: CityTree) -> None:
    user = make_staff(role=Role.CITY_STAFF, place=tree.city, username="city")
    event = audit_record(actor=user, action="place.view", target=tree.community, detail={"k": 1})
    assert (event.actor_id, event.actor_name, event.object_type, event.object_id) == (
        user.pk,
        "city",
        "places.place",
        str(tree.community.pk),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.AUDIT_ADMIN, 200), (Role.SYSTEM_ADMIN, 403), (Role.CITY_STAFF, 403), (Role.COMMUNITY_STAFF, 403)],
)
def test_only_the_audit_administrator_reads_the_log(tree: CityTree, role: str, status: int) -> None:
    place = tree.community if role == Role.COMMUNITY_STAFF else tree.city
    user = make_staff(role=role, place=place, username="u")
    audit_record(actor=None, action="login.failed", actor_name="secret-name")
    client = Client()
    client.force_login(user)
    response = client.get(reverse("audit:list"))
    assert response.status_code == status
    assert ("secret-name" in response.content.decode()) is (status == 200)


@pytest.mark.django_db
def test_system_administrator_cannot_reach_the_audit_log_through_the_admin(tree: CityTree) -> None:
    user = make_staff(role=Role.SYSTEM_ADMIN, place=tree.city, username="admin")
    client = Client()
    client.force_login(user)
    assert client.get("/admin/audit/auditevent/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_flush_lifts_the_triggers_only_for_the_flush(tree: CityTree) -> None:
    from django.core.management import call_command

    audit_record(actor=None, action="before.flush", actor_name="x")
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    event = audit_record(actor=None, action="after.flush", actor_name="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_flush_refuses_to_erase_the_audit_log_outside_tests(tree: CityTree, settings: object) -> None:
    from django.core.management import call_command

    settings.AUDIT_LOG_FLUSHABLE = False  # type: ignore[attr-defined]
    from django.core.management.base import CommandError

    audit_record(actor=None, action="kept", actor_name="x")
    with pytest.raises(CommandError, match=r"couldn.t be flushed"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.filter(action="kept").exists()
    settings.AUDIT_LOG_FLUSHABLE = True  # type: ignore[attr-defined]
