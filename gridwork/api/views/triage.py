"""Smart triage on one matter: its likely duplicates (查重) and merging it into its original (合并重复诉求).

Both read the matter through ``matters.selectors.matter_get``: one outside the caller's area is 404. The merge is
the staff page's ``matter_merge``: the duplicate is closed by the loop's own move (discard as a duplicate), with
its version checked, and its reporter follows the original from then on.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from gridwork.accounts.roles import Perm
from gridwork.api.base import ApiView, check_if_match, expected_version
from gridwork.api.idempotency import idempotent
from gridwork.api.serializers.common import ErrorSerializer
from gridwork.api.serializers.matters import MatterDetailSerializer
from gridwork.api.serializers.triage import MergeSerializer, SimilarMatterSerializer, similar_row
from gridwork.api.views.matters import (
    BODY_ERRORS,
    ERRORS,
    IDEMPOTENCY_PARAMETER,
    IF_MATCH_PARAMETER,
    NUMBER_PARAMETER,
    detail_response,
)
from gridwork.matters import selectors
from gridwork.matters.merge import matter_merge
from gridwork.matters.services import MatterNotFound
from gridwork.triage.duplicates import matter_likely_duplicates


@extend_schema(tags=["triage"], parameters=[NUMBER_PARAMETER])
class MatterSimilarView(ApiView):
    required_perm = Perm.VIEW_MATTERS

    @extend_schema(
        operation_id="matters_similar",
        responses={200: SimilarMatterSerializer(many=True), **ERRORS},
        description=(
            "查重: the open matters in the caller's area most likely about the same problem nearby, best first "
            "(at most 5): alike in text, within the category's radius and window. Nothing of their reporters."
        ),
    )
    def get(self, request: Request, number: str) -> Response:
        matter = selectors.matter_get(user=request.user, number=number)
        candidates = matter_likely_duplicates(matter=matter, user=request.user)
        rows = [
            similar_row(candidate, url=reverse("api:matter-detail", kwargs={"number": candidate.matter.number}))
            for candidate in candidates
        ]
        return Response(SimilarMatterSerializer(rows, many=True).data)


def _no_original() -> exceptions.ValidationError:
    return exceptions.ValidationError({"original": [_("No such matter in your area.")]})


@extend_schema(tags=["triage"], parameters=[NUMBER_PARAMETER, IDEMPOTENCY_PARAMETER, IF_MATCH_PARAMETER])
class MatterMergeView(ApiView):
    """合并: close the matter in the URL as a duplicate of ``original``."""

    required_perm = ""  # as the moves: out of area is 404, a caller who may not dispatch it 403 (the service says)

    @extend_schema(
        operation_id="matters_merge",
        request={"application/json": MergeSerializer, "multipart/form-data": MergeSerializer},
        responses={
            200: MatterDetailSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="Into itself or a closed matter, the state does not allow it, or the version is stale.",
            ),
            412: OpenApiResponse(ErrorSerializer, description="If-Match names an old version."),
            422: OpenApiResponse(ErrorSerializer, description="The Idempotency-Key was used with another body."),
            **BODY_ERRORS,
        },
        description=(
            "合并重复诉求: close this matter (the duplicate) as a duplicate of `original` (or of the matter that one "
            "repeats); the duplicate's reporter follows the original from now on. Answers the closed duplicate. "
            "An original outside the caller's area is a field error (`errors.original`), as `duplicate_of` on discard."
        ),
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        duplicate = selectors.matter_get(user=request.user, number=number)
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        check_if_match(request, duplicate.version)
        original = selectors.matter_find_visible(user=request.user, number=body.validated_data["original"])
        if original is None:
            raise _no_original()
        try:
            merged = matter_merge(
                actor=request.user,
                duplicate_id=duplicate.pk,
                original_id=original.pk,
                note=body.validated_data.get("note", ""),
                expected_version=expected_version(request, body.validated_data.get("version")),
            )
        except MatterNotFound as error:  # the original repeats a matter outside the caller's area
            raise _no_original() from error
        return detail_response(request, selectors.matter_get(user=request.user, number=merged.number))
