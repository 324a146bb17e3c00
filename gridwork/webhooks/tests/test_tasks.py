"""The tasks as the platform runs them: a committed filing enqueues its send, the worker sends it, the schedule
retries every minute; and senders racing in real threads send one attempt once.

These tests commit (transactional test cases): on_commit must really fire, and other connections must see the rows.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from gridwork.places.tests.factories import CityTree
from gridwork.webhooks import services
from gridwork.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from gridwork.webhooks.services import BACKOFF, AttemptOutcome, delivery_attempt
from gridwork.webhooks.tasks import deliver_due
from gridwork.webhooks.tests.factories import file_hotline_matter, loopback_receiver, make_admin, make_endpoint


def test_the_retry_is_on_the_schedule_every_minute() -> None:
    entries = {name: (cron, path) for name, cron, path in settings.GRIDWORK_SCHEDULE}
    assert entries["webhook-retry"] == ("* * * * *", "gridwork.webhooks.tasks.deliver_due")
    assert isinstance(import_string("gridwork.webhooks.tasks.deliver_due"), Task)


@pytest.mark.django_db(transaction=True)
def test_a_committed_filing_is_sent_by_the_worker_and_a_failure_by_the_periodic_retry(tree: CityTree) -> None:
    admin = make_admin(tree)
    with loopback_receiver(answers=[500]) as receiver:
        endpoint = make_endpoint(admin, url=receiver.url, place=tree.city, receiver=receiver)
        matter = file_hotline_matter(tree)  # commits: the send is enqueued after the commit
        delivery = WebhookDelivery.objects.get(endpoint=endpoint, matter=matter)
        queued = DBTaskResult.objects.get(task_path="gridwork.webhooks.tasks.deliver")
        assert queued.args_kwargs["args"] == [delivery.pk]

        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)

        # The retry falls due: make it so, as the clock would, and run the scheduled task.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        result = deliver_due.call()
        assert result["delivered"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [r.status for r in receiver.requests] == [500, 200]
    assert all(r.signature_valid for r in receiver.requests)
    assert delivery.next_attempt_at is None
    assert BACKOFF[0] == timedelta(seconds=30)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["at once", "in lockstep"])
def test_senders_racing_in_threads_send_an_attempt_once(
    tree: CityTree, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """ "In lockstep" holds every sender after it has read the delivery as due, just before its claim, until all have
    read it: every sender but one must then lose at the compare-and-set, which is what is tested, not timing."""
    admin = make_admin(tree)
    threads_count = 6
    if mode == "in lockstep":
        all_have_read = threading.Barrier(threads_count)
        real_claim = services._claim

        def claim_when_all_have_read(*args: Any) -> bool:
            all_have_read.wait(timeout=30)
            return real_claim(*args)

        monkeypatch.setattr(services, "_claim", claim_when_all_have_read)
    with loopback_receiver() as receiver:
        endpoint = make_endpoint(admin, url=receiver.url, place=tree.city, receiver=receiver)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint, matter=file_hotline_matter(tree))
        DBTaskResult.objects.all().delete()  # the race below stands in for the task and the periodic retry
        moment = timezone.now()
        gate = threading.Barrier(threads_count)
        outcomes: list[AttemptOutcome | None] = []
        errors: list[BaseException] = []

        def sender() -> None:
            try:
                gate.wait(timeout=30)
                outcomes.append(delivery_attempt(delivery_id=delivery.pk, now=moment))
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=sender) for _ in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert len(outcomes) == threads_count
    sent = [outcome for outcome in outcomes if outcome is not None]
    assert len(sent) == 1
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1
