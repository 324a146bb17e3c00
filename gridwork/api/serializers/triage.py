"""Smart triage through the API: a matter's likely duplicates (查重) and the merge of a duplicate into its original."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gridwork.api.serializers.actions import MoveSerializer
from gridwork.api.serializers.matters import CategoryRefSerializer
from gridwork.matters.merge import NOTE_MAX
from gridwork.matters.workflow import MatterState
from gridwork.triage.duplicates import Candidate


class SimilarMatterSerializer(serializers.Serializer):
    """An open matter in the caller's area that is likely the same problem. Nothing of its reporter."""

    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=MatterState.choices)
    category = CategoryRefSerializer(allow_null=True)
    distance_m = serializers.FloatField(
        allow_null=True, help_text="Metres between the two; null when judged by the same grid or community."
    )
    place_match = serializers.ChoiceField(
        choices=["distance", "grid", "community"], help_text="How nearness was judged."
    )
    days_ago = serializers.IntegerField(help_text="Days since it was filed.")
    similarity = serializers.FloatField(help_text="How alike the two texts are as descriptions of a problem, 0–1.")
    reason = serializers.CharField(help_text='Why it is shown, e.g. "text 72% alike · 48 m away · filed 3 days ago".')
    url = serializers.CharField()


def similar_row(candidate: Candidate, *, url: str) -> dict[str, Any]:
    matter = candidate.matter
    category = matter.category
    return {
        "number": matter.number,
        "title": matter.title,
        "state": matter.state,
        "category": None if category is None else {"id": category.pk, "code": category.code, "name": category.name},
        "distance_m": None if candidate.distance_m is None else round(candidate.distance_m, 1),
        "place_match": candidate.place_match,
        "days_ago": candidate.days_ago,
        "similarity": round(candidate.similarity, 3),
        "reason": candidate.reason,
        "url": url,
    }


class MergeSerializer(MoveSerializer):
    """合并: close this matter as a duplicate of ``original``; its reporter follows the original from now on."""

    original = serializers.CharField(
        max_length=20,
        help_text="The number of the matter that handles the same problem (if it is itself a duplicate, its root).",
    )
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
