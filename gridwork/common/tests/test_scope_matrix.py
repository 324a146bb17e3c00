"""The scope matrix: every staff page × a user at their own unit, and objects at own, child, sibling and parent units.

Own and child objects open (200); sibling and parent objects are not found (404), never 200 or 500. List pages
link to own and child objects and never to sibling or parent ones. One exception, written once in
``scope_world.visible_relations``: a grid worker's community-wide reads (service centres, deliberation, the
community's actors) reach the whole community — sibling grid and parent included — and never the grid of the
sibling community that a grid's world adds (``cousin``). A new staff page must be added here:
``test_every_staff_url_is_in_the_matrix`` fails until it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.analytics.areas import ANALYSED_LEVELS
from gridwork.common.permissions import ACCESS_ATTRIBUTE
from gridwork.common.tests.scope_world import ScopeWorld, build_scope_world
from gridwork.places.tests.factories import CityTree

Objects = dict[str, models.Model]


def _area_page(name: str) -> Callable[[Objects], str | None]:
    """An analysis page of a place's figures (``?area=<code>``); none below the grid, which is not analysed."""

    def build(objects: Objects) -> str | None:
        place = objects["place"]
        if place.level not in ANALYSED_LEVELS:  # type: ignore[attr-defined]
            return None
        return f"{reverse(name)}?area={place.code}"  # type: ignore[attr-defined]

    return build


# Pages about one object: how to build the URL from a relation's objects, and the permission they need.
BELOW_COMMUNITY = {"grid", "microgrid"}


@dataclass(frozen=True)
class CommunityObject:
    """A page of an object kept at its community (co-construction, community life, the community's actors). In a
    grid's world every relation's such object is the grid's community's (the cousin's, the sibling community's):
    which of them open is ``ScopeWorld.visible(perm, kept_at_community=True)``."""

    name: str
    keys: tuple[str, ...]

    def __call__(self, objects: Objects) -> str | None:
        return reverse(self.name, args=[objects[key].pk for key in self.keys])


def _community_object(name: str, *keys: str) -> CommunityObject:
    return CommunityObject(name, keys)


def _kept_above_community(name: str, key: str) -> Callable[[Objects], str | None]:
    """A page of an object kept at a street or a unit above it (an incubation base, an admission request): none for
    a community's or a grid's own objects — their worlds have no such page of their own to test."""

    def build(objects: Objects) -> str | None:
        return reverse(name, args=[objects[key].pk]) if key in objects else None

    return build


# Pages whose objects a community's world has too few of (own and child are below a street).
KEPT_ABOVE_COMMUNITY: set[str] = set()

