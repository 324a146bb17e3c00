"""Changing the community workforce. Each service checks the input (``ValidationError`` with a dict of field →
message), the actor's permission *and scope* (``Perm.MANAGE_WORKFORCE`` at the place concerned, or above it), writes
in one transaction and records the worker's event (``common.flows``) or an audit row in the same transaction.

``pay_grade_for`` (以星定酬) is a read and lives in ``selectors``; it is re-exported here for callers that look for
it among the services.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import flow_move, flow_start
from gridwork.places.models import Place, PlaceLevel
from gridwork.workforce.flows import WORKER_FLOW, WorkerAction
from gridwork.workforce.models import (
    Appointment,
    Course,
    Gender,
    PayGrade,
    PayLadder,
    Post,
    ReserveCandidate,
    SocialWorkCert,
    StaffingRule,
    StarPayRule,
    TrainingRecord,
    Worker,
)
from gridwork.workforce.presets import LADDER_PRESETS
from gridwork.workforce.selectors import pay_grade_for

__all__ = ["pay_grade_for"]

MAX_NAME = 50
MAX_TITLE = 60
MAX_REASON = 200
MAX_PAY = Decimal("999999.99")
MAX_COURSE_HOURS = Decimal("9999.9")
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,18}$")
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9Xx]$")
LADDER_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT)
COURSE_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY)


# --- permission and scope -------------------------------------------------------------------------------------------


def _paths(actor: Any, perm: str) -> list[str]:
    if actor is None or not getattr(actor, "is_authenticated", False) or not hasattr(actor, "scope_paths"):
        return []
    return list(actor.scope_paths(perm))


def may_manage_at(actor: Any, place: Place | None) -> bool:
    """Whether ``actor`` holds MANAGE_WORKFORCE at ``place`` or above it."""
    return place is not None and any(place.path.startswith(path) for path in _paths(actor, Perm.MANAGE_WORKFORCE))


def _require(actor: Any, place: Place | None) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    if not may_manage_at(actor, place):
        raise PermissionDenied(_("This place is outside the units whose workforce you may manage."))


def may_manage_city(actor: Any) -> bool:
    """The city-wide standards (``StaffingRule``) are changed by staff holding MANAGE_WORKFORCE at a city."""
    paths = _paths(actor, Perm.MANAGE_WORKFORCE)
    return bool(paths) and Place.objects.filter(level=PlaceLevel.CITY, path__in=paths).exists()


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _text(value: str | None) -> str:
    return (value or "").strip()


# --- workers --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerDetails:
    """The record of a worker that an edit may change (not community, post or grade: those are moves)."""

    name: str
    id_number: str = ""
    phone: str = ""
    gender: str = ""
    birth_date: date | None = None
    title: str = ""
    party_member: bool = False
    social_work_cert: str = SocialWorkCert.NONE


def _check_details(details: WorkerDetails, errors: dict[str, str]) -> dict[str, Any]:
    name = _text(details.name)
    if not name:
        errors["name"] = _("Enter the worker's name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Keep the name to %(max)d characters.") % {"max": MAX_NAME}
    id_number = _text(details.id_number).upper()
    if id_number and not ID_NUMBER.match(id_number):
        errors["id_number"] = _("An ID number has 18 characters: 17 digits and a digit or X.")
    phone = _text(details.phone)
    if phone and not PHONE.match(phone):
        errors["phone"] = _("Enter a phone number of digits only (a leading + and dashes are allowed).")
    if details.gender and details.gender not in Gender.values:
        errors["gender"] = _("Choose a gender from the list.")
    if details.birth_date is not None and not date(1930, 1, 1) <= details.birth_date <= timezone.localdate():
        errors["birth_date"] = _("Enter a date of birth between 1930 and today.")
    title = _text(details.title)
    if len(title) > MAX_TITLE:
        errors["title"] = _("Keep the job title to %(max)d characters.") % {"max": MAX_TITLE}
    if details.social_work_cert not in SocialWorkCert.values:
        errors["social_work_cert"] = _("Choose a certificate from the list.")
    return {
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "gender": details.gender or "",
        "birth_date": details.birth_date,
        "title": title,
        "party_member": bool(details.party_member),
        "social_work_cert": details.social_work_cert,
    }


def _check_ladder(
    community: Place, ladder: PayLadder | None, grade: int | None, errors: dict[str, str]
) -> tuple[PayLadder | None, int | None]:
    if ladder is None:
        if grade is not None:
            errors["ladder"] = _("Choose the pay ladder the grade is on.")
        return None, None
    if not ladder.active or ladder.place.path not in community.ancestor_paths(include_self=True):
        errors["ladder"] = _("This pay ladder does not apply in the worker's community.")
        return None, None
    if grade is None or not 1 <= grade <= ladder.grades:
        errors["grade"] = _("Enter a grade from 1 to %(max)d on this ladder.") % {"max": ladder.grades}
        return ladder, None
    return ladder, grade


def _check_secretary(
    *, community: Place, post: str, is_secretary: bool, worker: Worker | None, errors: dict[str, str]
) -> None:
    if post not in Post.values:
        errors["post"] = _("Choose one of the three posts.")
        return
    if not is_secretary:
        return
    if post != Post.HEAD:
        errors["is_secretary"] = _("The community's party secretary holds the head post.")
        return
    others = Worker.objects.filter(community=community, is_secretary=True, active=True)
    if worker is not None:
        others = others.exclude(pk=worker.pk)
    if others.exists():
        errors["is_secretary"] = _("This community already has a serving party secretary; move or regrade them first.")


def _check_community(community: Place | None, errors: dict[str, str], field: str = "community") -> None:
    if community is None or community.level != PlaceLevel.COMMUNITY:
        errors[field] = _("Choose a community.")


def _check_on(on: date | None, worker: Worker | None, errors: dict[str, str]) -> date:
    today = timezone.localdate()
    when = on or today
    if when > today:
        errors["on"] = _("The date cannot be in the future.")
    if worker is not None:
        current = current_appointment(worker)
        if current is not None and when < current.start:
            errors["on"] = _("The date cannot be before the current appointment began (%(start)s).") % {
                "start": current.start.isoformat()
            }
    return when


def current_appointment(worker: Worker) -> Appointment | None:
    return worker.appointments.filter(end__isnull=True).first()


@contextmanager
def _saving(errors_on_conflict: dict[str, str]) -> Iterator[None]:
    """Turn a uniqueness race (two secretaries appointed at once, say) into the form's message."""
    try:
        yield
    except IntegrityError as error:
        raise ValidationError(errors_on_conflict) from error


