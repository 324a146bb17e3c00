"""The pages a grid worker reads across their community (``COMMUNITY_WIDE_READS``), on the small demo city with its
positions, deliberations, social organisations, estates and property companies: each list and a detail page opens,
offers none of the changes a grid worker may not make, and shows nothing of the sibling community."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.centres.models import Centre
from gridwork.deliberation.models import Deliberation
from gridwork.demo.build import demo_city_build
from gridwork.demo.plan import SCALES
from gridwork.estates.models import Estate
from gridwork.places import locating
from gridwork.places.codes import ancestor_paths
from gridwork.places.models import Place
from gridwork.propertyfirms.models import PropertyCompany
from gridwork.socialorgs.models import Organisation

DEMOS = ("demo_centres", "demo_deliberation", "demo_socialorgs", "demo_estates", "demo_property")


@dataclass
class Demo:
    worker: User
    community: Place
    sibling: Place


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Demo]:
    with django_db_blocker.unblock(), translation.override("en"):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            for command in DEMOS:
                call_command(command, allow_without_debug=True, communities=2, stdout=StringIO())
            community, sibling = Place.objects.filter(level="community").order_by("code")[:2]
            grid = Place.objects.filter(parent=community, level="grid").order_by("code").first()
            assert grid is not None
            worker = make_staff(role=Role.GRID_WORKER, place=grid, username="demo-grid-worker")
            yield Demo(worker=worker, community=community, sibling=sibling)
            transaction.set_rollback(True)
        locating.drop_grid_index()


def _centres(community: Place) -> models.QuerySet[Any]:
    return Centre.objects.filter(place__path__startswith=community.path)


def _deliberations(community: Place) -> models.QuerySet[Any]:
    return Deliberation.objects.filter(community=community)


def _organisations(community: Place) -> models.QuerySet[Any]:
    return Organisation.objects.filter(place__path__startswith=community.path)


def _estates(community: Place) -> models.QuerySet[Any]:
    return Estate.objects.filter(community=community)


def _companies(community: Place) -> models.QuerySet[Any]:
    """Companies serving an estate of the community (the demo registers them all at the street above it)."""
    return PropertyCompany.objects.filter(contracts__estate__community=community).distinct()


def _companies_of_it_alone(community: Place) -> models.QuerySet[Any]:
    """Companies seen only through the community's estates: none registered by a unit above it (seen by everyone
    under that unit). The demo may have none."""
    return _companies(community).exclude(registered_in__path__in=ancestor_paths(community.path, include_self=False))


@dataclass(frozen=True)
class Pages:
    objects: Callable[[Place], models.QuerySet[Any]]
    listing: str
    detail: str
    creates: tuple[str, ...]  # pages without an object, offered on the list to those who may create
    changes: tuple[str, ...]  # pages of the object, offered on its detail page to those who may change it
    hidden: Callable[[Place], models.QuerySet[Any]] | None = None  # the sibling's objects out of reach, if not all


PAGES = {
    "centres": Pages(
        _centres,
        "centres:centre-list",
        "centres:centre-detail",
        ("centres:centre-create",),
        (
            "centres:centre-edit",
            "centres:room-create",
        ),
    ),
    "deliberation": Pages(
        _deliberations,
        "deliberation:list",
        "deliberation:detail",
        ("deliberation:create",),
        (
            "deliberation:close",
            "deliberation:cancel",
            "deliberation:comment",
            "deliberation:to-matter",
            "deliberation:to-proposal",
            "deliberation:to-clause",
        ),
    ),
    "socialorgs": Pages(
        _organisations,
        "socialorgs:organisation-list",
        "socialorgs:organisation-detail",
        ("socialorgs:organisation-create",),
        ("socialorgs:organisation-edit", "socialorgs:organisation-dissolve", "socialorgs:member-add"),
    ),
    "estates": Pages(
        _estates,
        "estates:estate-list",
        "estates:estate-detail",
        ("estates:estate-create",),
        (
            "estates:estate-edit",
            "estates:committee-create",
        ),
    ),
    "propertyfirms": Pages(
        _companies,
        "propertyfirms:company-list",
        "propertyfirms:company-detail",
        ("propertyfirms:company-create",),
        ("propertyfirms:company-edit", "propertyfirms:contract-create", "propertyfirms:recognise"),
        hidden=_companies_of_it_alone,
    ),
}


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestAGridWorkersCommunityPages:
    @pytest.fixture
    def client(self, demo: Demo) -> Client:
        client = Client()
        client.force_login(demo.worker)
        return client

    @pytest.mark.parametrize("app", sorted(PAGES))
    def test_the_list_shows_the_community_and_not_its_sibling_and_offers_no_creation(
        self, demo: Demo, client: Client, app: str
    ) -> None:
        pages = PAGES[app]
        own = pages.objects(demo.community).order_by("pk")
        sibling = (pages.hidden or pages.objects)(demo.sibling).exclude(pk__in=own).order_by("pk")
        assert own.exists(), f"the demo has no {app} object in the first community"
        assert sibling.exists() or pages.hidden is not None, (
            f"the demo has no {app} object of the second community only"
        )
        response = client.get(reverse(pages.listing))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'href="{reverse(pages.detail, args=[own[0].pk])}"' in html
        assert not any(
            f'href="{reverse(pages.detail, args=[pk])}"' in html for pk in sibling.values_list("pk", flat=True)
        )
        for name in pages.creates:
            assert reverse(name) not in html, name

    @pytest.mark.parametrize("app", sorted(PAGES))
    def test_a_detail_page_opens_read_only_and_the_siblings_is_not_found(
        self, demo: Demo, client: Client, app: str
    ) -> None:
        pages = PAGES[app]
        own = pages.objects(demo.community)
        sibling = (pages.hidden or pages.objects)(demo.sibling).exclude(pk__in=own).order_by("pk").first()
        assert sibling is not None or pages.hidden is not None
        if sibling is not None:
            assert client.get(reverse(pages.detail, args=[sibling.pk])).status_code == 404
        for own in pages.objects(demo.community).order_by("pk")[:3]:
            response = client.get(reverse(pages.detail, args=[own.pk]))
            assert response.status_code == 200
            html = response.content.decode()
            for name in pages.changes:
                assert reverse(name, args=[own.pk]) not in html, name
                assert client.post(reverse(name, args=[own.pk]), {}).status_code in {403, 404}, name
