"""The three-zero pages: who may open and post what (403 without the perm, 404 outside scope), forms that name the
wrong field with a 400, the review on the page, the year's units and the Excel export."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.threezero import services
from gridwork.threezero.models import Application, ApplicationState, Incident, IncidentKind
from gridwork.threezero.tests.factories import World, aware, incident

LAST_YEAR = timezone.localdate().year - 1


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _application(world: World, year: int = LAST_YEAR) -> Application:
    return services.application_apply(
        actor=world.community_staff, year=year, place=world.tree.community, at=aware(year, 12, 1)
    )


@pytest.mark.parametrize(
    "name", ["threezero:incident-list", "threezero:application-list", "threezero:units", "threezero:export"]
)
def test_lists_open_to_every_dispute_viewer(world: World, name: str) -> None:
    for user in (world.grid_worker, world.community_staff, world.street_staff, world.city_staff):
        assert _client(user).get(reverse(name)).status_code == 200, (name, user)


def test_anonymous_goes_to_sign_in(world: World) -> None:
    response = Client().get(reverse("threezero:application-list"))
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["threezero:incident-create", "threezero:application-create"])
def test_grid_worker_cannot_record_or_apply(world: World, name: str) -> None:
    assert _client(world.grid_worker).get(reverse(name)).status_code == 403
    assert _client(world.grid_worker).post(reverse(name), {}).status_code == 403


def test_incident_recorded_on_the_page(world: World) -> None:
    client = _client(world.community_staff)
    page = client.get(reverse("threezero:incident-create"))
    assert world.tree.grid.code in page.content.decode()  # offered in the list of codes
    response = client.post(
        reverse("threezero:incident-create"),
        {
            "kind": IncidentKind.ACCIDENT,
            "occurred_on": "2025-03-04",
            "place": world.tree.grid.code,
            "summary": "电瓶车起火",
        },
    )
    assert response.status_code == 302
    recorded = Incident.objects.get()
    assert (recorded.place, recorded.kind, recorded.occurred_on) == (world.tree.grid, "accident", date(2025, 3, 4))
    listed = client.get(reverse("threezero:incident-list"), {"year": 2025})
    assert "电瓶车起火" in listed.content.decode()


def test_incident_form_names_the_wrong_fields(world: World) -> None:
    client = _client(world.community_staff)
    # Another community's grid is not in this user's area: refused on the field, nothing saved.
    other_grid = world.tree.community2.children.get()
    response = client.post(
        reverse("threezero:incident-create"),
        {"kind": IncidentKind.CASE, "occurred_on": "2025-03-04", "place": other_grid.code, "summary": "盗窃"},
    )
    assert response.status_code == 400
    assert 'data-testid="error-place"' in response.content.decode()
    response = client.post(
        reverse("threezero:incident-create"),
        {"kind": IncidentKind.CASE, "occurred_on": "2025-03-04", "place": world.tree.grid.code, "summary": ""},
    )
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in response.content.decode()
    response = client.post(
        reverse("threezero:incident-create"),
        {"kind": IncidentKind.CASE, "occurred_on": "2999-01-01", "place": world.tree.grid.code, "summary": "x"},
    )
    assert response.status_code == 400
    assert 'data-testid="error-occurred_on"' in response.content.decode()
    assert not Incident.objects.exists()


def test_another_communitys_incidents_are_not_listed(world: World) -> None:
    incident(
        place=world.tree.community2,
        kind=IncidentKind.PETITION,
        on=date(2025, 1, 1),
        by=world.community2_staff,
        summary="秋实社区的上访",
    )
    content = _client(world.community_staff).get(reverse("threezero:incident-list"), {"year": 2025}).content.decode()
    assert "秋实社区的上访" not in content


def test_apply_on_the_page_and_a_second_time_names_the_year(world: World) -> None:
    client = _client(world.community_staff)
    data = {"year": LAST_YEAR, "place": world.tree.community.pk, "statement": "全年无事故"}
    response = client.post(reverse("threezero:application-create"), data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("threezero:application-detail", args=[application.pk])
    again = client.post(reverse("threezero:application-create"), data)
    assert again.status_code == 400
    assert 'data-testid="error-year"' in again.content.decode()
    # A place outside the user's area is not even a choice.
    other = client.post(reverse("threezero:application-create"), {**data, "place": world.tree.community2.pk})
    assert other.status_code == 400
    assert 'data-testid="error-place"' in other.content.decode()


def test_apply_for_a_unit_by_credit_code(world: World) -> None:
    client = _client(world.community_staff)
    response = client.post(
        reverse("threezero:application-create"), {"year": LAST_YEAR, "unit": world.unit.credit_code.lower()}
    )
    assert response.status_code == 302
    assert Application.objects.get().unit == world.unit


def test_detail_shows_live_figures_and_review_form_only_to_a_reviewer(world: World) -> None:
    application = _application(world)
    incident(place=world.tree.grid, kind=IncidentKind.PETITION, on=date(LAST_YEAR, 5, 1), by=world.community_staff)
    url = reverse("threezero:application-detail", args=[application.pk])
    district = _client(world.district_staff).get(url)
    content = district.content.decode()
    assert 'data-testid="figures-live"' in content
    assert 'data-testid="review-form"' in content
    assert 'data-testid="figures-snapshot"' not in content
    community = _client(world.community_staff).get(url).content.decode()
    assert 'data-testid="review-form"' not in community
    assert 'data-testid="withdraw-form"' in community


def test_outside_scope_is_404(world: World) -> None:
    application = _application(world)
    for name in ("threezero:application-detail",):
        assert _client(world.community2_staff).get(reverse(name, args=[application.pk])).status_code == 404
    review = reverse("threezero:application-review", args=[application.pk])
    assert _client(world.district2_staff).post(review, {"decision": "grant", "version": 1}).status_code == 404
    withdraw = reverse("threezero:application-withdraw", args=[application.pk])
    assert _client(world.community2_staff).post(withdraw, {"version": 1}).status_code == 404
    application.refresh_from_db()
    assert application.state == ApplicationState.APPLIED


def test_review_by_a_street_is_403(world: World) -> None:
    application = _application(world)
    review = reverse("threezero:application-review", args=[application.pk])
    assert _client(world.street_staff).post(review, {"decision": "grant", "version": 1}).status_code == 403
    application.refresh_from_db()
    assert application.state == ApplicationState.APPLIED


def test_review_on_the_page(world: World) -> None:
    application = _application(world)
    incident(place=world.tree.grid, kind=IncidentKind.PETITION, on=date(LAST_YEAR, 5, 1), by=world.community_staff)
    client = _client(world.district_staff)
    review = reverse("threezero:application-review", args=[application.pk])
    refused = client.post(review, {"decision": "grant", "version": 1, "reason": ""})
    assert refused.status_code == 400
    assert 'data-testid="error-override"' in refused.content.decode()
    done = client.post(review, {"decision": "grant", "override": "on", "reason": "已化解", "version": 1})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.GRANTED
    assert application.overridden
    page = client.get(reverse("threezero:application-detail", args=[application.pk])).content.decode()
    assert 'data-testid="figures-snapshot"' in page
    assert "已化解" in page
    stale = client.post(review, {"decision": "refuse", "reason": "x", "version": 1})
    assert stale.status_code == 409
    units = client.get(reverse("threezero:units"), {"year": LAST_YEAR}).content.decode()
    assert world.tree.community.name in units


def test_withdraw_on_the_page(world: World) -> None:
    application = _application(world)
    client = _client(world.community_staff)
    response = client.post(reverse("threezero:application-withdraw", args=[application.pk]), {"version": 1})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN


def test_export_lists_the_years_applications_in_scope(world: World) -> None:
    _application(world)
    services.application_apply(
        actor=world.community2_staff, year=LAST_YEAR, place=world.tree.community2, at=aware(LAST_YEAR, 12, 1)
    )
    incident(
        place=world.tree.grid,
        kind=IncidentKind.CASE,
        on=date(LAST_YEAR, 5, 1),
        by=world.community_staff,
        summary='=HYPERLINK("x")',
    )
    response = _client(world.community_staff).get(reverse("threezero:export"), {"year": LAST_YEAR})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["Applications"].iter_rows(values_only=True))
    assert len(rows) == 2  # the header and this community's application; not community2's
    assert rows[1][1] == world.tree.community.name
    assert rows[1][8] == 1  # the case
    incidents = list(workbook["Incidents"].iter_rows(values_only=True))
    assert incidents[1][6] == '=HYPERLINK("x")'
    assert workbook["Incidents"].cell(row=2, column=7).data_type == "s"
