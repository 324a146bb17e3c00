"""Places, departments and categories as the API shows them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridwork.matters.models import Category, CategoryQuestion
from gridwork.places.models import Department, Place


class PlaceSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Place
        fields = [
            "id",
            "code",
            "name",
            "level",
            "parent",
            "path",
            "households",
            "population",
            "address",
            "latitude",
            "longitude",
        ]


class PlaceDetailSerializer(PlaceSerializer):
    class Meta(PlaceSerializer.Meta):
        fields = [*PlaceSerializer.Meta.fields, "boundary"]


class DepartmentSerializer(serializers.ModelSerializer):
    place = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Its jurisdiction's place code.")

    class Meta:
        model = Department
        fields = ["id", "code", "name", "kind", "place", "is_active"]


class QuestionSerializer(serializers.ModelSerializer):
    values = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))

    class Meta:
        model = CategoryQuestion
        fields = ["code", "question", "datatype", "required", "datatype_description", "values", "order"]


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "level", "parent", "default_kind", "is_active"]


class CategoryDetailSerializer(CategorySerializer):
    questions = serializers.SerializerMethodField()

    class Meta(CategorySerializer.Meta):
        fields = [*CategorySerializer.Meta.fields, "questions"]

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, category: Category) -> list[dict[str, object]]:
        active = category.questions.filter(is_active=True).order_by("order", "id")
        return list(QuestionSerializer(active, many=True).data)
