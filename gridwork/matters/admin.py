"""The taxonomy of matters, edited by the system administrator in the admin (every change audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gridwork.accounts.admin import SystemAdminMixin
from gridwork.accounts.admin_site import admin_site
from gridwork.matters.models import Category, CategoryQuestion


class CategoryQuestionInline(admin.TabularInline):
    """The extra questions asked when a matter of the category is filed (Open311 service attributes)."""

    model = CategoryQuestion
    extra = 0
    fields = ["order", "code", "question", "datatype", "required", "datatype_description", "values", "is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category, site=admin_site)
class CategoryAdmin(SystemAdminMixin, admin.ModelAdmin):
    """Categories are switched off, never deleted: matters keep the class they were filed under."""

    audit_name = "category"
    list_display = ["code", "name", "level", "default_kind", "source", "is_active", "sort_order"]
    list_filter = ["level", "source", "default_kind", "is_active"]
    search_fields = ["code", "name", "keywords"]
    list_editable = ["is_active", "sort_order"]
    autocomplete_fields = ["parent"]
    inlines = [CategoryQuestionInline]
    ordering = ["sort_order", "code"]
