"""The one-object scope rule (``holds_over``): own unit and those below it, never a sibling or a unit above."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from gridwork.accounts.models import Post, User
from gridwork.accounts.roles import Perm, Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.common.scope import holds_over, holds_over_path
from gridwork.places.tests.factories import CityTree, make_city_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> CityTree:
    return make_city_tree()


@pytest.fixture
def street_staff(tree: CityTree) -> User:
    return make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")


def test_holds_at_the_unit_of_the_post(tree: CityTree, street_staff: User) -> None:
    assert holds_over(street_staff, Perm.MANAGE_DISPUTES, tree.street)


def test_holds_below_the_unit_of_the_post(tree: CityTree, street_staff: User) -> None:
    assert holds_over(street_staff, Perm.MANAGE_DISPUTES, tree.community)
    assert holds_over(street_staff, Perm.MANAGE_DISPUTES, tree.household)


def test_does_not_hold_at_a_sibling_unit(tree: CityTree, street_staff: User) -> None:
    assert not holds_over(street_staff, Perm.MANAGE_DISPUTES, tree.street2)
    assert not holds_over(street_staff, Perm.MANAGE_DISPUTES, tree.district2)


def test_does_not_hold_above_the_unit_of_the_post(tree: CityTree) -> None:
    """A community post does not reach its street or the city: the rule looks up from the place, never down."""
    worker = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community")
    assert holds_over(worker, Perm.VIEW_DISPUTES, tree.community)
    assert not holds_over(worker, Perm.VIEW_DISPUTES, tree.street)
    assert not holds_over(worker, Perm.VIEW_DISPUTES, tree.city)


def test_does_not_hold_a_permission_the_role_lacks(tree: CityTree) -> None:
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid")
    assert holds_over(worker, Perm.SCREEN_DISPUTES, tree.household)
    assert not holds_over(worker, Perm.MANAGE_DISPUTES, tree.household)


def test_a_grid_post_reaches_its_community_for_community_wide_reads(tree: CityTree) -> None:
    """The rule follows ``scope_paths``: a grid worker reads the centres of the whole community, not of a sibling."""
    worker = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid")
    assert holds_over(worker, Perm.VIEW_CENTRES, tree.grid2)
    assert not holds_over(worker, Perm.VIEW_CENTRES, tree.community2)
    assert not holds_over(worker, Perm.VIEW_PERSONAL_DATA, tree.grid2)


def test_anonymous_user_holds_nothing(tree: CityTree) -> None:
    assert not holds_over(AnonymousUser(), Perm.VIEW_PLACES, tree.household)
    assert not holds_over(None, Perm.VIEW_PLACES, tree.household)


def test_a_signed_in_user_without_posts_holds_nothing(tree: CityTree) -> None:
    resident = make_resident_user(phone="13800000001")
    assert not holds_over(resident, Perm.VIEW_PLACES, tree.household)


def test_an_object_without_scope_paths_holds_nothing(tree: CityTree) -> None:
    """Something that claims to be signed in but cannot name its units is refused, not crashed on."""
    assert not holds_over(SimpleNamespace(is_authenticated=True), Perm.VIEW_PLACES, tree.household)


def test_an_inactive_post_grants_nothing(tree: CityTree, street_staff: User) -> None:
    Post.objects.filter(user=street_staff).update(is_active=False)
    fresh = User.objects.get(pk=street_staff.pk)
    assert not holds_over(fresh, Perm.MANAGE_DISPUTES, tree.street)
    assert not holds_over(fresh, Perm.MANAGE_DISPUTES, tree.community)


def test_an_inactive_user_holds_nothing(tree: CityTree, street_staff: User) -> None:
    User.objects.filter(pk=street_staff.pk).update(is_active=False)
    fresh = User.objects.get(pk=street_staff.pk)
    assert not holds_over(fresh, Perm.MANAGE_DISPUTES, tree.street)


def test_holds_over_path_agrees_with_holds_over(tree: CityTree, street_staff: User) -> None:
    for place in (tree.city, tree.district, tree.street, tree.street2, tree.community, tree.household):
        assert holds_over_path(street_staff, Perm.MANAGE_DISPUTES, place.path) == holds_over(
            street_staff, Perm.MANAGE_DISPUTES, place
        )
    assert holds_over_path(street_staff, Perm.MANAGE_DISPUTES, tree.household.path)
    assert not holds_over_path(AnonymousUser(), Perm.MANAGE_DISPUTES, tree.household.path)
