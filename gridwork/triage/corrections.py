"""Learning from dispatchers: when a dispatcher files a matter under another category than the one suggested, the
matter's text and the chosen category's model class are kept as a training example for the next model."""

from __future__ import annotations

from gridwork.matters.models import Category, Matter, MatterEvent
from gridwork.matters.workflow import Action
from gridwork.triage.classifier import message_text
from gridwork.triage.models import TriageCorrection, TriageModel
from gridwork.triage.training import label_for


def record_correction(*, matter: Matter, event: MatterEvent) -> TriageCorrection | None:
    """Called in the transaction of a dispatch; a correction if the dispatcher's category is not the suggested one."""
    chosen_id = (event.data or {}).get("category_id")
    if event.actor_id is None or not chosen_id:  # the platform's own dispatch teaches nothing
        return None
    filed = MatterEvent.objects.filter(matter=matter, action=Action.FILE).values_list("data", flat=True).first()
    suggestion = (filed or {}).get("suggestion") or {}
    if suggestion.get("category_id") == chosen_id:
        return None
    chosen = Category.objects.select_related("parent__parent").get(pk=chosen_id)
    label = label_for(chosen)[:40]
    suggested_label = str(suggestion.get("label") or "")[:40]
    if suggested_label and label == suggested_label:
        return None  # a finer category within the class the model chose: nothing for the model to learn
    suggested_id = suggestion.get("category_id")
    version = suggestion.get("model_version")
    return TriageCorrection.objects.create(
        matter=matter,
        text=message_text(matter.title, matter.text),
        suggested_category_id=suggested_id
        if suggested_id and Category.objects.filter(pk=suggested_id).exists()
        else None,
        suggested_label=suggested_label,
        confidence=float(suggestion.get("confidence") or 0.0),
        category=chosen,
        label=label,
        model=TriageModel.objects.filter(version=version).first() if version else None,
        created_by_id=event.actor_id,
        created_at=event.at,
    )
