"""The alliances' selectors: the alliance a user may change is found through the scope rule of the model
(``restrict(user, MANAGE_PARTY)``) and only by the staff of its organising place; the alliances of a unit."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.alliances import selectors
from gridwork.alliances.models import Alliance
from gridwork.alliances.tests.factories import AllianceWorld, form_alliance
from gridwork.common.scope import ScopedQuerySet

pytestmark = pytest.mark.django_db


def test_the_alliance_to_change_is_found_through_the_model_s_scope_rule(
    world: AllianceWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    alliance = form_alliance(world)
    asked: list[tuple[Any, str]] = []
    real_restrict = ScopedQuerySet.restrict

    def spying_restrict(queryset: ScopedQuerySet[Any], user: Any, perm: str) -> Any:
        asked.append((queryset.model, perm))
        return real_restrict(queryset, user, perm)

    monkeypatch.setattr(ScopedQuerySet, "restrict", spying_restrict)
    assert selectors.alliance_get_managed(user=world.street_staff, pk=alliance.pk) == alliance
    assert (Alliance, Perm.MANAGE_PARTY) in asked


def test_only_the_organising_place_s_staff_get_the_alliance_to_change(world: AllianceWorld) -> None:
    alliance = form_alliance(world)  # organised by the street; 春晖 and 秋实 are member communities
    assert selectors.alliance_get_managed(user=world.street_staff, pk=alliance.pk) == alliance
    # A member community's staff hold MANAGE_PARTY over a member (the scope rule lets them see it) but do not
    # change the alliance; another street's staff and the grid worker do not even see it.
    assert Alliance.objects.restrict(world.community_staff, Perm.MANAGE_PARTY).filter(pk=alliance.pk).exists()
    for user in (world.community_staff, world.far_staff, world.grid_worker):
        with pytest.raises(Http404):
            selectors.alliance_get_managed(user=user, pk=alliance.pk)


def test_the_alliances_of_a_unit_within_the_viewer_s_scope(world: AllianceWorld) -> None:
    with_unit = form_alliance(world)
    form_alliance(world, name="另一个联盟", units=[world.unit2])
    assert list(selectors.alliances_of_unit(user=world.street_staff, unit=world.unit)) == [with_unit]
    assert list(selectors.alliances_of_unit(user=world.far_staff, unit=world.unit)) == []
