"""调解协议书 and 回访: writing the agreement a mediation reached (with its follow-up dates and its PDF, and the case's
outcome, all in one transaction), recording a follow-up of its performance, the follow-ups due, and the daily
reminder of the follow-ups due today."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm
from gridwork.accounts.selectors import users_holding
from gridwork.common.flows import StaleState
from gridwork.common.numbering import next_number
from gridwork.common.scope import path_scope_q
from gridwork.mediation.documents import agreement_pdf, sha256_of
from gridwork.mediation.flows import CASE_FLOW, CaseAction
from gridwork.mediation.models import Agreement, CaseState, DisputeCase, FollowUp, Outcome, Performance
from gridwork.places.services import place_require_scope

MAX_TEXT = 4000
MAX_NOTE = 1000
MAX_FOLLOW_UPS = 6
RETRIES = 5
NUMBER_PREFIX = "调协"


# --- shared by the documents' services -------------------------------------------------------------------------------


def require_signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def require_manager(actor: Any, case: DisputeCase) -> None:
    """MANAGE_DISPUTES over the case's place, or ``PermissionDenied``."""
    require_signed_in(actor)
    place_require_scope(actor=actor, place=case.place, perm=Perm.MANAGE_DISPUTES)


def fresh_case(case: DisputeCase | int) -> DisputeCase:
    pk = case.pk if isinstance(case, DisputeCase) else case
    return DisputeCase.objects.select_related("place", "community__parent", "mediator").get(pk=pk)


