"""The security administrator's console (安全管理员, 等保 separation of duties): locked accounts, the staff's sign-in
security with its actions, and the sign-in records. Only MANAGE_SECURITY: the system administrator and the audit
administrator are refused. Every action is a POST with a CSRF token, done by a service that audits it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridwork.accounts import services
from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm
from gridwork.accounts.selectors_security import (
    SIGN_IN_OUTCOMES,
    locked_accounts,
    security_staff_get,
    security_staff_list,
    security_staff_rows,
    sign_in_records,
)
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view


def _crumbs(label: str) -> list[dict[str, str]]:
    return [{"label": _("Sign-in security"), "url": reverse("security:locks")}, {"label": label, "url": ""}]


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (kept with its filters), or to ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _refusal(exc: PermissionDenied | ValidationError) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


# --- pages -----------------------------------------------------------------------------------------------


@staff_view(Perm.MANAGE_SECURITY)
def locks_view(request: HttpRequest) -> HttpResponse:
    """Accounts locked now by too many failed sign-ins, with an unlock button each."""
    page, query = paginate(request, locked_accounts(user=request.user))
    return render(
        request,
        "accounts/security/locks.html",
        {"page_obj": page, "query": query, "tab": "locks", "breadcrumbs": _crumbs(_("Locked accounts"))},
    )


@staff_view(Perm.MANAGE_SECURITY)
def security_staff_view(request: HttpRequest) -> HttpResponse:
    """Staff with their last sign-in, password age, second factor and open sessions."""
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "active")
    active = {"active": True, "inactive": False}.get(status)
    page, query = paginate(request, security_staff_list(user=request.user, search=search, active=active))
    return render(
        request,
        "accounts/security/staff.html",
        {
            "page_obj": page,
            "rows": security_staff_rows(user=request.user, users=list(page.object_list)),
            "query": query,
            "search": search,
            "status": status if active is not None else "all",
            "can_reset_second_factor": services.second_factor_resetter() is not None,
            "tab": "staff",
            "breadcrumbs": _crumbs(_("Staff")),
        },
    )


@staff_view(Perm.MANAGE_SECURITY)
def sign_ins_view(request: HttpRequest) -> HttpResponse:
    """The sign-in records of the audit log, by account and outcome."""
    username = request.GET.get("user", "").strip()
    outcome = request.GET.get("outcome", "")
    if outcome not in SIGN_IN_OUTCOMES:
        outcome = ""
    page, query = paginate(request, sign_in_records(user=request.user, username=username, outcome=outcome))
    return render(
        request,
        "accounts/security/sign_ins.html",
        {
            "page_obj": page,
            "query": query,
            "username": username,
            "outcome": outcome,
            "tab": "sign_ins",
            "breadcrumbs": _crumbs(_("Sign-in records")),
        },
    )


# --- actions (POST only) ---------------------------------------------------------------------------------


@staff_view(Perm.MANAGE_SECURITY)
def unlock_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    username = request.POST.get("username", "")
    try:
        services.security_unlock(actor=request.user, username=username, request=request)  # type: ignore[arg-type]
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("The account %(username)s has been unlocked.") % {"username": username})
    return _back(request, reverse("security:locks"))


def _staff_action(
    request: HttpRequest, pk: int, action: Callable[..., Any], done: Callable[[User, Any], str]
) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    staff = security_staff_get(user=request.user, pk=pk)
    if staff is None:
        raise Http404
    try:
        result = action(actor=request.user, user=staff, request=request)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, done(staff, result))
    return _back(request, reverse("security:staff"))


def _sessions_ended(count: int) -> str:
    return ngettext("%(count)d session was ended.", "%(count)d sessions were ended.", count) % {"count": count}


@staff_view(Perm.MANAGE_SECURITY)
def force_password_change_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        services.security_force_password_change,
        lambda staff, ended: (
            _("%(name)s must choose a new password at the next sign-in.") % {"name": staff}
            + " "
            + _sessions_ended(ended)
        ),
    )


@staff_view(Perm.MANAGE_SECURITY)
def end_sessions_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        services.security_end_sessions,
        lambda staff, ended: (
            _("%(name)s has been signed out everywhere.") % {"name": staff} + " " + _sessions_ended(ended)
        ),
    )


@staff_view(Perm.MANAGE_SECURITY)
def reset_second_factor_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        services.security_reset_second_factor,
        lambda staff, ended: (
            _("%(name)s will set up two-factor sign-in again at the next sign-in.") % {"name": staff}
            + " "
            + _sessions_ended(ended)
        ),
    )
