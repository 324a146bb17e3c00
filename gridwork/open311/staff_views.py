"""Staff pages of the Open311 keys, for the system administrator: the list, a new key (shown once) and revoking."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view
from gridwork.open311.forms import KeyCreateForm
from gridwork.open311.selectors import open311_key_get, open311_key_list
from gridwork.open311.services import open311_key_create, open311_key_revoke


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Open311 keys"), "url": reverse("staff_open311:key-list") if extra else ""}, *extra]


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_GET
def key_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "open311/staff/key_list.html",
        {
            "keys": open311_key_list(),
            "endpoint": request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "xml"})),
            "breadcrumbs": _crumbs(),
        },
    )


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def key_create_view(request: HttpRequest) -> HttpResponse:
    """A new key is shown in the answer to the POST, once; it is not kept in the session or anywhere else."""
    form = KeyCreateForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            key, secret = open311_key_create(actor=request.user, name=form.cleaned_data["name"], request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            response = render(
                request,
                "open311/staff/key_created.html",
                {"key": key, "secret": secret, "breadcrumbs": _crumbs({"label": _("New key"), "url": ""})},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "open311/staff/key_create.html",
        {"form": form, "breadcrumbs": _crumbs({"label": _("New key"), "url": ""})},
    )


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def key_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    key = open311_key_get(pk)
    if key is None:
        raise Http404
    if request.method == "POST":
        if open311_key_revoke(actor=request.user, key=key, request=request):
            messages.success(request, _("The key %(prefix)s has been revoked.") % {"prefix": key.prefix})
        return redirect("staff_open311:key-list")
    return render(
        request,
        "open311/staff/key_revoke.html",
        {"key": key, "breadcrumbs": _crumbs({"label": _("Revoke"), "url": ""})},
    )
