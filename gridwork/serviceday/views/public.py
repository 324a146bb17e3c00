"""The public pages of the service day, at /service-day/: choose a community, its service days, the opinion form
while its collection is open, one cycle's page (the items offered, the service day's results, the ratings, the
feedback and the summary) and rating an item.

Everyone may read them and give an opinion (a contact is optional; it is masked wherever staff list it, and never
shown here); rating needs a signed-in resident of the community or someone who gave an opinion
(``services.ratings``). Opinions themselves are never shown publicly, only their count; volunteers are counted, not
named (units, being organisations, are named).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import public_view, signed_in_view
from gridwork.mediation.services.applications import resident_home_community
from gridwork.places.models import Place
from gridwork.serviceday import selectors
from gridwork.serviceday.calendar import cycle_dates, stage_dates
from gridwork.serviceday.figures import DEFINITIONS, cycle_figures
from gridwork.serviceday.forms import OpinionForm, RatingForm
from gridwork.serviceday.models import CycleState, Item, ServiceCycle
from gridwork.serviceday.services import opinions as opinion_services
from gridwork.serviceday.services import ratings as rating_services

BAD_REQUEST = 400
FORBIDDEN = 403
TOO_MANY = 429
OPINIONS_PER_HOUR = 10  # from one address: enough for a family, not for a flood


def _grouped(communities: Any) -> list[tuple[str, list[Place]]]:
    groups: dict[str, list[Place]] = {}
    for community in communities:
        groups.setdefault(community.parent.name if community.parent is not None else "", []).append(community)
    return list(groups.items())


@public_view
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    """Which community: the signed-in resident's own first, then every community by street."""
    code = request.GET.get("community", "").strip()[:32]
    if code:
        community = selectors.public_community_get(code=code)
        return redirect("serviceday_public:community", code=community.code)
    return render(
        request,
        "serviceday/public/home.html",
        {
            "home": resident_home_community(request.user),
            "groups": _grouped(selectors.public_communities()),
            "rules": stage_dates(timezone.localdate()),
        },
    )


@public_view
@require_GET
def community_view(request: HttpRequest, code: str) -> HttpResponse:
    """A community's service days: this month's collection (with the form while it is open) and the recent cycles."""
    community = selectors.public_community_get(code=code)
    today = timezone.localdate()
    collection = stage_dates(today).window(CycleState.COLLECT)
    cycles = list(selectors.public_cycles(community))
    current = next((cycle for cycle in cycles if (cycle.year, cycle.month) == (today.year, today.month)), None)
    collecting = collection.contains(today) and (current is None or current.state == CycleState.COLLECT)
    return render(
        request,
        "serviceday/public/community.html",
        {
            "community": community,
            "cycles": [{"cycle": cycle, "dates": cycle_dates(cycle)} for cycle in cycles],
            "collecting": collecting,
            "collection": collection,
            "next_opens": opinion_services.next_collection_opens(),
        },
    )


def _throttled(request: HttpRequest) -> bool:
    """Whether this address has given too many opinions in the last hour (counted per hour, in the cache)."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    key = f"serviceday-opinions:{address}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > OPINIONS_PER_HOUR
    except ValueError:
        return False


@public_view
@require_http_methods(["GET", "POST"])
def opinion_view(request: HttpRequest, code: str) -> HttpResponse:
    """The opinion form of a community's service day: open from the 1st to the 15th while the collection is open."""
    community = selectors.public_community_get(code=code)
    user: Any = request.user
    context: dict[str, Any] = {
        "community": community,
        "collection": stage_dates(timezone.localdate()).window(CycleState.COLLECT),
        "signed_in_resident": opinion_services.is_resident(user),
    }
    if request.method != "POST":
        initial = {"name": user.full_name} if context["signed_in_resident"] else {}
        return render(request, "serviceday/public/opinion.html", {**context, "form": OpinionForm(initial=initial)})
    form = OpinionForm(request.POST)
    status = BAD_REQUEST
    if form.is_valid():
        if _throttled(request):
            form.add_error(None, _("Too many opinions from this connection in the last hour: please try later."))
            status = TOO_MANY
        else:
            try:
                opinion_services.opinion_submit(user=user, community=community, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you: your opinion is in. The items of the service day are published after the 25th."),
                )
                return redirect("serviceday_public:community", code=community.code)
    return render(request, "serviceday/public/opinion.html", {**context, "form": form}, status=status)


def _cycle_page(
    request: HttpRequest,
    cycle: ServiceCycle,
    *,
    forms: dict[int, RatingForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    items = list(selectors.public_items(cycle))
    mine = selectors.ratings_of(user=request.user, cycle=cycle)
    rows = []
    for item in items:
        item.cycle = cycle
        refusal = rating_services.rating_refusal(user=request.user, item=item)
        rating = mine.get(item.pk)
        form = (forms or {}).get(item.pk)
        if form is None and not refusal and rating is None:
            form = RatingForm(prefix=f"item{item.pk}")
        rows.append({"item": item, "mine": rating, "form": form, "refusal": refusal if rating is None else ""})
    figures = cycle_figures(cycle, on=timezone.localdate())
    return render(
        request,
        "serviceday/public/cycle.html",
        {
            "cycle": cycle,
            "dates": cycle_dates(cycle),
            "rows": rows,
            "figures": figures,
            "published_figures": cycle.summary_figures,
            "definitions": DEFINITIONS,
            "rating_open": cycle.state == CycleState.EVALUATE,
        },
        status=status,
    )


@public_view
@require_GET
def cycle_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _cycle_page(request, selectors.public_cycle_get(pk=pk))


@signed_in_view
@require_POST
def rate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident rates an item of the service day, 1–5 stars, once."""
    item: Item = selectors.public_item_get(pk=pk)
    cycle = selectors.public_cycle_get(pk=item.cycle_id)
    form = RatingForm(request.POST, prefix=f"item{item.pk}")
    if not form.is_valid():
        return _cycle_page(request, cycle, forms={item.pk: form}, status=BAD_REQUEST)
    try:
        rating_services.item_rate(
            actor=request.user,
            item=item,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data.get("comment", ""),
        )
    except PermissionDenied as error:
        form.add_error(None, str(error))
        return _cycle_page(request, cycle, forms={item.pk: form}, status=FORBIDDEN)
    except ValidationError as error:
        add_service_errors(form, error)
        return _cycle_page(request, cycle, forms={item.pk: form}, status=BAD_REQUEST)
    messages.success(request, _("Thank you: your rating is saved."))
    return redirect("serviceday_public:cycle", pk=cycle.pk)
