"""Calendar overrides for years the holiday package does not know, and the time limits; the system administrator's."""

from __future__ import annotations

from django.contrib import admin

from gridwork.accounts.admin import SystemAdminMixin
from gridwork.accounts.admin_site import admin_site
from gridwork.supervision.models import CalendarOverride, TimeLimit


@admin.register(CalendarOverride, site=admin_site)
class CalendarOverrideAdmin(SystemAdminMixin, admin.ModelAdmin):
    audit_name = "calendar_override"
    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"


@admin.register(TimeLimit, site=admin_site)
class TimeLimitAdmin(SystemAdminMixin, admin.ModelAdmin):
    """时限: the limits of each stage, by category, kind and urgency; the most specific row wins."""

    audit_name = "time_limit"
    list_display = ["stage", "category", "kind", "urgency", "amount", "unit", "note"]
    list_filter = ["stage", "kind", "urgency", "unit"]
    list_editable = ["amount", "unit"]
    autocomplete_fields = ["category"]
    search_fields = ["category__name", "category__code", "note"]
