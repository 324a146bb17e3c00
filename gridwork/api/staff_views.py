"""Staff pages of the API tokens, at /staff/api/, for the system administrator: the list, a new token (its key
shown once) and revoking one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.api.selectors import api_token_get, api_token_list
from gridwork.api.services import api_token_create, api_token_revoke
from gridwork.api.staff_forms import TokenCreateForm, TokenFilterForm
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("API tokens"), "url": reverse("staff_api:token-list") if extra else ""}, *extra]


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_GET
def token_list_view(request: HttpRequest) -> HttpResponse:
    form = TokenFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    tokens = api_token_list(user=request.user, status=filters.get("status", ""), search=filters.get("q", ""))
    page, query = paginate(request, tokens)
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "filtered": bool(filters.get("status") or filters.get("q")),
            "page_obj": page,
            "query": query,
            "breadcrumbs": _crumbs(),
        },
    )


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def token_create_view(request: HttpRequest) -> HttpResponse:
    """The key is shown in the answer to the POST, once: it is kept nowhere (not in the session), and the answer
    must not be cached."""
    form = TokenCreateForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            issued = api_token_create(
                actor=request.user,
                user=data["account"],
                name=data["name"],
                days=data["days"],
                request=request,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            response = render(
                request,
                "api/token_created.html",
                {
                    "token": issued.token,
                    "key": issued.key,
                    "me_url": request.build_absolute_uri(reverse("api:me")),
                    "breadcrumbs": _crumbs({"label": _("New token"), "url": ""}),
                },
            )
            add_never_cache_headers(response)
            return response
    return render(
        request,
        "api/token_form.html",
        {"form": form, "breadcrumbs": _crumbs({"label": _("New token"), "url": ""})},
    )


@staff_view(Perm.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST revokes (a token already revoked stays as it is)."""
    token = api_token_get(user=request.user, pk=pk)
    if request.method == "POST":
        if token.revoked_at is None:
            api_token_revoke(actor=request.user, token=token, request=request)
            messages.success(
                request,
                _("The token %(name)s (%(prefix)s…) has been revoked.") % {"name": token.name, "prefix": token.prefix},
            )
        return redirect("staff_api:token-list")
    return render(
        request,
        "api/token_revoke.html",
        {"token": token, "breadcrumbs": _crumbs({"label": _("Revoke"), "url": ""})},
    )
