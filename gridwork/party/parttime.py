"""兼职委员: appointing a resident unit's party leader to a street's 大工委 or a community's 大党委 for a term, ending a
term early, and renewing one. Staff holding MANAGE_PARTY over the organisation's place do it; each write is one
transaction with an audit row.

The unit must belong with the organisation: it sits in the organisation's area, or it sits at the street of the
community whose committee it joins, or it is registered (单位报到, confirmed) with a community of that area. A term
runs from ``term_start`` to ``term_end``, both days in office, at most ``MAX_TERM_YEARS`` years. The same person —
the same name from the same unit — holds at most one term on an organisation at any day: the rule below refuses an
overlap with a message on the field, the organisation's row lock makes two appointments at once wait for each other,
and a database trigger (migration 0005) refuses any overlap that reaches the table some other way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import formats
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.calendar import term_after, years_later
from gridwork.party.models import PartTimeMember, PartyOrganisation, PartyOrgKind, RegistrationState, UnitRegistration
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place
from gridwork.places.services import place_require_scope

# The organisations that take part-time members: the street's 大工委 and the community's 大党委.
PART_TIME_KINDS: tuple[str, ...] = (PartyOrgKind.WORKING_COMMITTEE, PartyOrgKind.COMMUNITY_COMMITTEE)
MAX_TERM_YEARS = 5
MAX_NAME = 50
MAX_POSITION = 60
MAX_DUTIES = 20
MAX_DUTY = 200
MAX_REASON = 500
EXPIRING_DAYS = 60


def _day(value: date) -> str:
    return formats.date_format(value, "Y-m-d")


def _in_scope(actor: Any, place: Place, perm: str) -> bool:
    try:
        place_require_scope(actor=actor, place=place, perm=perm)
    except PermissionDenied:
        return False
    return True


def duties_normalise(duties: str | list[str]) -> list[str]:
    """The duties as a list: one a line, blank lines and surrounding spaces dropped."""
    lines = duties.splitlines() if isinstance(duties, str) else duties
    return [line.strip() for line in lines if line.strip()]


def unit_belongs_with(*, unit: ResidentUnit, organisation: PartyOrganisation) -> bool:
    """Whether ``unit`` may sit on ``organisation``: it sits in the organisation's area, or at the street above the
    organisation's community, or is registered (confirmed) with a community of the organisation's area."""
    unit_path = unit.place.path
    area = organisation.place.path
    if unit_path.startswith(area) or area.startswith(unit_path):
        return True
    return UnitRegistration.objects.filter(
        unit=unit, state=RegistrationState.CONFIRMED, community__path__startswith=area
    ).exists()


def overlapping_terms(
    *,
    organisation: PartyOrganisation,
    unit: ResidentUnit,
    name: str,
    first_day: date,
    last_day: date,
    exclude: PartTimeMember | None = None,
) -> QuerySet[PartTimeMember]:
    """The person's terms on ``organisation`` with a day in office between ``first_day`` and ``last_day``."""
    terms = (
        PartTimeMember.objects.filter(
            organisation=organisation, resident_unit=unit, name=name, term_start__lte=last_day
        )
        .annotate(in_office_until=Coalesce("ended_on", "term_end"))
        .filter(in_office_until__gte=first_day)
    )
    if exclude is not None:
        terms = terms.exclude(pk=exclude.pk)
    return terms.order_by("term_start")


