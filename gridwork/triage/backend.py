"""The trained model behind the dispatch step's suggestion interface (``matters.triage.TriageBackend``).

The model says which of its classes a message belongs to; the class mapping (data, edited by administrators) says
which category that is; the keyword rules may refine it to a more precise category; the routing rules give the unit.
Without a live model the keyword rules answer alone.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.utils.translation import gettext as _

from gridwork.matters.models import Category, Matter, MatterEvent
from gridwork.matters.triage import KeywordTriage, Suggestion, route
from gridwork.places.models import Place
from gridwork.triage.artefacts import ArtefactUnusable, load_classifier
from gridwork.triage.classifier import TriageClassifier
from gridwork.triage.models import ClassMapping, ModelStatus, TriageModel

logger = logging.getLogger(__name__)

_loaded: dict[str, Any] = {}
_lock = threading.Lock()


def live_classifier() -> tuple[TriageModel, TriageClassifier] | None:
    """The live model and its classifier, loaded once per process and version (its hash checked before use). A live
    version that cannot be used raises ArtefactUnusable, once per process and version; later calls answer None
    without reading it again."""
    head = (
        TriageModel.objects.filter(status=ModelStatus.LIVE).only("pk", "version", "artefact_sha256", "classes").first()
    )
    if head is None:
        return None
    key = (head.pk, head.artefact_sha256)
    with _lock:
        cached = _loaded.get("model")
        if cached is not None and cached[0] == key:
            return (head, cached[1]) if cached[1] is not None else None
        try:
            loaded = load_classifier(head)
        except ArtefactUnusable:
            _loaded["model"] = (key, None)
            raise
        _loaded["model"] = (key, loaded)
        return head, loaded


def forget_loaded() -> None:
    with _lock:
        _loaded.clear()


class ModelTriage:
    """Model first, keywords to refine or to answer when the model cannot."""

    def suggest(self, text: str, grid: Place) -> Suggestion:
        keyword = KeywordTriage().suggest(text, grid)
        try:
            live = live_classifier()
        except ArtefactUnusable:
            logger.exception("triage model refused")
            live = None
        if live is None:
            return keyword
        row, model = live
        prediction = model.predict([text])[0]
        mapping = ClassMapping.objects.filter(label=prediction.label).select_related("category").first()
        category = mapping.category if mapping else None
        reasons = [
            _("Model v%(version)s: %(label)s, confidence %(confidence)d%%.")
            % {"version": row.version, "label": prediction.label, "confidence": round(prediction.confidence * 100)}
        ]
        if prediction.words:
            reasons.append(_("Words that decided it: %(words)s") % {"words": "、".join(prediction.words)})
        if category is None:
            reasons.append(_("The class “%(label)s” is mapped to no category.") % {"label": prediction.label})
        refined = Category.objects.filter(pk=keyword.category_id).first() if keyword.category_id else None
        confidence = prediction.confidence
        model_confidence: float | None = prediction.confidence if category is not None else None
        if refined is not None and category is not None and refined.code.startswith(f"{category.code}."):
            category, confidence = refined, max(confidence, keyword.confidence)
            reasons.extend(keyword.reasons)
        elif refined is not None and (category is None or keyword.confidence > prediction.confidence):
            reasons.append(_("The keyword rules are surer: %(name)s.") % {"name": refined.name})
            reasons.extend(keyword.reasons)
            category, confidence, model_confidence = refined, keyword.confidence, None
        kind = (mapping.kind if mapping and mapping.kind else "") or (category.default_kind if category else "")
        return Suggestion(
            category_id=category.pk if category else None,
            kind=kind or keyword.kind,
            confidence=confidence,
            unit=route(category=category, grid=grid),
            reasons=reasons,
            label=prediction.label,
            model_version=row.version,
            model_confidence=model_confidence,
        )

    def after_filing(self, matter: Matter, suggestion: Suggestion) -> None:
        from gridwork.triage.dispatch import auto_dispatch

        auto_dispatch(matter=matter, suggestion=suggestion)

    def after_move(self, matter: Matter, event: MatterEvent) -> None:
        from gridwork.triage.corrections import record_correction

        record_correction(matter=matter, event=event)
