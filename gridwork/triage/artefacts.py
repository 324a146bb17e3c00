"""Reading a stored triage model: the artefact's bytes are checked against their hash before they are parsed, and
parsing reads arrays and JSON only. One reader for the suggestion backend, training and the commands."""

from __future__ import annotations

import hashlib

from gridwork.triage.classifier import TriageClassifier
from gridwork.triage.models import TriageModel


class ArtefactUnusable(Exception):
    """The stored bytes do not match their hash, or cannot be read (a version of an older format)."""


def load_classifier(model: TriageModel) -> TriageClassifier:
    """``model``'s classifier, or ArtefactUnusable. Reads the artefact from the database (``model`` may defer it)."""
    artefact = bytes(TriageModel.objects.values_list("artefact", flat=True).get(pk=model.pk))
    if hashlib.sha256(artefact).hexdigest() != model.artefact_sha256:
        raise ArtefactUnusable(f"triage model v{model.version}: the artefact does not match its hash")
    try:
        return TriageClassifier.from_bytes(artefact)
    except (ValueError, KeyError, OSError) as error:
        raise ArtefactUnusable(f"triage model v{model.version}: unreadable artefact ({error})") from error


def usable(model: TriageModel) -> bool:
    try:
        load_classifier(model)
    except ArtefactUnusable:
        return False
    return True
