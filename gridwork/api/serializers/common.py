"""Shapes shared by every endpoint: the error body, a unit and a place reference."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gridwork.places.models import Department, Place


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable, machine-readable code, such as `invalid` or `not_found`.")
    message = serializers.CharField(help_text="What went wrong, in the user's language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field (`non_field_errors` for the request as a whole); empty when no field is wrong.",
    )


class PlaceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class UnitSerializer(serializers.Serializer):
    """A handling unit: a place (grid, community, street, district) or a department."""

    type = serializers.ChoiceField(choices=["place", "department"])
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


def place_ref(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {"id": place.pk, "code": place.code, "name": place.name, "level": place.level}


def unit_ref(place: Place | None, department: Department | None) -> dict[str, Any] | None:
    if department is not None:
        return {"type": "department", "id": department.pk, "code": department.code, "name": department.name}
    if place is not None:
        return {"type": "place", "id": place.pk, "code": place.code, "name": place.name}
    return None
