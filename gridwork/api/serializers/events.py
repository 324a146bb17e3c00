"""A matter's record (its append-only events) as the API shows it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gridwork.matters.models import MatterEvent
from gridwork.matters.workflow import ACTION_LABELS


class EventSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    action = serializers.CharField()
    label = serializers.CharField(help_text="The move's name in the user's language.")
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    at = serializers.DateTimeField()
    actor_role = serializers.CharField(help_text="`system` for the deadline sweep, `reporter` for the resident.")
    actor_unit = serializers.CharField()
    note = serializers.CharField()
    data = serializers.DictField(help_text="The move's data as stored: units, days, deadlines.")


def event_row(event: MatterEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "action": event.action,
        "label": str(ACTION_LABELS.get(event.action, event.action)),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "at": event.at,
        "actor_role": event.actor_role,
        "actor_unit": event.actor_unit,
        "note": event.note,
        "data": event.data,
    }