def worker_create(
    *,
    actor: Any,
    community: Place | None,
    details: WorkerDetails,
    post: str,
    is_secretary: bool = False,
    ladder: PayLadder | None = None,
    grade: int | None = None,
    joined_on: date | None = None,
) -> Worker:
    """Appoint a new worker to a community: the worker (event 1) and their first appointment."""
    errors: dict[str, str] = {}
    _check_community(community, errors)
    _raise(errors)
    assert community is not None
    _require(actor, community)
    values = _check_details(details, errors)
    _check_secretary(community=community, post=post, is_secretary=is_secretary, worker=None, errors=errors)
    ladder, grade = _check_ladder(community, ladder, grade, errors)
    start = joined_on or timezone.localdate()
    if start > timezone.localdate():
        errors["joined_on"] = _("The date cannot be in the future.")
    _raise(errors)
    worker = Worker(
        community=community,
        post=post,
        is_secretary=is_secretary,
        ladder=ladder,
        grade=grade,
        joined_on=start,
        active=True,
        **values,
    )
    with _saving({"is_secretary": _("This community already has a serving party secretary.")}), transaction.atomic():
        flow_start(worker, flow=WORKER_FLOW, actor=actor, data={"community": community.code, "post": post})
        Appointment.objects.create(
            worker=worker,
            community=community,
            post=post,
            title=worker.title,
            ladder=ladder,
            grade=grade,
            start=start,
            reason=_("Appointed"),
        )
    return worker


def worker_update(*, actor: Any, worker: Worker, details: WorkerDetails, expected_version: int | None) -> Worker:
    """Correct a worker's record: name, contact, qualifications, party membership, title."""
    _require(actor, worker.community)
    errors: dict[str, str] = {}
    values = _check_details(details, errors)
    _raise(errors)
    changed = {field: value for field, value in values.items() if getattr(worker, field) != value}
    with transaction.atomic():
        flow_move(
            worker,
            flow=WORKER_FLOW,
            action=WorkerAction.EDIT,
            actor=actor,
            changes=values,
            data={"changed": sorted(changed)},
            expected_version=expected_version,
        )
        if "title" in changed:
            Appointment.objects.filter(worker=worker, end__isnull=True).update(title=values["title"])
    return worker


