"""The audit log page, for the audit administrator only."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.selectors import audit_event_list
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@staff_view(Perm.VIEW_AUDIT)
def audit_list_view(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    since = _date(request.GET.get("since", ""))
    until = _date(request.GET.get("until", ""))
    events = audit_event_list(user=request.user, action=action, actor=actor, since=since, until=until)
    page, query = paginate(request, events)
    return render(
        request,
        "audit/event_list.html",
        {
            "page_obj": page,
            "query": query,
            "action": action,
            "actor": actor,
            "since": since,
            "until": until,
            "breadcrumbs": [{"label": _("Audit log"), "url": ""}],
        },
    )
