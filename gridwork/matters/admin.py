"""The taxonomy of matters, edited by the system administrator in the admin (every change audited)."""

from __future__ import annotations

from django.contrib import admin

from gridwork.accounts.admin import SystemAdminMixin
from gridwork.accounts.admin_site import admin_site
from gridwork.matters.models import Category


@admin.register(Category, site=admin_site)
class CategoryAdmin(SystemAdminMixin, admin.ModelAdmin):
    """Categories are switched off, never deleted: matters keep the class they were filed under."""

    audit_name = "category"
    list_display = ["code", "name", "level", "default_kind", "source", "is_active", "sort_order"]
    list_filter = ["level", "source", "default_kind", "is_active"]
    search_fields = ["code", "name", "keywords"]
    list_editable = ["is_active", "sort_order"]
    autocomplete_fields = ["parent"]
    ordering = ["sort_order", "code"]
