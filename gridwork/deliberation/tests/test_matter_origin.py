"""The staff page of a matter filed from a deliberation's decision says where it came from: linked for those who may
open the deliberation (a grid worker of its community too: a community-wide read), the number alone for those who see
the matter but not the deliberation (the dispatch centre)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.deliberation import services
from gridwork.deliberation.tests.factories import World, close_deliberation, make_world, open_deliberation
from gridwork.matters.workflow import MatterKind
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


def _page(user: object, number: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(reverse("matters:detail", args=[number]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_matter_page_names_its_deliberation(tree: CityTree) -> None:
    world: World = make_world(tree)
    deliberation = open_deliberation(world)
    close_deliberation(world, deliberation)
    deliberation.refresh_from_db()
    matter = services.deliberation_to_matter(
        actor=world.staff,
        deliberation=deliberation,
        building=world.tree.microgrid,
        text=services.matter_text(deliberation),
        kind=MatterKind.COMMUNITY,
        expected_version=deliberation.version,
    )
    link = reverse("deliberation:detail", args=[deliberation.pk])
    staff_page = _page(world.staff, matter.number)
    assert 'data-testid="matter-deliberation"' in staff_page
    assert f'href="{link}"' in staff_page
    assert f'href="{link}"' in _page(world.grid_worker, matter.number)
    dispatcher = make_staff(
        role=Role.DISPATCH_CENTRE, place=tree.city, department=tree.dispatch_centre, username="dispatcher"
    )
    dispatch_page = _page(dispatcher, matter.number)
    assert deliberation.number in dispatch_page
    assert f'href="{link}"' not in dispatch_page