def part_time_errors(
    *,
    actor: Any,
    organisation: PartyOrganisation | None,
    unit: ResidentUnit | None,
    name: str,
    position: str,
    term_start: date | None,
    term_end: date | None,
    duties: list[str],
) -> dict[str, str]:
    """What is wrong with an appointment, field by field (the overlap with another term included)."""
    errors: dict[str, str] = {}
    if organisation is None:
        errors["organisation"] = _("Choose the 大工委 or 大党委.")
    elif organisation.kind not in PART_TIME_KINDS:
        errors["organisation"] = _("Part-time members sit on a street's 大工委 or a community's 大党委.")
    elif not _in_scope(actor, organisation.place, Perm.MANAGE_PARTY):
        errors["organisation"] = _("This organisation is outside the units you may manage.")
    if unit is None:
        errors["unit"] = _("Choose the resident unit the member comes from.")
    elif (
        organisation is not None
        and "organisation" not in errors
        and not unit_belongs_with(unit=unit, organisation=organisation)
    ):
        errors["unit"] = _(
            "%(unit)s neither sits in the area of %(organisation)s nor is registered with one of its communities."
        ) % {"unit": unit.name, "organisation": organisation.name}
    if not name:
        errors["name"] = _("Enter the member's name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_NAME}
    if len(position) > MAX_POSITION:
        errors["position"] = _("The position is longer than %(max)d characters.") % {"max": MAX_POSITION}
    if term_start is None:
        errors["term_start"] = _("Enter the first day of the term.")
    if term_end is None:
        errors["term_end"] = _("Enter the last day of the term.")
    if term_start is not None and term_end is not None:
        if term_end <= term_start:
            errors["term_end"] = _("The term must end after it starts.")
        elif term_end >= years_later(term_start, MAX_TERM_YEARS):
            errors["term_end"] = _("A term lasts at most %(years)d years.") % {"years": MAX_TERM_YEARS}
    if not duties:
        errors["duties"] = _("List the member's duties, one a line.")
    elif len(duties) > MAX_DUTIES:
        errors["duties"] = _("List at most %(max)d duties.") % {"max": MAX_DUTIES}
    elif any(len(duty) > MAX_DUTY for duty in duties):
        errors["duties"] = _("A duty is longer than %(max)d characters.") % {"max": MAX_DUTY}
    if not errors and organisation is not None and unit is not None and term_start and term_end:
        clash = overlapping_terms(
            organisation=organisation, unit=unit, name=name, first_day=term_start, last_day=term_end
        ).first()
        if clash is not None:
            errors["term_start"] = _(
                "%(name)s already holds a term on %(organisation)s from %(start)s to %(end)s; terms may not overlap."
            ) % {
                "name": name,
                "organisation": organisation.name,
                "start": _day(clash.term_start),
                "end": _day(clash.last_day),
            }
    return errors


def _create_or_overlap(term: PartTimeMember) -> None:
    """Insert; the database's overlap trigger (or the renewal's one-to-one) firing is the field's error."""
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError as error:
        if (
            term.renewed_from_id is not None
            and PartTimeMember.objects.filter(renewed_from=term.renewed_from_id).exists()
        ):
            raise ValidationError({"term_start": _("This term is already renewed.")}) from error
        raise ValidationError({"term_start": _("This term overlaps another term of the same person.")}) from error


def _audit_detail(term: PartTimeMember) -> dict[str, Any]:
    return {
        "organisation": term.organisation.code,
        "unit": term.resident_unit_id,
        "name": term.name,
        "position": term.position,
        "term_start": term.term_start.isoformat(),
        "term_end": term.term_end.isoformat(),
        "duties": term.duty_list,
    }


def _appoint(
    *,
    actor: Any,
    organisation: PartyOrganisation | None,
    unit: ResidentUnit | None,
    name: str,
    position: str,
    term_start: date | None,
    term_end: date | None,
    duties: str | list[str],
    renewed_from: PartTimeMember | None = None,
) -> PartTimeMember:
    """Check and save a term (inside the caller's transaction)."""
    name, position, duty_list = name.strip(), position.strip(), duties_normalise(duties)
    if organisation is not None:
        organisation = PartyOrganisation.objects.select_for_update().select_related("place").get(pk=organisation.pk)
    if unit is not None:
        unit = ResidentUnit.objects.select_related("place").get(pk=unit.pk)
    errors = part_time_errors(
        actor=actor,
        organisation=organisation,
        unit=unit,
        name=name,
        position=position,
        term_start=term_start,
        term_end=term_end,
        duties=duty_list,
    )
    if errors or organisation is None or unit is None or term_start is None or term_end is None:
        raise ValidationError(errors)
    term = PartTimeMember(
        organisation=organisation,
        resident_unit=unit,
        name=name,
        position=position,
        term_start=term_start,
        term_end=term_end,
        duties="\n".join(duty_list),
        renewed_from=renewed_from,
        appointed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _create_or_overlap(term)
    return term


def part_time_appoint(
    *,
    actor: Any,
    organisation: PartyOrganisation | None,
    unit: ResidentUnit | None,
    name: str,
    position: str = "",
    term_start: date | None,
    term_end: date | None,
    duties: str | list[str],
    request: HttpRequest | None = None,
) -> PartTimeMember:
    """聘任兼职委员: appoint ``name`` of ``unit`` to ``organisation`` for a term with its duties; audited."""
    with transaction.atomic():
        term = _appoint(
            actor=actor,
            organisation=organisation,
            unit=unit,
            name=name,
            position=position,
            term_start=term_start,
            term_end=term_end,
            duties=duties,
        )
        audit_record(
            actor=actor, action="part_time_member.appoint", target=term, detail=_audit_detail(term), request=request
        )
    return term


def _locked_term(actor: Any, term: PartTimeMember) -> PartTimeMember:
    locked = (
        PartTimeMember.objects.select_for_update()
        .select_related("organisation__place", "resident_unit__place")
        .get(pk=term.pk)
    )
    place_require_scope(actor=actor, place=locked.organisation.place, perm=Perm.MANAGE_PARTY)
    return locked


def part_time_end(
    *, actor: Any, term: PartTimeMember, ended_on: date | None, reason: str, request: HttpRequest | None = None
) -> PartTimeMember:
    """提前结束任期: the term ends early, ``ended_on`` being its last day in office, for ``reason``; audited. A term
    ends early once; a day on or after the term's own last day is no early end."""
    reason = reason.strip()
    with transaction.atomic():
        term = _locked_term(actor, term)
        if term.ended_on is not None:
            raise ValidationError(
                {"ended_on": _("This term already ended early, on %(day)s.") % {"day": _day(term.ended_on)}}
            )
        errors: dict[str, str] = {}
        if ended_on is None:
            errors["ended_on"] = _("Enter the last day in office.")
        elif ended_on < term.term_start:
            errors["ended_on"] = _("The term starts on %(day)s: it cannot end before.") % {"day": _day(term.term_start)}
        elif ended_on >= term.term_end:
            errors["ended_on"] = _("The term ends on %(day)s anyway; an early end is before that day.") % {
                "day": _day(term.term_end)
            }
        if not reason:
            errors["reason"] = _("Say why the term ends early.")
        elif len(reason) > MAX_REASON:
            errors["reason"] = _("The reason is longer than %(max)d characters.") % {"max": MAX_REASON}
        if errors or ended_on is None:
            raise ValidationError(errors)
        term.ended_on = ended_on
        term.end_reason = reason
        term.save(update_fields=["ended_on", "end_reason"])
        audit_record(
            actor=actor,
            action="part_time_member.end",
            target=term,
            detail={"ended_on": ended_on.isoformat(), "reason": reason, "term_end": term.term_end.isoformat()},
            request=request,
        )
    return term


def renewal_defaults(term: PartTimeMember) -> dict[str, Any]:
    """A renewal's form as it opens: from the day after the term, for as long again in calendar years (never more
    than ``MAX_TERM_YEARS``), the same position and duties."""
    start, end = term_after(term.term_start, term.term_end, max_years=MAX_TERM_YEARS)
    return {"term_start": start, "term_end": end, "position": term.position, "duties": term.duties}


def part_time_renew(
    *,
    actor: Any,
    term: PartTimeMember,
    term_start: date | None,
    term_end: date | None,
    position: str,
    duties: str | list[str],
    request: HttpRequest | None = None,
) -> PartTimeMember:
    """续聘: a new term of the same person on the same organisation, after this one and linked to it; audited. A term
    that ended early is not renewed (appoint again), and a term is renewed once."""
    with transaction.atomic():
        term = _locked_term(actor, term)
        if term.ended_on is not None:
            raise ValidationError(
                {"term_start": _("This term ended early; appoint the member again instead of renewing it.")}
            )
        if PartTimeMember.objects.filter(renewed_from=term).exists():
            raise ValidationError({"term_start": _("This term is already renewed.")})
        if term_start is not None and term_start <= term.term_end:
            raise ValidationError(
                {
                    "term_start": _("A renewal starts after the term it renews, which ends on %(day)s.")
                    % {"day": _day(term.term_end)}
                }
            )
        renewal = _appoint(
            actor=actor,
            organisation=term.organisation,
            unit=term.resident_unit,
            name=term.name,
            position=position,
            term_start=term_start,
            term_end=term_end,
            duties=duties,
            renewed_from=term,
        )
        audit_record(
            actor=actor,
            action="part_time_member.renew",
            target=renewal,
            detail={"renews": term.pk, **_audit_detail(renewal)},
            request=request,
        )
    return renewal


def in_term_q(day: date) -> Q:
    """The terms in office on ``day``."""
    return Q(term_start__lte=day) & (Q(ended_on__isnull=True, term_end__gte=day) | Q(ended_on__gte=day))


def in_office_between_q(first_day: date, last_day: date) -> Q:
    """The terms with a day in office between ``first_day`` and ``last_day`` (both included)."""
    return Q(term_start__lte=last_day) & (
        Q(ended_on__isnull=True, term_end__gte=first_day) | Q(ended_on__gte=first_day)
    )
