"""Public and residents' pages at /property/: the companies serving estates today with their red property badge and
quarterly ratings (no personal data), and the quarterly rating by a verified resident of the estate's community."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import public_view, signed_in_view
from gridwork.mediation.services.applications import resident_home_community
from gridwork.propertyfirms import figures, selectors, services
from gridwork.propertyfirms.forms import RatingForm
from gridwork.propertyfirms.quarters import last_quarters, quarter_of

BAD_REQUEST = 400


@public_view
@require_GET
def company_list_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    companies = list(selectors.public_companies(today))
    red = set(figures.standing_recognitions(today).values_list("company_id", flat=True))
    return render(request, "propertyfirms/public/list.html", {"companies": companies, "red": red})


@public_view
@require_GET
def company_view(request: HttpRequest, pk: int) -> HttpResponse:
    company = selectors.public_company_get(pk)
    today = timezone.localdate()
    quarters = [quarter_of(today), *last_quarters(today, 3)]
    return render(
        request,
        "propertyfirms/public/company.html",
        {
            "company": company,
            "contracts": selectors.public_estates_served(company, today),
            "ratings": [figures.quarter_rating(company, year, quarter) for year, quarter in quarters],
            "is_red": figures.is_red(company, today),
        },
    )


@signed_in_view
@require_http_methods(["GET", "POST"])
def rate_view(request: HttpRequest) -> HttpResponse:
    """A verified resident rates the company serving an estate of their community, once a quarter per estate."""
    user: Any = request.user
    home = resident_home_community(user)
    if home is None:
        raise PermissionDenied(_("Only verified residents rate property companies."))
    estates = selectors.home_estates(home)
    form = RatingForm(request.POST or None, estates=estates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rating_submit(
                    actor=user,
                    estate=form.cleaned_data["estate"],
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Thank you: your rating is recorded."))
                return redirect("propertyfirms_public:rate")
        status = BAD_REQUEST
    today = timezone.localdate()
    serving = {
        c.estate_id: c.company for c in figures.serving_on(today).filter(estate__in=estates).select_related("company")
    }
    rows = [(estate, serving.get(estate.pk)) for estate in estates]
    return render(request, "propertyfirms/public/rate.html", {"form": form, "rows": rows, "home": home}, status=status)
