"""The usage figures page, at /staff/centres/usage/: per centre of the user's units and per room, for a month
(``?month=YYYY-MM``, this month by default; ``?centre=`` one centre), the figures of ``centres.figures`` with their
definitions on the page; and the same table as an Excel workbook. VIEW_CENTRES; a centre outside the user's units is
not found (404), a wrong month is refused with 400 naming it."""

from __future__ import annotations

import contextlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.analytics.views.exports import xlsx_response
from gridwork.centres import selectors
from gridwork.centres.exports import usage_xlsx
from gridwork.centres.figures import DEFINITIONS, kind_labels, usage
from gridwork.centres.forms import UsageForm
from gridwork.centres.views.centres import crumbs
from gridwork.common.permissions import staff_view

BAD_REQUEST = 400


class Choice:
    """The month and the centres asked for; ``errors`` when the query is wrong."""

    def __init__(self, request: HttpRequest) -> None:
        user: Any = request.user
        self.centres = selectors.centre_list(user=user)
        centre_id = (request.GET.get("centre") or "").strip()
        if centre_id:
            with contextlib.suppress(ValueError):
                selectors.centre_get(user=user, pk=int(centre_id))  # 404 outside the user's units
        self.form = UsageForm(request.GET or None, centres=self.centres)
        self.month = timezone.localdate().replace(day=1)
        self.errors: dict[str, list[str]] = {}
        if request.GET:
            if not self.form.is_valid():
                self.errors = {name: [str(m) for m in messages] for name, messages in self.form.errors.items()}
                return
            self.month = self.form.cleaned_data.get("month") or self.month
            centre = self.form.cleaned_data.get("centre")
            if centre is not None:
                self.centres = self.centres.filter(pk=centre.pk)


@staff_view(Perm.VIEW_CENTRES)
@require_GET
def usage_view(request: HttpRequest) -> HttpResponse:
    choice = Choice(request)
    rows = [] if choice.errors else usage(choice.centres, choice.month)
    return render(
        request,
        "centres/usage.html",
        {
            "form": choice.form,
            "month": choice.month,
            "rows": rows,
            "kind_labels": kind_labels(),
            "definitions": DEFINITIONS,
            "export_query": request.GET.urlencode(),
            "breadcrumbs": crumbs({"label": _("Usage figures"), "url": ""}),
        },
        status=BAD_REQUEST if choice.errors else 200,
    )


@staff_view(Perm.VIEW_CENTRES)
@require_GET
def usage_export_view(request: HttpRequest) -> HttpResponse:
    choice = Choice(request)
    if choice.errors:
        text = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in choice.errors.items())
        return HttpResponse(text, status=BAD_REQUEST, content_type="text/plain; charset=utf-8")
    user: Any = request.user
    rows = usage(choice.centres, choice.month)
    about = [
        (gettext_lazy("Month"), choice.month.strftime("%Y-%m")),
        (gettext_lazy("Centres"), len(rows)),
        (gettext_lazy("Exported at"), timezone.now()),
        (gettext_lazy("Exported by"), str(user)),
    ]
    month = choice.month.strftime("%Y-%m")
    return xlsx_response(
        usage_xlsx(rows, about=about),
        ascii_name=f"centre-usage-{month}.xlsx",
        display_name=_("Usage of centres %(month)s.xlsx") % {"month": month},
    )
