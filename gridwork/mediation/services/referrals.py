"""诉调对接: referring a case to a body that can decide it (a court, an arbitration commission, the petition office, a
department, the police) with a referral letter (PDF), and recording the body's result — accepted or settled closes
the case, refused gives it back to the community (registered)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.common.flows import StaleState
from gridwork.mediation.documents import referral_letter_pdf
from gridwork.mediation.flows import CASE_FLOW, CaseAction
from gridwork.mediation.models import CaseState, DisputeCase, ReceivingKind, Referral, ReferralResult
from gridwork.mediation.services.agreements import (
    ascii_name,
    delete_file,
    fresh_case,
    refuse,
    require_manager,
    require_signed_in,
    text_error,
)
from gridwork.places.models import Department

MAX_BODY = 100
MAX_REASON = 2000
MAX_NOTE = 1000


def department_serves(department: Department, case: DisputeCase) -> bool:
    """A department may receive a case of its jurisdiction: its place is the case's place or above it."""
    return department.is_active and case.place.path.startswith(department.place.path)


def referral_errors(
    *, case: DisputeCase, receiving_kind: str, receiving_body: str, reason: str, department: Department | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if receiving_kind not in ReceivingKind.values:
        errors["receiving_kind"] = _("Choose who receives the case: court, arbitration, petition office, …")
    error = text_error(
        receiving_body or "",
        required=_("Name the body that receives the case, e.g. “东湖区人民法院”."),
        limit=MAX_BODY,
    )
    if error:
        errors["receiving_body"] = error
    error = text_error(reason or "", required=_("Say why the case is referred."), limit=MAX_REASON)
    if error:
        errors["reason"] = error
    if department is not None and not department_serves(department, case):
        errors["department"] = _("This department does not serve the place of the case.")
    return errors


def case_refer(
    *,
    actor: Any,
    case: DisputeCase,
    receiving_kind: str,
    receiving_body: str,
    reason: str,
    expected_version: int,
    department: Department | None = None,
) -> Referral:
    """Refer the case: the referral, the case moved to ``referred`` (``refer``) and the referral letter (PDF), in one
    transaction. Needs MANAGE_DISPUTES over the case; an empty receiving body is refused on its field."""
    from gridwork.mediation.services.cases import case_move

    require_signed_in(actor)
    case = fresh_case(case)
    require_manager(actor, case)
    if expected_version != case.version:
        raise StaleState
    CASE_FLOW.target(case.state, CaseAction.REFER)
    errors = referral_errors(
        case=case,
        receiving_kind=receiving_kind,
        receiving_body=receiving_body,
        reason=reason,
        department=department,
    )
    if errors:
        raise ValidationError(errors)
    referral: Referral | None = None
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                case=case,
                receiving_kind=receiving_kind,
                receiving_body=receiving_body.strip(),
                department=department,
                reason=reason.strip(),
                referred_by=actor,
                referred_at=timezone.now(),
            )
            referral.case = case_move(
                actor=actor,
                case=case,
                action=CaseAction.REFER,
                expected_version=expected_version,
                note=referral.reason,
                data={
                    "referral": referral.pk,
                    "receiving_kind": receiving_kind,
                    "receiving_body": referral.receiving_body,
                    "department": department.pk if department is not None else None,
                },
            )
            content = referral_letter_pdf(referral)
            referral.letter.save(
                f"{ascii_name(case.number, prefix='YS')}-{referral.pk}.pdf", ContentFile(content), save=False
            )
            referral.save(update_fields=["letter"])
    except BaseException:
        if referral is not None:
            delete_file(referral.letter)
        raise
    return referral


def referral_result_record(*, actor: Any, referral: Referral, result: str, note: str) -> Referral:
    """The receiving body's result: accepted or settled closes the case; refused gives it back to the community
    (registered), to mediate again or refer elsewhere — say why it was refused. Needs MANAGE_DISPUTES over the case;
    only the case's current referral takes a result, once."""
    from gridwork.mediation.services.cases import case_move

    require_signed_in(actor)
    referral = Referral.objects.get(pk=referral.pk)
    case = fresh_case(referral.case_id)
    require_manager(actor, case)
    if referral.result:
        raise refuse(_("This referral's result is already recorded."))
    latest = Referral.objects.filter(case=case).order_by("-referred_at", "-id").first()
    if case.state != CaseState.REFERRED or latest is None or latest.pk != referral.pk:
        raise refuse(_("Only the case's current referral takes a result."))
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if result not in ReferralResult.values:
        errors["result"] = _("Choose the result: accepted, settled or not accepted.")
    elif result == ReferralResult.REFUSED and not note:
        errors["note"] = _("Say why the body did not accept the case.")
    if len(note) > MAX_NOTE:
        errors["note"] = _("Keep it within %(max)d characters.") % {"max": MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        updated = Referral.objects.filter(pk=referral.pk, result="").update(
            result=result, result_note=note, result_at=now
        )
        if not updated:
            raise StaleState
        case_move(
            actor=actor,
            case=case,
            action=CaseAction.REFERRAL_RESULT,
            expected_version=case.version,
            note=note,
            data={"referral": referral.pk, "result": result, "receiving_body": referral.receiving_body},
        )
    referral.refresh_from_db()
    return referral