DETAIL_URLS: dict[str, tuple[Callable[[Objects], str | None], str]] = {
    "places:detail": (lambda o: reverse("places:detail", args=[o["place"].code]), Perm.VIEW_PLACES),  # type: ignore[attr-defined]
    "places:map": (lambda o: reverse("places:map", args=[o["place"].code]), Perm.VIEW_PLACES),  # type: ignore[attr-defined]
    "party:organisation-detail": (
        lambda o: reverse("party:organisation-detail", args=[o["organisation"].code]),  # type: ignore[attr-defined]
        Perm.VIEW_PARTY,
    ),
    "party:overview": (_area_page("party:overview"), Perm.VIEW_PARTY),
    "party:evaluation-member": (
        lambda o: reverse("party:evaluation-member", args=[o["registration"].pk]),
        Perm.VIEW_PARTY,
    ),
    "party:registration-detail": (
        lambda o: reverse("party:registration-detail", args=[o["registration"].pk]),
        Perm.VIEW_PARTY,
    ),
    "wishes:detail": (lambda o: reverse("wishes:detail", args=[o["wish"].pk]), Perm.VIEW_PARTY),
    "cobuild:need-detail": (_community_object("cobuild:need-detail", "need"), Perm.VIEW_PARTY),
    "cobuild:need-matching": (_community_object("cobuild:need-matching", "need"), Perm.VIEW_PARTY),
    "cobuild:project-detail": (_community_object("cobuild:project-detail", "project"), Perm.VIEW_PARTY),
    "cobuild:resource-detail": (lambda o: reverse("cobuild:resource-detail", args=[o["resource"].pk]), Perm.VIEW_PARTY),
    "contracts:detail": (_community_object("contracts:detail", "contract"), Perm.VIEW_PARTY),
    "alliances:detail": (_community_object("alliances:detail", "alliance"), Perm.VIEW_PARTY),
    "party:parttime-detail": (lambda o: reverse("party:parttime-detail", args=[o["part_timer"].pk]), Perm.VIEW_PARTY),
    "volunteers:order-detail": (lambda o: reverse("volunteers:order-detail", args=[o["order"].pk]), Perm.VIEW_PARTY),
    "ratings:assessment": (_community_object("ratings:assessment", "assessment"), Perm.VIEW_RATINGS),
    "ratings:results-target": (
        lambda o: (
            None
            if o["place"].level in BELOW_COMMUNITY  # type: ignore[attr-defined]
            else reverse("ratings:results-target", args=[o["assessment"].target_id])  # type: ignore[attr-defined]
        ),
        Perm.VIEW_RATINGS,
    ),
    "workforce:worker-detail": (_community_object("workforce:worker-detail", "worker"), Perm.VIEW_WORKFORCE),
    **{
        f"workforce:worker-{name}": (_community_object(f"workforce:worker-{name}", "worker"), Perm.MANAGE_WORKFORCE)
        for name in ("edit", "move", "regrade")
    },
    **{
        f"care:{name}": (
            lambda o, name=name: reverse(f"care:{name}", args=[o["difficulty"].pk]),  # type: ignore[misc]
            Perm.MANAGE_DIFFICULTY if name in {"edit", "end", "pair"} else Perm.VIEW_DIFFICULTY,
        )
        for name in ("detail", "visit", "edit", "end", "pair")
    },
    "mediation:case-detail": (lambda o: reverse("mediation:case-detail", args=[o["dispute"].pk]), Perm.VIEW_DISPUTES),
    "mediation:case-refer": (lambda o: reverse("mediation:case-refer", args=[o["dispute"].pk]), Perm.MANAGE_DISPUTES),
    "mediation:case-from-matter": (
        lambda o: reverse("mediation:case-from-matter", args=[o["matter"].pk]),
        Perm.MANAGE_DISPUTES,
    ),
    "mediation:agreement-detail": (
        lambda o: reverse("mediation:agreement-detail", args=[o["agreement"].pk]),
        Perm.VIEW_DISPUTES,
    ),
    "mediation:followup-record": (
        lambda o: reverse("mediation:followup-record", args=[o["follow_up"].pk]),
        Perm.MANAGE_DISPUTES,
    ),
    "mediation:mediator-edit": (_community_object("mediation:mediator-edit", "mediator"), Perm.MANAGE_DISPUTES),
    "threezero:application-detail": (
        _community_object("threezero:application-detail", "three_zero"),
        Perm.VIEW_DISPUTES,
    ),
    "screening:screening-detail": (
        lambda o: reverse("screening:screening-detail", args=[o["screening"].pk]),
        Perm.VIEW_DISPUTES,
    ),
    "screening:entry-status": (
        lambda o: reverse("screening:entry-status", args=[o["risk_entry"].pk]),
        Perm.VIEW_DISPUTES,
    ),
    "points:exchange-detail": (lambda o: reverse("points:exchange-detail", args=[o["exchange"].pk]), Perm.VIEW_PARTY),
    "points:account-detail": (
        lambda o: reverse("points:account-detail", args=[o["registration"].pk]),
        Perm.VIEW_PARTY,
    ),
    "people:resident-detail": (lambda o: reverse("people:resident-detail", args=[o["resident"].pk]), Perm.VIEW_PEOPLE),
    "people:unit-detail": (lambda o: reverse("people:unit-detail", args=[o["unit"].pk]), Perm.VIEW_PEOPLE),
    "staff_accounts:staff-detail": (
        lambda o: reverse("staff_accounts:staff-detail", args=[o["staff"].pk]) if "staff" in o else None,
        Perm.VIEW_STAFF,
    ),
    "matters:detail": (lambda o: reverse("matters:detail", args=[o["matter"].number]), Perm.VIEW_MATTERS),  # type: ignore[attr-defined]
    "matters:detail-map": (lambda o: reverse("matters:detail-map", args=[o["matter"].number]), Perm.VIEW_MATTERS),  # type: ignore[attr-defined]
    "matters:photo": (
        lambda o: reverse("matters:photo", args=[o["matter"].number, o["photo"].pk]),  # type: ignore[attr-defined]
        Perm.VIEW_MATTERS,
    ),
    "supervision:whistle": (lambda o: reverse("supervision:whistle", args=[o["whistle"].pk]), Perm.VIEW_MATTERS),
    "matters:routing-edit": (lambda o: reverse("matters:routing-edit", args=[o["rule"].pk]), Perm.MANAGE_ROUTING),
    "matters:routing-delete": (lambda o: reverse("matters:routing-delete", args=[o["rule"].pk]), Perm.MANAGE_ROUTING),
    **{
        f"analytics:{name}": (_area_page(f"analytics:{name}"), Perm.VIEW_MATTERS)
        for name in ("dashboard", "data", "screen", "map", "map-grids", "map-open", "export-measures")
    },
    **{
        f"centres:{name}": (
            lambda o, name=name: reverse(f"centres:{name}", args=[o["centre"].pk]),  # type: ignore[misc]
            Perm.MANAGE_CENTRES if name in {"centre-edit", "room-create"} else Perm.VIEW_CENTRES,
        )
        for name in ("centre-detail", "calendar", "centre-edit", "room-create")
    },
    "centres:room-edit": (lambda o: reverse("centres:room-edit", args=[o["room"].pk]), Perm.MANAGE_CENTRES),
    "centres:booking-detail": (lambda o: reverse("centres:booking-detail", args=[o["booking"].pk]), Perm.VIEW_CENTRES),
    **{
        f"activities:activity-{name}": (
            _community_object(f"activities:activity-{name}", "activity"),
            Perm.VIEW_CENTRES if name == "detail" else Perm.MANAGE_CENTRES,
        )
        for name in ("detail", "qr", "minutes", "cancel")
    },
    "activities:activity-photo": (
        _community_object("activities:activity-photo", "activity", "activity_photo"),
        Perm.VIEW_CENTRES,
    ),
    **{
        f"serviceday:{name}": (
            _community_object(f"serviceday:{name}", "service_cycle"),
            Perm.VIEW_DELIBERATION if name == "cycle-detail" else Perm.MANAGE_DELIBERATION,
        )
        for name in ("cycle-detail", "cycle-complete", "opinion-add", "opinion-matters", "item-create")
    },
    **{
        f"serviceday:{name}": (_community_object(f"serviceday:{name}", "service_item"), Perm.MANAGE_DELIBERATION)
        for name in ("item-edit", "item-drop", "item-result")
    },
    **{
        f"deliberation:{name}": (
            _community_object(f"deliberation:{name}", "deliberation"),
            Perm.VIEW_DELIBERATION if name == "detail" else Perm.MANAGE_DELIBERATION,
        )
        for name in ("detail", "close", "to-matter", "to-proposal", "to-clause")
    },
    **{
        f"deliberation:{name}": (_community_object(f"deliberation:{name}", "programme"), Perm.VIEW_DELIBERATION)
        for name in ("programme-detail", "programme-export")
    },
    "deliberation:proposal-detail": (
        _community_object("deliberation:proposal-detail", "proposal"),
        Perm.VIEW_DELIBERATION,
    ),
    # #14: the community's actors. Social organisations, estates and their committees are kept at a community.
    **{
        f"socialorgs:{name}": (
            _community_object(f"socialorgs:{name}", "social_org"),
            Perm.VIEW_ACTORS if name == "organisation-detail" else Perm.MANAGE_ACTORS,
        )
        for name in ("organisation-detail", "organisation-edit", "organisation-dissolve", "member-add")
    },
    **{
        f"socialorgs:{name}": (_community_object(f"socialorgs:{name}", "social_member"), Perm.MANAGE_ACTORS)
        for name in ("member-edit", "member-leave")
    },
    "socialorgs:incubation-detail": (
        _community_object("socialorgs:incubation-detail", "incubation"),
        Perm.VIEW_ACTORS,
    ),
    "socialorgs:base-detail": (_kept_above_community("socialorgs:base-detail", "incubation_base"), Perm.VIEW_ACTORS),
    "socialorgs:base-edit": (_kept_above_community("socialorgs:base-edit", "incubation_base"), Perm.MANAGE_ACTORS),
    **{
        f"estates:{name}": (
            _community_object(f"estates:{name}", "estate"),
            Perm.VIEW_ACTORS if name == "estate-detail" else Perm.MANAGE_ACTORS,
        )
        for name in ("estate-detail", "estate-edit")
    },
    **{
        f"estates:{name}": (
            _community_object(f"estates:{name}", "committee"),
            Perm.VIEW_ACTORS if name == "committee-detail" else Perm.MANAGE_ACTORS,
        )
        for name in ("committee-detail", "committee-edit", "member-create", "meeting-create", "notice-create")
    },
    "estates:meeting-detail": (_community_object("estates:meeting-detail", "committee_meeting"), Perm.VIEW_ACTORS),
    # A company is seen under or above its registering unit, or through an estate it serves: the world's companies
    # are registered by an unrelated street, so only their contracts' estates put them in reach.
    "propertyfirms:company-detail": (
        _community_object("propertyfirms:company-detail", "property_company"),
        Perm.VIEW_ACTORS,
    ),
    # The form opens on any company in reach; saving is refused to all but its registering unit (the service).
    "propertyfirms:company-edit": (
        _community_object("propertyfirms:company-edit", "property_company"),
        Perm.MANAGE_ACTORS,
    ),
    **{
        f"propertyfirms:{name}": (_community_object(f"propertyfirms:{name}", "property_contract"), Perm.MANAGE_ACTORS)
        for name in ("contract-end", "survey-create", "assessment-create")
    },
    # Grid visits are kept at their household.
    "gridvisits:visit-detail": (
        lambda o: reverse("gridvisits:visit-detail", args=[o["visit"].pk]),
        Perm.VIEW_GRID_VISITS,
    ),
    "gridvisits:household": (
        lambda o: reverse("gridvisits:household", args=[o["visit"].household_id]),  # type: ignore[attr-defined]
        Perm.VIEW_GRID_VISITS,
    ),
    **{
        f"gridvisits:{name}": (
            lambda o, name=name: reverse(f"gridvisits:{name}", args=[o["visit_need"].pk]),  # type: ignore[misc]
            Perm.RECORD_GRID_VISITS,
        )
        for name in ("need-wish", "need-case")
    },
    # Admission requests are kept at the street (or unit above) they are scoped to; assigned tasks at a community.
    "admission:request-detail": (
        _kept_above_community("admission:request-detail", "admission_request"),
        Perm.VIEW_ADMISSION,
    ),
    "admission:task-detail": (_community_object("admission:task-detail", "admission_task"), Perm.VIEW_ADMISSION),
    # Key tasks are kept at the street above the community responsible for their item.
    **{
        f"keytasks:{name}": (
            _community_object(f"keytasks:{name}", "key_task"),
            Perm.VIEW_KEY_TASKS if name in {"task-detail", "task-export"} else Perm.MANAGE_KEY_TASKS,
        )
        for name in ("task-detail", "task-export", "task-edit", "item-create")
    },
    "keytasks:item-detail": (_community_object("keytasks:item-detail", "key_item"), Perm.VIEW_KEY_TASKS),
}
KEPT_ABOVE_COMMUNITY |= {"socialorgs:base-detail", "socialorgs:base-edit", "admission:request-detail"}

