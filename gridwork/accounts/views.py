"""Pages of accounts: staff sign-in and password, residents' phone sign-in, and the staff list."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from gridwork.accounts import services, sessions
from gridwork.accounts.forms import PhoneCodeForm, PhoneForm, StaffCreateForm, StaffLoginForm
from gridwork.accounts.middleware import IDLE_LOGOUT_KEY
from gridwork.accounts.passwords import password_change_context
from gridwork.accounts.roles import Perm
from gridwork.accounts.selectors import post_list, staff_get, staff_manageable, staff_posts
from gridwork.common.pagination import paginate
from gridwork.common.permissions import public_view, signed_in_view, staff_view

PHONE_SESSION_KEY = "gridwork_phone_signin"
PHONE_NEXT_KEY = "gridwork_phone_next"


def _home_for(user: Any) -> str:
    return reverse("staff-home") if getattr(user, "is_staff_member", False) else reverse("home")


def _safe_next(request: HttpRequest, target: str | None) -> str | None:
    """``target`` if it is a page of this site (a resident sent to sign in from a member's page goes back there)."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


# --- staff sign-in ---------------------------------------------------------------------------------------


@method_decorator(public_view, name="dispatch")
class StaffLoginView(auth_views.LoginView):
    """用户名密码登录. Django's LoginView: a new session id at sign-in; django-axes refuses locked accounts."""

    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm

    def get_default_redirect_url(self) -> str:
        return _home_for(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.request.method == "GET" and self.request.session.pop(IDLE_LOGOUT_KEY, False):
            minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
            context["idle_logout_message"] = _(
                "You were signed out after %(minutes)d minutes without activity. Please sign in again."
            ) % {"minutes": minutes}
        return context


@method_decorator(public_view, name="dispatch")
class StaffLogoutView(auth_views.LogoutView):
    """Sign out (POST only, Django's LogoutView), then back to the sign-in page."""


login_view = StaffLoginView.as_view()
logout_view = StaffLogoutView.as_view()


@signed_in_view
def password_change_view(request: HttpRequest) -> HttpResponse:
    """Staff change their own password; the validators' rules are shown under the field."""
    if not getattr(request.user, "is_staff_member", False):
        raise PermissionDenied
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        old_key = request.session.session_key
        user = services.user_password_change(
            user=request.user,  # type: ignore[arg-type]
            password=form.cleaned_data["new_password1"],
            request=request,
        )
        update_session_auth_hash(request, user)
        sessions.session_rekey(request=request, user=user, old_key=old_key)
        messages.success(request, _("Your password has been changed."))
        return redirect("staff-home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, **password_change_context(request.user)},
    )


# --- residents: phone and one-time code ------------------------------------------------------------------


@public_view
def phone_login_view(request: HttpRequest) -> HttpResponse:
    """Step one: the resident enters a mobile number and is sent a code. ``?next=`` (a page of this site) is where
    the resident goes once signed in."""
    form = PhoneForm(request.POST or None)
    after = _safe_next(request, request.GET.get("next") or request.POST.get("next"))
    if after:
        request.session[PHONE_NEXT_KEY] = after
    if request.method == "POST" and form.is_valid():
        phone = services.phone_normalise(form.cleaned_data["phone"])
        try:
            services.phone_code_request(phone=phone, request=request)
        except ValidationError as exc:
            form.add_error("phone", exc.message_dict.get("phone", exc.messages))
        else:
            request.session[PHONE_SESSION_KEY] = phone
            return redirect("accounts:phone-verify")
    return render(request, "accounts/phone_login.html", {"form": form, "next": after or ""})


@public_view
def phone_verify_view(request: HttpRequest) -> HttpResponse:
    """Step two: the resident enters the code and is signed in."""
    phone = request.session.get(PHONE_SESSION_KEY)
    if not phone:
        return redirect("accounts:phone")
    form = PhoneCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, phone=phone, code=form.cleaned_data["code"])
        if user is not None:
            auth_login(request, user)
            request.session.pop(PHONE_SESSION_KEY, None)
            return redirect(_safe_next(request, request.session.pop(PHONE_NEXT_KEY, None)) or _home_for(user))
        form.add_error("code", _("This code is wrong, has expired or has been used. Check it, or ask for a new one."))
    return render(request, "accounts/phone_verify.html", {"form": form, "phone": phone})


# --- staff list ------------------------------------------------------------------------------------------


def _staff_crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Staff"), "url": reverse("staff_accounts:staff-list")}, *extra]


@staff_view(Perm.VIEW_STAFF)
def staff_list_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "active")
    active = {"active": True, "inactive": False}.get(status)
    page, query = paginate(request, post_list(user=request.user, search=search, active=active))
    return render(
        request,
        "accounts/staff_list.html",
        {
            "page_obj": page,
            "query": query,
            "search": search,
            "status": status if active is not None else "all",
            "can_manage": request.user.has_perm_anywhere(Perm.MANAGE_STAFF),  # type: ignore[union-attr]
            "breadcrumbs": [{"label": _("Staff"), "url": ""}],
        },
    )


@staff_view(Perm.VIEW_STAFF)
def staff_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    staff = staff_get(user=request.user, pk=pk)
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "staff": staff,
            "posts": staff_posts(user=request.user, staff=staff),
            "can_deactivate": staff.is_active
            and staff.pk != request.user.pk
            and staff_manageable(user=request.user, staff=staff),
            "breadcrumbs": _staff_crumbs({"label": str(staff), "url": ""}),
        },
    )


@staff_view(Perm.MANAGE_STAFF)
def staff_create_view(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff = services.staff_create(
                actor=request.user,  # type: ignore[arg-type]
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                role=data["role"],
                place=data["place"],
                department=data["department"],
                password=data["password"] or None,
                request=request,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": staff})
            return redirect("staff_accounts:staff-detail", pk=staff.pk)
    return render(
        request,
        "accounts/staff_form.html",
        {"form": form, "breadcrumbs": _staff_crumbs({"label": _("New staff member"), "url": ""})},
    )


@staff_view(Perm.MANAGE_STAFF)
def staff_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    staff = staff_get(user=request.user, pk=pk)
    try:
        services.staff_deactivate(actor=request.user, user=staff, request=request)  # type: ignore[arg-type]
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("%(name)s has been deactivated.") % {"name": staff})
    return redirect("staff_accounts:staff-detail", pk=staff.pk)
