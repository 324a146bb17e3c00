"""Automatic dispatch: a filed matter goes straight to the suggested unit when the administrators have switched it
on and the suggestion is sure enough; otherwise it waits in the queue for a dispatcher to confirm."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridwork.matters.models import Matter
from gridwork.matters.services import SYSTEM, ConcurrentChange, matter_transition
from gridwork.matters.triage import Suggestion
from gridwork.matters.workflow import Action, MatterState, TransitionRefused
from gridwork.triage.models import TriagePolicy

logger = logging.getLogger(__name__)


def current_policy() -> TriagePolicy:
    policy, _created = TriagePolicy.objects.get_or_create(pk=1)
    return policy


def auto_dispatch(*, matter: Matter, suggestion: Suggestion) -> bool:
    """Dispatch ``matter`` as the platform when the policy allows it; True if it did. Never raises for a refusal:
    the matter is filed whatever happens here, and a human dispatches it."""
    policy = current_policy()
    sure = suggestion.model_confidence  # the model's, never the keyword count's
    if not policy.auto_dispatch or sure is None or sure < policy.auto_dispatch_confidence:
        return False
    if suggestion.unit is None or suggestion.category_id is None or matter.state != MatterState.SUBMITTED:
        return False
    if matter.category_id is not None and matter.category_id != suggestion.category_id:
        return False  # the filer chose another category: a dispatcher decides
    place_id, department_id = suggestion.unit.as_pair()
    data = {
        "kind": matter.kind,
        "category_id": suggestion.category_id,
        "urgency": matter.urgency,
        "lead_place_id": place_id,
        "lead_department_id": department_id,
    }
    note = _("Dispatched automatically: confidence %(confidence)d%% ≥ %(threshold)d%%.") % {
        "confidence": round(sure * 100),
        "threshold": round(policy.auto_dispatch_confidence * 100),
    }
    try:
        matter_transition(
            actor=SYSTEM,
            matter_id=matter.pk,
            action=Action.DISPATCH,
            data=data,
            note=note,
            expected_version=matter.version,
        )
    except (TransitionRefused, ConcurrentChange, ValidationError):
        logger.info("matter %s not dispatched automatically", matter.number, exc_info=True)
        return False
    return True
