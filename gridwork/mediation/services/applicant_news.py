"""Telling a resident who applied for mediation online how their case goes on (人民调解申请的进展告知).

When a case the resident applied for from their own account (``services.applications``: source APPLICATION,
``registered_by`` a resident's account) moves a step the applicant cares about — a mediator assigned or replaced, a
session recorded, the mediation concluded (with its outcome), referred, the referral's result, closed — the applicant
gets an in-app notification after commit, linking to their own page of the case. The text names the step and the
case's number only: no staff names, notes or other party. Moves the applicant made themselves (withdrawing) and the
staff's own bookkeeping (details corrected, follow-ups, recusals the community handles) are not announced.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gridwork.mediation.flows import CaseAction
from gridwork.mediation.models import CaseSource, CaseState, DisputeCase


def _text(case: DisputeCase, action: str) -> str:
    number = {"number": case.number}
    if action == CaseAction.ASSIGN:
        return _("A mediator was assigned to your application for mediation %(number)s.") % number
    if action == CaseAction.REASSIGN:
        return _("Your application for mediation %(number)s has a new mediator.") % number
    if action == CaseAction.HOLD_SESSION:
        return _("A mediation session of your case %(number)s was recorded.") % number
    if action == CaseAction.CONCLUDE:
        return _("The mediation of your case %(number)s is concluded: %(outcome)s.") % {
            **number,
            "outcome": case.get_outcome_display(),
        }
    if action == CaseAction.REFER:
        return _("Your case %(number)s was referred to a body that can decide it; it will contact you.") % number
    if action == CaseAction.REFERRAL_RESULT:
        if case.state == CaseState.REGISTERED:  # refused: the case came back to the community
            return (
                _("The body your case %(number)s was referred to did not accept it; the community takes it up again.")
                % number
            )
        return _("The result of the referral of your case %(number)s was recorded; the case is closed.") % number
    if action == CaseAction.CLOSE:
        return _("Your case %(number)s is closed.") % number
    return ""


NEWS = frozenset(
    {
        CaseAction.ASSIGN,
        CaseAction.REASSIGN,
        CaseAction.HOLD_SESSION,
        CaseAction.CONCLUDE,
        CaseAction.REFER,
        CaseAction.REFERRAL_RESULT,
        CaseAction.CLOSE,
    }
)


def applicant_news(case: DisputeCase, *, action: str, actor: Any = None) -> bool:
    """Once ``case`` has made the move ``action`` (called inside the move's transaction, with the case as saved),
    tell the resident who applied for it, after commit. Nothing for a case staff registered, for a move the applicant
    made, or for a move that is not news to them. Returns whether a notification was queued."""
    from gridwork.mediation.services.applications import is_resident

    if action not in NEWS or case.source != CaseSource.APPLICATION:
        return False
    applicant = case.registered_by
    if not is_resident(applicant) or not applicant.is_active:
        return False
    if actor is not None and getattr(actor, "pk", None) == applicant.pk:
        return False
    text = _text(case, action)
    url = reverse("mediation_resident:detail", args=[case.pk])

    def send() -> None:
        from gridwork.notifications.services import notification_send

        notification_send(recipients=[applicant], text=text, url=url)

    transaction.on_commit(send)
    return True
