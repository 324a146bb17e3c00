"""Staff pages of the outbound webhooks, at /staff/webhooks/: endpoints (list, create, edit, deactivate, rotate the
secret) and the delivery log (list, one delivery with its attempts, redeliver). For the system administrator."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.webhooks.forms import DeliveryFilterForm, EndpointForm
from gridwork.webhooks.models import DeliveryStatus, WebhookEndpoint
from gridwork.webhooks.selectors import (
    delivery_attempts,
    delivery_get,
    delivery_list,
    delivery_status_counts,
    endpoint_area_choices,
    endpoint_get,
    endpoint_list,
)
from gridwork.webhooks.services import (
    BACKOFF,
    delivery_redeliver,
    endpoint_create,
    endpoint_deactivate,
    endpoint_rotate_secret,
    endpoint_update,
)

SHOW_ONCE_SESSION_KEY = "webhooks_new_secret"  # the secret to show once, on the endpoint's next page view


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Webhooks"), "url": reverse("webhooks:endpoint-list") if extra else ""}, *extra]


def _remember_secret(request: HttpRequest, endpoint: WebhookEndpoint, secret: str) -> None:
    request.session[SHOW_ONCE_SESSION_KEY] = {"endpoint": endpoint.pk, "secret": secret}


def _pop_secret(request: HttpRequest, endpoint: WebhookEndpoint) -> str:
    kept = request.session.get(SHOW_ONCE_SESSION_KEY)
    if not kept or kept.get("endpoint") != endpoint.pk:
        return ""
    del request.session[SHOW_ONCE_SESSION_KEY]
    return str(kept.get("secret", ""))


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_GET
def endpoint_list_view(request: HttpRequest) -> HttpResponse:
    page, query = paginate(request, endpoint_list(user=request.user))
    return render(
        request,
        "webhooks/endpoint_list.html",
        {"page_obj": page, "query": query, "breadcrumbs": _crumbs()},
    )


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def endpoint_create_view(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(
        request.POST if request.method == "POST" else None, area_choices=endpoint_area_choices(user=request.user)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                endpoint, secret = endpoint_create(
                    actor=request.user,
                    name=data["name"],
                    url=data["url"],
                    events=list(data["events"]),
                    place=data["area"],
                    channel=data["channel"],
                    request=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except PermissionDenied as error:
                form.add_error("area", str(error))
            else:
                _remember_secret(request, endpoint, secret)
                messages.success(request, _("The endpoint has been added."))
                return redirect("webhooks:endpoint-edit", endpoint.pk)
    return render(
        request,
        "webhooks/endpoint_form.html",
        {"form": form, "endpoint": None, "breadcrumbs": _crumbs({"label": _("New endpoint"), "url": ""})},
        status=status,
    )


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def endpoint_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_get(user=request.user, pk=pk)
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "events": endpoint.events,
        "area": endpoint.place_id,
        "channel": endpoint.channel,
        "is_active": endpoint.is_active,
    }
    form = EndpointForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        area_choices=endpoint_area_choices(user=request.user),
        editing=True,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                endpoint_update(
                    actor=request.user,
                    endpoint=endpoint,
                    name=data["name"],
                    url=data["url"],
                    events=list(data["events"]),
                    place=data["area"],
                    channel=data["channel"],
                    is_active=data["is_active"],
                    request=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except PermissionDenied as error:
                form.add_error("area", str(error))
            else:
                messages.success(request, _("The endpoint has been changed."))
                return redirect("webhooks:endpoint-edit", endpoint.pk)
    return render(
        request,
        "webhooks/endpoint_form.html",
        {
            "form": form,
            "endpoint": endpoint,
            "new_secret": _pop_secret(request, endpoint) if request.method == "GET" else "",
            "counts": delivery_status_counts(user=request.user, endpoint_id=endpoint.pk),
            "breadcrumbs": _crumbs({"label": endpoint.name, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_POST
def endpoint_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_get(user=request.user, pk=pk)
    endpoint_deactivate(actor=request.user, endpoint=endpoint, request=request)
    messages.success(request, _("The endpoint has been deactivated: nothing more is sent to it."))
    return redirect("webhooks:endpoint-edit", endpoint.pk)


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_POST
def endpoint_rotate_view(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_get(user=request.user, pk=pk)
    secret = endpoint_rotate_secret(actor=request.user, endpoint=endpoint, request=request)
    _remember_secret(request, endpoint, secret)
    messages.success(request, _("The signing secret has been replaced."))
    return redirect("webhooks:endpoint-edit", endpoint.pk)


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_GET
def delivery_list_view(request: HttpRequest) -> HttpResponse:
    endpoints = endpoint_list(user=request.user)
    form = DeliveryFilterForm(
        request.GET or None, endpoint_choices=[(endpoint.pk, endpoint.name) for endpoint in endpoints]
    )
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {"status": data["status"], "event_type": data["event"], "endpoint_id": data["endpoint"]}
    page, query = paginate(request, delivery_list(user=request.user, **filters))
    return render(
        request,
        "webhooks/delivery_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "counts": delivery_status_counts(user=request.user, endpoint_id=filters.get("endpoint_id")),
            "breadcrumbs": _crumbs({"label": _("Deliveries"), "url": ""}),
        },
    )


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_GET
def delivery_detail_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    delivery = delivery_get(user=request.user, public_id=public_id)
    return render(
        request,
        "webhooks/delivery_detail.html",
        {
            "delivery": delivery,
            "attempts": delivery_attempts(delivery=delivery),
            "can_redeliver": delivery.status != DeliveryStatus.PENDING,
            "retries": len(BACKOFF),
            "breadcrumbs": _crumbs(
                {"label": _("Deliveries"), "url": reverse("webhooks:delivery-list")},
                {"label": str(delivery.public_id)[:8], "url": ""},
            ),
        },
    )


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_POST
def delivery_redeliver_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    delivery = delivery_get(user=request.user, public_id=public_id)
    if delivery_redeliver(actor=request.user, delivery=delivery, request=request):
        messages.success(request, _("The delivery will be sent again now."))
    else:
        messages.warning(request, _("This delivery is still pending: it is sent when it is due."))
    return redirect("webhooks:delivery-detail", delivery.public_id)
