"""The inbox: notifications written after a matter moves, the bell's count, reading them, each user their own."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.matters.services import matter_transition
from gridwork.matters.tests.factories import LoopStaff, file_in_building, make_loop_staff
from gridwork.matters.workflow import Action, Satisfaction
from gridwork.notifications.models import Notification
from gridwork.notifications.selectors import notification_unread_count
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def dispatched(tree: CityTree, staff: LoopStaff, capture: Capture) -> int:
    matter_id = file_in_building(tree).matter_id
    with capture(execute=True):
        matter_transition(
            actor=staff.dispatcher,
            matter_id=matter_id,
            action=Action.DISPATCH,
            data={"kind": "professional", "lead_department_id": tree.department.pk},
        )
    return matter_id


def test_a_dispatch_notifies_the_lead_unit_after_commit(
    tree: CityTree, staff: LoopStaff, django_capture_on_commit_callbacks: Capture
) -> None:
    matter_id = file_in_building(tree).matter_id
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        matter_transition(
            actor=staff.dispatcher,
            matter_id=matter_id,
            action=Action.DISPATCH,
            data={"kind": "professional", "lead_department_id": tree.department.pk},
        )
        assert not Notification.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    (notification,) = Notification.objects.all()
    from gridwork.matters.models import Matter

    number = Matter.objects.get(pk=matter_id).number
    assert notification.recipient == staff.department
    assert number in notification.text
    assert notification.url == reverse("matters:detail", args=[number])


def test_the_bell_counts_unread_and_the_inbox_marks_read(
    tree: CityTree, staff: LoopStaff, django_capture_on_commit_callbacks: Capture
) -> None:
    dispatched(tree, staff, django_capture_on_commit_callbacks)
    dispatched(tree, staff, django_capture_on_commit_callbacks)
    client = client_for(staff.department)
    page = client.get(reverse("matters:queue"))
    assert 'data-testid="unread-count">2<' in page.content.decode()
    inbox = client.get(reverse("notifications:inbox"))
    assert inbox.content.decode().count('data-testid="notification"') == 2
    first = Notification.objects.filter(recipient=staff.department).order_by("id").first()
    assert first is not None
    assert client.post(reverse("notifications:read", args=[first.pk])).status_code == 302
    assert notification_unread_count(user=staff.department) == 1
    assert 'data-testid="unread-count">1<' in client.get(reverse("notifications:inbox")).content.decode()
    assert client.post(reverse("notifications:read-all")).status_code == 302
    assert notification_unread_count(user=staff.department) == 0
    assert 'data-testid="unread-count"' not in client.get(reverse("notifications:inbox")).content.decode()
    unread_only = client.get(reverse("notifications:inbox") + "?unread=1")
    assert 'data-testid="notification"' not in unread_only.content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_the_matter(
    tree: CityTree, staff: LoopStaff, django_capture_on_commit_callbacks: Capture
) -> None:
    dispatched(tree, staff, django_capture_on_commit_callbacks)
    notification = Notification.objects.get()
    response = client_for(staff.department).post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_an_outside_link_is_never_followed(tree: CityTree, staff: LoopStaff) -> None:
    notification = Notification.objects.create(recipient=staff.community, text="x", url="https://evil.example/")
    response = client_for(staff.community).post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_nobody_reads_or_marks_anyone_elses(
    tree: CityTree, staff: LoopStaff, django_capture_on_commit_callbacks: Capture
) -> None:
    dispatched(tree, staff, django_capture_on_commit_callbacks)
    notification = Notification.objects.get()
    other = client_for(staff.community)
    assert notification.text not in other.get(reverse("notifications:inbox")).content.decode()
    assert other.post(reverse("notifications:read", args=[notification.pk])).status_code == 404
    assert other.post(reverse("notifications:open", args=[notification.pk])).status_code == 404
    other.post(reverse("notifications:read-all"))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_reopen_notifies_the_unit_and_marking_needs_post(
    tree: CityTree, staff: LoopStaff, django_capture_on_commit_callbacks: Capture
) -> None:
    matter_id = dispatched(tree, staff, django_capture_on_commit_callbacks)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        matter_transition(actor=staff.department, matter_id=matter_id, action=Action.ACCEPT)
        matter_transition(actor=staff.department, matter_id=matter_id, action=Action.REPLY, data={"text": "已修"})
        matter_transition(
            actor=staff.operator,
            matter_id=matter_id,
            action=Action.RATE,
            data={"satisfaction": Satisfaction.UNSATISFIED},
        )
    texts = list(Notification.objects.filter(recipient=staff.department).values_list("text", flat=True))
    assert len(texts) == 2
    assert any("was reopened: the resident is not satisfied" in text for text in texts)
    assert client_for(staff.department).get(reverse("notifications:read-all")).status_code == 405


def test_residents_have_an_inbox_too_and_anonymous_users_sign_in(tree: CityTree) -> None:
    resident = make_resident_user(phone="13700001111")
    Notification.objects.create(recipient=resident, text="您的诉求已答复", url="/report/")
    page = client_for(resident).get(reverse("notifications:inbox"))
    assert page.status_code == 200
    assert "您的诉求已答复" in page.content.decode()
    assert 'class="resident"' in page.content.decode()  # the resident layout, not the staff one
    anonymous = Client().get(reverse("notifications:inbox"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))


def test_the_count_is_capped(tree: CityTree, staff: LoopStaff) -> None:
    Notification.objects.bulk_create(Notification(recipient=staff.community, text=f"n{i}") for i in range(101))
    assert notification_unread_count(user=staff.community) == 100
    page = client_for(staff.community).get(reverse("notifications:inbox"))
    assert 'data-testid="unread-count">99+<' in page.content.decode()