# List pages: the detail URL of each relation's object that the list must (own, child) or must not show.
LIST_URLS: dict[str, tuple[str, Callable[[Objects], str | None], str]] = {
    "places:list": ("?level=", lambda o: reverse("places:detail", args=[o["place"].code]), Perm.VIEW_PLACES),  # type: ignore[attr-defined]
    "party:organisation-list": (
        "",
        lambda o: reverse("party:organisation-detail", args=[o["organisation"].code]),  # type: ignore[attr-defined]
        Perm.VIEW_PARTY,
    ),
    "party:member-list": (
        "",
        lambda o: reverse("party:organisation-detail", args=[o["organisation"].code]),  # type: ignore[attr-defined]
        Perm.VIEW_PARTY,
    ),
    "cobuild:need-list": ("?state=", _community_object("cobuild:need-detail", "need"), Perm.VIEW_PARTY),
    "cobuild:project-list": ("", _community_object("cobuild:project-detail", "project"), Perm.VIEW_PARTY),
    "workforce:worker-list": ("", _community_object("workforce:worker-detail", "worker"), Perm.VIEW_WORKFORCE),
    "cobuild:resource-list": (
        "",
        lambda o: reverse("cobuild:resource-detail", args=[o["resource"].pk]),
        Perm.VIEW_PARTY,
    ),
    "contracts:list": ("", _community_object("contracts:detail", "contract"), Perm.VIEW_PARTY),
    "alliances:list": ("", _community_object("alliances:detail", "alliance"), Perm.VIEW_PARTY),
    "party:parttime-list": (
        "?status=all",
        lambda o: reverse("party:parttime-detail", args=[o["part_timer"].pk]),
        Perm.VIEW_PARTY,
    ),
    "people:resident-list": (
        "",
        lambda o: reverse("people:resident-detail", args=[o["resident"].pk]),
        Perm.VIEW_PEOPLE,
    ),
    "party:evaluations": (
        "",
        lambda o: (
            f"{reverse('party:evaluation-member', args=[o['registration'].pk])}?period={timezone.localdate().year}"
        ),
        Perm.VIEW_PARTY,
    ),
    "party:registration-list": (
        "?state=",
        lambda o: reverse("party:registration-detail", args=[o["registration"].pk]),
        Perm.VIEW_PARTY,
    ),
    "party:registered-members": (
        "",
        lambda o: reverse("party:registration-detail", args=[o["registration"].pk]),
        Perm.VIEW_PARTY,
    ),
    "wishes:list": ("", lambda o: reverse("wishes:detail", args=[o["wish"].pk]), Perm.VIEW_PARTY),
    "volunteers:order-list": (
        "",
        lambda o: reverse("volunteers:order-detail", args=[o["order"].pk]),
        Perm.VIEW_PARTY,
    ),
    "care:list": ("", lambda o: reverse("care:detail", args=[o["difficulty"].pk]), Perm.VIEW_DIFFICULTY),
    "mediation:case-list": ("", lambda o: reverse("mediation:case-detail", args=[o["dispute"].pk]), Perm.VIEW_DISPUTES),
    "threezero:application-list": (
        "",
        _community_object("threezero:application-detail", "three_zero"),
        Perm.VIEW_DISPUTES,
    ),
    "screening:screening-list": (
        "",
        lambda o: reverse("screening:screening-detail", args=[o["screening"].pk]),
        Perm.VIEW_DISPUTES,
    ),
    "points:exchange-list": (
        "",
        lambda o: reverse("points:exchange-detail", args=[o["exchange"].pk]),
        Perm.VIEW_PARTY,
    ),
    "points:account-list": (
        "",
        lambda o: reverse("points:account-detail", args=[o["registration"].pk]),
        Perm.VIEW_PARTY,
    ),
    "people:unit-list": ("", lambda o: reverse("people:unit-detail", args=[o["unit"].pk]), Perm.VIEW_PEOPLE),
    "matters:queue": (
        "?tab=all",
        lambda o: reverse("matters:detail", args=[o["matter"].number]),  # type: ignore[attr-defined]
        Perm.VIEW_MATTERS,
    ),
    "supervision:overview": (
        "?list=overdue",
        lambda o: reverse("matters:detail", args=[o["matter"].number]),  # type: ignore[attr-defined]
        Perm.VIEW_MATTERS,
    ),
    "supervision:hard": (
        "",
        lambda o: reverse("matters:detail", args=[o["matter"].number]),  # type: ignore[attr-defined]
        Perm.ESCALATE_MATTERS,
    ),
    "matters:routing-list": (
        "",
        lambda o: reverse("matters:routing-edit", args=[o["rule"].pk]),
        Perm.MANAGE_ROUTING,
    ),
    "staff_accounts:staff-list": (
        "",
        lambda o: reverse("staff_accounts:staff-detail", args=[o["staff"].pk]) if "staff" in o else "",
        Perm.VIEW_STAFF,
    ),
    "centres:centre-list": ("", lambda o: reverse("centres:centre-detail", args=[o["centre"].pk]), Perm.VIEW_CENTRES),
    "centres:booking-list": (
        "",
        lambda o: reverse("centres:booking-detail", args=[o["booking"].pk]),
        Perm.VIEW_CENTRES,
    ),
    "activities:activity-list": (
        "",
        _community_object("activities:activity-detail", "activity"),
        Perm.VIEW_CENTRES,
    ),
    "serviceday:cycle-list": (
        "",
        _community_object("serviceday:cycle-detail", "service_cycle"),
        Perm.VIEW_DELIBERATION,
    ),
    "deliberation:list": ("", _community_object("deliberation:detail", "deliberation"), Perm.VIEW_DELIBERATION),
    "deliberation:programme-list": (
        "",
        _community_object("deliberation:programme-detail", "programme"),
        Perm.VIEW_DELIBERATION,
    ),
    "socialorgs:organisation-list": (
        "",
        _community_object("socialorgs:organisation-detail", "social_org"),
        Perm.VIEW_ACTORS,
    ),
    "socialorgs:base-list": ("", _kept_above_community("socialorgs:base-detail", "incubation_base"), Perm.VIEW_ACTORS),
    "estates:estate-list": ("", _community_object("estates:estate-detail", "estate"), Perm.VIEW_ACTORS),
    "propertyfirms:company-list": (
        "",
        _community_object("propertyfirms:company-detail", "property_company"),
        Perm.VIEW_ACTORS,
    ),
    "gridvisits:visit-list": (
        "",
        lambda o: reverse("gridvisits:visit-detail", args=[o["visit"].pk]),
        Perm.VIEW_GRID_VISITS,
    ),
    "admission:request-list": (
        "",
        _kept_above_community("admission:request-detail", "admission_request"),
        Perm.VIEW_ADMISSION,
    ),
    "admission:task-list": ("", _community_object("admission:task-detail", "admission_task"), Perm.VIEW_ADMISSION),
    "keytasks:task-list": ("", _community_object("keytasks:task-detail", "key_task"), Perm.VIEW_KEY_TASKS),
}
KEPT_ABOVE_COMMUNITY |= {"socialorgs:base-list", "admission:request-list"}

