"""The body of each move of the loop (POST /api/v1/matters/{number}/{action}/), one serializer per move.

These type the request and document it; what a move needs of the matter (a unit that may act in its place, a
task that is the caller's) is checked by the service, which answers with the same field names.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gridwork.matters.models import Urgency
from gridwork.matters.workflow import Action, ClosureReason, MatterKind, Satisfaction


class MoveSerializer(serializers.Serializer):
    """What every move takes: the version acted on (or send If-Match) and a note for the matter's record."""

    version = serializers.IntegerField(
        required=False, min_value=0, help_text="The matter's version as last read; a stale one answers 409."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def move_data(self) -> dict[str, Any]:
        """The move's own data, in the shape the service takes."""
        return {key: value for key, value in self.validated_data.items() if key not in ("version", "note")}


class UnitRefSerializer(serializers.Serializer):
    place_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    department_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class DispatchSerializer(MoveSerializer):
    kind = serializers.ChoiceField(choices=MatterKind.choices)
    category_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default="")
    lead_place_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    lead_department_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    co_units = UnitRefSerializer(many=True, required=False, default=list)

    def move_data(self) -> dict[str, Any]:
        data = super().move_data()
        data["co_units"] = [[unit["place_id"], unit["department_id"]] for unit in data["co_units"]]
        return data


class ReturnSerializer(MoveSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the unit gives the matter back (退回).")


class ExtensionRequestSerializer(MoveSerializer):
    days = serializers.IntegerField(min_value=1, max_value=365)


class ExtensionDecisionSerializer(MoveSerializer):
    approved = serializers.BooleanField()
    days = serializers.IntegerField(min_value=1, max_value=365, required=False, allow_null=True, default=None)


class ConsultationSerializer(MoveSerializer):
    date = serializers.CharField(max_length=40)
    participants = serializers.CharField(max_length=2000)
    decision = serializers.CharField(max_length=2000)


class ReplySerializer(MoveSerializer):
    text = serializers.CharField(max_length=2000, help_text="The reply to the resident.")


class RateSerializer(MoveSerializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    by = serializers.ChoiceField(
        choices=[("resident", "resident"), ("call_back", "call_back")],
        required=False,
        default="resident",
        help_text="`call_back` when an operator records the resident's answer on a call-back (回访).",
    )


class DiscardSerializer(MoveSerializer):
    reason = serializers.ChoiceField(choices=[ClosureReason.DUPLICATE, ClosureReason.INVALID])
    duplicate_of = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="The number of the matter it repeats."
    )


class SuperviseSerializer(MoveSerializer):
    due_at = serializers.DateTimeField(help_text="The new deadline the supervision order sets.")

    def move_data(self) -> dict[str, Any]:
        return {"due_at": self.validated_data["due_at"].isoformat()}


class CallSerializer(serializers.Serializer):
    department_id = serializers.IntegerField()
    task = serializers.CharField(max_length=500)


class WhistleSerializer(MoveSerializer):
    calls = CallSerializer(many=True, help_text="The departments called (吹哨) and each one's task.")

    def move_data(self) -> dict[str, Any]:
        return {"calls": [dict(call) for call in self.validated_data["calls"]]}


class ReportSerializer(MoveSerializer):
    task_id = serializers.IntegerField()
    action = serializers.CharField(max_length=2000, help_text="What the unit is doing for the task (报到).")


class ConcludeWhistleSerializer(MoveSerializer):
    whistle_id = serializers.IntegerField()
    result = serializers.CharField(max_length=2000)


class EscalateSerializer(MoveSerializer):
    leader = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text="The city leader, at level 3."
    )


class MeetingTaskSerializer(serializers.Serializer):
    place_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    department_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    task = serializers.CharField(max_length=500)
    days = serializers.IntegerField(min_value=1, max_value=365)


class MeetingSerializer(MoveSerializer):
    held_on = serializers.DateField()
    participants = serializers.CharField(max_length=2000)
    analysis = serializers.CharField(max_length=2000)
    decision = serializers.CharField(max_length=2000)
    tasks = MeetingTaskSerializer(many=True)

    def move_data(self) -> dict[str, Any]:
        data = super().move_data()
        data["held_on"] = data["held_on"].isoformat()
        data["tasks"] = [dict(task) for task in data["tasks"]]
        return data


ACTION_SERIALIZERS: dict[str, type[MoveSerializer]] = {
    Action.DISPATCH: DispatchSerializer,
    Action.ACCEPT: MoveSerializer,
    Action.RETURN: ReturnSerializer,
    Action.OVERRULE: MoveSerializer,
    Action.PROGRESS: MoveSerializer,
    Action.REQUEST_EXTENSION: ExtensionRequestSerializer,
    Action.DECIDE_EXTENSION: ExtensionDecisionSerializer,
    Action.RECORD_CONSULTATION: ConsultationSerializer,
    Action.REPLY: ReplySerializer,
    Action.RATE: RateSerializer,
    Action.CLOSE_BY_AGREEMENT: MoveSerializer,
    Action.VERIFY_CLOSE: MoveSerializer,
    Action.DISCARD: DiscardSerializer,
    Action.SUPERVISE: SuperviseSerializer,
    Action.ANSWER_SUPERVISION: MoveSerializer,
    Action.URGE: MoveSerializer,
    Action.WHISTLE: WhistleSerializer,
    Action.REPORT: ReportSerializer,
    Action.CONCLUDE_WHISTLE: ConcludeWhistleSerializer,
    Action.ESCALATE: EscalateSerializer,
    Action.DEESCALATE: MoveSerializer,
    Action.FIELD_CHECK: MoveSerializer,
    Action.RECORD_MEETING: MeetingSerializer,
    Action.TRACK: MoveSerializer,
    Action.USE_RESULTS: MoveSerializer,
}
