"""Writing grid workers' visits (看问记化): record a visit with its needs and photos; turn a need into a matter, a
micro-wish or a dispute case in one step; and the audit rows of reading the restricted map layer.

Each write is one transaction that checks the actor's permission over the household (``PermissionDenied``),
validates field by field (``ValidationError`` of a dict), saves, and writes its audit row. Who may do what:

- record a visit: ``RECORD_GRID_VISITS`` over the household (grid workers of its grid, its community's staff);
- turn a need into something: ``RECORD_GRID_VISITS`` over the household, and what the service that makes the outcome
  asks: ``FILE_MATTERS`` for a matter; ``wishes.services.wish_post``'s rule for a micro-wish (``MANAGE_PARTY`` over
  the community); ``MANAGE_DISPUTES`` over the grid for a dispute case (``mediation.services.cases.case_register``).

A need becomes one thing, once: the conditional UPDATE of ``common.need_outcomes.mark_converted`` runs in the
transaction that makes the outcome, so of two clicks one wins and the other's outcome is rolled back with it; the
CHECK constraint of ``VisitNeed`` refuses a second outcome whatever writes it.

Photos are cleaned (``common.evidence.clean_evidence``: re-encoded, EXIF and GPS stripped) before the transaction;
files written to storage are removed again when the transaction fails, so no orphan file stays behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.evidence import PHOTO, CleanEvidence, EvidenceRejected, clean_evidence
from gridwork.common.need_outcomes import (
    MAX_NEED,
    MAX_NEEDS,
    NeedAlreadyConverted,
    clean_needs,
    holds_over,
    household_matter_file,
    household_wish_post,
    mark_converted,
)
from gridwork.gridvisits.models import GridVisit, VisitNeed, VisitPhoto
from gridwork.matters.models import Matter
from gridwork.mediation.models import CaseSource, DisputeCase, PartyRole
from gridwork.mediation.services.cases import PartyInput, case_register
from gridwork.places.models import Place, PlaceLevel
from gridwork.wishes.models import Wish

__all__ = ["MAX_NEED", "MAX_NEEDS", "NeedAlreadyConverted"]

MAX_TEXT = 2000
MAX_PHOTOS = 6


# --- rules ----------------------------------------------------------------------------------------------------------


def household_grid(household: Place) -> Place | None:
    """The grid the household lies in (read from its path)."""
    return Place.objects.filter(code__in=household.ancestor_codes(), level=PlaceLevel.GRID).first()


def visit_errors(*, visited_on: date | None, seen: str, asked: str, resolved: str, today: date) -> dict[str, str]:
    """What is wrong with a visit's date and texts: a date is required and not in the future; something was seen."""
    errors: dict[str, str] = {}
    if visited_on is None:
        errors["visited_on"] = _("Enter the day of the visit.")
    elif visited_on > today:
        errors["visited_on"] = _("The date cannot be in the future.")
    if not seen:
        errors["seen"] = _("Say what you saw.")
    for name, text in (("seen", seen), ("asked", asked), ("resolved", resolved)):
        if name not in errors and len(text) > MAX_TEXT:
            errors[name] = _("Keep it within %(max)d characters.") % {"max": MAX_TEXT}
    return errors


def clean_photos(photos: Sequence[IO[bytes]]) -> tuple[list[CleanEvidence], list[str]]:
    """The photos re-encoded without metadata, and what is wrong with the others (documents are refused)."""
    if len(photos) > MAX_PHOTOS:
        return [], [_("At most %(max)d photos per visit.") % {"max": MAX_PHOTOS}]
    cleaned: list[CleanEvidence] = []
    errors: list[str] = []
    for upload in photos:
        name = getattr(upload, "name", "") or ""
        try:
            evidence = clean_evidence(upload, original_name=name)
        except EvidenceRejected as rejected:
            errors.append(str(rejected))
            continue
        if evidence.kind != PHOTO:
            errors.append(_("%(name)s is not a photo (JPEG, PNG or WEBP).") % {"name": name or _("the file")})
            continue
        cleaned.append(evidence)
    return cleaned, errors


def _signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


# --- visits ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitInput:
    household: Place
    visited_on: date | None
    seen: str
    asked: str = ""
    resolved: str = ""
    needs: Sequence[str] = ()
    corrects: GridVisit | None = None


