"""Calendar overrides, entered by the system administrator for years the holiday package does not know."""

from __future__ import annotations

from django.contrib import admin

from gridwork.accounts.admin import SystemAdminMixin
from gridwork.accounts.admin_site import admin_site
from gridwork.supervision.models import CalendarOverride


@admin.register(CalendarOverride, site=admin_site)
class CalendarOverrideAdmin(SystemAdminMixin, admin.ModelAdmin):
    audit_name = "calendar_override"
    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
