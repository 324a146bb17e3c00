"""The screening's writes: one screening per grid and month, what may be recorded with what, who may record, and an
entry's status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridwork.audit.models import AuditEvent
from gridwork.mediation.models import DisputeType, RiskLevel
from gridwork.mediation.tests.factories import CaseWorld
from gridwork.screening import services
from gridwork.screening.models import EntryStatus, RiskEntry, Screening
from gridwork.screening.tests.factories import leak, record

pytestmark = pytest.mark.django_db

PAST = date(2025, 3, 12)


def test_a_screening_is_one_row_per_grid_and_month_and_a_second_record_adds_to_it(world: CaseWorld) -> None:
    first = record(world.grid_worker, world.tree.grid, PAST, entries=(leak(),), households=10, note="第一次走访")
    second = record(
        world.grid_worker,
        world.tree.grid,
        PAST + timedelta(days=5),
        entries=(leak(dispute_type=DisputeType.FAMILY), leak(risk=RiskLevel.HIGH)),
        households=7,
        note="第二次走访",
    )

    assert second.pk == first.pk
    assert Screening.objects.filter(grid=world.tree.grid).count() == 1
    screening = Screening.objects.get(pk=first.pk)
    assert screening.month == date(2025, 3, 1)  # stored as the month's first day
    assert screening.households_visited == 17
    assert screening.screened_on == PAST + timedelta(days=5)
    assert screening.note == "第一次走访\n第二次走访"
    assert screening.entries.count() == 3
    assert not screening.found_nothing
    assert set(screening.entries.values_list("found_on", flat=True)) == {PAST, PAST + timedelta(days=5)}
    assert AuditEvent.objects.filter(action="screening.record", object_id=str(screening.pk)).count() == 2


def test_nothing_found_then_something_found_clears_nothing_found(world: CaseWorld) -> None:
    empty = record(world.grid_worker, world.tree.grid, PAST)
    assert empty.found_nothing
    later = record(world.grid_worker, world.tree.grid, PAST + timedelta(days=1), entries=(leak(),))
    assert later.pk == empty.pk
    assert not Screening.objects.get(pk=empty.pk).found_nothing


def test_found_nothing_with_entries_is_refused_and_nothing_is_saved(world: CaseWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        services.screening_record(
            actor=world.grid_worker,
            grid=world.tree.grid,
            month=PAST,
            screened_on=PAST,
            households_visited=3,
            found_nothing=True,
            note="",
            entries=[leak()],
        )
    assert "found_nothing" in refused.value.message_dict
    assert not Screening.objects.exists()
    assert not RiskEntry.objects.exists()


def test_neither_nothing_found_nor_entries_is_refused(world: CaseWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        services.screening_record(
            actor=world.grid_worker,
            grid=world.tree.grid,
            month=PAST,
            screened_on=PAST,
            households_visited=3,
            found_nothing=False,
            note="",
            entries=[],
        )
    assert "found_nothing" in refused.value.message_dict


def test_an_entry_field_is_named_and_dates_are_checked(world: CaseWorld) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.screening_record(
            actor=world.grid_worker,
            grid=world.tree.grid,
            month=PAST,
            screened_on=PAST + timedelta(days=40),  # another month
            households_visited=3,
            found_nothing=False,
            note="",
            entries=[leak(), leak(summary="  ", dispute_type="feud", household=world.tree.community)],
        )
    errors = refused.value.message_dict
    assert set(errors) == {"screened_on", "entries-1-summary", "entries-1-dispute_type", "entries-1-household"}
    with pytest.raises(ValidationError) as future:
        record(world.grid_worker, world.tree.grid, today + timedelta(days=40), entries=(leak(),))
    assert "month" in future.value.message_dict


def test_a_household_of_the_grid_is_kept(world: CaseWorld) -> None:
    screening = record(world.grid_worker, world.tree.grid, PAST, entries=(leak(household=world.tree.household),))
    assert screening.entries.get().household == world.tree.household


@pytest.mark.parametrize("who", ["grid_worker2", "staff2", "street2_staff", "street_staff"])
def test_only_those_who_screen_the_grid_may_record(world: CaseWorld, who: str) -> None:
    # grid_worker2 screens the sibling grid; staff2 another community; street staff do not screen at all.
    with pytest.raises(PermissionDenied):
        record(getattr(world, who), world.tree.grid, PAST, entries=(leak(),))
    assert not Screening.objects.exists()


def test_community_staff_may_record_for_their_grids(world: CaseWorld) -> None:
    assert record(world.staff, world.tree.grid2, PAST).grid == world.tree.grid2


def test_a_community_is_not_a_grid(world: CaseWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        record(world.staff, world.tree.community, PAST)
    assert "grid" in refused.value.message_dict


def test_entry_status_settled_needs_how_and_registered_is_not_for_this_service(world: CaseWorld) -> None:
    entry = record(world.grid_worker, world.tree.grid, PAST, entries=(leak(),)).entries.get()
    with pytest.raises(ValidationError) as no_note:
        services.entry_status_set(actor=world.grid_worker, entry=entry, status=EntryStatus.SETTLED, note=" ")
    assert "note" in no_note.value.message_dict
    with pytest.raises(ValidationError) as registered:
        services.entry_status_set(actor=world.staff, entry=entry, status=EntryStatus.REGISTERED, note="")
    assert "status" in registered.value.message_dict

    services.entry_status_set(actor=world.grid_worker, entry=entry, status=EntryStatus.SETTLED, note="当场调和")
    entry.refresh_from_db()
    assert (entry.status, entry.status_note) == (EntryStatus.SETTLED, "当场调和")
    assert AuditEvent.objects.filter(action="screening.entry_status", object_id=str(entry.pk)).exists()


def test_a_registered_entry_keeps_its_status(world: CaseWorld) -> None:
    entry = record(world.grid_worker, world.tree.grid, PAST, entries=(leak(),)).entries.get()
    RiskEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.REGISTERED)
    with pytest.raises(ValidationError):
        services.entry_status_set(actor=world.staff, entry=entry, status=EntryStatus.WATCHED, note="")
    assert RiskEntry.objects.get(pk=entry.pk).status == EntryStatus.REGISTERED


@pytest.mark.parametrize("who", ["grid_worker2", "staff2", "street_staff"])
def test_entry_status_outside_the_grid_is_refused(world: CaseWorld, who: str) -> None:
    # street staff see entries (VIEW) and manage disputes (MANAGE) over the street: they may set a status.
    entry = record(world.grid_worker, world.tree.grid, PAST, entries=(leak(),)).entries.get()
    if who == "street_staff":
        services.entry_status_set(actor=world.street_staff, entry=entry, status=EntryStatus.SETTLED, note="街道调处")
        return
    with pytest.raises(PermissionDenied):
        services.entry_status_set(actor=getattr(world, who), entry=entry, status=EntryStatus.SETTLED, note="x")
    assert RiskEntry.objects.get(pk=entry.pk).status == EntryStatus.WATCHED
