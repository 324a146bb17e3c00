"""The trained model behind the dispatch step's suggestion interface (``matters.triage.TriageBackend``)."""

from __future__ import annotations

from gridwork.matters.triage import KeywordTriage, Suggestion
from gridwork.places.models import Place


class ModelTriage:
    """Placeholder: the keyword rules until the model backend lands."""

    def suggest(self, text: str, grid: Place) -> Suggestion:
        return KeywordTriage().suggest(text, grid)