def _reappoint(
    worker: Worker,
    *,
    community: Place,
    post: str,
    title: str,
    ladder: PayLadder | None,
    grade: int | None,
    on: date,
    reason: str,
) -> None:
    """Close the open appointment on ``on`` and open the next one from ``on`` (inside the caller's transaction)."""
    Appointment.objects.filter(worker=worker, end__isnull=True).update(end=on)
    Appointment.objects.create(
        worker=worker,
        community=community,
        post=post,
        title=title,
        ladder=ladder,
        grade=grade,
        start=on,
        reason=reason,
    )


def worker_move(
    *,
    actor: Any,
    worker: Worker,
    community: Place | None,
    post: str,
    title: str,
    is_secretary: bool,
    ladder: PayLadder | None,
    grade: int | None,
    on: date | None,
    reason: str,
    expected_version: int | None,
) -> Worker:
    """Move a worker to another community (调动): the actor must manage both communities. The worker's ladder must
    apply in the new community (choose another one otherwise)."""
    _require(actor, worker.community)
    errors: dict[str, str] = {}
    _check_community(community, errors)
    _raise(errors)
    assert community is not None
    if community.pk == worker.community_id:
        errors["community"] = _("Choose a community other than the present one; to change post or grade, regrade.")
    _require(actor, community)
    title, reason = _text(title), _text(reason)
    _check_secretary(community=community, post=post, is_secretary=is_secretary, worker=worker, errors=errors)
    ladder, grade = _check_ladder(community, ladder, grade, errors)
    when = _check_on(on, worker, errors)
    if not reason:
        errors["reason"] = _("Say why the worker moves.")
    if len(title) > MAX_TITLE:
        errors["title"] = _("Keep the job title to %(max)d characters.") % {"max": MAX_TITLE}
    if len(reason) > MAX_REASON:
        errors["reason"] = _("Keep the reason to %(max)d characters.") % {"max": MAX_REASON}
    _raise(errors)
    before = worker.community
    with _saving({"is_secretary": _("This community already has a serving party secretary.")}), transaction.atomic():
        flow_move(
            worker,
            flow=WORKER_FLOW,
            action=WorkerAction.MOVE,
            actor=actor,
            note=reason,
            changes={
                "community": community,
                "post": post,
                "title": title,
                "is_secretary": is_secretary,
                "ladder": ladder,
                "grade": grade,
            },
            data={"from": before.code, "to": community.code, "post": post, "grade": grade, "on": when.isoformat()},
            expected_version=expected_version,
        )
        _reappoint(
            worker, community=community, post=post, title=title, ladder=ladder, grade=grade, on=when, reason=reason
        )
    return worker


def worker_regrade(
    *,
    actor: Any,
    worker: Worker,
    post: str,
    title: str,
    is_secretary: bool,
    ladder: PayLadder | None,
    grade: int | None,
    on: date | None,
    reason: str,
    expected_version: int | None,
) -> Worker:
    """Change a worker's post, title or grade in the same community (a promotion, a regrade, 以星定酬)."""
    _require(actor, worker.community)
    errors: dict[str, str] = {}
    title, reason = _text(title), _text(reason)
    _check_secretary(community=worker.community, post=post, is_secretary=is_secretary, worker=worker, errors=errors)
    ladder, grade = _check_ladder(worker.community, ladder, grade, errors)
    when = _check_on(on, worker, errors)
    if not reason:
        errors["reason"] = _("Say why the post or grade changes.")
    if len(title) > MAX_TITLE:
        errors["title"] = _("Keep the job title to %(max)d characters.") % {"max": MAX_TITLE}
    if len(reason) > MAX_REASON:
        errors["reason"] = _("Keep the reason to %(max)d characters.") % {"max": MAX_REASON}
    same = (post, title, is_secretary, ladder, grade) == (
        worker.post,
        worker.title,
        worker.is_secretary,
        worker.ladder,
        worker.grade,
    )
    if same and not errors:
        errors["grade"] = _("Nothing changes: choose another post, title or grade.")
    _raise(errors)
    with _saving({"is_secretary": _("This community already has a serving party secretary.")}), transaction.atomic():
        flow_move(
            worker,
            flow=WORKER_FLOW,
            action=WorkerAction.REGRADE,
            actor=actor,
            note=reason,
            changes={"post": post, "title": title, "is_secretary": is_secretary, "ladder": ladder, "grade": grade},
            data={
                "from": {"post": worker.post, "grade": worker.grade, "ladder": worker.ladder_id},
                "to": {"post": post, "grade": grade, "ladder": ladder.pk if ladder else None},
                "on": when.isoformat(),
            },
            expected_version=expected_version,
        )
        _reappoint(
            worker,
            community=worker.community,
            post=post,
            title=title,
            ladder=ladder,
            grade=grade,
            on=when,
            reason=reason,
        )
    return worker


