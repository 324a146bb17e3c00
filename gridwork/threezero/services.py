"""Writes of the three-zero units: recording incidents, applying, reviewing and withdrawing applications.

Incidents are recorded, and applications made or withdrawn, by holders of MANAGE_DISPUTES over the place (a street,
community or grid; for a resident unit, the unit's place); applications are reviewed by holders of REVIEW_THREE_ZERO
over the applicant (district and city staff), never by the person who applied. A grant needs the year to be over
and the three counts at zero, unless the reviewer overrides them with a recorded reason. The review keeps the figures
of that moment on the application, in the same transaction as the move.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place
from gridwork.places.services import place_require_scope
from gridwork.threezero.flows import APPLICATION_FLOW, ApplicationAction
from gridwork.threezero.models import Application, ApplicationState, Incident, IncidentKind
from gridwork.threezero.selectors import APPLICANT_LEVELS, INCIDENT_LEVELS, figures_of

EARLIEST_YEAR = 2000
MAX_SUMMARY = 2000
MAX_STATEMENT = 2000
MAX_REASON = 1000
MAX_REFERENCE = 60


def _signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def _text(value: str, *, field: str, required: str | None, limit: int, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = required
    elif len(value) > limit:
        errors[field] = _("Keep it within %(max)d characters.") % {"max": limit}
    return value


def _applicant_place(*, place: Place | None, unit: ResidentUnit | None, levels: tuple[str, ...], what: str) -> Place:
    """The place that stands for the applicant or the incident: the unit's place, or ``place`` at one of ``levels``."""
    if unit is not None:
        if place is not None and not unit.place.path.startswith(place.path):
            raise ValidationError({"unit": _("This unit does not sit in the place chosen.")})
        return unit.place
    if place is None:
        raise ValidationError({"place": _("Choose the place.")})
    if place.level not in levels:
        raise ValidationError({"place": what})
    return place


# --- incidents ------------------------------------------------------------------------------------------------------


def incident_record(
    *,
    actor: Any,
    kind: str,
    occurred_on: date,
    summary: str,
    place: Place | None = None,
    unit: ResidentUnit | None = None,
    reference: str = "",
    today: date | None = None,
) -> Incident:
    """Record an accident, petition or case against a street, community or grid, or a resident unit."""
    _signed_in(actor)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if kind not in IncidentKind.values:
        errors["kind"] = _("Choose the kind of incident.")
    if occurred_on is None or occurred_on > today:
        errors["occurred_on"] = _("The day cannot be in the future.")
    elif occurred_on.year < EARLIEST_YEAR:
        errors["occurred_on"] = _("Choose a day from %(year)d on.") % {"year": EARLIEST_YEAR}
    summary = _text(summary, field="summary", required=_("Say what happened."), limit=MAX_SUMMARY, errors=errors)
    reference = _text(reference, field="reference", required=None, limit=MAX_REFERENCE, errors=errors)
    where = _applicant_place(
        place=place, unit=unit, levels=INCIDENT_LEVELS, what=_("Choose a street, a community or a grid.")
    )
    place_require_scope(actor=actor, place=where, perm=Perm.MANAGE_DISPUTES)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.create(
            kind=kind,
            place=where,
            unit=unit,
            occurred_on=occurred_on,
            summary=summary,
            reference=reference,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="threezero.record_incident",
            target=incident,
            detail={
                "kind": kind,
                "place": where.code,
                "unit": unit.pk if unit else None,
                "on": occurred_on.isoformat(),
            },
        )
    return incident


# --- applications ---------------------------------------------------------------------------------------------------


def application_apply(
    *,
    actor: Any,
    year: int,
    place: Place | None = None,
    unit: ResidentUnit | None = None,
    statement: str = "",
    at: datetime | None = None,
) -> Application:
    """Apply for 三零 status for ``year`` on behalf of a street or community (``place``) or a resident unit."""
    _signed_in(actor)
    at = at or timezone.now()
    errors: dict[str, str] = {}
    this_year = timezone.localtime(at).year
    if not isinstance(year, int) or not EARLIEST_YEAR <= year <= this_year:
        errors["year"] = _("Choose a year from %(first)d to %(last)d.") % {"first": EARLIEST_YEAR, "last": this_year}
    statement = _text(statement, field="statement", required=None, limit=MAX_STATEMENT, errors=errors)
    where = _applicant_place(place=place, unit=unit, levels=APPLICANT_LEVELS, what=_("Choose a street or a community."))
    place_require_scope(actor=actor, place=where, perm=Perm.MANAGE_DISPUTES)
    if errors:
        raise ValidationError(errors)
    live = Application.objects.filter(year=year).exclude(state=ApplicationState.WITHDRAWN)
    live = live.filter(unit=unit) if unit is not None else live.filter(place=where, unit__isnull=True)
    duplicate = ValidationError({"year": _("This applicant has already applied for %(year)d.") % {"year": year}})
    if live.exists():
        raise duplicate
    application = Application(
        year=year,
        place=where,
        unit=unit,
        name=(unit.name if unit is not None else where.name)[:120],
        statement=statement,
        applied_by=actor,
        applied_at=at,
    )
    try:
        with transaction.atomic():
            flow_start(application, flow=APPLICATION_FLOW, actor=actor, at=at, data={"year": year})
    except IntegrityError as error:
        raise duplicate from error
    return application


