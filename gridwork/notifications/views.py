"""The inbox (站内消息) of any signed-in user: staff and residents alike, each their own only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from gridwork.common.pagination import paginate
from gridwork.common.permissions import signed_in_view
from gridwork.notifications.selectors import notification_get, notification_list
from gridwork.notifications.services import notification_mark_read


def _base_template(request: HttpRequest) -> str:
    return "staff/base.html" if getattr(request.user, "is_staff_member", False) else "resident/base.html"


@signed_in_view
@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page, query = paginate(request, notification_list(user=request.user, unread_only=unread_only))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page_obj": page,
            "query": query,
            "unread_only": unread_only,
            "base_template": _base_template(request),
            "breadcrumbs": [{"label": _("Notifications"), "url": ""}],
        },
    )


@signed_in_view
@require_POST
def mark_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_get(user=request.user, pk=pk)
    notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect("notifications:inbox")


@signed_in_view
@require_POST
def mark_all_read_view(request: HttpRequest) -> HttpResponse:
    count = notification_mark_read(user=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count},
    )
    return redirect("notifications:inbox")


@signed_in_view
@require_POST
def open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about (a path on this site only)."""
    notification = notification_get(user=request.user, pk=pk)
    notification_mark_read(user=request.user, notification_id=notification.pk)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return HttpResponseRedirect(target)
    return redirect("notifications:inbox")