def worker_leave(*, actor: Any, worker: Worker, on: date | None, reason: str, expected_version: int | None) -> Worker:
    """The worker leaves the workforce (resigns, retires, is dismissed): their appointment closes."""
    _require(actor, worker.community)
    errors: dict[str, str] = {}
    reason = _text(reason)
    when = _check_on(on, worker, errors)
    if not reason:
        errors["reason"] = _("Say why the worker leaves.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("Keep the reason to %(max)d characters.") % {"max": MAX_REASON}
    _raise(errors)
    with transaction.atomic():
        flow_move(
            worker,
            flow=WORKER_FLOW,
            action=WorkerAction.LEAVE,
            actor=actor,
            note=reason,
            changes={"active": False},
            data={"on": when.isoformat()},
            expected_version=expected_version,
        )
        Appointment.objects.filter(worker=worker, end__isnull=True).update(end=when)
    return worker


def worker_return(*, actor: Any, worker: Worker, on: date | None, reason: str, expected_version: int | None) -> Worker:
    """A worker who left returns to service in their last community, post and grade (not as secretary)."""
    _require(actor, worker.community)
    errors: dict[str, str] = {}
    reason = _text(reason)
    when = on or timezone.localdate()
    if when > timezone.localdate():
        errors["on"] = _("The date cannot be in the future.")
    last = worker.appointments.order_by("-start", "-id").first()
    if last is not None and last.end is not None and when < last.end:
        errors["on"] = _("The date cannot be before the worker left (%(end)s).") % {"end": last.end.isoformat()}
    if not reason:
        errors["reason"] = _("Say why the worker returns.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("Keep the reason to %(max)d characters.") % {"max": MAX_REASON}
    ladder, grade = worker.ladder, worker.grade
    if ladder is not None and not ladder.active:
        ladder, grade = None, None
    _raise(errors)
    with transaction.atomic():
        flow_move(
            worker,
            flow=WORKER_FLOW,
            action=WorkerAction.RETURN,
            actor=actor,
            note=reason,
            changes={"active": True, "is_secretary": False, "ladder": ladder, "grade": grade},
            data={"on": when.isoformat()},
            expected_version=expected_version,
        )
        Appointment.objects.create(
            worker=worker,
            community=worker.community,
            post=worker.post,
            title=worker.title,
            ladder=ladder,
            grade=grade,
            start=when,
            reason=reason,
        )
    return worker


# --- pay ladders ----------------------------------------------------------------------------------------------------


def _check_ladder_fields(name: str, grades: int | None, errors: dict[str, str]) -> str:
    name = _text(name)
    if not name:
        errors["name"] = _("Name the ladder, e.g. 三岗十八级.")
    elif len(name) > 60:
        errors["name"] = _("Keep the name to %(max)d characters.") % {"max": 60}
    if grades is None or not 1 <= grades <= 30:
        errors["grades"] = _("Enter a number of grades from 1 to 30.")
    return name


def ladder_create(
    *, actor: Any, place: Place | None, name: str, grades: int | None, description: str = ""
) -> PayLadder:
    """A new, empty pay ladder for the communities of a city or a district; fill its pay table next."""
    errors: dict[str, str] = {}
    if place is None or place.level not in LADDER_LEVELS:
        errors["place"] = _("A pay ladder applies in a city or a district.")
    _raise(errors)
    _require(actor, place)
    assert place is not None
    name = _check_ladder_fields(name, grades, errors)
    if not errors and PayLadder.objects.filter(place=place, name=name).exists():
        errors["name"] = _("%(place)s already has a ladder of this name.") % {"place": place.name}
    _raise(errors)
    assert grades is not None
    taken = {"name": _("%(place)s already has a ladder of this name.") % {"place": place.name}}
    with _saving(taken), transaction.atomic():
        ladder = PayLadder.objects.create(place=place, name=name, grades=grades, description=_text(description))
        audit_record(actor=actor, action="pay_ladder.create", target=ladder, detail={"grades": grades})
    return ladder


def ladder_update(*, actor: Any, ladder: PayLadder, name: str, description: str, active: bool) -> PayLadder:
    _require(actor, ladder.place)
    errors: dict[str, str] = {}
    name = _check_ladder_fields(name, ladder.grades, errors)
    if not errors and PayLadder.objects.filter(place=ladder.place, name=name).exclude(pk=ladder.pk).exists():
        errors["name"] = _("%(place)s already has a ladder of this name.") % {"place": ladder.place.name}
    _raise(errors)
    with transaction.atomic():
        before = {"name": ladder.name, "active": ladder.active}
        ladder.name, ladder.description, ladder.active = name, _text(description), bool(active)
        ladder.save(update_fields=["name", "description", "active", "updated_at"])
        audit_record(
            actor=actor,
            action="pay_ladder.update",
            target=ladder,
            detail={"before": before, "after": {"name": name, "active": ladder.active}},
        )
    return ladder


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite():
        return None
    return amount


def pay_table_set(*, actor: Any, ladder: PayLadder, pays: dict[tuple[str, int], Any]) -> PayLadder:
    """Set the ladder's monthly pay of each post and grade (a blank removes that cell). Marks the figures as the
    administrator's own (no longer the preset's examples). Errors are keyed ``pay_<post>_<grade>``."""
    _require(actor, ladder.place)
    errors: dict[str, str] = {}
    clean: dict[tuple[str, int], Decimal | None] = {}
    for (post, grade), raw in pays.items():
        key = f"pay_{post}_{grade}"
        if post not in Post.values or not 1 <= grade <= ladder.grades:
            errors[key] = _("There is no such post or grade on this ladder.")
            continue
        if raw is None or str(raw).strip() == "":
            clean[(post, grade)] = None
            continue
        amount = _money(raw)
        if amount is None or amount < 0 or amount > MAX_PAY or amount != amount.quantize(Decimal("0.01")):
            errors[key] = _("Enter an amount in yuan from 0 to %(max)s, with at most two decimals.") % {
                "max": f"{MAX_PAY:,}"
            }
            continue
        clean[(post, grade)] = amount
    _raise(errors)
    with transaction.atomic():
        existing = {(g.post, g.grade): g for g in ladder.pay_grades.select_for_update()}
        changed = 0
        for (post, grade), amount in clean.items():
            found = existing.get((post, grade))
            if amount is None:
                if found is not None:
                    found.delete()
                    changed += 1
            elif found is None:
                PayGrade.objects.create(ladder=ladder, post=post, grade=grade, monthly_pay=amount)
                changed += 1
            elif found.monthly_pay != amount:
                found.monthly_pay = amount
                found.save(update_fields=["monthly_pay"])
                changed += 1
        ladder.example_figures = False
        ladder.save(update_fields=["example_figures", "updated_at"])
        audit_record(actor=actor, action="pay_ladder.pay_table", target=ladder, detail={"cells_changed": changed})
    return ladder


def star_rules_set(*, actor: Any, ladder: PayLadder, grades: dict[int, int | None]) -> PayLadder:
    """以星定酬: the grade on this ladder that each number of stars (0–5) maps to; None removes the rule. Errors are
    keyed ``stars_<n>``."""
    _require(actor, ladder.place)
    errors: dict[str, str] = {}
    for stars, grade in grades.items():
        if not 0 <= stars <= 5:
            errors[f"stars_{stars}"] = _("Stars go from 0 to 5.")
        elif grade is not None and not 1 <= grade <= ladder.grades:
            errors[f"stars_{stars}"] = _("Enter a grade from 1 to %(max)d on this ladder.") % {"max": ladder.grades}
    ordered = sorted((stars, grade) for stars, grade in grades.items() if grade is not None)
    for (lower, low_grade), (higher, high_grade) in itertools.pairwise(ordered):
        if high_grade < low_grade and f"stars_{higher}" not in errors:
            errors[f"stars_{higher}"] = _(
                "More stars cannot map to a lower grade than %(stars)d stars (grade %(grade)d)."
            ) % {
                "stars": lower,
                "grade": low_grade,
            }
    _raise(errors)
    with transaction.atomic():
        for stars, grade in grades.items():
            if grade is None:
                StarPayRule.objects.filter(ladder=ladder, stars=stars).delete()
            else:
                StarPayRule.objects.update_or_create(ladder=ladder, stars=stars, defaults={"grade": grade})
        audit_record(
            actor=actor,
            action="pay_ladder.star_rules",
            target=ladder,
            detail={str(stars): grade for stars, grade in sorted(grades.items())},
        )
    return ladder


def ladder_preset_install(*, actor: Any, key: str, place: Place | None) -> PayLadder:
    """Install one of the seeds' ladders (三岗十八级 / 三岗十一级) at a city or district, with its example pay table
    and example 以星定酬 rules, marked as example figures. Installing it twice at the same place is refused."""
    preset = LADDER_PRESETS.get(key)
    errors: dict[str, str] = {}
    if preset is None:
        errors["key"] = _("There is no such preset.")
    if place is None or place.level not in LADDER_LEVELS:
        errors["place"] = _("A pay ladder applies in a city or a district.")
    _raise(errors)
    assert preset is not None
    assert place is not None
    _require(actor, place)
    taken = {"key": _("%(place)s already has the ladder %(name)s.") % {"place": place.name, "name": preset.name}}
    if PayLadder.objects.filter(place=place, name=preset.name).exists():
        raise ValidationError(taken)
    with _saving(taken), transaction.atomic():
        ladder = PayLadder.objects.create(
            place=place,
            name=preset.name,
            grades=preset.grades,
            description=str(preset.source),
            preset=preset.key,
            example_figures=True,
        )
        PayGrade.objects.bulk_create(
            PayGrade(ladder=ladder, post=post, grade=grade, monthly_pay=preset.monthly_pay(post, grade))
            for post in Post.values
            for grade in range(1, preset.grades + 1)
        )
        StarPayRule.objects.bulk_create(
            StarPayRule(ladder=ladder, stars=stars, grade=grade) for stars, grade in preset.star_grades.items()
        )
        audit_record(actor=actor, action="pay_ladder.preset_install", target=ladder, detail={"preset": key})
    return ladder


# --- training -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseFields:
    title: str
    organiser: str
    start_date: date | None
    end_date: date | None
    hours: Decimal | None
    description: str = ""


def _check_course(fields: CourseFields, errors: dict[str, str]) -> dict[str, Any]:
    title = _text(fields.title)
    if not title:
        errors["title"] = _("Enter the course's title.")
    elif len(title) > 100:
        errors["title"] = _("Keep the title to %(max)d characters.") % {"max": 100}
    organiser = _text(fields.organiser)
    if len(organiser) > 100:
        errors["organiser"] = _("Keep the organiser to %(max)d characters.") % {"max": 100}
    if fields.start_date is None:
        errors["start_date"] = _("Enter the first day of the course.")
    if fields.end_date is None:
        errors["end_date"] = _("Enter the last day of the course.")
    elif fields.start_date is not None and fields.end_date < fields.start_date:
        errors["end_date"] = _("The last day cannot be before the first.")
    hours = fields.hours
    if hours is None or not hours.is_finite() or hours <= 0 or hours > MAX_COURSE_HOURS:
        errors["hours"] = _("Enter the course's hours, above 0.")
    elif hours != hours.quantize(Decimal("0.1")):
        errors["hours"] = _("Enter the hours with at most one decimal.")
    return {
        "title": title,
        "organiser": organiser,
        "start_date": fields.start_date,
        "end_date": fields.end_date,
        "hours": hours,
        "description": _text(fields.description),
    }


def course_create(*, actor: Any, place: Place | None, fields: CourseFields) -> Course:
    errors: dict[str, str] = {}
    if place is None or place.level not in COURSE_LEVELS:
        errors["place"] = _("Choose the city, district, street or community that organises the course.")
    _raise(errors)
    _require(actor, place)
    assert place is not None
    values = _check_course(fields, errors)
    _raise(errors)
    with transaction.atomic():
        course = Course.objects.create(place=place, created_by=actor, **values)
        audit_record(actor=actor, action="course.create", target=course, detail={"hours": str(course.hours)})
    return course


def course_update(*, actor: Any, course: Course, fields: CourseFields) -> Course:
    _require(actor, course.place)
    errors: dict[str, str] = {}
    values = _check_course(fields, errors)
    if not errors and values["hours"] is not None:
        longest = course.records.order_by("-hours").values_list("hours", flat=True).first()
        if longest is not None and values["hours"] < longest:
            errors["hours"] = _("A worker's record has %(hours)s hours; the course cannot be shorter.") % {
                "hours": longest
            }
    _raise(errors)
    with transaction.atomic():
        for field, value in values.items():
            setattr(course, field, value)
        course.save()
        audit_record(actor=actor, action="course.update", target=course, detail={"hours": str(course.hours)})
    return course


def training_record_add(
    *, actor: Any, course: Course, worker: Worker | None, hours: Decimal | None, passed: bool, note: str = ""
) -> TrainingRecord:
    """Record a worker's attendance of a course. The worker must be in a community the course was organised for (the
    course's place or under it) and in the actor's scope; the hours at most the course's."""
    errors: dict[str, str] = {}
    if worker is None:
        errors["worker"] = _("Choose the worker.")
    _raise(errors)
    assert worker is not None
    _require(actor, worker.community)
    if not worker.community.path.startswith(course.place.path):
        errors["worker"] = _("The course was not organised for this worker's community.")
    if hours is None or not hours.is_finite() or hours <= 0:
        errors["hours"] = _("Enter the hours attended, above 0.")
    elif hours > course.hours:
        errors["hours"] = _("The course has %(hours)s hours; a worker cannot attend more.") % {"hours": course.hours}
    elif hours != hours.quantize(Decimal("0.1")):
        errors["hours"] = _("Enter the hours with at most one decimal.")
    note = _text(note)
    if len(note) > MAX_REASON:
        errors["note"] = _("Keep the note to %(max)d characters.") % {"max": MAX_REASON}
    if not errors and TrainingRecord.objects.filter(worker=worker, course=course).exists():
        errors["worker"] = _("This worker's attendance of the course is already recorded.")
    _raise(errors)
    assert hours is not None
    with _saving({"worker": _("This worker's attendance of the course is already recorded.")}), transaction.atomic():
        record = TrainingRecord.objects.create(
            worker=worker, course=course, hours=hours, passed=passed, note=note, recorded_by=actor
        )
        audit_record(
            actor=actor,
            action="training_record.add",
            target=record,
            detail={"worker": worker.pk, "course": course.pk, "hours": str(hours), "passed": passed},
        )
    return record


def training_record_remove(*, actor: Any, record: TrainingRecord) -> None:
    """Remove a record entered by mistake (audited, with what it said)."""
    _require(actor, record.worker.community)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="training_record.remove",
            target=record,
            detail={
                "worker": record.worker_id,
                "course": record.course_id,
                "hours": str(record.hours),
                "passed": record.passed,
            },
        )
        record.delete()


# --- standards ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleFields:
    base_min: int | None
    base_max: int | None
    threshold: int | None
    per_extra_low: int | None
    per_extra_high: int | None
    reserve_ratio: Decimal | None
    training_min_hours: Decimal | None
    certified_goal: Decimal | None


def staffing_rule_update(*, actor: Any, fields: RuleFields) -> StaffingRule:
    """The city's workforce standards: changed by staff holding MANAGE_WORKFORCE at the city; audited."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    if not may_manage_city(actor):
        raise PermissionDenied(_("Only the city's staff may change the workforce standards."))
    errors: dict[str, str] = {}
    if fields.base_min is None or not 1 <= fields.base_min <= 100:
        errors["base_min"] = _("Enter a number of workers from 1 to 100.")
    if fields.base_max is None or not 1 <= fields.base_max <= 100:
        errors["base_max"] = _("Enter a number of workers from 1 to 100.")
    elif fields.base_min is not None and fields.base_max < fields.base_min:
        errors["base_max"] = _("The most cannot be below the least.")
    if fields.threshold is None or not 0 <= fields.threshold <= 100000:
        errors["threshold"] = _("Enter a number of households from 0 to 100,000.")
    if fields.per_extra_low is None or not 1 <= fields.per_extra_low <= 100000:
        errors["per_extra_low"] = _("Enter a number of households from 1 to 100,000.")
    if fields.per_extra_high is None or not 1 <= fields.per_extra_high <= 100000:
        errors["per_extra_high"] = _("Enter a number of households from 1 to 100,000.")
    elif fields.per_extra_low is not None and fields.per_extra_high < fields.per_extra_low:
        errors["per_extra_high"] = _("The upper bound cannot be below the lower bound.")
    ratio = fields.reserve_ratio
    if ratio is None or not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(10):
        errors["reserve_ratio"] = _("Enter a ratio from 0 to 10, e.g. 1.2.")
    elif ratio != ratio.quantize(Decimal("0.01")):
        errors["reserve_ratio"] = _("Enter the ratio with at most two decimals.")
    minimum = fields.training_min_hours
    if minimum is None or not minimum.is_finite() or not Decimal(0) <= minimum <= Decimal(1000):
        errors["training_min_hours"] = _("Enter a number of hours from 0 to 1,000.")
    elif minimum != minimum.quantize(Decimal("0.1")):
        errors["training_min_hours"] = _("Enter the hours with at most one decimal.")
    goal = fields.certified_goal
    if goal is None or not goal.is_finite() or not Decimal(0) <= goal <= Decimal(100):
        errors["certified_goal"] = _("Enter a share from 0 to 100.")
    elif goal != goal.quantize(Decimal("0.01")):
        errors["certified_goal"] = _("Enter the share with at most two decimals.")
    _raise(errors)
    with transaction.atomic():
        rule = StaffingRule.current()
        names = [
            "base_min",
            "base_max",
            "threshold",
            "per_extra_low",
            "per_extra_high",
            "reserve_ratio",
            "training_min_hours",
            "certified_goal",
        ]
        before = {name: str(getattr(rule, name)) for name in names}
        for name in names:
            setattr(rule, name, getattr(fields, name))
        rule.save()
        audit_record(
            actor=actor,
            action="staffing_rule.update",
            target=rule,
            detail={"before": before, "after": {name: str(getattr(rule, name)) for name in names}},
        )
    return rule


# --- the reserve pool -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateFields:
    name: str
    phone: str = ""
    gender: str = ""
    birth_date: date | None = None
    party_member: bool = False
    education: str = ""
    social_work_cert: str = SocialWorkCert.NONE
    current_role: str = ""
    note: str = ""


def _check_candidate(fields: CandidateFields, errors: dict[str, str]) -> dict[str, Any]:
    details = _check_details(
        WorkerDetails(
            name=fields.name,
            phone=fields.phone,
            gender=fields.gender,
            birth_date=fields.birth_date,
            party_member=fields.party_member,
            social_work_cert=fields.social_work_cert,
        ),
        errors,
    )
    education, role = _text(fields.education), _text(fields.current_role)
    if len(education) > 40:
        errors["education"] = _("Keep the education to %(max)d characters.") % {"max": 40}
    if len(role) > 100:
        errors["current_role"] = _("Keep the current role to %(max)d characters.") % {"max": 100}
    return {
        "name": details["name"],
        "phone": details["phone"],
        "gender": details["gender"],
        "birth_date": details["birth_date"],
        "party_member": details["party_member"],
        "social_work_cert": details["social_work_cert"],
        "education": education,
        "current_role": role,
        "note": _text(fields.note),
    }


def reserve_add(
    *, actor: Any, street: Place | None, fields: CandidateFields, added_at: date | None = None
) -> ReserveCandidate:
    """Add a candidate to a street's reserve pool (后备人才库)."""
    errors: dict[str, str] = {}
    if street is None or street.level != PlaceLevel.STREET:
        errors["street"] = _("Choose the street whose pool the candidate joins.")
    _raise(errors)
    _require(actor, street)
    assert street is not None
    values = _check_candidate(fields, errors)
    when = added_at or timezone.localdate()
    if when > timezone.localdate():
        errors["added_at"] = _("The date cannot be in the future.")
    _raise(errors)
    with transaction.atomic():
        candidate = ReserveCandidate.objects.create(street=street, added_at=when, **values)
        audit_record(actor=actor, action="reserve_candidate.add", target=candidate)
    return candidate


def reserve_update(*, actor: Any, candidate: ReserveCandidate, fields: CandidateFields) -> ReserveCandidate:
    _require(actor, candidate.street)
    errors: dict[str, str] = {}
    values = _check_candidate(fields, errors)
    _raise(errors)
    with transaction.atomic():
        for field, value in values.items():
            setattr(candidate, field, value)
        candidate.save()
        audit_record(actor=actor, action="reserve_candidate.update", target=candidate)
    return candidate


def reserve_leave(*, actor: Any, candidate: ReserveCandidate, on: date | None, reason: str) -> ReserveCandidate:
    """The candidate leaves the pool (appointed, moved away, dropped)."""
    _require(actor, candidate.street)
    errors: dict[str, str] = {}
    reason = _text(reason)
    when = on or timezone.localdate()
    if candidate.left_at is not None:
        errors["on"] = _("The candidate has already left the pool.")
    elif when > timezone.localdate():
        errors["on"] = _("The date cannot be in the future.")
    elif when < candidate.added_at:
        errors["on"] = _("The date cannot be before the candidate joined the pool.")
    if not reason:
        errors["reason"] = _("Say why the candidate leaves the pool.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("Keep the reason to %(max)d characters.") % {"max": MAX_REASON}
    _raise(errors)
    with transaction.atomic():
        updated = ReserveCandidate.objects.filter(pk=candidate.pk, left_at__isnull=True).update(
            left_at=when, left_reason=reason
        )
        if not updated:
            raise ValidationError({"on": _("The candidate has already left the pool.")})
        candidate.left_at, candidate.left_reason = when, reason
        audit_record(actor=actor, action="reserve_candidate.leave", target=candidate, detail={"reason": reason})
    return candidate