# Staff pages that hold no place-scoped object, with the reason; their access is tested in their own app.
SECURITY_CONSOLE = (
    "the security administrator's console: one city-level role, 403 for every other role; "
    "tested in accounts/tests/test_security_console.py"
)
UNSCOPED_URLS = {
    "threezero:application-review": "a POST of district and city staff; tested in threezero/tests/test_views.py",
    "threezero:application-withdraw": (
        "a POST on an application of the user's areas; tested in threezero/tests/test_views.py"
    ),
    "threezero:application-create": "a form over the places the user manages; tested in threezero/tests/test_views.py",
    "threezero:incident-list": "the incidents of the user's areas; tested in threezero/tests/test_views.py",
    "threezero:incident-create": "a form over the places the user manages; tested in threezero/tests/test_views.py",
    "threezero:units": "the year's three-zero units of the user's areas; tested in threezero/tests/test_views.py",
    "threezero:export": "the scoped applications and incidents as Excel; tested in threezero/tests/test_views.py",
    "mediation:case-create": (
        "a form over the places the user manages; "
        "prefilled objects scoped, tested in mediation/tests/test_cases_views.py"
    ),
    "mediation:case-assign": "a POST move on a case of the user's area; tested in mediation/tests/test_cases_views.py",
    "mediation:case-recuse": (
        "a move form, open only in the states that allow it; tested in mediation/tests/test_cases_views.py"
    ),
    "mediation:case-session": (
        "a move form, open only in the states that allow it; tested in mediation/tests/test_cases_views.py"
    ),
    "mediation:case-conclude": (
        "a move form, open only in the states that allow it; tested in mediation/tests/test_cases_views.py"
    ),
    "mediation:case-close": "a POST move on a case of the user's area; tested in mediation/tests/test_cases_views.py",
    "mediation:case-party-add": "a POST on a case of the user's area; tested in mediation/tests/test_cases_views.py",
    "mediation:case-edit": "a move form on a case of the user's area; tested in mediation/tests/test_case_edit.py",
    "mediation:party-reveal": (
        "an audited POST, refused to grid workers; tested in mediation/tests/test_parties_cases.py"
    ),
    "mediation:agreement-create": "a form open only while mediating; tested in mediation/tests/test_agreements.py",
    "mediation:agreement-pdf": "an audited download of the stored file; tested in mediation/tests/test_agreements.py",
    "mediation:referral-letter": "an audited download of the stored file; tested in mediation/tests/test_referrals.py",
    "mediation:referral-result": (
        "a form open only on a referred case's last referral; tested in mediation/tests/test_referrals.py"
    ),
    "mediation:followup-list": "the follow-ups of the user's areas; tested in mediation/tests/test_agreements.py",
    "mediation:mediator-list": (
        "mediators of the user's areas and those serving it from above; tested in mediation/tests/test_mediators.py"
    ),
    "mediation:mediator-create": "a form over the places the user manages; tested in mediation/tests/test_mediators.py",
    "mediation:figures": "a unit's figures by ?place=, 404 outside scope; tested in mediation/tests/test_figures.py",
    "mediation:figures-export": (
        "a unit's figures by ?place=, 404 outside scope; tested in mediation/tests/test_figures.py"
    ),
    "screening:screening-create": "a form over the grids the user screens; tested in screening/tests/test_views.py",
    "screening:entry-list": "the entries of the user's grids, parties masked; tested in screening/tests/test_views.py",
    "screening:gaps": "the grids of the user's areas not yet screened; tested in screening/tests/test_gaps.py",
    "audit:list": "the audit log belongs to the audit administrator, tested in audit/tests",
    "security:locks": SECURITY_CONSOLE,
    "security:unlock": SECURITY_CONSOLE,
    "security:staff": SECURITY_CONSOLE,
    "security:force-password-change": SECURITY_CONSOLE,
    "security:end-sessions": SECURITY_CONSOLE,
    "security:reset-second-factor": SECURITY_CONSOLE,
    "security:sign-ins": SECURITY_CONSOLE,
    "matters:routing-create": "a form without an object; scoped choices, tested in matters/tests/test_routing.py",
    "intake:hotline": "a filing form; the caller's history is scoped, tested in matters/tests/test_views_intake.py",
    "intake:patrol": "a filing form, tested in matters/tests/test_views_intake.py",
    "intake:hotline-history": "scoped to the operator's area, tested in matters/tests/test_views_intake.py",
    "staff_api:token-list": "integrations of the system administrator, tested in api/tests/test_staff_tokens.py",
    "staff_api:token-create": "integrations of the system administrator, tested in api/tests/test_staff_tokens.py",
    "staff_api:token-revoke": "integrations of the system administrator, tested in api/tests/test_staff_tokens.py",
    "staff_open311:key-list": "Open311 keys belong to no place, tested in open311/tests/test_staff_views.py",
    "staff_open311:key-create": "Open311 keys belong to no place, tested in open311/tests/test_staff_views.py",
    "staff_open311:key-revoke": "Open311 keys belong to no place, tested in open311/tests/test_staff_views.py",
    "webhooks:endpoint-list": "integrations of the system administrator, tested in webhooks/tests/test_views.py",
    "webhooks:endpoint-create": "integrations of the system administrator, tested in webhooks/tests/test_views.py",
    "webhooks:endpoint-edit": "integrations of the system administrator, tested in webhooks/tests/test_views.py",
    "webhooks:endpoint-deactivate": "integrations of the system administrator, tested in webhooks/tests/test_views.py",
    "webhooks:endpoint-rotate": "integrations of the system administrator, tested in webhooks/tests/test_views.py",
    "webhooks:delivery-list": "integrations of the system administrator, tested in webhooks/tests/test_views.py",
    "webhooks:delivery-detail": "integrations of the system administrator, tested in webhooks/tests/test_views.py",
    "webhooks:delivery-redeliver": "integrations of the system administrator, tested in webhooks/tests/test_views.py",
    "triage:model-list": "the city's triage model, no place; tested in triage/tests/test_views_models.py",
    "triage:model-detail": "the city's triage model, no place; tested in triage/tests/test_views_models.py",
    "triage:retrain": "the city's triage model, no place; tested in triage/tests/test_views_models.py",
    "triage:policy": "the city's triage model, no place; tested in triage/tests/test_views_models.py",
    "triage:mapping": "the city's triage model, no place; tested in triage/tests/test_views_models.py",
    "triage:correction-list": "the city's triage model's lessons; tested in triage/tests/test_views_models.py",
    "triage:duplicate-policies": "thresholds per category, no place; tested in triage/tests/test_duplicates.py",
    "triage:similar": "likely duplicates scoped to the user's area; tested in triage/tests/test_duplicates.py",
    "triage:hotspot-list": "hot spots scoped to the user's area; tested in triage/tests/test_hotspots.py",
    "matters:merge": "a POST on two matters, both scoped; tested in matters/tests/test_merge.py",
    "analytics:rankings": "league tables of the units under the user's areas; tested in analytics/tests",
    "analytics:definitions": "the measures' definitions, no place",
    "party:evaluations-send": "sends a community's evaluations (POST, MANAGE_PARTY over the community); tested in "
    "party/tests/test_views_evaluations.py",
    "party:evaluations-export": "the evaluations of the user's communities as Excel; tested in "
    "party/tests/test_views_evaluations.py",
    "party:overview-export": "the figures of a unit of the user's areas as Excel; tested in "
    "party/tests/test_overview.py",
    "party:registered-members-export": "the registered members of the user's areas; tested in "
    "party/tests/test_views_staff.py",
    "party:unit-registration-list": "units' registrations with the communities of the user's areas (none at a "
    "grid); tested in party/tests/test_views_staff.py",
    "party:unit-registration-detail": "a unit's registration with a community of the user's areas; tested in "
    "party/tests/test_views_staff.py",
    "party:unit-registration-create": "a form over the units and communities the user manages; tested in "
    "party/tests/test_views_staff.py",
    "wishes:photo": "a photo of a wish the user may see; tested in wishes/tests/test_views.py",
    "wishes:export": "the scoped list of wishes as Excel; tested in wishes/tests/test_views.py",
    "wishes:new": "a form over the communities the user manages; tested in wishes/tests/test_views.py",
    "wishes:settings": "the city's rules for wishes, no place; tested in wishes/tests/test_views.py",
    "volunteers:order-export": "the scoped list of orders as Excel; tested in volunteers/tests",
    "volunteers:order-issue": "a move of a scoped order (POST); tested in volunteers/tests",
    "volunteers:order-decline": "a move of a scoped order (POST); tested in volunteers/tests",
    "volunteers:order-cancel": "a move of a scoped order (POST); tested in volunteers/tests",
    "volunteers:menu-list": "the menu offered at and above the user's places (none at a grid); tested in "
    "volunteers/tests",
    "volunteers:menu-create": "a form over the places the user manages; tested in volunteers/tests",
    "volunteers:menu-edit": "an item of a place the user manages; tested in volunteers/tests",
    "volunteers:menu-withdraw": "an item of a place the user manages (POST); tested in volunteers/tests",
    "care:export": "the scoped list as Excel, audited; tested in care/tests/test_views.py",
    "care:flag": "a form over the households the user manages; tested in care/tests/test_views.py",
    "care:unpair": "a pairing of a household the user manages (POST); tested in care/tests/test_views.py",
    "care:need-matter": "a need of a household the user may see (POST); tested in care/tests/test_views.py",
    "care:need-wish": "a need of a household the user may see (POST); tested in care/tests/test_views.py",
    "points:rule-list": "the city's point rules, no place; tested in points/tests/test_rules.py",
    "points:rule-create": "a city-wide rule (city staff); tested in points/tests/test_rules.py",
    "points:rule-end": "a city-wide rule (city staff); tested in points/tests/test_rules.py",
    "points:rule-delete": "a city-wide rule (city staff); tested in points/tests/test_rules.py",
    "points:reward-list": "rewards offered at and above the user's places (none at a grid); tested in points/tests",
    "points:reward-create": "a form over the places the user manages; tested in points/tests/test_rewards.py",
    "points:reward-edit": "a reward of a place the user manages; tested in points/tests/test_views_staff.py",
    "points:reward-withdraw": "a reward of a place the user manages (POST); tested in points/tests/test_rewards.py",
    "points:account-export": "the scoped accounts as Excel; tested in points/tests/test_views_staff.py",
    "party:unit-contacts": "the contacts of a unit of the user's areas; tested in party/tests/test_views_staff.py",
    "analytics:notice": "the notice's evidence of a ranked unit (street, community, department) of the user's "
    "areas; own, sibling, grid and unknown units tested in analytics/tests/test_views_rankings.py",
    "analytics:settings": "the city's assessment weights, no place; tested in analytics/tests/test_views_rankings.py",
    "analytics:export-ledger": "the queue's scoped ledger; tested in analytics/tests/test_exports.py",
    "analytics:export-rankings": "league tables of the user's units; tested in analytics/tests/test_exports.py",
    "analytics:rises": "alerts of the user's area; tested in analytics/tests/test_views_rises.py",
    "analytics:rise-detail": "an alert of the user's area; tested in analytics/tests/test_views_rises.py",
    "alliances:dissolve": "co-construction (#9), scoped by its object or area; tested in alliances/tests",
    "alliances:edit": "co-construction (#9), scoped by its object or area; tested in alliances/tests",
    "alliances:export": "co-construction (#9), scoped by its object or area; tested in alliances/tests",
    "alliances:hand-over": "co-construction (#9), scoped by its object or area; tested in alliances/tests",
    "alliances:join": "co-construction (#9), scoped by its object or area; tested in alliances/tests",
    "alliances:leave": "co-construction (#9), scoped by its object or area; tested in alliances/tests",
    "alliances:meeting": "co-construction (#9), scoped by its object or area; tested in alliances/tests",
    "alliances:meeting-new": "co-construction (#9), scoped by its object or area; tested in alliances/tests",
    "alliances:new": "co-construction (#9), scoped by its object or area; tested in alliances/tests",
    "alliances:order": "co-construction (#9), scoped by its object or area; tested in alliances/tests",
    "cobuild:figures": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:figures-export": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:match-export": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:match-list": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:match-project": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:milestone-add": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:milestone-done": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:need-create": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:need-edit": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:need-export": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:need-match": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:need-meet": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:need-reopen": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:need-withdraw": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:project-cancel": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:project-create": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:project-edit": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:project-export": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:project-finish": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:project-start": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:resource-create": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:resource-edit": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:resource-export": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:resource-restore": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:resource-use-up": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "cobuild:resource-withdraw": "co-construction (#9), scoped by its object or area; tested in cobuild/tests",
    "contracts:clause-edit": "co-construction (#9), scoped by its object or area; tested in contracts/tests",
    "contracts:clause-from-match": "co-construction (#9), scoped by its object or area; tested in contracts/tests",
    "contracts:clause-new": "co-construction (#9), scoped by its object or area; tested in contracts/tests",
    "contracts:clause-perform": "co-construction (#9), scoped by its object or area; tested in contracts/tests",
    "contracts:evaluate": "co-construction (#9), scoped by its object or area; tested in contracts/tests",
    "contracts:evidence": "co-construction (#9), scoped by its object or area; tested in contracts/tests",
    "contracts:export": "co-construction (#9), scoped by its object or area; tested in contracts/tests",
    "contracts:new": "co-construction (#9), scoped by its object or area; tested in contracts/tests",
    "party:parttime-create": "a form over the user's organisations; tested in party/tests/test_views_parttime.py",
    "party:parttime-end": "a term of the user's organisations (POST); tested in party/tests/test_views_parttime.py",
    "party:parttime-export": "the scoped terms as Excel; tested in party/tests/test_views_parttime.py",
    "party:parttime-renew": "a term of an organisation the user manages; tested in party/tests/test_views_parttime.py",
    "party:unit-contact-create": "a contact for a unit of the user's areas; tested in party/tests",
    "party:unit-contact-remove": "a contact of a unit of the user's areas (POST); tested in party/tests",
    "people:unit-create": "a form over the places the user manages; tested in people/tests/test_views_units.py",
    "people:unit-edit": "a unit of the user's areas; tested in people/tests/test_views_units.py",
    "ratings:round-list": "rounds are city-wide; their assessments scoped, tested in ratings/tests/test_views.py",
    "ratings:round-new": "the city opens rounds (MANAGE_ASSESSMENT); tested in ratings/tests/test_views.py",
    "ratings:round-detail": "rounds are city-wide; their assessments scoped, tested in ratings/tests/test_views.py",
    "ratings:round-targets": "targets within the manager's units; tested in ratings/tests/test_views.py",
    "ratings:assessment-self": "only the target's own unit, by state; tested in ratings/tests/test_views.py",
    "ratings:assessment-review": "only a unit above the target, by state; tested in ratings/tests/test_views.py",
    "ratings:assessment-accept": "only the city (ACCEPT_RATINGS), by state; tested in ratings/tests/test_views.py",
    "ratings:assessment-higher": "only the city (ACCEPT_RATINGS), by state; tested in ratings/tests/test_views.py",
    "ratings:assessment-lower": "only the city (ACCEPT_RATINGS), by state; tested in ratings/tests/test_views.py",
    "ratings:assessment-evidence": "a file of a scoped assessment; tested in ratings/tests/test_evidence.py",
    "ratings:results": "rounds are city-wide; their rows scoped, tested in ratings/tests/test_results_views.py",
    "ratings:results-history": "scoped rows of the user's areas; tested in ratings/tests/test_results_views.py",
    "ratings:results-history-export": "scoped rows of the user's areas; tested in ratings/tests/test_results_views.py",
    "ratings:results-league": "a round's scoped rows; tested in ratings/tests/test_results_views.py",
    "ratings:results-league-export": "a round's scoped rows; tested in ratings/tests/test_results_views.py",
    "ratings:results-stars": "a round's scoped rows; tested in ratings/tests/test_results_views.py",
    "ratings:results-stars-export": "a round's scoped rows; tested in ratings/tests/test_results_views.py",
    "ratings:results-pay": "a round's scoped secretaries; tested in ratings/tests/test_results_views.py",
    "ratings:results-pay-export": "a round's scoped secretaries; tested in ratings/tests/test_results_views.py",
    "workforce:worker-export": "the scoped worker list as Excel; tested in workforce/tests/test_views.py",
    "workforce:worker-create": "a form over the communities the user manages; tested in workforce/tests/test_views.py",
    "workforce:worker-leave": "a POST on a worker of the user's areas; tested in workforce/tests/test_views.py",
    "workforce:worker-return": "a POST on a worker of the user's areas; tested in workforce/tests/test_views.py",
    "workforce:ladder-list": "a ladder applies at a city or district; tested in workforce/tests",
    "workforce:ladder-create": "a ladder applies at a city or district; tested in workforce/tests",
    "workforce:ladder-preset": "a ladder applies at a city or district; tested in workforce/tests",
    "workforce:ladder-detail": "a ladder applies at a city or district; tested in workforce/tests",
    "workforce:ladder-edit": "a ladder applies at a city or district; tested in workforce/tests",
    "workforce:ladder-pay": "a ladder applies at a city or district; tested in workforce/tests",
    "workforce:ladder-stars": "a ladder applies at a city or district; tested in workforce/tests",
    "workforce:course-list": "a course of a unit above its learners; tested in workforce/tests",
    "workforce:course-create": "a course of a unit above its learners; tested in workforce/tests",
    "workforce:course-detail": "a course of a unit above its learners; tested in workforce/tests",
    "workforce:course-edit": "a course of a unit above its learners; tested in workforce/tests",
    "workforce:record-add": "a POST of a scoped worker on a course; tested in workforce/tests/test_views.py",
    "workforce:record-remove": "a POST on a record of a scoped worker; tested in workforce/tests/test_views.py",
    "workforce:training": "secretaries of the user's areas; tested in workforce/tests/test_views.py",
    "workforce:training-export": "secretaries of the user's areas as Excel; tested in workforce/tests/test_views.py",
    "workforce:staffing": "communities of the user's areas; tested in workforce/tests/test_views.py",
    "workforce:staffing-export": "communities of the user's areas as Excel; tested in workforce/tests/test_views.py",
    "workforce:rule-edit": "the city's staffing standard, no place; tested in workforce/tests/test_views.py",
    "workforce:reserve-list": "each street's reserve pool, scoped by street; tested in workforce/tests/test_views.py",
    "workforce:reserve-create": "each street's reserve pool, scoped by street; tested in workforce/tests/test_views.py",
    "workforce:reserve-edit": "each street's reserve pool, scoped by street; tested in workforce/tests/test_views.py",
    "workforce:reserve-leave": "each street's reserve pool, scoped by street; tested in workforce/tests/test_views.py",
    "schemes:list": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:new": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:preset-install": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:detail": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:edit": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:version-new": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:version": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:version-publish": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:version-note": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:version-retire": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:version-discard": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:thresholds": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:group-new": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:group-edit": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:group-delete": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:indicator-new": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:indicator-edit": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:indicator-delete": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:veto-new": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:veto-edit": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "schemes:veto-delete": "assessment schemes are city-wide, no place; tested in schemes/tests/test_views.py",
    "centres:centre-create": "a form over the places the user manages; tested in centres/tests/test_views_staff.py",
    "centres:booking-create": (
        "a form over the rooms within the user's reach; tested in centres/tests/test_views_staff.py"
    ),
    "centres:usage": "a centre's figures by ?centre=, 404 outside scope; tested in centres/tests/test_views_staff.py",
    "centres:usage-export": (
        "a centre's figures by ?centre=, 404 outside scope; tested in centres/tests/test_views_staff.py"
    ),
    "centres:booking-approve": "a POST move on a scoped booking; tested in centres/tests/test_views_staff.py",
    "centres:booking-refuse": "a POST move on a scoped booking; tested in centres/tests/test_views_staff.py",
    "centres:booking-cancel": "a POST move on a scoped booking; tested in centres/tests/test_views_staff.py",
    "activities:activity-create": (
        "a form over the places, rooms and organisers the user manages, forged choices refused; "
        "tested in activities/tests/test_views.py"
    ),
    "activities:activity-rotate": "a POST on a scoped activity; tested in activities/tests/test_views.py",
    "activities:activity-checkin": "a POST on a scoped activity; tested in activities/tests/test_views.py",
    "activities:activity-photos": "a POST on a scoped activity; tested in activities/tests/test_views.py",
    "activities:life": "the figures of the user's branches (VIEW_PARTY too); tested in activities/tests/test_views.py",
    "activities:life-export": (
        "the figures of the user's branches as Excel (VIEW_PARTY too); tested in activities/tests/test_views.py"
    ),
    "serviceday:cycle-export": (
        "the list's Excel export, narrowed like the list, no personal data; "
        "tested in serviceday/tests/test_staff_pages.py"
    ),
    "deliberation:create": (
        "a form over the communities the user manages; tested in deliberation/tests/test_staff_views.py"
    ),
    "deliberation:programme-create": (
        "a form over the communities and streets the user manages; tested in deliberation/tests/test_staff_views.py"
    ),
    "deliberation:cancel": "a POST move on a scoped deliberation; tested in deliberation/tests/test_staff_views.py",
    "deliberation:comment": "a POST on a scoped deliberation; tested in deliberation/tests/test_staff_views.py",
    "deliberation:comment-hide": (
        "a POST on a comment of a scoped deliberation; tested in deliberation/tests/test_staff_views.py"
    ),
    "deliberation:programme-move": (
        "a POST move on a scoped programme; tested in deliberation/tests/test_staff_views.py"
    ),
    "deliberation:programme-choose": (
        "a POST move on a scoped programme; tested in deliberation/tests/test_staff_views.py"
    ),
    "deliberation:proposal-screen": (
        "a POST move on a scoped proposal; tested in deliberation/tests/test_staff_views.py"
    ),
    "deliberation:proposal-progress": (
        "a POST on a scoped chosen proposal; tested in deliberation/tests/test_staff_views.py"
    ),
    "deliberation:photo": "a progress photo of a scoped proposal; tested in deliberation/tests/test_staff_views.py",
    "socialorgs:organisation-create": (
        "a form over the communities and streets the user manages; tested in socialorgs/tests/test_views.py"
    ),
    "socialorgs:incubation-enter": (
        "a form on an organisation the user manages, over the bases serving it; "
        "tested in socialorgs/tests/test_views.py"
    ),
    "socialorgs:incubation-move": "a POST move on a scoped incubation; tested in socialorgs/tests/test_views.py",
    "socialorgs:base-create": (
        "a form over the streets and units above that the user manages; tested in socialorgs/tests/test_views.py"
    ),
    "socialorgs:figures": "the figures of the user's units; tested in socialorgs/tests/test_figures.py",
    "socialorgs:figures-export": "the figures of the user's units as Excel; tested in socialorgs/tests/test_figures.py",
    "estates:estate-create": (
        "a form over the communities the user manages; tested in estates/tests/test_views_staff.py"
    ),
    "estates:committee-create": (
        "a form on a scoped estate, open only while it has no current committee; "
        "tested in estates/tests/test_views_staff.py"
    ),
    "estates:committee-move": "a POST move on a scoped committee; tested in estates/tests/test_views_staff.py",
    "estates:member-leave": "a POST on a member of a scoped committee; tested in estates/tests/test_views_staff.py",
    "estates:decision-create": "a POST on a meeting of a scoped committee; tested in estates/tests/test_views_staff.py",
    "estates:notice-withdraw": (
        "a POST on a notice of a scoped committee; "
        "NO app test of this page yet (service only, estates/tests/test_services.py)"
    ),
    "estates:coverage": "the committees' coverage of the user's units; tested in estates/tests/test_views_staff.py",
    "estates:coverage-export": (
        "the committees' coverage of the user's units as Excel; tested in estates/tests/test_views_staff.py"
    ),
    "propertyfirms:company-create": (
        "a form over the streets and units above that the user manages; tested in propertyfirms/tests/test_views.py"
    ),
    "propertyfirms:contract-create": (
        "a form on a scoped company over the estates the user manages; tested in propertyfirms/tests/test_views.py"
    ),
    "propertyfirms:matter-link": "a POST linking a scoped matter to a scoped company; NO app test of this page yet",
    "propertyfirms:recognise": (
        "a form on a company at the user's registering or served units; tested in propertyfirms/tests/test_views.py"
    ),
    "propertyfirms:revoke": "a form on a recognition of a scoped company; tested in propertyfirms/tests/test_views.py",
    "propertyfirms:ratings": "the quarters' ratings of the user's estates; tested in propertyfirms/tests/test_views.py",
    "propertyfirms:ratings-export": (
        "the quarters' ratings of the user's estates as Excel; tested in propertyfirms/tests/test_views.py"
    ),
    "propertyfirms:coverage": (
        "the estates of the user's units and who serves them; tested in propertyfirms/tests/test_views.py"
    ),
    "gridvisits:visit-create": "a form over the households the user visits; tested in gridvisits/tests/test_views.py",
    "gridvisits:photo": "a photo of a scoped visit; tested in gridvisits/tests/test_views.py",
    "gridvisits:need-matter": "a POST on a need of a scoped visit; tested in gridvisits/tests/test_views.py",
    "gridvisits:diary": "the user's own visits; tested in gridvisits/tests/test_views.py",
    "gridvisits:diary-of": "a worker's visits within the user's units only; tested in gridvisits/tests/test_views.py",
    "gridvisits:coverage": "the visits' coverage of the user's grids; tested in gridvisits/tests/test_coverage.py",
    "gridvisits:coverage-export": (
        "the coverage of the user's grids as Excel; tested in gridvisits/tests/test_coverage.py"
    ),
    "gridvisits:map": "the map of the user's area; tested in gridvisits/tests/test_layers.py",
    "gridvisits:map-visited": "a layer of the user's households; tested in gridvisits/tests/test_layers.py",
    "gridvisits:map-needs": "a layer of the user's households; tested in gridvisits/tests/test_layers.py",
    "gridvisits:map-difficulty": "an audited layer (VIEW_DIFFICULTY); tested in gridvisits/tests/test_layers.py",
    "admission:request-create": (
        "a form over the streets and units above the user requests for; tested in admission/tests/test_views.py"
    ),
    "admission:request-edit": "a form on the requester's own draft only; tested in admission/tests/test_views.py",
    "admission:request-submit": "a POST move of the requester's draft; tested in admission/tests/test_views.py",
    "admission:request-withdraw": "a POST move of the requester's request; NO app test of this page yet",
    "admission:request-decide": (
        "a POST of an approving body over the request's scope; tested in admission/tests/test_views.py"
    ),
    "admission:request-assign": (
        "a POST assigning an admitted request to communities of its scope; tested in admission/tests/test_views.py"
    ),
    "admission:duty-list": (
        "the duty lists of the city and the districts above or under the user; tested in admission/tests/test_views.py"
    ),
    "admission:duty-history": "the changes of the duty lists the user sees; tested in admission/tests/test_views.py",
    "admission:duty-create": (
        "a form over the lists the user keeps (MANAGE_DUTY_LIST); tested in admission/tests/test_views.py"
    ),
    "admission:duty-edit": (
        "an item of a list the user keeps (MANAGE_DUTY_LIST); tested in admission/tests/test_views.py"
    ),
    "admission:duty-toggle": "a POST on an item of a list the user keeps; tested in admission/tests/test_views.py",
    "admission:body-list": "the approving bodies over the user's units; tested in admission/tests/test_views.py",
    "admission:body-add": (
        "a POST over the departments the user keeps lists for; tested in admission/tests/test_views.py"
    ),
    "admission:body-remove": "a POST on a body the user keeps; tested in admission/tests/test_views.py",
    "admission:task-receive": (
        "a POST on a task assigned to a scoped community; tested in admission/tests/test_views.py"
    ),
    "admission:report-list": (
        "the reports of the user's communities, no detail page; tested in admission/tests/test_views.py"
    ),
    "admission:report-create": "a form over the user's communities; tested in admission/tests/test_views.py",
    "admission:figures": "the figures of the user's units; tested in admission/tests/test_views.py",
    "admission:figures-export": "the figures of the user's units as Excel; tested in admission/tests/test_views.py",
    "keytasks:task-create": (
        "a form over the streets and units above the user manages; tested in keytasks/tests/test_views.py"
    ),
    "keytasks:overview": "the figures of the tasks the user sees; tested in keytasks/tests/test_views.py",
    "keytasks:my-items": "the items of the user and their units; tested in keytasks/tests/test_views.py",
    "keytasks:task-move": "a POST move on a task the user manages; tested in keytasks/tests/test_views.py",
    "keytasks:item-report": "a POST on an item the user reports for; tested in keytasks/tests/test_views.py",
    "keytasks:milestone-create": (
        "a POST on an item of a task the user manages; NO app test of this page yet (service only)"
    ),
    "keytasks:item-cancel": "a POST on an item of a task the user manages; NO app test of this page yet (service only)",
    "keytasks:evidence": "a file of a report on a scoped item; tested in keytasks/tests/test_views.py",
}

