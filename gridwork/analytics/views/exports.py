"""Excel downloads: the matter ledger with the work queue's filters, the league tables and one unit's measures.

The ledger reads the queue page's own form and filters (``matters.views.staff``), so what is on screen is what is
exported; where the page shows a wrong filter beside its field and ignores it, the export refuses with 400 naming the
field, since a file cannot show the error. Reporters are masked unless the user holds the unmask permission over the
matter's place; an export with any unmasked row is recorded in the audit log.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.analytics.exports import (
    XLSX_TYPE,
    ledger_matters,
    ledger_rows,
    ledger_xlsx,
    measures_xlsx,
    ranking_xlsx,
)
from gridwork.analytics.measures import Weights
from gridwork.analytics.models import AnalyticsSettings, UnitKind
from gridwork.analytics.selectors import area_figures, children_figures, notice_evidence, notice_list, ranking, trend
from gridwork.analytics.views.common import strict_selection
from gridwork.audit.services import audit_record
from gridwork.common.permissions import staff_view
from gridwork.matters.forms.staff import QueueFilterForm, queue_filters_from
from gridwork.matters.selectors import TAB_LABELS, QueueTab, matter_place_filter_choices, queue_tabs

RANKED_IN_EXPORT = (UnitKind.STREET, UnitKind.DEPARTMENT, UnitKind.COMMUNITY)


def content_disposition(ascii_name: str, display_name: str) -> str:
    """An attachment named ``display_name`` (RFC 5987 ``filename*``, UTF-8, for the Chinese name) with an ASCII
    ``filename`` for the clients that read only that."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(display_name, safe='')}"


def xlsx_response(content: bytes, *, ascii_name: str, display_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(ascii_name, display_name)
    response["Cache-Control"] = "private, no-store"
    return response


def _exporter(request: HttpRequest) -> list[tuple[str | Promise, Any]]:
    user: Any = request.user
    return [(gettext_lazy("Exported at"), timezone.now()), (gettext_lazy("Exported by"), str(user))]


def _refusal(errors: dict[str, list[str]]) -> JsonResponse:
    """400 naming each wrong filter: ``{"error": "kind: …", "fields": {"kind": ["…"]}}``."""
    text = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
    return JsonResponse({"error": text, "fields": errors}, status=400)


def _choice_text(form: QueueFilterForm, name: str, value: Any) -> str:
    """The label the filter's select shows for ``value`` (choices may be grouped), or the value itself."""
    for key, label in getattr(form.fields[name], "choices", []):
        options = label if isinstance(label, list | tuple) else [(key, label)]
        for option, text in options:
            if str(option) == str(value):
                return str(text)
    return str(value)


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def ledger_export_view(request: HttpRequest) -> HttpResponse:
    """事项台账: the matters of the queue's tab and filters, in the user's scope, as an .xlsx."""
    user: Any = request.user
    tabs = queue_tabs(user)
    requested = request.GET.get("tab", "")
    if requested and requested not in tabs:
        return _refusal({"tab": [_("Choose one of %(tabs)s.") % {"tabs": ", ".join(tabs)}]})
    tab = QueueTab(requested) if requested else tabs[0]
    bound = any(request.GET.get(key) for key in QueueFilterForm.base_fields)
    form = QueueFilterForm(request.GET if bound else None, place_choices=matter_place_filter_choices(user=user))
    filters = queue_filters_from(form, user)
    if form.errors:
        return _refusal({field: [str(message) for message in messages] for field, messages in form.errors.items()})
    chosen = {name: value for name, value in form.cleaned_data.items() if value} if bound else {}
    about: list[tuple[str | Promise, Any]] = [
        (gettext_lazy("Tab"), TAB_LABELS[tab]),
        *((form.fields[name].label or name, _choice_text(form, name, value)) for name, value in chosen.items()),
        *_exporter(request),
    ]
    ledger = ledger_xlsx(ledger_rows(ledger_matters(user=user, tab=tab, filters=filters)), about=about)
    if ledger.unmasked:
        with transaction.atomic():
            audit_record(
                actor=user,
                action="matter.export_unmasked",
                detail={
                    "rows": ledger.rows,
                    "unmasked": ledger.unmasked,
                    "capped": ledger.capped,
                    "tab": str(tab),
                    "filters": {name: str(value) for name, value in chosen.items()},
                },
                request=request,
            )
    today = timezone.localdate()
    return xlsx_response(
        ledger.content,
        ascii_name=f"matter-ledger-{today:%Y%m%d}.xlsx",
        display_name=f"{_('Matter ledger')}-{today:%Y%m%d}.xlsx",
    )


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def ranking_export_view(request: HttpRequest) -> HttpResponse:
    """三率排名: the league tables of the selected period (default this month) with the public notice."""
    selection = strict_selection(request)
    if isinstance(selection, JsonResponse):
        return selection
    period = selection.period
    weights = Weights.current()
    tables = [(str(kind), ranking(request.user, kind, period, weights)) for kind in RANKED_IN_EXPORT]
    notices = []
    for kind in RANKED_IN_EXPORT:
        listed = notice_list(request.user, kind, period)
        notices.append((str(kind), listed, notice_evidence(kind, [row.area.unit_id for row in listed], period)))
    content = ranking_xlsx(
        period=period,
        tables=tables,
        notices=notices,
        weights=weights,
        notice_overdue=AnalyticsSettings.current().notice_overdue,
        about=_exporter(request),
    )
    return xlsx_response(
        content,
        ascii_name=f"rankings-{period.label()}.xlsx",
        display_name=f"{_('Rankings')}-{period.label()}.xlsx",
    )


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def measures_export_view(request: HttpRequest) -> HttpResponse:
    """The selected unit's measures over the period, its children's and its trend."""
    selection = strict_selection(request)
    if isinstance(selection, JsonResponse):
        return selection
    area, period = selection.area, selection.period
    weights = Weights.current()
    content = measures_xlsx(
        area=area,
        period=period,
        figures=area_figures(area, period, weights),
        children=children_figures(area, period, weights),
        trend=trend(area, period, weights),
        weights=weights,
        notice_overdue=AnalyticsSettings.current().notice_overdue,
        about=_exporter(request),
    )
    return xlsx_response(
        content,
        ascii_name=f"measures-{area.code}-{period.label()}.xlsx",
        display_name=f"{area.name}-{_('Measures')}-{period.label()}.xlsx",
    )