def visit_record(
    *,
    actor: Any,
    values: VisitInput,
    photos: Sequence[IO[bytes]] = (),
    today: date | None = None,
) -> GridVisit:
    """看问记化: record a visit to a household of the actor's area, with what was seen and asked, the needs found, what
    was resolved on the spot and photos. A visit that corrects an earlier one names it (same household)."""
    _signed_in(actor)
    household = values.household
    seen, asked, resolved = values.seen.strip(), values.asked.strip(), values.resolved.strip()
    day = today or timezone.localdate()
    if not holds_over(actor, Perm.RECORD_GRID_VISITS, household):
        raise PermissionDenied(_("This household is outside the grids where you record visits."))
    errors = visit_errors(visited_on=values.visited_on, seen=seen, asked=asked, resolved=resolved, today=day)
    grid = household_grid(household) if household.level == PlaceLevel.HOUSEHOLD else None
    if household.level != PlaceLevel.HOUSEHOLD:
        errors["household"] = _("Choose a household.")
    elif grid is None:
        errors["household"] = _("This household lies in no grid.")
    kept, needs_error = clean_needs(values.needs)
    if needs_error:
        errors["needs"] = needs_error
    corrects = values.corrects
    if corrects is not None and corrects.household_id != household.pk:
        errors["corrects"] = _("A visit corrects an earlier visit of the same household.")
    cleaned, photo_errors = clean_photos(photos)
    if photo_errors:
        errors["photos"] = " ".join(photo_errors)
    if errors:
        raise ValidationError(errors)
    assert values.visited_on is not None
    assert grid is not None
    saved: list[str] = []
    try:
        with transaction.atomic():
            visit = GridVisit.objects.create(
                household=household,
                grid=grid,
                visited_on=values.visited_on,
                seen=seen,
                asked=asked,
                resolved=resolved,
                corrects=corrects,
                recorded_by=actor,
            )
            VisitNeed.objects.bulk_create([VisitNeed(visit=visit, text=text) for text in kept])
            now = timezone.now()
            for evidence in cleaned:
                photo = VisitPhoto(
                    visit=visit, content_type=evidence.content_type, size=len(evidence.content), created_at=now
                )
                photo.file.save(evidence.name, ContentFile(evidence.content), save=False)
                saved.append(photo.file.name)
                photo.save()
            audit_record(
                actor=actor,
                action="gridvisits.visit.record",
                target=visit,
                detail={
                    "household": household.code,
                    "visited_on": values.visited_on.isoformat(),
                    "needs": len(kept),
                    "photos": len(cleaned),
                    "corrects": corrects.pk if corrects is not None else None,
                },
            )
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return visit


# --- needs: one step to a matter, a micro-wish or a dispute case ------------------------------------------------------


def _need_for_conversion(actor: Any, need: VisitNeed) -> tuple[VisitNeed, Place]:
    _signed_in(actor)
    need = VisitNeed.objects.select_for_update(of=("self",)).select_related("visit__household").get(pk=need.pk)
    household = need.visit.household
    if not holds_over(actor, Perm.RECORD_GRID_VISITS, household):
        raise PermissionDenied(_("This household is outside the grids where you record visits."))
    if need.is_converted:
        raise NeedAlreadyConverted
    return need, household


def _mark(*, actor: Any, need: VisitNeed, now: datetime, **outcome: Any) -> None:
    mark_converted(VisitNeed, pk=need.pk, outcome_fields=VisitNeed.OUTCOME_FIELDS, actor=actor, now=now, **outcome)


def need_file_matter(
    *, actor: Any, need: VisitNeed, text: str | None = None, kind: str = "", now: datetime | None = None
) -> Matter:
    """File the need as a matter at the household's building (FILE_MATTERS there); the matter's text defaults to the
    need's words and names nobody."""
    when = now or timezone.now()
    with transaction.atomic():
        need, household = _need_for_conversion(actor, need)
        matter = household_matter_file(
            actor=actor, household=household, text=need.text if text is None else text, kind=kind, now=when
        )
        _mark(actor=actor, need=need, now=when, matter=matter)
        audit_record(
            actor=actor,
            action="gridvisits.need.file_matter",
            target=need,
            detail={"visit": need.visit_id, "matter": matter.number},
        )
    return matter


def need_post_wish(
    *,
    actor: Any,
    need: VisitNeed,
    title: str,
    value: Decimal | None,
    beneficiary_name: str,
    beneficiary_phone: str = "",
    now: datetime | None = None,
) -> Wish:
    """Post the need as a micro-wish on the household's behalf (代发); it awaits the community's review."""
    when = now or timezone.now()
    with transaction.atomic():
        need, household = _need_for_conversion(actor, need)
        wish = household_wish_post(
            actor=actor,
            household=household,
            title=title,
            value=value,
            beneficiary_name=beneficiary_name,
            beneficiary_phone=beneficiary_phone,
            description=need.text,
            now=when,
        )
        _mark(actor=actor, need=need, now=when, wish=wish)
        audit_record(
            actor=actor,
            action="gridvisits.need.post_wish",
            target=need,
            detail={"visit": need.visit_id, "wish": wish.pk},
        )
    return wish


def need_register_case(
    *,
    actor: Any,
    need: VisitNeed,
    title: str,
    dispute_type: str,
    risk: str,
    applicant: str,
    respondent: str = "",
    now: datetime | None = None,
) -> DisputeCase:
    """Register the need as a dispute case (taken up by staff) in the household's grid, with the need's words as the
    facts; the parties are named (an applicant, and a respondent for a dispute between two sides)."""
    when = now or timezone.now()
    parties = [PartyInput(role=PartyRole.APPLICANT, name=applicant)]
    if respondent.strip():
        parties.append(PartyInput(role=PartyRole.RESPONDENT, name=respondent))
    with transaction.atomic():
        need, household = _need_for_conversion(actor, need)
        case = case_register(
            actor=actor,
            place=household,
            title=title,
            dispute_type=dispute_type,
            risk=risk,
            facts=need.text,
            location=household.address or household.name,
            source=CaseSource.STAFF,
            parties=parties,
            at=when,
        )
        _mark(actor=actor, need=need, now=when, case=case)
        audit_record(
            actor=actor,
            action="gridvisits.need.register_case",
            target=need,
            detail={"visit": need.visit_id, "case": case.number},
        )
    return case


# --- reading the restricted layer ------------------------------------------------------------------------------------


def difficulty_layer_read(*, actor: Any, households: int, points: int, request: HttpRequest | None = None) -> None:
    """The audit row of one load of the map's layer of households in difficulty: who, when, how many, from where."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="gridvisits.map.difficulty",
            detail={"households": households, "points": points},
            request=request,
        )