def application_review(
    *,
    actor: Any,
    application: Application,
    decision: str,
    reason: str,
    expected_version: int,
    override: bool = False,
    at: datetime | None = None,
) -> Application:
    """Grant or refuse (``decision``: ``grant`` or ``refuse``) as a reviewer above the applicant. The figures of this
    moment are kept on the application. A grant needs the year over and zero accidents, petitions and cases — or
    ``override`` with a reason; a refusal always needs a reason."""
    _signed_in(actor)
    at = at or timezone.now()
    place_require_scope(actor=actor, place=application.place, perm=Perm.REVIEW_THREE_ZERO)
    if application.applied_by_id == actor.pk:
        raise PermissionDenied(_("Someone other than the applicant reviews the application."))
    errors: dict[str, str] = {}
    if decision not in (ApplicationAction.GRANT, ApplicationAction.REFUSE):
        raise ValidationError({"decision": _("Choose to grant or to refuse.")})
    if expected_version != application.version:
        raise StaleState
    APPLICATION_FLOW.target(application.state, decision)
    reason = _text(reason, field="reason", required=None, limit=MAX_REASON, errors=errors)
    figures = figures_of(year=application.year, place=application.place, unit=application.unit)
    overridden = False
    if decision == ApplicationAction.REFUSE:
        if not reason:
            errors["reason"] = _("Say why the application is refused.")
    else:
        if timezone.localtime(at).year <= application.year:
            errors[NON_FIELD_ERRORS] = _("The year %(year)d is not over yet: it can be granted from 1 January.") % {
                "year": application.year
            }
        if not figures.zero:
            if not override:
                errors["override"] = _(
                    "The year has %(accidents)d accidents, %(petitions)d petitions and %(cases)d cases: grant it "
                    "only as an exception, with the reason."
                ) % {"accidents": figures.accidents, "petitions": figures.petitions, "cases": figures.cases}
            elif not reason:
                errors["reason"] = _("Say why the status is granted despite the incidents.")
            overridden = True
    if errors:
        raise ValidationError(errors)
    changes = {
        "accidents_count": figures.accidents,
        "petitions_count": figures.petitions,
        "cases_count": figures.cases,
        "disputes_count": figures.disputes,
        "referrals_count": figures.referrals,
        "figures_at": at,
        "reviewer": actor,
        "reviewed_at": at,
        "reason": reason,
        "overridden": overridden,
    }
    data = {
        "accidents": figures.accidents,
        "petitions": figures.petitions,
        "cases": figures.cases,
        "disputes": figures.disputes,
        "referrals": figures.referrals,
        "overridden": overridden,
    }
    with transaction.atomic():
        flow_move(
            application,
            flow=APPLICATION_FLOW,
            action=decision,
            actor=actor,
            note=reason,
            data=data,
            changes=changes,
            expected_version=expected_version,
            at=at,
        )
    return application


def application_withdraw(
    *, actor: Any, application: Application, reason: str, expected_version: int, at: datetime | None = None
) -> Application:
    """Withdraw an application not yet reviewed (MANAGE_DISPUTES over the applicant); the applicant may apply again."""
    _signed_in(actor)
    place_require_scope(actor=actor, place=application.place, perm=Perm.MANAGE_DISPUTES)
    errors: dict[str, str] = {}
    reason = _text(reason, field="reason", required=None, limit=MAX_REASON, errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        flow_move(
            application,
            flow=APPLICATION_FLOW,
            action=ApplicationAction.WITHDRAW,
            actor=actor,
            note=reason,
            expected_version=expected_version,
            at=at,
        )
    return application
