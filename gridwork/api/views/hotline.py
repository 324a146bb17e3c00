"""/api/v1/hotline/orders/: the 12345 hotline pushes its work orders (工单) in; a repeated push files nothing."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from gridwork.accounts.roles import Perm
from gridwork.api.base import ApiView
from gridwork.api.idempotency import REPLAYED_HEADER
from gridwork.api.serializers.matters import FiledMatterSerializer, MatterCreateSerializer
from gridwork.api.views.matters import BODY_ERRORS, detail_response, file_matter, filed_response
from gridwork.matters import selectors
from gridwork.matters.models import Channel, Matter


class HotlineOrderSerializer(MatterCreateSerializer):
    """A work order: its own number, the caller and what they reported. Where: a building's code or a point."""

    order_no = serializers.CharField(max_length=64, help_text="The hotline's own work-order number (工单号).")


def _existing(user: Any, order_no: str) -> Matter | None:
    matter = Matter.objects.filter(channel=Channel.HOTLINE, external_ref=order_no).only("number").first()
    return None if matter is None else selectors.matter_get(user=user, number=matter.number)


@extend_schema(tags=["12345 hotline"])
class HotlineOrderView(ApiView):
    required_perm = Perm.FILE_MATTERS

    @extend_schema(
        request=HotlineOrderSerializer,
        responses={
            201: FiledMatterSerializer,
            200: OpenApiResponse(FiledMatterSerializer, description="This order was pushed before: its matter."),
            **BODY_ERRORS,
        },
        description=(
            "File a 12345 work order as a matter of the channel `hotline`, keeping `order_no` as its external "
            "reference. Pushing the same order again files nothing and answers 200 with the matter filed first."
        ),
    )
    def post(self, request: Request) -> Response:
        body = HotlineOrderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order_no = body.validated_data["order_no"].strip()
        existing = _existing(request.user, order_no)
        if existing is None:
            try:
                receipt = file_matter(
                    user=request.user, data=body.validated_data, channel=Channel.HOTLINE, external_ref=order_no
                )
            except IntegrityError:  # the same order, pushed twice at once: the other push filed it
                existing = _existing(request.user, order_no)
                if existing is None:
                    raise
            else:
                matter = selectors.matter_get(user=request.user, number=receipt.number)
                return filed_response(request, matter, tracking_code=receipt.tracking_code)
        response = detail_response(request, existing, extra={"tracking_code": ""})
        response[REPLAYED_HEADER] = "true"
        return response
