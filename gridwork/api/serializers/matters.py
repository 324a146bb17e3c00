"""Matters as the API shows and takes them.

Reading: plain dictionaries built from a matter by ``matter_summary`` / ``matter_detail`` and passed through the
serializers below, so that what is sent is exactly what the schema declares. Personal data is masked.
Writing: ``MatterCreateSerializer`` types the request; the filing service checks the rest.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse
from rest_framework import serializers

from gridwork.api.serializers.common import PlaceRefSerializer, UnitSerializer, place_ref, unit_ref
from gridwork.common.masking import mask_name, mask_phone
from gridwork.matters.models import Category, Channel, Matter, Urgency
from gridwork.matters.workflow import (
    Action,
    ClosureReason,
    DueStage,
    HardStage,
    MatterKind,
    MatterState,
    Satisfaction,
)
from gridwork.places.models import Department, Place

OPEN_OR_CLOSED = ["open", "closed"]


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class ReporterSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Masked: 张*明.")
    phone = serializers.CharField(help_text="Masked: 138****1234.")
    anonymous = serializers.BooleanField()


class TriageSuggestionSerializer(serializers.Serializer):
    """What smart triage suggested when the matter was filed (stored on the filing event; never changes)."""

    category = CategoryRefSerializer(allow_null=True)
    kind = serializers.ChoiceField(choices=[*MatterKind.choices, ("", "")])
    unit = UnitSerializer(allow_null=True, help_text="The lead unit the routing rules suggested.")
    confidence = serializers.FloatField(help_text="0–1.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why, in words, for the dispatcher.")
    model_version = serializers.IntegerField(
        allow_null=True, help_text="The trained classifier's version; null when the keyword rules suggested."
    )


class MatterSummarySerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The matter's number, its id in every URL: GW + date + sequence.")
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=MatterState.choices)
    status = serializers.ChoiceField(choices=OPEN_OR_CLOSED, help_text="`closed` once the matter is closed.")
    kind = serializers.ChoiceField(choices=MatterKind.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    external_ref = serializers.CharField(help_text="The sending system's own number (a 12345 work order's).")
    category = CategoryRefSerializer(allow_null=True)
    grid = PlaceRefSerializer()
    community = PlaceRefSerializer()
    lead_unit = UnitSerializer(allow_null=True)
    due_stage = serializers.ChoiceField(choices=[*DueStage.choices, ("", "")])
    due_at = serializers.DateTimeField(allow_null=True)
    hard_level = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Changes with every move; send it back as If-Match or `version`.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.CharField()


class MatterDetailSerializer(MatterSummarySerializer):
    text = serializers.CharField()
    street = PlaceRefSerializer()
    district = PlaceRefSerializer()
    building = PlaceRefSerializer(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    address = serializers.CharField()
    attributes = serializers.DictField(help_text="Answers to the category's extra questions, by question code.")
    media_url = serializers.CharField()
    reporter = ReporterSerializer()
    co_units = UnitSerializer(many=True)
    reply_text = serializers.CharField()
    satisfaction = serializers.ChoiceField(choices=[*Satisfaction.choices, ("", "")])
    closure_reason = serializers.ChoiceField(choices=[*ClosureReason.choices, ("", "")])
    duplicate_of = serializers.CharField(allow_null=True, help_text="The number of the matter this one repeats.")
    warn_at = serializers.DateTimeField(allow_null=True)
    supervision_open = serializers.BooleanField()
    supervision_count = serializers.IntegerField()
    urged = serializers.IntegerField(help_text="催办: by supervisors and automatically on going overdue.")
    hard_stage = serializers.ChoiceField(choices=[*HardStage.choices, ("", "")])
    level_due = serializers.DateTimeField(allow_null=True)
    leader = serializers.CharField()
    return_count = serializers.IntegerField()
    reopen_count = serializers.IntegerField()
    extension_pending = serializers.BooleanField()
    extension_count = serializers.IntegerField()
    extension_days = serializers.IntegerField()
    dispatched_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    replied_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    allowed_actions = serializers.ListField(
        child=serializers.CharField(), help_text="The moves the signed-in user may take now: POST …/{action}/."
    )
    suggestion = TriageSuggestionSerializer(
        allow_null=True, read_only=True, help_text="Smart triage's suggestion at filing; null when none was stored."
    )


class FiledMatterSerializer(MatterDetailSerializer):
    tracking_code = serializers.CharField(
        help_text="Shown once, on filing, to a reporter without an account: with the number, it follows the matter."
    )


def _category(matter: Matter) -> dict[str, Any] | None:
    category = matter.category
    return None if category is None else {"id": category.pk, "code": category.code, "name": category.name}


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def matter_suggestion(matter: Matter) -> dict[str, Any] | None:
    """The suggestion stored on the filing event (what ``selectors.matter_triage_suggestion`` shows the dispatcher),
    with codes and ids rather than words; None when the matter was filed without one."""
    event = matter.events.filter(action=Action.FILE).only("data").order_by("sequence").first()
    stored = (event.data or {}).get("suggestion") if event is not None else None
    if not isinstance(stored, dict) or not stored:
        return None
    category_id = _int_or_none(stored.get("category_id"))
    category = Category.objects.filter(pk=category_id).first() if category_id is not None else None
    pair = stored.get("unit")
    place_id, department_id = [*pair, None, None][:2] if isinstance(pair, list) else (None, None)
    place_id, department_id = _int_or_none(place_id), _int_or_none(department_id)
    department = Department.objects.filter(pk=department_id).first() if department_id is not None else None
    place = Place.objects.filter(pk=place_id).first() if place_id is not None and department is None else None
    kind = stored.get("kind")
    confidence = stored.get("confidence")
    reasons = stored.get("reasons")
    return {
        "category": None if category is None else {"id": category.pk, "code": category.code, "name": category.name},
        "kind": kind if kind in MatterKind.values else "",
        "unit": unit_ref(place, department),
        "confidence": float(confidence) if isinstance(confidence, int | float) else 0.0,
        "reasons": [str(reason) for reason in reasons] if isinstance(reasons, list) else [],
        "model_version": _int_or_none(stored.get("model_version")),
    }


def matter_summary(matter: Matter) -> dict[str, Any]:
    return {
        "number": matter.number,
        "title": matter.title,
        "state": matter.state,
        "status": "closed" if matter.state == MatterState.CLOSED else "open",
        "kind": matter.kind,
        "urgency": matter.urgency,
        "channel": matter.channel,
        "external_ref": matter.external_ref,
        "category": _category(matter),
        "grid": place_ref(matter.grid),
        "community": place_ref(matter.community),
        "lead_unit": unit_ref(matter.lead_place, matter.lead_department),
        "due_stage": matter.due_stage,
        "due_at": matter.due_at,
        "hard_level": matter.hard_level,
        "version": matter.version,
        "created_at": matter.created_at,
        "updated_at": matter.updated_at,
        "url": reverse("api:matter-detail", kwargs={"number": matter.number}),
    }


def matter_detail(matter: Matter, *, allowed_actions: list[str]) -> dict[str, Any]:
    co_units = [
        unit_ref(assignment.place, assignment.department)
        for assignment in matter.assignments.select_related("place", "department").order_by("id")
    ]
    return {
        **matter_summary(matter),
        "text": matter.text,
        "street": place_ref(matter.street),
        "district": place_ref(matter.district),
        "building": place_ref(matter.building),
        "latitude": matter.latitude,
        "longitude": matter.longitude,
        "address": matter.address,
        "attributes": matter.attributes,
        "media_url": matter.media_url,
        "reporter": {
            "name": mask_name(matter.reporter_name),
            "phone": mask_phone(matter.reporter_phone),
            "anonymous": matter.is_anonymous,
        },
        "co_units": co_units,
        "reply_text": matter.reply_text,
        "satisfaction": matter.satisfaction,
        "closure_reason": matter.closure_reason,
        "duplicate_of": matter.duplicate_of.number if matter.duplicate_of else None,
        "warn_at": matter.warn_at,
        "supervision_open": matter.supervision_open,
        "supervision_count": matter.supervision_count,
        "urged": matter.urged_total,
        "hard_stage": matter.hard_stage,
        "level_due": matter.level_due,
        "leader": matter.leader,
        "return_count": matter.return_count,
        "reopen_count": matter.reopen_count,
        "extension_pending": matter.extension_pending,
        "extension_count": matter.extension_count,
        "extension_days": matter.extension_days,
        "dispatched_at": matter.dispatched_at,
        "accepted_at": matter.accepted_at,
        "replied_at": matter.replied_at,
        "closed_at": matter.closed_at,
        "allowed_actions": allowed_actions,
        "suggestion": matter_suggestion(matter),
    }


class MatterCreateSerializer(serializers.Serializer):
    """A new matter. Where it is: a building's code, or a point (latitude and longitude) inside the city's grids."""

    text = serializers.CharField(max_length=2000, help_text="What the resident reports, 5 to 2,000 characters.")
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    building = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="A building's (micro-grid's) code."
    )
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    category = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="A category's code; empty to let triage suggest one.",
    )
    kind = serializers.ChoiceField(choices=[*MatterKind.choices, ("", "")], required=False, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.NORMAL)
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    is_anonymous = serializers.BooleanField(required=False, default=False)
    attributes = serializers.DictField(
        required=False, default=dict, help_text="Answers to the category's extra questions, by question code."
    )
    media_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")

    def validate_attributes(self, value: dict[str, Any]) -> dict[str, Any]:
        """Answers are kept as JSON, where PostgreSQL refuses a NUL character (the filing service checks the rest)."""
        if _holds_nul(value):
            raise serializers.ValidationError(ProhibitNullCharactersValidator.message)
        return value


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False
