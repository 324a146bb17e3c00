"""The staff pages of grid visits: who gets in (403 without the perm, 404 outside the area), logging a visit on the
form (400 naming the field), a need's one step to a matter shown on the visit, the diary and a household's history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.gridvisits.models import GridVisit, VisitNeed
from gridwork.gridvisits.tests.factories import VisitWorld, days_ago, png, visit
from gridwork.matters.models import Matter

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _form(world: VisitWorld, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "household": world.household.pk,
        "visited_on": days_ago(0).isoformat(),
        "seen": "门口堆了纸箱。",
        "asked": "问了老人吃饭情况。",
        "needs": "楼道灯坏了\n想申请助餐",
        "resolved": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(("who", "status"), [("grid_worker", 200), ("street", 200), ("department", 403)])
def test_who_gets_the_list(world: VisitWorld, who: str, status: int) -> None:
    assert client_for(getattr(world, who)).get(reverse("gridvisits:visit-list")).status_code == status


def test_the_household_search_offers_only_the_workers_households(world: VisitWorld) -> None:
    response = client_for(world.grid_worker).get(reverse("gridvisits:visit-create"), {"q": "号楼"})
    text = response.content.decode()
    assert world.household.code in text
    assert world.household_grid2.code not in text
    assert world.household2.code not in text


def test_another_grids_household_is_not_found(world: VisitWorld) -> None:
    client = client_for(world.grid_worker)
    url = reverse("gridvisits:visit-create")
    assert client.get(url, {"household": world.household2.pk}).status_code == 404
    assert client.post(url, _form(world, household=world.household_grid2.pk)).status_code == 404
    assert not GridVisit.objects.exists()


def test_street_staff_may_not_log_visits(world: VisitWorld) -> None:
    assert client_for(world.street).get(reverse("gridvisits:visit-create")).status_code == 403


def test_a_visit_logged_on_the_form(world: VisitWorld) -> None:
    response = client_for(world.grid_worker).post(reverse("gridvisits:visit-create"), {**_form(world), "photos": png()})
    visit_ = GridVisit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("gridvisits:visit-detail", args=[visit_.pk])
    assert list(visit_.needs.values_list("text", flat=True)) == ["楼道灯坏了", "想申请助餐"]
    assert visit_.photos.count() == 1


def test_a_visit_in_the_future_is_refused_naming_the_day(world: VisitWorld) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(world.grid_worker).post(reverse("gridvisits:visit-create"), _form(world, visited_on=tomorrow))
    assert response.status_code == 400
    assert b'data-testid="error-visited_on"' in response.content
    assert not GridVisit.objects.exists()


def test_a_visit_of_another_community_is_not_found(world: VisitWorld) -> None:
    recorded = visit(world)
    photo_visit = visit(world, photos=[png()])
    assert client_for(world.staff2).get(reverse("gridvisits:visit-detail", args=[recorded.pk])).status_code == 404
    photo = photo_visit.photos.get()
    url = reverse("gridvisits:photo", args=[photo_visit.pk, photo.pk])
    assert client_for(world.staff2).get(url).status_code == 404
    assert client_for(world.grid_worker).get(url).status_code == 200


def test_a_need_becomes_a_matter_in_one_click_shown_on_the_visit(world: VisitWorld) -> None:
    need = visit(world).needs.get()
    client = client_for(world.grid_worker)
    url = reverse("gridvisits:need-matter", args=[need.pk])
    response = client.post(url)
    assert response.status_code == 302
    matter = Matter.objects.get()
    page = client.get(reverse("gridvisits:visit-detail", args=[need.visit_id])).content.decode()
    assert reverse("matters:detail", args=[matter.number]) in page
    again = client.post(url)
    assert again.status_code == 400
    assert b'data-testid="action-errors"' in again.content
    assert Matter.objects.count() == 1


def test_another_grids_worker_cannot_convert_the_need(world: VisitWorld) -> None:
    need = visit(world).needs.get()
    assert client_for(world.grid2_worker).post(reverse("gridvisits:need-matter", args=[need.pk])).status_code == 404
    assert not VisitNeed.objects.get(pk=need.pk).is_converted


def test_a_case_form_without_a_respondent_names_the_field(world: VisitWorld) -> None:
    need = visit(world, by=world.staff).needs.get()
    response = client_for(world.staff).post(
        reverse("gridvisits:need-case", args=[need.pk]),
        {"title": "漏水纠纷", "dispute_type": "neighbour", "risk": "low", "applicant": "王秀英"},
    )
    assert response.status_code == 400
    assert b'data-testid="error-respondent"' in response.content


def test_the_diary_in_order_and_only_within_the_units(world: VisitWorld) -> None:
    first_of_last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    later = visit(world, visited_on=first_of_last_month + timedelta(days=1))
    earlier = visit(world, household=world.neighbour, visited_on=first_of_last_month)
    other_month = visit(world, visited_on=first_of_last_month - timedelta(days=1))
    month = first_of_last_month.strftime("%Y-%m")
    own = client_for(world.grid_worker).get(reverse("gridvisits:diary"), {"month": month}).content.decode()
    assert own.index(f'data-pk="{earlier.pk}"') < own.index(f'data-pk="{later.pk}"')
    assert f'data-pk="{other_month.pk}"' not in own
    of_worker = reverse("gridvisits:diary-of", args=[world.grid_worker.pk])
    assert client_for(world.staff).get(of_worker, {"month": month}).status_code == 200
    assert client_for(world.staff2).get(of_worker).status_code == 404


def test_a_households_history(world: VisitWorld) -> None:
    first = visit(world, visited_on=days_ago(3))
    second = visit(world, visited_on=days_ago(1))
    url = reverse("gridvisits:household", args=[world.household.pk])
    page = client_for(world.grid_worker).get(url).content.decode()
    assert page.index(f'data-pk="{second.pk}"') < page.index(f'data-pk="{first.pk}"')
    assert client_for(world.staff2).get(url).status_code == 404


def test_a_masked_address_cannot_be_searched(world: VisitWorld) -> None:
    """Street staff see the visits with the door masked: searching by the full address must not tell them which
    household (code) lives there; a grid worker, who sees addresses, finds it."""
    recorded = visit(world)
    address = world.household.address
    url = reverse("gridvisits:visit-list")
    masked = client_for(world.street).get(url, {"q": address}).content.decode()
    assert f'data-pk="{recorded.pk}"' not in masked
    assert world.household.code not in masked
    assert f'data-pk="{recorded.pk}"' in client_for(world.street).get(url, {"q": world.household.code}).content.decode()
    assert f'data-pk="{recorded.pk}"' in client_for(world.grid_worker).get(url, {"q": address}).content.decode()
