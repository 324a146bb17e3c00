"""Opening a round on a published scheme version, adding its targets (all of a kind under a place at once, or one by
one), and closing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.flows import flow_move, flow_start
from gridwork.party.models import PartyOrganisation, PartyOrgKind
from gridwork.places.models import Department, Place, PlaceLevel
from gridwork.ratings.flows import ASSESSMENT_FLOW, ROUND_FLOW, RoundAction
from gridwork.ratings.models import STARS_MAX, Assessment, Round, RoundState, Target
from gridwork.ratings.services.base import (
    MAX_NAME,
    MAX_REASON,
    fresh_round,
    now_or,
    paths_of,
    refuse,
    require,
    retrying,
    signed_in,
    text,
)
from gridwork.schemes.models import SchemeVersion, TargetKind, VersionState
from gridwork.workforce.models import Worker

MAX_TARGETS_AT_ONCE = 2000


def _require_manager(actor: Any) -> list[str]:
    signed_in(actor)
    paths = paths_of(actor, Perm.MANAGE_ASSESSMENT)
    require(bool(paths), _("Only the staff who manage the assessment open rounds and add targets."))
    return paths


# --- opening a round ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundValues:
    name: str
    year: int | None
    scheme_version: SchemeVersion | None
    period_start: date | None
    period_end: date | None
    self_due: date | None
    review_due: date | None
    accept_due: date | None
    higher_review: bool = False
    goal_stars: int = STARS_MAX
    star_goal: Decimal = Decimal(0)


def round_errors(values: RoundValues) -> dict[str, str]:
    """What is wrong with a round's settings, field by field."""
    errors: dict[str, str] = {}
    text(
        values.name,
        field="name",
        required=_("Give the round a name, e.g. “2026 annual”."),
        limit=MAX_NAME,
        errors=errors,
    )
    if values.year is None or not 2000 <= values.year <= 2100:
        errors["year"] = _("Give the year the round rates, e.g. 2026.")
    version = values.scheme_version
    if version is None:
        errors["scheme_version"] = _("Choose the scheme version the round scores on.")
    elif version.state != VersionState.PUBLISHED:
        errors["scheme_version"] = _("Only a published scheme version can be used: publish the draft first.")
    if values.period_start is None:
        errors["period_start"] = _("Give the first day of the period the figures cover.")
    if values.period_end is None:
        errors["period_end"] = _("Give the last day of the period the figures cover.")
    elif values.period_start is not None and values.period_end < values.period_start:
        errors["period_end"] = _("The period cannot end before it starts.")
    dues = [("self_due", values.self_due), ("review_due", values.review_due), ("accept_due", values.accept_due)]
    for field, due in dues:
        if due is None:
            errors[field] = _("Give the deadline.")
    if values.self_due and values.review_due and values.review_due < values.self_due:
        errors["review_due"] = _("The street review cannot be due before the self-assessment.")
    if values.review_due and values.accept_due and values.accept_due < values.review_due:
        errors["accept_due"] = _("The city's acceptance cannot be due before the street review.")
    if not 1 <= values.goal_stars <= STARS_MAX:
        errors["goal_stars"] = _("Give a number of stars from 1 to 5.")
    if not Decimal(0) <= values.star_goal <= Decimal(100):
        errors["star_goal"] = _("Give a share from 0 to 100 %.")
    return errors


def round_create(*, actor: Any, values: RoundValues, now: datetime | None = None) -> Round:
    """Open a round (评定轮次) on a published scheme version with its period, deadlines and the year's goal."""
    _require_manager(actor)
    errors = round_errors(values)
    if errors:
        raise ValidationError(errors)
    assert values.scheme_version is not None
    assert values.year is not None
    assert values.period_start
    assert values.period_end
    assert values.self_due
    assert values.review_due
    assert values.accept_due
    round_ = Round(
        name=values.name.strip(),
        year=values.year,
        scheme_version=values.scheme_version,
        period_start=values.period_start,
        period_end=values.period_end,
        self_due=values.self_due,
        review_due=values.review_due,
        accept_due=values.accept_due,
        higher_review=values.higher_review,
        goal_stars=values.goal_stars,
        star_goal=values.star_goal,
        created_by=actor,
    )
    return flow_start(
        round_,
        flow=ROUND_FLOW,
        actor=actor,
        data={"scheme_version": values.scheme_version.pk, "year": values.year},
        at=now_or(now),
    )


