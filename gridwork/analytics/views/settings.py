"""The assessment's weights (三率 composite, the values of the ratings) and the public-notice rule, for
``analytics.manage``; every change is audited with what it was before."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.analytics.forms import AssessmentSettingsForm
from gridwork.analytics.models import AnalyticsSettings
from gridwork.analytics.services import settings_update
from gridwork.common.permissions import staff_view


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    current = AnalyticsSettings.current()
    form = AssessmentSettingsForm(request.POST if request.method == "POST" else None, instance=current)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            settings_update(actor=request.user, values=form.cleaned_data, request=request)
            messages.success(request, _("The assessment settings have been saved."))
            return redirect("analytics:settings")
    return render(
        request,
        "analytics/settings.html",
        {
            "form": form,
            "breadcrumbs": [
                {"label": _("Analysis"), "url": reverse("analytics:dashboard")},
                {"label": _("Assessment weights"), "url": ""},
            ],
        },
        status=status,
    )
