"""The target figures page, at /staff/social-orgs/figures/: per community of the user's units the organisations
counting toward the ≥ 15 target and the other groups, rolled up per street, district and city within the user's units,
with the definitions; and the same as an Excel workbook. VIEW_ACTORS."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.analytics.views.exports import xlsx_response
from gridwork.common.permissions import staff_view
from gridwork.socialorgs.exports import figures_xlsx
from gridwork.socialorgs.figures import DEFINITIONS, target_figures
from gridwork.socialorgs.views.common import crumbs


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def figures_view(request: HttpRequest) -> HttpResponse:
    figures = target_figures(user=request.user)
    return render(
        request,
        "socialorgs/figures.html",
        {
            "figures": figures,
            "definitions": DEFINITIONS,
            "breadcrumbs": crumbs({"label": _("Figures against the target"), "url": ""}),
        },
    )


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def figures_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    figures = target_figures(user=user)
    about = [
        (gettext_lazy("Target per community"), figures.target),
        (gettext_lazy("Communities"), len(figures.communities)),
        (gettext_lazy("Exported at"), timezone.now()),
        (gettext_lazy("Exported by"), str(user)),
    ]
    day = timezone.localdate().isoformat()
    return xlsx_response(
        figures_xlsx(figures, about=about),
        ascii_name=f"social-organisations-{day}.xlsx",
        display_name=_("Social organisations against the target %(day)s.xlsx") % {"day": day},
    )