STAFF_NAMESPACES = {
    "places",
    "party",
    "people",
    "staff_accounts",
    "imports",
    "audit",
    "security",
    "matters",
    "intake",
    "supervision",
    "staff_api",
    "staff_open311",
    "webhooks",
    "triage",
    "analytics",
    "wishes",
    "volunteers",
    "points",
    "care",
    "cobuild",
    "contracts",
    "alliances",
    "schemes",
    "ratings",
    "workforce",
    "mediation",
    "screening",
    "threezero",
    "centres",
    "activities",
    "serviceday",
    "deliberation",
    "socialorgs",
    "estates",
    "propertyfirms",
    "gridvisits",
    "admission",
    "keytasks",
}

LEVEL_CASES = [
    ("grid", Role.GRID_WORKER),
    ("community", Role.COMMUNITY_STAFF),
    ("street", Role.STREET_STAFF),
    ("district", Role.DISTRICT_STAFF),
]


def _iter_patterns(resolvers: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _iter_patterns(entry.url_patterns, inner or "")
        elif entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def test_every_staff_url_is_in_the_matrix() -> None:
    staff_names = {
        name for name, _ in _iter_patterns(get_resolver().url_patterns) if name.split(":")[0] in STAFF_NAMESPACES
    }
    covered = set(DETAIL_URLS) | set(LIST_URLS) | set(UNSCOPED_URLS) | set(_covered_elsewhere())
    assert staff_names - covered == set(), "add these staff pages to the scope matrix"


def _covered_elsewhere() -> list[str]:
    """Pages that act rather than show an object, whose scope tests live with their app."""
    names = {name for name, _ in _iter_patterns(get_resolver().url_patterns)}
    acting = {"staff_accounts:staff-create", "staff_accounts:staff-deactivate"}
    return [name for name in names if name.split(":")[0] == "imports" or name in acting]


def test_every_view_declares_its_access() -> None:
    """Deny by default: every view of the platform says whether it is public, for signed-in users or for a perm."""
    undeclared = []
    for name, pattern in _iter_patterns(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "")
        if module.startswith("gridwork.") and not hasattr(pattern.callback, ACCESS_ATTRIBUTE):
            undeclared.append(name)
    assert undeclared == []


@pytest.fixture(autouse=True)
def _media_in_a_temporary_directory(settings: Any, tmp_path: Path) -> None:
    """The scope world's matters have photos: keep their files out of the real MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(params=LEVEL_CASES, ids=[level for level, _ in LEVEL_CASES])
def world(request: pytest.FixtureRequest, tree: CityTree) -> ScopeWorld:
    level, role = request.param
    return build_scope_world(tree, own_level=level, role=role)


def _has_none_of_its_own(world: ScopeWorld, url_name: str) -> bool:
    """Whether the world's own and child units hold none of the page's objects: a grid worker's world has no
    street's objects nor a star rating's target, and a community's world has no street's (an incubation base, an
    admission request)."""
    level = world.places["own"].level
    return level in BELOW_COMMUNITY or (level == "community" and url_name in KEPT_ABOVE_COMMUNITY)


def _client_for(world: ScopeWorld) -> Client:
    client = Client()
    client.force_login(world.user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(DETAIL_URLS))
def test_detail_pages_open_own_and_child_and_hide_sibling_and_parent(world: ScopeWorld, url_name: str) -> None:
    build, perm = DETAIL_URLS[url_name]
    client = _client_for(world)
    allowed = perm in ROLE_PERMISSIONS[world.user.active_posts[0].role]
    visible = world.visible(perm, kept_at_community=isinstance(build, CommunityObject))
    statuses = {}
    expected = {}
    for relation in world.relations:
        url = build(world.objects[relation])
        if url is None:  # no such object at this level (no staff post at a micro-grid)
            continue
        statuses[relation] = client.get(url).status_code
        expected[relation] = (200 if relation in visible else 404) if allowed else 403
    if len(statuses) < 3 and _has_none_of_its_own(world, url_name):
        pytest.skip("a community's (or a street's) object: this level's world has none of its own")
    assert len(statuses) >= 3
    assert statuses == expected


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(LIST_URLS))
def test_list_pages_show_own_and_child_only(world: ScopeWorld, url_name: str) -> None:
    query, link_of, perm = LIST_URLS[url_name]
    client = _client_for(world)
    response = client.get(reverse(url_name) + query)
    if perm not in ROLE_PERMISSIONS[world.user.active_posts[0].role]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    html = response.content.decode()
    visible = world.visible(perm, kept_at_community=isinstance(link_of, CommunityObject))
    links = {relation: link_of(world.objects[relation]) for relation in world.relations}
    shown = {relation: f'href="{link}"' in html for relation, link in links.items() if link}
    assert shown == {relation: relation in visible for relation in shown}
    if len(shown) < 3 and _has_none_of_its_own(world, url_name):
        pytest.skip("a community's (or a street's) objects: this level's world has none of its own")
    assert len(shown) >= 3


@pytest.mark.django_db
def test_revealing_a_sibling_residents_data_is_not_found_and_not_audited(world: ScopeWorld) -> None:
    from gridwork.audit.models import AuditEvent

    client = _client_for(world)
    sibling = world.objects["sibling"]["resident"]
    response = client.post(reverse("people:resident-detail", args=[sibling.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="resident.reveal_personal_data", object_id=str(sibling.pk)).exists()


@pytest.mark.django_db
def test_department_handler_sees_jurisdiction_places_but_no_people(tree: CityTree) -> None:
    from gridwork.accounts.tests.factories import make_staff

    user = make_staff(role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department, username="dept")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("places:detail", args=[tree.community.code])).status_code == 200
    assert client.get(reverse("places:detail", args=[tree.district2.code])).status_code == 404
    assert client.get(reverse("people:resident-list")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(set(DETAIL_URLS) | set(LIST_URLS)))
def test_anonymous_users_are_sent_to_sign_in_and_residents_refused(tree: CityTree, url_name: str) -> None:
    world = build_scope_world(tree, own_level="street" if url_name in KEPT_ABOVE_COMMUNITY else "community")
    url = DETAIL_URLS[url_name][0](world.objects["own"]) if url_name in DETAIL_URLS else reverse(url_name)
    assert url is not None
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    resident = make_resident_user(phone="13700001111")
    client = Client()
    client.force_login(resident)
    assert client.get(url).status_code == 403
