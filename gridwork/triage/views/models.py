"""Staff pages of the triage model, at /staff/triage/: versions with their metrics, retraining, the auto-dispatch
policy, the class mapping and the dispatchers' corrections. The model is the city's: for ``triage.manage``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.triage.dispatch import current_policy
from gridwork.triage.forms import MappingForm, PolicyForm
from gridwork.triage.models import ClassMapping, ModelStatus, TriageCorrection, TriageModel
from gridwork.triage.services import mapping_update, policy_update
from gridwork.triage.tasks import retrain
from gridwork.triage.training import force_live


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Smart triage"), "url": reverse("triage:model-list") if extra else ""}, *extra]


def _models() -> list[TriageModel]:
    return list(TriageModel.objects.defer("artefact").select_related("trained_by")[:50])


@staff_view(Perm.MANAGE_TRIAGE)
@require_GET
def model_list_view(request: HttpRequest) -> HttpResponse:
    return _list(request, PolicyForm(instance=current_policy()))


def _list(request: HttpRequest, policy_form: PolicyForm, status: int = 200) -> HttpResponse:
    models = _models()
    live = next((m for m in models if m.status == ModelStatus.LIVE), None)
    return render(
        request,
        "triage/model_list.html",
        {
            "models": models,
            "live": live,
            "policy_form": policy_form,
            "correction_count": TriageCorrection.objects.count(),
            "unused_corrections": TriageCorrection.objects.filter(created_at__gt=live.created_at).count()
            if live
            else 0,
            "breadcrumbs": _crumbs(),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_TRIAGE)
@require_http_methods(["GET", "POST"])
def model_detail_view(request: HttpRequest, version: int) -> HttpResponse:
    model = TriageModel.objects.defer("artefact").select_related("trained_by").filter(version=version).first()
    if model is None:
        raise Http404
    if request.method == "POST":
        if model.status == ModelStatus.LIVE:
            messages.info(request, _("This version is already live."))
        else:
            try:
                force_live(model, user=request.user)
            except ValueError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Version %(version)s is live now.") % {"version": model.version})
        return redirect("triage:model-detail", model.version)
    per_class = model.metrics.get("per_class_f1") or {}
    counts = model.metrics.get("class_counts") or {}
    rows = [(label, per_class.get(label), counts.get(label)) for label in model.classes]
    return render(
        request,
        "triage/model_detail.html",
        {
            "model": model,
            "rows": rows,
            "breadcrumbs": _crumbs({"label": _("Version %(version)s") % {"version": model.version}, "url": ""}),
        },
    )


@staff_view(Perm.MANAGE_TRIAGE)
@require_POST
def retrain_view(request: HttpRequest) -> HttpResponse:
    retrain.enqueue(user_id=request.user.pk)
    messages.success(
        request,
        _(
            "Retraining has started. The new version appears here in a minute; it goes live only if its "
            "cross-validated macro-F1 is not worse than the live one's."
        ),
    )
    return redirect("triage:model-list")


@staff_view(Perm.MANAGE_TRIAGE)
@require_POST
def policy_view(request: HttpRequest) -> HttpResponse:
    form = PolicyForm(request.POST, instance=current_policy())
    if not form.is_valid():
        return _list(request, form, status=400)
    policy_update(
        actor=request.user,
        auto_dispatch=form.cleaned_data["auto_dispatch"],
        confidence=form.cleaned_data["auto_dispatch_confidence"],
        request=request,
    )
    messages.success(request, _("The automatic dispatch setting has been saved."))
    return redirect("triage:model-list")


@staff_view(Perm.MANAGE_TRIAGE)
@require_http_methods(["GET", "POST"])
def mapping_view(request: HttpRequest) -> HttpResponse:
    mappings = list(ClassMapping.objects.select_related("category"))
    form = MappingForm(request.POST if request.method == "POST" else None, mappings=mappings)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            changed = mapping_update(actor=request.user, changes=form.changes(), request=request)
            messages.success(request, _("%(count)d classes re-mapped.") % {"count": changed})
            return redirect("triage:mapping")
    return render(
        request,
        "triage/mapping.html",
        {"form": form, "breadcrumbs": _crumbs({"label": _("Class mapping"), "url": ""})},
        status=status,
    )


@staff_view(Perm.MANAGE_TRIAGE)
@require_GET
def correction_list_view(request: HttpRequest) -> HttpResponse:
    corrections = TriageCorrection.objects.select_related("matter", "category", "suggested_category", "created_by")
    page, query = paginate(request, corrections)
    return render(
        request,
        "triage/correction_list.html",
        {
            "page_obj": page,
            "query": query,
            "may_view_matters": request.user.has_perm_anywhere(Perm.VIEW_MATTERS),  # type: ignore[union-attr]
            "breadcrumbs": _crumbs({"label": _("Corrections"), "url": ""}),
        },
    )
