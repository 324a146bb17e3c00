"""The screening's pages: recording on a phone-sized form (with its refusals naming the field, 400), the lists and
their scope (another grid's worker and another community's staff get 404), the entries' next steps, masking of the
parties as told, and the gaps page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.mediation.tests.factories import CaseWorld
from gridwork.screening.models import EntryStatus, RiskEntry, Screening
from gridwork.screening.tests.factories import leak, record

pytestmark = pytest.mark.django_db

PAST = date(2025, 3, 12)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form_data(world: CaseWorld, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "grid": world.tree.grid.pk,
        "month": f"{today:%Y-%m}",
        "screened_on": today.isoformat(),
        "households_visited": "14",
        "note": "",
        "entries-TOTAL_FORMS": "1",
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "20",
        "entries-0-dispute_type": "neighbour",
        "entries-0-risk": "medium",
        "entries-0-summary": "楼上漏水，双方争吵。",
        "entries-0-parties": "王建国 13912340001，李秀英 13912340002",
        "entries-0-location": "春晖路1号1号楼",
        "entries-0-household": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_is_made_for_a_phone(world: CaseWorld) -> None:
    page = client_for(world.grid_worker).get(reverse("screening:screening-create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="screening-form"' in html
    assert 'data-testid="screening-submit"' in html
    assert 'type="month"' in html
    assert 'name="entries-0-summary"' in html
    assert "col-lg-7" in html  # one column up to a large screen
    # The grid worker's only grid is chosen already, and only their grid is offered.
    assert page.context["form"].initial["grid"] == world.tree.grid.pk
    assert list(page.context["form"].fields["grid"].queryset) == [world.tree.grid]


def test_a_grid_worker_records_a_dispute(world: CaseWorld) -> None:
    client = client_for(world.grid_worker)
    response = client.post(reverse("screening:screening-create"), form_data(world))
    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:screening-detail", args=[screening.pk])
    entry = screening.entries.get()
    assert (entry.dispute_type, entry.risk, entry.status) == ("neighbour", "medium", EntryStatus.WATCHED)
    detail = client.get(response["Location"]).content.decode()
    assert "楼上漏水" in detail
    assert "13912340001" not in detail
    assert "139****0001" in detail
    assert "entry-register" not in detail  # a grid worker does not register cases


def test_found_nothing_with_an_entry_is_refused_on_the_field(world: CaseWorld) -> None:
    response = client_for(world.grid_worker).post(
        reverse("screening:screening-create"), form_data(world, found_nothing="on")
    )
    assert response.status_code == 400
    assert 'data-testid="error-found_nothing"' in response.content.decode()
    assert not Screening.objects.exists()


def test_a_missing_entry_field_is_named(world: CaseWorld) -> None:
    response = client_for(world.grid_worker).post(
        reverse("screening:screening-create"), form_data(world, **{"entries-0-summary": ""})
    )
    assert response.status_code == 400
    assert 'data-testid="error-entries-0-summary"' in response.content.decode()
    assert not Screening.objects.exists()


def test_nothing_found_needs_no_entry(world: CaseWorld) -> None:
    blank = {f"entries-0-{name}": "" for name in ("dispute_type", "summary", "parties", "location")}
    response = client_for(world.grid_worker).post(
        reverse("screening:screening-create"),
        form_data(world, found_nothing="on", **{**blank, "entries-0-risk": "low"}),
    )
    assert response.status_code == 302
    assert Screening.objects.get().found_nothing


def test_add_another_entry_keeps_what_was_typed_and_saves_nothing(world: CaseWorld) -> None:
    response = client_for(world.grid_worker).post(
        reverse("screening:screening-create"), form_data(world, add_entry="1")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="entries-1-summary"' in html
    assert "楼上漏水" in html
    assert not Screening.objects.exists()


def test_a_forged_grid_is_refused(world: CaseWorld) -> None:
    response = client_for(world.grid_worker).post(
        reverse("screening:screening-create"), form_data(world, grid=world.tree.grid2.pk)
    )
    assert response.status_code == 400
    assert not Screening.objects.exists()


def test_street_staff_may_not_record(world: CaseWorld) -> None:
    assert client_for(world.street_staff).get(reverse("screening:screening-create")).status_code == 403


@pytest.mark.parametrize("who", ["grid_worker2", "staff2", "street2_staff"])
def test_another_grid_or_community_gets_404(world: CaseWorld, who: str) -> None:
    screening = record(world.grid_worker, world.tree.grid, PAST, entries=(leak(),))
    entry = screening.entries.get()
    client = client_for(getattr(world, who))
    assert client.get(reverse("screening:screening-detail", args=[screening.pk])).status_code == 404
    assert client.get(reverse("screening:entry-status", args=[entry.pk])).status_code == 404
    posted = client.post(reverse("screening:entry-status", args=[entry.pk]), {"status": "settled", "note": "x"})
    assert posted.status_code == 404
    assert RiskEntry.objects.get(pk=entry.pk).status == EntryStatus.WATCHED
    listing = client.get(reverse("screening:entry-list")).content.decode()
    assert f'data-entry="{entry.pk}"' not in listing
    assert "楼上漏水" not in client.get(reverse("screening:screening-list")).content.decode()


def test_the_community_registers_an_entry_as_a_case_or_marks_it(world: CaseWorld) -> None:
    entry = record(world.grid_worker, world.tree.grid, PAST, entries=(leak(),)).entries.get()
    client = client_for(world.staff)
    html = client.get(reverse("screening:entry-list")).content.decode()
    assert 'data-testid="entry-register"' in html
    assert f"{reverse('mediation:case-create')}?entry={entry.pk}" in html
    assert "13912340002" not in html
    assert "139****0002" in html

    refused = client.post(reverse("screening:entry-status", args=[entry.pk]), {"status": "settled", "note": ""})
    assert refused.status_code == 400
    assert 'data-testid="error-note"' in refused.content.decode()
    done = client.post(
        reverse("screening:entry-status", args=[entry.pk]),
        {"status": "settled", "note": "当场调和", "next": reverse("screening:entry-list") + "?status=watched"},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("screening:entry-list") + "?status=watched"
    assert RiskEntry.objects.get(pk=entry.pk).status == EntryStatus.SETTLED
    evil = client.post(
        reverse("screening:entry-status", args=[entry.pk]), {"status": "watched", "next": "https://evil.example/"}
    )
    assert evil["Location"] == reverse("screening:entry-list")


def test_a_registered_entry_offers_no_next_step(world: CaseWorld) -> None:
    entry = record(world.grid_worker, world.tree.grid, PAST, entries=(leak(),)).entries.get()
    RiskEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.REGISTERED)
    client = client_for(world.staff)
    html = client.get(reverse("screening:entry-list")).content.decode()
    assert "entry-register" not in html
    assert "entry-settle" not in html
    response = client.post(reverse("screening:entry-status", args=[entry.pk]), {"status": "watched", "note": ""})
    assert response.status_code == 400


def test_filters_and_lists(world: CaseWorld) -> None:
    record(world.grid_worker, world.tree.grid, PAST, entries=(leak(), leak(dispute_type="family", risk="high")))
    client = client_for(world.staff)
    listed = client.get(reverse("screening:entry-list"), {"dispute_type": "family"})
    assert len(listed.context["rows"]) == 1
    assert client.get(reverse("screening:screening-list"), {"month": "2025-03"}).context["screenings"]
    assert not client.get(reverse("screening:screening-list"), {"month": "2025-04"}).context["screenings"]
    wrong = client.get(reverse("screening:entry-list"), {"risk": "extreme"})
    assert wrong.status_code == 200
    assert len(wrong.context["rows"]) == 2


def test_the_gaps_page_flags(world: CaseWorld) -> None:
    today = timezone.localdate()
    record(world.grid_worker, world.tree.grid, today, entries=(leak(),))
    html = client_for(world.staff).get(reverse("screening:gaps")).content.decode()
    assert f'data-grid="{world.tree.grid2.code}"' in html
    assert f'data-grid="{world.tree.grid.code}"' not in html
    # grid2 has never been screened: it missed last month too, so it is flagged whatever the day.
    assert f'data-grid="{world.tree.grid2.code}" data-flagged="1"' in html
