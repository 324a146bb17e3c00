"""/api/v1/places/, /departments/ and /categories/: what a matter is filed, routed and classified against."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from gridwork.accounts.roles import Perm
from gridwork.api.base import ApiView, ListApiView, PagePagination
from gridwork.api.serializers.common import ErrorSerializer
from gridwork.api.serializers.places import (
    CategoryDetailSerializer,
    CategorySerializer,
    DepartmentSerializer,
    PlaceDetailSerializer,
    PlaceSerializer,
)
from gridwork.matters import selectors as matter_selectors
from gridwork.matters.models import Category
from gridwork.places import selectors as place_selectors
from gridwork.places.models import Department, Place, PlaceLevel

ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 401, 403, 404, 429)}
CODE_PARAMETER = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)


class PlaceQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=PlaceLevel.choices, required=False)
    parent = serializers.CharField(required=False, max_length=32, help_text="The parent's code: its children only.")
    q = serializers.CharField(required=False, max_length=100, help_text="Words of the name, or a code's beginning.")


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


@extend_schema(
    tags=["places"], parameters=[PlaceQuerySerializer], responses={200: PlaceSerializer(many=True), **ERRORS}
)
class PlaceListView(ListApiView):
    """The places (city → district → street → community → grid → building) in the user's area."""

    required_perm = Perm.VIEW_PLACES
    serializer_class = PlaceSerializer
    pagination_class = PagePagination

    def get_queryset(self) -> QuerySet[Place]:
        query = _query(PlaceQuerySerializer, self.request)
        parent = None
        if code := query.get("parent"):
            try:
                parent = place_selectors.place_get(user=self.request.user, code=code)
            except Http404 as error:
                raise exceptions.ValidationError({"parent": [_("No such place in your area.")]}) from error
        places = place_selectors.place_list(
            user=self.request.user, level=query.get("level"), search=query.get("q", ""), parent=parent
        )
        return places.select_related("parent")


@extend_schema(tags=["places"], parameters=[CODE_PARAMETER])
class PlaceDetailView(ApiView):
    required_perm = Perm.VIEW_PLACES

    @extend_schema(responses={200: PlaceDetailSerializer, **ERRORS})
    def get(self, request: Request, code: str) -> Response:
        return Response(PlaceDetailSerializer(place_selectors.place_get(user=request.user, code=code)).data)


class DepartmentQuerySerializer(serializers.Serializer):
    place = serializers.CharField(required=False, max_length=32, help_text="Departments of this place's jurisdiction.")


@extend_schema(
    tags=["places"], parameters=[DepartmentQuerySerializer], responses={200: DepartmentSerializer(many=True), **ERRORS}
)
class DepartmentListView(ListApiView):
    """Functional departments (职能部门) and their jurisdiction: the units matters are dispatched to."""

    required_perm = Perm.VIEW_PLACES
    serializer_class = DepartmentSerializer
    pagination_class = PagePagination

    def get_queryset(self) -> QuerySet[Department]:
        query = _query(DepartmentQuerySerializer, self.request)
        place = None
        if code := query.get("place"):
            try:
                place = place_selectors.place_get(user=self.request.user, code=code)
            except Http404 as error:
                raise exceptions.ValidationError({"place": [_("No such place in your area.")]}) from error
        return place_selectors.department_list(user=self.request.user, place=place)


class CategoryQuerySerializer(serializers.Serializer):
    level = serializers.IntegerField(required=False, min_value=1, max_value=3)
    parent = serializers.CharField(required=False, max_length=32)
    active = serializers.BooleanField(required=False, default=True, help_text="false lists the switched-off ones too.")


@extend_schema(
    tags=["categories"], parameters=[CategoryQuerySerializer], responses={200: CategorySerializer(many=True), **ERRORS}
)
class CategoryListView(ListApiView):
    """The taxonomy of matters, three levels deep (codes nest: C05, C05.03, C05.03.002)."""

    serializer_class = CategorySerializer
    pagination_class = PagePagination

    def get_queryset(self) -> QuerySet[Category]:
        query = _query(CategoryQuerySerializer, self.request)
        return matter_selectors.category_list(
            active_only=query.get("active", True), level=query.get("level"), parent_code=query.get("parent", "")
        )


@extend_schema(tags=["categories"], parameters=[CODE_PARAMETER])
class CategoryDetailView(ApiView):
    @extend_schema(
        responses={200: CategoryDetailSerializer, **ERRORS}, description="A category and its extra questions."
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(CategoryDetailSerializer(matter_selectors.category_get(code=code)).data)