def round_close(*, actor: Any, round_: Round, reason: str = "", expected_version: int | None = None) -> Round:
    """Close a round: its assessments no longer move (stars may still be lowered, 动态调整)."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    reason = text(reason, field="reason", required=None, limit=MAX_REASON, errors=errors)
    if errors:
        raise ValidationError(errors)
    fresh = fresh_round(round_)
    when = now_or(None)
    flow_move(
        fresh,
        flow=ROUND_FLOW,
        action=RoundAction.CLOSE,
        actor=actor,
        note=reason,
        changes={"closed_at": when},
        expected_version=expected_version,
        at=when,
    )
    return fresh


# --- targets ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """Something a round of a kind can rate: its scope place, the object, and its label."""

    place: Place
    name: str
    party_organisation: PartyOrganisation | None = None
    worker: Worker | None = None
    department: Department | None = None

    @property
    def key(self) -> tuple[str, int]:
        if self.party_organisation is not None:
            return ("org", self.party_organisation.pk)
        if self.worker is not None:
            return ("worker", self.worker.pk)
        if self.department is not None:
            return ("department", self.department.pk)
        return ("place", self.place.pk)


def _under(lookup: str, paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def _community_of(place: Place) -> Place:
    if place.level == PlaceLevel.COMMUNITY:
        return place
    codes = place.ancestor_codes()
    return Place.objects.filter(code__in=codes, level=PlaceLevel.COMMUNITY).first() or place


def target_candidates(*, kind: str, paths: list[str], pk: int | None = None) -> list[Candidate]:
    """What a round of ``kind`` can rate under the place ``paths`` (one of them when ``pk`` is given)."""
    found: list[Candidate] = []
    if kind in (TargetKind.COMMUNITY, TargetKind.GRID):
        level = PlaceLevel.COMMUNITY if kind == TargetKind.COMMUNITY else PlaceLevel.GRID
        places = Place.objects.filter(_under("path", paths), level=level).select_related("parent")
        if pk is not None:
            places = places.filter(pk=pk)
        found = [
            Candidate(place=p, name=f"{p.parent.name} › {p.name}" if p.parent is not None else p.name) for p in places
        ]
    elif kind == TargetKind.ESTATE_PARTY:
        organisations = PartyOrganisation.objects.filter(
            _under("place__path", paths), kind=PartyOrgKind.BRANCH
        ).select_related("place")
        if pk is not None:
            organisations = organisations.filter(pk=pk)
        found = [Candidate(place=_community_of(o.place), name=o.name, party_organisation=o) for o in organisations]
    elif kind == TargetKind.SECRETARY:
        workers = Worker.objects.filter(_under("community__path", paths), is_secretary=True, active=True)
        workers = workers.select_related("community")
        if pk is not None:
            workers = workers.filter(pk=pk)
        found = [Candidate(place=w.community, name=w.name, worker=w) for w in workers]
    elif kind == TargetKind.DEPARTMENT:
        departments = Department.objects.filter(_under("place__path", paths), is_active=True).select_related("place")
        if pk is not None:
            departments = departments.filter(pk=pk)
        found = [Candidate(place=d.place, name=d.name, department=d) for d in departments]
    return found


def _existing_keys(round_: Round) -> set[tuple[str, int]]:
    keys: set[tuple[str, int]] = set()
    for place_id, org_id, worker_id, department_id in Target.objects.filter(round=round_).values_list(
        "place_id", "party_organisation_id", "worker_id", "department_id"
    ):
        if org_id is not None:
            keys.add(("org", org_id))
        elif worker_id is not None:
            keys.add(("worker", worker_id))
        elif department_id is not None:
            keys.add(("department", department_id))
        else:
            keys.add(("place", place_id))
    return keys


def _add(actor: Any, round_: Round, candidates: list[Candidate], *, under: Place | None, now: datetime | None) -> int:
    when = now_or(now)

    def attempt() -> int:
        with transaction.atomic():
            fresh = fresh_round(round_)
            existing = _existing_keys(fresh)
            new = [candidate for candidate in candidates if candidate.key not in existing]
            flow_move(
                fresh,
                flow=ROUND_FLOW,
                action=RoundAction.ADD_TARGETS,
                actor=actor,
                data={"added": len(new), "under": under.code if under is not None else ""},
                at=when,
            )
            for candidate in new:
                target = Target.objects.create(
                    round=fresh,
                    kind=fresh.scheme_version.scheme.target_kind,
                    place=candidate.place,
                    party_organisation=candidate.party_organisation,
                    worker=candidate.worker,
                    department=candidate.department,
                    name=candidate.name[:150],
                )
                flow_start(Assessment(target=target), flow=ASSESSMENT_FLOW, actor=actor, at=when)
            return len(new)

    try:
        return retrying(attempt)
    except IntegrityError as error:  # the same object added by someone else at the same moment
        raise refuse(_("Someone else added targets at the same time. Reload the page and try again.")) from error


def round_add_all(*, actor: Any, round_: Round, under: Place, now: datetime | None = None) -> int:
    """Add every object of the round's kind under ``under`` (a city, district or street — all its communities, say)
    that is not a target yet; returns how many were added."""
    paths = _require_manager(actor)
    if not any(under.path.startswith(path) for path in paths):
        raise PermissionDenied(_("This place is outside the units you may manage."))
    fresh = fresh_round(round_)
    if fresh.state != RoundState.OPEN:
        raise refuse(_("The round is closed: no targets can be added."))
    candidates = target_candidates(kind=fresh.scheme_version.scheme.target_kind, paths=[under.path])
    if len(candidates) > MAX_TARGETS_AT_ONCE:
        raise ValidationError({"under": _("Too many at once: choose a smaller unit.")})
    if not candidates:
        raise ValidationError(
            {"under": _("There is nothing of this kind to rate under %(place)s.") % {"place": under.name}}
        )
    return _add(actor, fresh, candidates, under=under, now=now)


def round_add_one(*, actor: Any, round_: Round, object_pk: int, now: datetime | None = None) -> int:
    """Add one target: a community or grid (a place id), an estate party organisation, a secretary (a worker id) or a
    department, by the round's kind; it must lie under the actor's units. Returns 1, or 0 if it was a target already."""
    paths = _require_manager(actor)
    fresh = fresh_round(round_)
    if fresh.state != RoundState.OPEN:
        raise refuse(_("The round is closed: no targets can be added."))
    candidates = target_candidates(kind=fresh.scheme_version.scheme.target_kind, paths=paths, pk=object_pk)
    if not candidates:
        raise ValidationError({"target": _("Choose something of the round's kind within your units.")})
    return _add(actor, fresh, candidates, under=None, now=now)
