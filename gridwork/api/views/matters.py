"""/api/v1/matters/: list (the work queue's filters), file, read one, its record, and each move of the loop."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from gridwork.accounts.roles import Perm
from gridwork.api.base import ApiView, ListApiView, NewestFirst, check_if_match, etag_of, expected_version
from gridwork.api.idempotency import idempotent
from gridwork.api.serializers.actions import ACTION_SERIALIZERS, DiscardSerializer, MoveSerializer
from gridwork.api.serializers.common import ErrorSerializer
from gridwork.api.serializers.events import EventSerializer, event_row
from gridwork.api.serializers.matters import (
    FiledMatterSerializer,
    MatterCreateSerializer,
    MatterDetailSerializer,
    MatterSummarySerializer,
    matter_detail,
    matter_summary,
)
from gridwork.matters import selectors, services
from gridwork.matters.models import Category, Channel, Matter, Urgency
from gridwork.matters.photos import MAX_PHOTOS, PhotoRejected, clean_photo
from gridwork.matters.workflow import MatterKind, MatterState
from gridwork.places.models import Place
from gridwork.places.selectors import building_by_code

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A key of your choosing: a retry with the same key and body gets the first answer again.",
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The matter's ETag as last read; stale → 412."
)
NUMBER_PARAMETER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="The matter's number."
)
ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 401, 403, 404, 429)}
# A POST whose body is not JSON, a form or multipart (or has no Content-Type at all) is refused before anything else.
BODY_ERRORS = {**ERRORS, 415: OpenApiResponse(ErrorSerializer, description="The body's Content-Type is not accepted.")}


class MatterQuerySerializer(serializers.Serializer):
    """The list's filters: the same as the staff work queue's."""

    queue = serializers.ChoiceField(choices=[tab.value for tab in selectors.QueueTab], required=False, default="all")
    state = serializers.ChoiceField(choices=MatterState.choices, required=False)
    kind = serializers.ChoiceField(choices=MatterKind.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    category = serializers.CharField(required=False, help_text="A category's code: that class and those under it.")
    place = serializers.CharField(required=False, help_text="A district's, street's, community's or grid's code.")
    since = serializers.DateField(required=False, help_text="Filed on or after this day.")
    until = serializers.DateField(required=False, help_text="Filed on or before this day.")
    deadline = serializers.ChoiceField(choices=["overdue", "warning"], required=False)
    q = serializers.CharField(required=False, max_length=100, help_text="A number (prefix) or words of the text.")
    external_ref = serializers.CharField(required=False, max_length=64)


def _filters(user: Any, query: dict[str, Any]) -> selectors.QueueFilters:
    errors: dict[str, list[str]] = {}
    category = None
    if code := query.get("category"):
        category = Category.objects.filter(code=code).first()
        if category is None:
            errors["category"] = [_("Unknown category.")]
    place: Place | None = None
    if code := query.get("place"):
        place = selectors.matter_filter_place(user=user, code=code)
        if place is None:
            errors["place"] = [_("No such district, street, community or grid in your area.")]
    if errors:
        raise exceptions.ValidationError(errors)
    return selectors.QueueFilters(
        category=category,
        kind=query.get("kind", ""),
        place=place,
        since=query.get("since"),
        until=query.get("until"),
        channel=query.get("channel", ""),
        urgency=query.get("urgency", ""),
        state=query.get("state", ""),
        search=query.get("q", ""),
        deadline=query.get("deadline", ""),
    )


class MatterOrdering(OrderingFilter):
    ordering_fields = ["created_at", "updated_at"]
    ordering_description = (
        "created_at (oldest first), -created_at (newest first, the default), updated_at, -updated_at."
    )


@extend_schema(tags=["matters"])
class MatterListView(ListApiView):
    """诉求: the matters in the signed-in user's area, newest first, a page at a time (cursor)."""

    required_perm = Perm.VIEW_MATTERS
    pagination_class = NewestFirst
    filter_backends = [MatterOrdering]
    ordering_fields = MatterOrdering.ordering_fields
    serializer_class = MatterSummarySerializer

    def get_queryset(self) -> QuerySet[Matter]:
        query = MatterQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        tab = selectors.QueueTab(query.validated_data["queue"])
        matters = selectors.matter_queue(
            user=self.request.user, tab=tab, filters=_filters(self.request.user, query.validated_data)
        )
        if ref := query.validated_data.get("external_ref"):
            matters = matters.filter(external_ref=ref)
        return matters.select_related("street", "district", "lead_place", "lead_department")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        matters = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(matters)
        rows = MatterSummarySerializer([matter_summary(matter) for matter in page or []], many=True).data
        return self.get_paginated_response(rows)

    @extend_schema(
        parameters=[MatterQuerySerializer],
        responses={200: MatterSummarySerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=MatterCreateSerializer,
        responses={201: FiledMatterSerializer, 422: OpenApiResponse(ErrorSerializer), **BODY_ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="建档: file a matter, as the signed-in staff member, through the channel `api`.",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        if not request.user.has_perm_anywhere(Perm.FILE_MATTERS):
            raise exceptions.PermissionDenied(_("You may not file matters."))
        body = MatterCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        receipt = file_matter(user=request.user, data=body.validated_data, channel=Channel.API)
        matter = selectors.matter_get(user=request.user, number=receipt.number)
        return filed_response(request, matter, tracking_code=receipt.tracking_code)


def file_matter(*, user: Any, data: dict[str, Any], channel: str, external_ref: str = "") -> services.FilingReceipt:
    """File from the API's typed body: codes become objects (an unknown code is a field error)."""
    errors: dict[str, list[str]] = {}
    category = None
    if data.get("category"):
        category = Category.objects.filter(code=data["category"], is_active=True).first()
        if category is None:
            errors["category"] = [_("Unknown category.")]
    building = None
    if data.get("building"):
        building = building_by_code(data["building"])
        if building is None:
            errors["building"] = [_("No such building.")]
    if errors:
        raise exceptions.ValidationError(errors)
    return services.matter_file(
        actor=user,
        channel=channel,
        text=data["text"],
        title=data.get("title", ""),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        building=building,
        address=data.get("address", ""),
        category=category,
        kind=data.get("kind", ""),
        urgency=data.get("urgency") or Urgency.NORMAL,
        reporter_name=data.get("reporter_name", ""),
        reporter_phone=data.get("reporter_phone", ""),
        is_anonymous=data.get("is_anonymous", False),
        attributes=data.get("attributes") or {},
        media_url=data.get("media_url", ""),
        external_ref=external_ref,
    )


def detail_response(
    request: Request, matter: Matter, *, status_code: int = 200, extra: dict[str, Any] | None = None
) -> Response:
    actions = services.matter_allowed_actions(actor=request.user, matter=matter)
    serializer_class = FiledMatterSerializer if extra else MatterDetailSerializer
    body = serializer_class({**matter_detail(matter, allowed_actions=actions), **(extra or {})}).data
    return Response(body, status=status_code, headers={"ETag": etag_of(matter.version)})


def filed_response(request: Request, matter: Matter, *, tracking_code: str, status_code: int = 201) -> Response:
    response = detail_response(request, matter, status_code=status_code, extra={"tracking_code": tracking_code})
    response["Location"] = reverse("api:matter-detail", kwargs={"number": matter.number})
    return response


@extend_schema(tags=["matters"], parameters=[NUMBER_PARAMETER])
class MatterDetailView(ApiView):
    required_perm = Perm.VIEW_MATTERS

    @extend_schema(
        responses={
            200: MatterDetailSerializer,
            304: OpenApiResponse(description="Not modified (If-None-Match)."),
            **ERRORS,
        },
        description="One matter, with the moves the signed-in user may take. Its ETag is its version.",
    )
    def get(self, request: Request, number: str) -> Response:
        matter = selectors.matter_get(user=request.user, number=number)
        if request.headers.get("If-None-Match", "").strip() == etag_of(matter.version):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag_of(matter.version)})
        return detail_response(request, matter)


@extend_schema(tags=["matters"], parameters=[NUMBER_PARAMETER])
class MatterEventsView(ApiView):
    required_perm = Perm.VIEW_MATTERS

    @extend_schema(
        responses={200: EventSerializer(many=True), **ERRORS}, description="The matter's record, oldest first."
    )
    def get(self, request: Request, number: str) -> Response:
        matter = selectors.matter_get(user=request.user, number=number)
        events = matter.events.order_by("sequence")
        return Response(EventSerializer([event_row(event) for event in events], many=True).data)


def _photos(request: Request) -> list[Any]:
    files = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
    if len(files) > MAX_PHOTOS:
        raise exceptions.ValidationError({"photos": [_("At most 9 photos.")]})
    try:
        return [clean_photo(file, original_name=file.name) for file in files]
    except PhotoRejected as error:
        raise exceptions.ValidationError({"photos": [str(error)]}) from error


class MatterActionView(ApiView):
    """One move of the loop; the URL names it. Subclasses are made per action by ``action_view``."""

    required_perm = ""
    action = ""
    body_class: type[MoveSerializer] = MoveSerializer

    def move(self, request: Request, number: str) -> Response:
        matter = selectors.matter_get(user=request.user, number=number)
        body = self.body_class(data=request.data)
        body.is_valid(raise_exception=True)
        check_if_match(request, matter.version)
        data = body.move_data()
        if isinstance(body, DiscardSerializer):
            data = _discard_data(request, data)
        moved = services.matter_transition(
            actor=request.user,
            matter_id=matter.pk,
            action=self.action,
            data=data,
            note=body.validated_data.get("note", ""),
            expected_version=expected_version(request, body.validated_data.get("version")),
            photos=_photos(request),
        )
        return detail_response(request, selectors.matter_get(user=request.user, number=moved.number))


def _discard_data(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    number = data.pop("duplicate_of", "")
    data["duplicate_of_id"] = None
    if number:
        original = selectors.matter_find_visible(user=request.user, number=number)
        if original is None:
            raise exceptions.ValidationError({"duplicate_of": [_("No such matter in your area.")]})
        data["duplicate_of_id"] = original.pk
    return data


def action_view(action: str) -> Any:
    """The view of one move, with its own request body in the schema."""
    body_class = ACTION_SERIALIZERS[action]

    @idempotent
    def post(self: MatterActionView, request: Request, number: str) -> Response:
        return self.move(request, number)

    documented = extend_schema(
        operation_id=f"matters_{action}",
        tags=["matter moves"],
        parameters=[NUMBER_PARAMETER, IDEMPOTENCY_PARAMETER, IF_MATCH_PARAMETER],
        request={"application/json": body_class, "multipart/form-data": body_class},
        responses={
            200: MatterDetailSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The state does not allow it, or the version is stale."),
            412: OpenApiResponse(ErrorSerializer, description="If-Match names an old version."),
            422: OpenApiResponse(ErrorSerializer, description="The Idempotency-Key was used with another body."),
            **BODY_ERRORS,
        },
        description=f"The move `{action}`; progress and reply also take `photos` (multipart).",
    )(post)
    view_class: Any = type(
        f"Matter{action.title().replace('_', '')}View",
        (MatterActionView,),
        {"action": action, "body_class": body_class, "post": documented, "__doc__": f"The move `{action}`."},
    )
    return view_class.as_view()