def refuse(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


def text_error(value: str, *, required: str | None, limit: int) -> str | None:
    if required and not value.strip():
        return required
    if len(value.strip()) > limit:
        return _("Keep it within %(max)d characters.") % {"max": limit}
    return None


def delete_file(field: Any) -> None:
    """Remove a file written in a transaction that did not commit."""
    name = getattr(field, "name", "")
    if name:
        field.storage.delete(name)


def ascii_name(number: str, *, prefix: str) -> str:
    """A file name from a number like 调协-2026-000123: ``prefix`` and the digits and dashes (TX-2026-000123)."""
    return prefix + re.sub(r"[^0-9-]", "", number)


def community_managers(case: DisputeCase) -> list[User]:
    """Active staff with a post at the case's community that grants MANAGE_DISPUTES."""
    return users_holding(Perm.MANAGE_DISPUTES, place_id=case.community_id)


# --- 调解协议书 ------------------------------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    """The agreement's number, ``NUMBER_PREFIX``-YYYY-NNNNNN (``next_number``)."""
    return next_number(Agreement, prefix=f"{NUMBER_PREFIX}-{year}-", width=6)


def agreement_errors(
    *, facts: str, terms: str, performance: str, signed_on: date | None, follow_up_on: Sequence[date], today: date
) -> dict[str, str]:
    """What is wrong with an agreement's text and dates, field by field."""
    errors: dict[str, str] = {}
    for field, value, required in (
        ("facts", facts, _("Write the facts of the dispute and what was disputed.")),
        ("terms", terms, _("Write the terms the parties agreed.")),
        ("performance", performance, _("Say how and by when the terms are performed.")),
    ):
        error = text_error(value or "", required=required, limit=MAX_TEXT)
        if error:
            errors[field] = error
    if signed_on is None:
        errors["signed_on"] = _("Give the date the parties signed.")
    elif signed_on > today:
        errors["signed_on"] = _("The signing date cannot be in the future.")
    days = list(follow_up_on)
    if not days:
        errors["follow_up_on"] = _("Set at least one follow-up date to check that the agreement is performed.")
    elif len(days) > MAX_FOLLOW_UPS:
        errors["follow_up_on"] = _("At most %(max)d follow-ups.") % {"max": MAX_FOLLOW_UPS}
    elif len(set(days)) != len(days):
        errors["follow_up_on"] = _("The same follow-up date is given twice.")
    elif signed_on is not None and min(days) < signed_on:
        errors["follow_up_on"] = _("A follow-up cannot come before the agreement is signed.")
    return errors


def agreement_create(
    *,
    actor: Any,
    case: DisputeCase,
    facts: str,
    terms: str,
    performance: str,
    signed_on: date,
    follow_up_on: Sequence[date],
    partial: bool = False,
    expected_version: int,
) -> Agreement:
    """调解协议书: in one transaction the agreement (numbered 调协-YYYY-NNNNNN), its follow-ups, the case's outcome
    (agreement, or partial agreement) through ``case_conclude``, and the PDF with its SHA-256. Needs MANAGE_DISPUTES
    over the case; the case must be mediating and still at ``expected_version``."""
    from gridwork.mediation.services.cases import case_conclude

    require_signed_in(actor)
    case = fresh_case(case)
    require_manager(actor, case)
    if expected_version != case.version:
        raise StaleState
    CASE_FLOW.target(case.state, CaseAction.CONCLUDE)
    if Agreement.objects.filter(case=case).exists():
        raise refuse(_("This case already has an agreement."))
    days = sorted(follow_up_on)
    errors = agreement_errors(
        facts=facts,
        terms=terms,
        performance=performance,
        signed_on=signed_on,
        follow_up_on=days,
        today=timezone.localdate(),
    )
    if errors:
        raise ValidationError(errors)
    outcome = Outcome.PARTIAL if partial else Outcome.AGREEMENT
    year = timezone.localdate().year
    for attempt in range(RETRIES):
        agreement: Agreement | None = None
        try:
            with transaction.atomic():
                agreement = Agreement.objects.create(
                    case=case,
                    number=_next_number(year),
                    facts=facts.strip(),
                    terms=terms.strip(),
                    performance=performance.strip(),
                    signed_on=signed_on,
                    created_by=actor,
                )
                FollowUp.objects.bulk_create(FollowUp(agreement=agreement, due_on=day) for day in days)
                agreement.case = case_conclude(
                    actor=actor,
                    case=case,
                    outcome=outcome,
                    note=_("Agreement %(number)s signed on %(day)s.")
                    % {"number": agreement.number, "day": signed_on.isoformat()},
                    expected_version=expected_version,
                )
                content = agreement_pdf(agreement)
                agreement.pdf.save(f"{ascii_name(agreement.number, prefix='TX')}.pdf", ContentFile(content), save=False)
                agreement.pdf_sha256 = sha256_of(content)
                agreement.save(update_fields=["pdf", "pdf_sha256"])
                return agreement
        except IntegrityError:
            if agreement is not None:
                delete_file(agreement.pdf)
            if Agreement.objects.filter(case=case).exists():
                raise refuse(_("This case already has an agreement.")) from None
            if attempt == RETRIES - 1:
                raise
        except BaseException:
            if agreement is not None:
                delete_file(agreement.pdf)
            raise
    raise AssertionError("unreachable")


# --- 回访 ------------------------------------------------------------------------------------------------------------


def followup_record(*, actor: Any, follow_up: FollowUp, result: str, note: str, done_on: date | None) -> FollowUp:
    """回访: whether the agreement is performed (performed, partly, not performed), when the check was done and what
    was found; the case records it as an event (``follow_up``). Needs MANAGE_DISPUTES over the case."""
    from gridwork.mediation.services.cases import case_move

    require_signed_in(actor)
    follow_up = FollowUp.objects.select_related("agreement").get(pk=follow_up.pk)
    case = fresh_case(follow_up.agreement.case_id)
    require_manager(actor, case)
    if follow_up.done_on is not None:
        raise refuse(_("This follow-up is already recorded."))
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if result not in Performance.values:
        errors["result"] = _("Say whether the agreement is performed: performed, partly or not performed.")
    elif result != Performance.PERFORMED and not note:
        errors["note"] = _("Say what is not performed and what the parties said.")
    if len(note) > MAX_NOTE:
        errors["note"] = _("Keep it within %(max)d characters.") % {"max": MAX_NOTE}
    if done_on is None:
        errors["done_on"] = _("Give the date of the follow-up.")
    elif done_on > timezone.localdate():
        errors["done_on"] = _("The follow-up cannot be dated in the future.")
    elif done_on < follow_up.agreement.signed_on:
        errors["done_on"] = _("The follow-up cannot come before the agreement was signed.")
    if errors:
        raise ValidationError(errors)
    assert done_on is not None
    data = {
        "follow_up": follow_up.pk,
        "agreement": follow_up.agreement.number,
        "due_on": follow_up.due_on.isoformat(),
        "done_on": done_on.isoformat(),
        "result": result,
    }
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                updated = FollowUp.objects.filter(pk=follow_up.pk, done_on__isnull=True).update(
                    done_on=done_on, result=result, note=note, done_by=actor
                )
                if not updated:
                    raise refuse(_("This follow-up is already recorded."))
                case_move(
                    actor=actor,
                    case=case,
                    action=CaseAction.FOLLOW_UP,
                    expected_version=case.version,
                    note=note,
                    data=data,
                )
            break
        except StaleState:
            # The case moved meanwhile (another follow-up, its closing): record on its new version.
            if attempt == RETRIES - 1:
                raise
            case = fresh_case(case.pk)
    follow_up.refresh_from_db()
    return follow_up


def followups_due(user: Any, *, on: date) -> QuerySet[FollowUp]:
    """The follow-ups due on or before ``on`` and not yet done, of concluded or closed cases in the user's scope
    (VIEW_DISPUTES), earliest first."""
    return (
        FollowUp.objects.filter(
            done_on__isnull=True,
            due_on__lte=on,
            agreement__case__state__in=[CaseState.CONCLUDED, CaseState.CLOSED],
        )
        .filter(path_scope_q(user, Perm.VIEW_DISPUTES, "agreement__case__place__path"))
        .select_related("agreement__case__community", "agreement__case__mediator")
        .order_by("due_on", "id")
    )


def followups_remind(*, on: date | None = None) -> int:
    """The daily reminder: for each follow-up due on ``on`` (today), the community's dispute staff and the mediator's
    account are told, after commit. Returns how many follow-ups were announced."""
    from gridwork.notifications.services import notification_send

    on = on or timezone.localdate()
    due = list(
        FollowUp.objects.filter(
            done_on__isnull=True,
            due_on=on,
            agreement__case__state__in=[CaseState.CONCLUDED, CaseState.CLOSED],
        ).select_related("agreement__case__community", "agreement__case__mediator__user")
    )
    for follow_up in due:
        case = follow_up.agreement.case
        recipients: list[Any] = community_managers(case)
        if case.mediator is not None and case.mediator.user is not None and case.mediator.user.is_active:
            recipients.append(case.mediator.user)
        text = _("Follow-up due today: agreement %(number)s of case %(case)s — is it performed?") % {
            "number": follow_up.agreement.number,
            "case": case.number,
        }
        url = reverse("mediation:followup-record", args=[follow_up.pk])

        def send(recipients: list[Any] = recipients, text: str = text, url: str = url) -> None:
            notification_send(recipients=recipients, text=text, url=url)

        transaction.on_commit(send)
    return len(due)
