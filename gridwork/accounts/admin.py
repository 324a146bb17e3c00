"""Accounts in the system administrator's admin site (gridwork.accounts.admin_site).

Open only to holders of ``Perm.ADMIN_SITE``; the audit log is deliberately not registered, so the
system administrator can neither read nor erase it. Every change made here is also written to the audit
log. Accounts and posts are deactivated, never deleted, so that the audit trail keeps its subjects.
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm, UsernameField
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridwork.accounts import services
from gridwork.accounts.admin_site import admin_site
from gridwork.accounts.models import Post, User, UserKind
from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record


def _is_system_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and user.has_perm_anywhere(Perm.ADMIN_SITE))


class SystemAdminMixin:
    """Model permissions come from the post (ADMIN_SITE), not from Django's per-model permissions;
    each change is also an audit row."""

    audit_name = "object"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_system_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_system_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_system_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _audit(self, request: HttpRequest, obj: models.Model, verb: str, message: Any) -> None:
        audit_record(
            actor=request.user,
            action=f"admin.{self.audit_name}.{verb}",
            target=obj,
            detail={"change": message if isinstance(message, str | list) else str(message)},
            request=request,
        )

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        self._audit(request, obj, "add", message)
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        self._audit(request, obj, "change", message)
        return super().log_change(request, obj, message)  # type: ignore[misc]


def _clean_phone(value: str | None) -> str | None:
    if not value:
        return None
    phone = services.phone_normalise(value)
    if not services.phone_is_valid(phone):
        raise ValidationError(_("Enter a mainland mobile number of 11 digits, such as 13812345678."))
    return phone


class GridworkUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "kind", "full_name", "phone")
        field_classes = {"username": UsernameField}

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        if user.kind == UserKind.STAFF and user.has_usable_password():
            user.must_change_password = True  # the administrator chose it
        if commit:
            user.save()
            self.save_m2m()
        return user

    def clean_phone(self) -> str | None:
        return _clean_phone(self.cleaned_data.get("phone"))


class ChosenForThemPasswordForm(AdminPasswordChangeForm):
    """A password the administrator sets is one the staff member must replace at their next sign-in."""

    def save(self, commit: bool = True) -> Any:
        if self.user.kind == UserKind.STAFF:
            self.user.must_change_password = True
        return super().save(commit=commit)


class GridworkUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("username", "password", "kind", "full_name", "phone", "is_active")
        field_classes = {"username": UsernameField}

    def clean_phone(self) -> str | None:
        return _clean_phone(self.cleaned_data.get("phone"))


class PostAdminForm(forms.ModelForm):
    """A post obeys the same rules as in gridwork.accounts.services (level of unit, department); only a staff account
    holds one, and nobody grants themselves a privileged role (三员分立: an administrator cannot become the security or
    audit administrator too)."""

    request_user: Any = None  # set per request by the admin classes below

    class Meta:
        model = Post
        fields = ("role", "place", "department", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role, place = cleaned.get("role"), cleaned.get("place")
        holder = cleaned.get("user") or getattr(self.instance, "user", None)
        if holder is not None and getattr(holder, "kind", UserKind.STAFF) != UserKind.STAFF:
            self.add_error(None, _("Only a staff account holds a post."))
        requester = self.request_user
        to_oneself = holder is not None and requester is not None and holder.pk == requester.pk
        if role in services.PRIVILEGED_ROLES and to_oneself:
            self.add_error("role", _("Nobody grants themselves this role: another administrator must."))
        if role and place is not None:
            for field, message in services.post_errors(
                actor=None, role=role, place=place, department=cleaned.get("department")
            ).items():
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class PostInline(admin.TabularInline):
    model = Post
    form = PostAdminForm
    extra = 0
    raw_id_fields = ("place", "department")
    readonly_fields = ("created_at",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_system_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_system_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"request_user": request.user})
        return formset


@admin.register(User, site=admin_site)
class GridworkUserAdmin(SystemAdminMixin, UserAdmin):
    audit_name = "user"
    form = GridworkUserChangeForm
    add_form = GridworkUserCreationForm
    change_password_form = ChosenForThemPasswordForm
    inlines = (PostInline,)
    list_display = ("username", "full_name", "kind", "is_active", "last_login")
    list_filter = ("kind", "is_active", "posts__role")
    search_fields = ("username", "full_name")
    ordering = ("username",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("kind", "full_name", "phone")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "kind", "full_name", "phone", "usable_password", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ()


@admin.register(Post, site=admin_site)
class PostAdmin(SystemAdminMixin, admin.ModelAdmin):
    audit_name = "post"
    form = PostAdminForm
    list_display = ("user", "role", "place", "department", "is_active", "created_at")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__full_name", "place__name", "place__code")
    fields = ("user", "role", "place", "department", "is_active")
    raw_id_fields = ("user", "place", "department")
    list_select_related = ("user", "place", "department")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})


@admin.register(AccessAttempt, site=admin_site)
class SignInLockAdmin(SystemAdminMixin, AccessAttemptAdmin):
    """Failed sign-in records (django-axes). Deleting a record unlocks the account; that is audited."""

    audit_name = "access_attempt"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_system_admin(request)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for attempt in queryset:
            audit_record(
                actor=request.user,
                action="login.unlocked",
                detail={"username": attempt.username or "", "ip_address": attempt.ip_address or ""},
                request=request,
            )
        return super().log_deletions(request, queryset)
