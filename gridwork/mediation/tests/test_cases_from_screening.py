"""Registering a case from a screening entry: the parties as told go to those who may see parties (audited), never
into the case's facts, which the grid's workers read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.audit.models import AuditEvent
from gridwork.mediation.tests.factories import case_world
from gridwork.places.tests.factories import CityTree
from gridwork.screening.tests.factories import PARTIES, leak, record


@pytest.mark.django_db
def test_the_form_shows_the_parties_told_apart_from_the_facts_and_audits_it(tree: CityTree) -> None:
    world = case_world(tree)
    screening = record(world.grid_worker, tree.grid, timezone.localdate(), entries=(leak(),))
    entry = screening.entries.get()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.staff)

    response = client.get(reverse("mediation:case-create") + f"?entry={entry.pk}")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["facts"] == entry.summary
    assert "13912340001" not in form.initial["facts"]
    assert response.context["told"] == PARTIES
    assert 'data-testid="parties-told"' in response.content.decode()
    audit = AuditEvent.objects.get(action="screening.reveal_parties")
    assert audit.object_id == str(entry.pk)
    assert audit.actor_id == world.staff.pk


@pytest.mark.django_db
def test_another_communitys_staff_cannot_open_the_entry(tree: CityTree) -> None:
    world = case_world(tree)
    screening = record(world.grid_worker, tree.grid, timezone.localdate(), entries=(leak(),))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.staff2)

    response = client.get(reverse("mediation:case-create") + f"?entry={screening.entries.get().pk}")

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="screening.reveal_parties").exists()
