"""The two front doors: the resident portal at / and the staff home at /staff/."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gridwork.accounts.models import Post
from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm
from gridwork.common.breadcrumbs import place_breadcrumbs
from gridwork.common.permissions import public_view, signed_in_view
from gridwork.party.selectors import party_organisation_list
from gridwork.people.selectors import resident_list
from gridwork.places.models import Place
from gridwork.places.selectors import PlaceCounts, place_counts, place_list


@public_view
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated and getattr(user, "is_staff_member", False):
        return redirect("staff-home")
    return render(request, "common/resident_home.html")


@dataclass(frozen=True)
class UnitSummary:
    post: Post
    counts: PlaceCounts
    children: list[tuple[Place, PlaceCounts]]
    party_organisations: int
    residents: int


def _unit_summary(request: HttpRequest, post: Post) -> UnitSummary:
    place = post.place
    perms = ROLE_PERMISSIONS[post.role]
    children = (
        [(child, place_counts(child)) for child in place_list(user=request.user, parent=place)[:30]]
        if Perm.VIEW_PLACES in perms
        else []
    )
    return UnitSummary(
        post=post,
        counts=place_counts(place),
        children=children,
        party_organisations=(
            party_organisation_list(user=request.user).filter(place__path__startswith=place.path).count()
            if Perm.VIEW_PARTY in perms
            else 0
        ),
        residents=(
            resident_list(user=request.user).filter(household__path__startswith=place.path).count()
            if Perm.VIEW_PEOPLE in perms
            else 0
        ),
    )


@signed_in_view
def staff_home(request: HttpRequest) -> HttpResponse:
    """The staff member's units, each with its subordinate units and counts."""
    user = request.user
    if not getattr(user, "is_staff_member", False):
        return redirect("home")
    posts = user.active_posts  # type: ignore[union-attr]
    summaries = [_unit_summary(request, post) for post in posts]
    breadcrumbs = place_breadcrumbs(user=user, place=posts[0].place) if posts else []
    return render(request, "common/staff_home.html", {"summaries": summaries, "breadcrumbs": breadcrumbs})
