"""The three-zero services: what counts in the figures, who may record, apply and review, and when a grant is
refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place
from gridwork.threezero import services
from gridwork.threezero.models import Application, ApplicationEvent, ApplicationState, IncidentKind
from gridwork.threezero.selectors import figures_of, live_figures, shown_figures
from gridwork.threezero.tests.factories import World, aware, dispute, incident

YEAR = 2025
AFTER = aware(YEAR + 1, 1, 10)  # the review happens once the year is over


def _apply(world: World, place: Place | None = None, unit: ResidentUnit | None = None, year: int = YEAR) -> Application:
    """The community applies for itself (or its unit); the street for itself."""
    if place is None and unit is None:
        place = world.tree.community
    actor = world.street_staff if place == world.tree.street else world.community_staff
    return services.application_apply(actor=actor, year=year, place=place, unit=unit, at=aware(YEAR, 12, 1))


# --- figures --------------------------------------------------------------------------------------------------------


def test_figures_count_only_the_applicants_subtree_and_year(world: World) -> None:
    t, by = world.tree, world.community_staff
    incident(place=t.grid, kind=IncidentKind.PETITION, on=date(YEAR, 3, 1), by=by)
    incident(place=t.community, kind=IncidentKind.ACCIDENT, on=date(YEAR, 12, 31), by=by)
    incident(place=t.community, kind=IncidentKind.CASE, on=date(YEAR, 7, 1), by=by, unit=world.unit)
    # Not counted for the community: the year before, the year after, a sibling community, the street above it.
    incident(place=t.grid, kind=IncidentKind.PETITION, on=date(YEAR - 1, 12, 31), by=by)
    incident(place=t.grid, kind=IncidentKind.PETITION, on=date(YEAR + 1, 1, 1), by=by)
    incident(place=t.community2, kind=IncidentKind.ACCIDENT, on=date(YEAR, 5, 1), by=by)
    incident(place=t.street, kind=IncidentKind.CASE, on=date(YEAR, 5, 1), by=by)
    dispute(place=t.grid, community=t.community, at=aware(YEAR, 2, 1), by=by, referred_at=aware(YEAR, 3, 1))
    dispute(place=t.community, community=t.community, at=aware(YEAR, 4, 1), by=by)
    dispute(place=t.community, community=t.community, at=aware(YEAR - 1, 4, 1), by=by, referred_at=aware(YEAR, 1, 5))
    dispute(place=t.community2, community=t.community2, at=aware(YEAR, 4, 1), by=by, referred_at=aware(YEAR, 5, 1))

    community = figures_of(year=YEAR, place=t.community)
    assert (community.accidents, community.petitions, community.cases) == (1, 1, 1)
    assert (community.disputes, community.referrals) == (2, 2)  # referrals in the year, of cases of any year
    assert not community.zero

    street = figures_of(year=YEAR, place=t.street)
    assert (street.accidents, street.petitions, street.cases, street.disputes, street.referrals) == (2, 1, 2, 3, 3)

    unit = figures_of(year=YEAR, place=t.community, unit=world.unit)
    assert (unit.accidents, unit.petitions, unit.cases, unit.disputes, unit.referrals) == (0, 0, 1, None, None)

    assert figures_of(year=YEAR, place=t.community2).accidents == 1
    assert figures_of(year=YEAR, place=t.district2).zero

    # The batched figures of the lists agree with the single ones.
    applications = [
        _apply(world),
        _apply(world, place=t.street),
        _apply(world, unit=world.unit),
        services.application_apply(actor=world.community2_staff, year=YEAR, place=t.community2, at=aware(YEAR, 12)),
    ]
    batched = live_figures(applications)
    for application in applications:
        assert batched[application.pk] == figures_of(year=YEAR, place=application.place, unit=application.unit)


# --- incidents ------------------------------------------------------------------------------------------------------


def test_incident_recorded_by_a_manager_in_scope(world: World) -> None:
    t = world.tree
    recorded = services.incident_record(
        actor=world.community_staff,
        kind=IncidentKind.PETITION,
        occurred_on=date(YEAR, 1, 2),
        summary=" 越级上访 ",
        place=t.grid,
        today=date(YEAR, 2, 1),
    )
    assert (recorded.place, recorded.summary, recorded.recorded_by) == (t.grid, "越级上访", world.community_staff)
    on_unit = services.incident_record(
        actor=world.community_staff,
        kind=IncidentKind.ACCIDENT,
        occurred_on=date(YEAR, 1, 2),
        summary="火灾",
        unit=world.unit,
        today=date(YEAR, 2, 1),
    )
    assert on_unit.place == world.unit.place


@pytest.mark.parametrize("who", ["grid_worker", "community2_staff"])
def test_incident_refused_outside_the_managers_scope(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.incident_record(
            actor=getattr(world, who),
            kind=IncidentKind.CASE,
            occurred_on=date(YEAR, 1, 2),
            summary="盗窃",
            place=world.tree.grid,
            today=date(YEAR, 2, 1),
        )


def test_incident_bad_input_names_the_fields(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.incident_record(
            actor=world.community_staff,
            kind="fire",
            occurred_on=date(YEAR, 3, 2),
            summary="  ",
            place=world.tree.grid,
            today=date(YEAR, 3, 1),
        )
    assert set(error.value.message_dict) == {"kind", "occurred_on", "summary"}
    with pytest.raises(ValidationError) as error:
        services.incident_record(
            actor=world.community_staff,
            kind=IncidentKind.CASE,
            occurred_on=date(YEAR, 3, 1),
            summary="x",
            place=world.tree.household,
            today=date(YEAR, 3, 1),
        )
    assert set(error.value.message_dict) == {"place"}


# --- applying -------------------------------------------------------------------------------------------------------


def test_one_application_per_applicant_and_year_until_withdrawn(world: World) -> None:
    first = _apply(world)
    assert first.state == ApplicationState.APPLIED
    assert first.version == 1
    assert first.name == world.tree.community.name
    with pytest.raises(ValidationError) as error:
        _apply(world)
    assert "year" in error.value.message_dict
    services.application_withdraw(actor=world.community_staff, application=first, reason="材料不全", expected_version=1)
    again = _apply(world)
    assert again.pk != first.pk
    assert _apply(world, year=YEAR - 1).pk  # another year is another application


def test_apply_refused_outside_scope_and_at_a_grid(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.application_apply(actor=world.community2_staff, year=YEAR, place=world.tree.community)
    with pytest.raises(PermissionDenied):
        services.application_apply(actor=world.grid_worker, year=YEAR, place=world.tree.community)
    with pytest.raises(ValidationError) as error:
        services.application_apply(actor=world.community_staff, year=YEAR, place=world.tree.grid)
    assert "place" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.application_apply(actor=world.community_staff, year=YEAR + 5, place=world.tree.community, at=AFTER)
    assert "year" in error.value.message_dict


# --- reviewing ------------------------------------------------------------------------------------------------------


def test_zero_year_is_granted_with_the_snapshot_kept(world: World) -> None:
    application = _apply(world)
    dispute(place=world.tree.grid, community=world.tree.community, at=aware(YEAR, 2, 1), by=world.community_staff)
    services.application_review(
        actor=world.district_staff, application=application, decision="grant", reason="", expected_version=1, at=AFTER
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.GRANTED
    assert (application.accidents_count, application.petitions_count, application.cases_count) == (0, 0, 0)
    assert (application.disputes_count, application.referrals_count) == (1, 0)
    assert application.reviewer == world.district_staff
    assert application.figures_at == AFTER
    assert not application.overridden
    event = application.events.get(action="grant")
    assert event.data["disputes"] == 1
    # Incidents recorded later do not change the snapshot; the list shows the snapshot.
    incident(place=world.tree.grid, kind=IncidentKind.PETITION, on=date(YEAR, 5, 1), by=world.community_staff)
    figures, snapshot = shown_figures([application])[application.pk]
    assert snapshot
    assert figures.petitions == 0


def test_one_petition_cannot_be_granted_without_a_reason(world: World) -> None:
    application = _apply(world)
    incident(place=world.tree.grid, kind=IncidentKind.PETITION, on=date(YEAR, 5, 1), by=world.community_staff)
    review: dict[str, Any] = {
        "actor": world.district_staff,
        "application": application,
        "decision": "grant",
        "expected_version": 1,
        "at": AFTER,
    }
    with pytest.raises(ValidationError) as error:
        services.application_review(**review, reason="")
    assert "override" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.application_review(**review, reason="  ", override=True)
    assert "reason" in error.value.message_dict
    application.refresh_from_db()
    assert (application.state, application.version) == (ApplicationState.APPLIED, 1)
    services.application_review(**review, reason="上访人诉求已依法解决，属无理缠访", override=True)
    application.refresh_from_db()
    assert application.state == ApplicationState.GRANTED
    assert application.overridden
    assert application.petitions_count == 1
    assert application.reason == "上访人诉求已依法解决，属无理缠访"


def test_override_reason_is_a_database_rule_too(world: World) -> None:
    application = _apply(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(overridden=True, reason="")


def test_grant_waits_for_the_year_to_end_and_refusal_needs_a_reason(world: World) -> None:
    application = _apply(world)
    with pytest.raises(ValidationError) as error:
        services.application_review(
            actor=world.district_staff,
            application=application,
            decision="grant",
            reason="",
            expected_version=1,
            at=aware(YEAR, 12, 31),
        )
    assert NON_FIELD_ERRORS in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.application_review(
            actor=world.district_staff,
            application=application,
            decision="refuse",
            reason="",
            expected_version=1,
            at=AFTER,
        )
    assert "reason" in error.value.message_dict
    services.application_review(
        actor=world.city_staff,
        application=application,
        decision="refuse",
        reason="台账不全",
        expected_version=1,
        at=AFTER,
    )
    assert application.state == ApplicationState.REFUSED
    with pytest.raises(MoveRefused):
        services.application_review(
            actor=world.district_staff,
            application=application,
            decision="grant",
            reason="",
            expected_version=2,
            at=AFTER,
        )


@pytest.mark.parametrize("who", ["street_staff", "community_staff", "grid_worker", "district2_staff"])
def test_review_refused_to_street_community_and_other_district(world: World, who: str) -> None:
    application = _apply(world)
    with pytest.raises(PermissionDenied):
        services.application_review(
            actor=getattr(world, who),
            application=application,
            decision="grant",
            reason="",
            expected_version=1,
            at=AFTER,
        )
    application.refresh_from_db()
    assert application.state == ApplicationState.APPLIED


def test_the_applicant_does_not_review_their_own_application(world: World) -> None:
    application = services.application_apply(
        actor=world.district_staff, year=YEAR, place=world.tree.street, at=aware(YEAR, 12)
    )
    with pytest.raises(PermissionDenied):
        services.application_review(
            actor=world.district_staff,
            application=application,
            decision="grant",
            reason="",
            expected_version=1,
            at=AFTER,
        )


def test_stale_page_is_refused(world: World) -> None:
    application = _apply(world)
    with pytest.raises(StaleState):
        services.application_review(
            actor=world.district_staff,
            application=application,
            decision="grant",
            reason="",
            expected_version=2,
            at=AFTER,
        )


def test_events_are_append_only(world: World) -> None:
    application = _apply(world)
    event = ApplicationEvent.objects.get(subject=application)
    assert (event.sequence, event.action) == (1, "create")
    with pytest.raises(DatabaseError), transaction.atomic():
        ApplicationEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        ApplicationEvent.objects.filter(pk=event.pk).delete()
