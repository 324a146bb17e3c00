"""The demo filler: without estates it creates nothing and says so; with the test tree's estates and staff it makes
companies, contracts and ratings through the services."""

from __future__ import annotations

import pytest
from django.utils import translation

from gridwork.estates.models import Estate
from gridwork.places.tests.factories import CityTree
from gridwork.propertyfirms.management.commands.demo_property import _Demo
from gridwork.propertyfirms.models import PropertyCompany, ServiceContract
from gridwork.propertyfirms.tests.factories import make_world

pytestmark = pytest.mark.django_db


def test_no_estates_creates_nothing(tree: CityTree) -> None:
    lines: list[str] = []
    with translation.override("en"):
        summary = _Demo(seed=1, limit=4, log=lines.append).build()
    assert summary.communities == []
    assert "demo_estates" in lines[0]
    assert not PropertyCompany.objects.exists()


def test_fills_the_estates(tree: CityTree) -> None:
    world = make_world(tree)
    ServiceContract.objects.all().delete()
    Estate.objects.exclude(pk__in=[world.estate.pk, world.estate_b.pk, world.estate2.pk]).delete()
    with translation.override("en"):
        summary = _Demo(seed=3, limit=4, log=print).build()
    assert summary.communities == [tree.community.name, tree.community2.name]
    assert PropertyCompany.objects.filter(registered_in=tree.street).count() == 1 + 3
    assert ServiceContract.objects.exists()
    assert summary.counts["contracts"] >= 1
