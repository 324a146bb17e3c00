"""Django's admin, open to the system administrator only (never to the audit administrator)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from gridwork.accounts.roles import Perm


class GridworkAdminSite(admin.AdminSite):
    site_header = "Gridwork"
    site_title = "Gridwork"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and getattr(user, "is_staff_member", False)  # a resident account never, whatever post it was given
            and getattr(user, "has_perm_anywhere", None)
            and user.has_perm_anywhere(Perm.ADMIN_SITE)
        )


admin_site = GridworkAdminSite(name="admin")
