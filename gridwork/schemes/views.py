"""Staff pages of the assessment schemes (考核方案), at /staff/schemes/: the list with the presets to install, a new
scheme, a scheme with its versions, and a version with its groups, indicators, veto items and star thresholds —
editable while it is a draft — with publishing, a new version, retiring and discarding. Reads go through
``schemes.selectors`` (VIEW_RATINGS; drafts only for MANAGE_ASSESSMENT), writes through ``schemes.services``
(MANAGE_ASSESSMENT)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.flows import StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import staff_view
from gridwork.schemes import selectors, services
from gridwork.schemes.forms import (
    GroupForm,
    IndicatorForm,
    NoteForm,
    PresetForm,
    PublishForm,
    SchemeEditForm,
    SchemeForm,
    ThresholdsForm,
    VetoForm,
)
from gridwork.schemes.models import Scheme, SchemeVersion, TargetKind
from gridwork.schemes.sources import SOURCES


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Assessment schemes"), "url": reverse("schemes:list")}, *extra]


def _scheme_crumbs(scheme: Scheme, *extra: dict[str, str]) -> list[dict[str, str]]:
    return _crumbs({"label": scheme.name, "url": reverse("schemes:detail", args=[scheme.pk])}, *extra)


def _version_crumbs(version: SchemeVersion, *extra: dict[str, str]) -> list[dict[str, str]]:
    label = _("Version %(number)d") % {"number": version.number}
    return _scheme_crumbs(
        version.scheme, {"label": label, "url": reverse("schemes:version", args=[version.pk])}, *extra
    )


def _apply(form: forms.Form, write: Callable[[], Any]) -> tuple[int, str]:
    """Run ``write`` for a valid form: (0, "") when done; else the status and, for a refusal that names no field,
    the message for the page (a field's message goes on the form)."""
    if not form.is_valid():
        return 400, ""
    try:
        write()
    except ValidationError as error:
        add_service_errors(form, error)
        return 400, ""
    except PermissionDenied as error:
        return 403, str(error) or _("You may not do this.")
    except StaleState as error:
        return 409, str(error)
    return 0, ""


# --- the list and the schemes ------------------------------------------------------------------------------------


def _list_page(request: HttpRequest, *, status: int = 200, refusal: str = "") -> HttpResponse:
    user: Any = request.user
    kind = request.GET.get("kind", "")
    installed = dict(Scheme.objects.exclude(preset_key="").values_list("preset_key", "pk"))
    presets = [
        {"key": key, "label": services.PRESET_LABELS[key], "scheme_id": installed.get(key)}
        for key in services.PRESET_KEYS
    ]
    return render(
        request,
        "schemes/list.html",
        {
            "schemes": selectors.scheme_list(user=user, target_kind=kind),
            "kinds": TargetKind.choices,
            "kind": kind if kind in TargetKind.values else "",
            "may_manage": selectors.may_manage(user),
            "presets": presets,
            "refusal": refusal,
            "breadcrumbs": _crumbs(),
        },
        status=status,
    )


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    """考核方案: every scheme (they are city-wide) with its current version; presets to install for managers."""
    return _list_page(request)


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_POST
def preset_install_view(request: HttpRequest) -> HttpResponse:
    """Install a preset of the source documents (again: a new version of the same scheme)."""
    form = PresetForm(request.POST)
    if not form.is_valid():
        return _list_page(request, status=400, refusal=_("Choose one of the presets."))
    try:
        version = services.preset_install(actor=request.user, key=form.cleaned_data["key"], request=request)
    except ValidationError as error:
        return _list_page(request, status=400, refusal=" ".join(error.messages))
    messages.success(
        request,
        _("“%(scheme)s” version %(number)d is installed and published.")
        % {"scheme": version.scheme.name, "number": version.number},
    )
    return redirect("schemes:version", pk=version.pk)


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def new_view(request: HttpRequest) -> HttpResponse:
    """A new scheme: what it rates; its draft version 1 is then filled in."""
    form = SchemeForm(request.POST if request.method == "POST" else None)
    status = 200
    created: list[Scheme] = []
    if request.method == "POST":
        status, _refusal = _apply(
            form,
            lambda: created.append(
                services.scheme_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    target_kind=form.cleaned_data["target_kind"],
                    description=form.cleaned_data["description"],
                    request=request,
                )
            ),
        )
        if not status:
            version = created[0].versions.get(number=1)
            messages.success(request, _("The scheme is created. Add its groups, indicators and star thresholds."))
            return redirect("schemes:version", pk=version.pk)
    return render(
        request,
        "schemes/form.html",
        {
            "form": form,
            "title": _("New assessment scheme"),
            "submit": _("Create the scheme"),
            "breadcrumbs": _crumbs({"label": _("New"), "url": ""}),
        },
        status=status,
    )


def _detail_page(request: HttpRequest, scheme: Scheme, *, status: int = 200, note_form: Any = None) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "schemes/detail.html",
        {
            "scheme": scheme,
            "versions": selectors.scheme_versions(user=user, scheme=scheme),
            "may_manage": selectors.may_manage(user),
            "note_form": note_form or NoteForm(),
            "breadcrumbs": _scheme_crumbs(scheme),
        },
        status=status,
    )


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.scheme_get(user=request.user, pk=pk))


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    form = SchemeEditForm(
        request.POST if request.method == "POST" else None,
        initial={"name": scheme.name, "description": scheme.description},
    )
    status = 200
    if request.method == "POST":
        status, _refusal = _apply(
            form,
            lambda: services.scheme_update(
                actor=request.user,
                scheme=scheme,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                request=request,
            ),
        )
        if not status:
            messages.success(request, _("The scheme has been saved."))
            return redirect("schemes:detail", pk=scheme.pk)
    return render(
        request,
        "schemes/form.html",
        {
            "form": form,
            "title": _("Edit the scheme"),
            "submit": _("Save"),
            "breadcrumbs": _scheme_crumbs(scheme, {"label": _("Edit"), "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_POST
def version_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    """新版本: a draft copying the latest version."""
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    created: list[SchemeVersion] = []
    status, _refusal = _apply(
        form,
        lambda: created.append(
            services.version_new(actor=request.user, scheme=scheme, note=form.cleaned_data["note"], request=request)
        ),
    )
    if status:
        return _detail_page(request, scheme, status=status, note_form=form)
    messages.success(request, _("Version %(number)d is a new draft.") % {"number": created[0].number})
    return redirect("schemes:version", pk=created[0].pk)


# --- a version ---------------------------------------------------------------------------------------------------


def _version_page(
    request: HttpRequest,
    version: SchemeVersion,
    *,
    status: int = 200,
    refusal: str = "",
    publish_form: Any = None,
    note_form: Any = None,
) -> HttpResponse:
    user: Any = request.user
    groups = list(selectors.version_groups(version))
    for group in groups:
        for indicator in group.indicators.all():
            source = SOURCES.get(indicator.source)
            indicator.source_label = source.label if source else indicator.source  # type: ignore[attr-defined]
    editable = version.is_draft and selectors.may_manage(user)
    total_weight = sum((group.weight for group in groups), start=0)
    return render(
        request,
        "schemes/version.html",
        {
            "version": version,
            "scheme": version.scheme,
            "groups": groups,
            "total_weight": total_weight,
            "vetoes": list(version.vetoes.order_by("order", "id")),
            "thresholds": list(version.thresholds.order_by("-stars")),
            "sources": SOURCES,
            "editable": editable,
            "may_manage": selectors.may_manage(user),
            "problems": services.publish_problems(version) if editable else [],
            "publish_form": publish_form or PublishForm(initial={"revision": version.revision}),
            "note_form": note_form or NoteForm(initial={"note": version.note}),
            "refusal": refusal,
            "breadcrumbs": _version_crumbs(version),
        },
        status=status,
    )


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def version_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _version_page(request, selectors.version_get(user=request.user, pk=pk))


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_POST
def version_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    """发布: refused with the problems (400), or as stale (409) when the draft changed after the page was shown."""
    version = selectors.version_get(user=request.user, pk=pk)
    form = PublishForm(request.POST)
    status, refusal = _apply(
        form,
        lambda: services.version_publish(
            actor=request.user,
            version=version,
            expected_revision=form.cleaned_data["revision"],
            request=request,
        ),
    )
    if status:
        version.refresh_from_db()
        return _version_page(request, version, status=status, refusal=refusal, publish_form=form)
    messages.success(request, _("Version %(number)d is published.") % {"number": version.number})
    return redirect("schemes:version", pk=version.pk)


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_POST
def version_note_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    status, refusal = _apply(
        form,
        lambda: services.version_update_note(
            actor=request.user, version=version, note=form.cleaned_data["note"], request=request
        ),
    )
    if status:
        return _version_page(request, version, status=status, refusal=refusal, note_form=form)
    return redirect("schemes:version", pk=version.pk)


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_POST
def version_retire_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    try:
        services.version_retire(actor=request.user, version=version, request=request)
    except ValidationError as error:
        return _version_page(request, version, status=400, refusal=" ".join(error.messages))
    messages.success(request, _("Version %(number)d is retired: no new round can use it.") % {"number": version.number})
    return redirect("schemes:version", pk=version.pk)


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_POST
def version_discard_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    try:
        scheme = services.version_discard(actor=request.user, version=version, request=request)
    except ValidationError as error:
        return _version_page(request, version, status=400, refusal=" ".join(error.messages))
    messages.success(request, _("The draft version %(number)d is discarded.") % {"number": version.number})
    return redirect("schemes:detail", pk=scheme.pk)


# --- the content of a draft: groups, indicators, veto items, thresholds --------------------------------------


def _content_form_page(
    request: HttpRequest,
    version: SchemeVersion,
    form: forms.Form,
    *,
    title: str,
    status: int,
    refusal: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    return render(
        request,
        "schemes/content_form.html",
        {
            "form": form,
            "version": version,
            "title": title,
            "refusal": refusal,
            "cancel": reverse("schemes:version", args=[version.pk]),
            "breadcrumbs": _version_crumbs(version, {"label": title, "url": ""}),
            **(extra or {}),
        },
        status=status,
    )


def _content_edit(
    request: HttpRequest,
    version: SchemeVersion,
    form: forms.Form,
    write: Callable[[], Any],
    *,
    title: str,
    done: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    status = 200
    refusal = ""
    if request.method == "POST":
        status, refusal = _apply(form, write)
        if not status:
            messages.success(request, done)
            return redirect("schemes:version", pk=version.pk)
    return _content_form_page(request, version, form, title=title, status=status, refusal=refusal, extra=extra)


def _delete(request: HttpRequest, version: SchemeVersion, write: Callable[[], Any], done: str) -> HttpResponse:
    try:
        write()
    except ValidationError as error:
        return _version_page(request, version, status=400, refusal=" ".join(error.messages))
    messages.success(request, done)
    return redirect("schemes:version", pk=version.pk)


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def group_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    form = GroupForm(request.POST if request.method == "POST" else None)
    return _content_edit(
        request,
        version,
        form,
        lambda: services.group_save(actor=request.user, version=version, values=form.cleaned_data, request=request),
        title=_("New group"),
        done=_("The group has been added."),
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def group_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_get(user=request.user, pk=pk)
    version = group.version
    initial = {"code": group.code, "name": group.name, "weight": group.weight, "order": group.order}
    form = GroupForm(request.POST if request.method == "POST" else None, initial=initial)
    return _content_edit(
        request,
        version,
        form,
        lambda: services.group_save(
            actor=request.user, version=version, group=group, values=form.cleaned_data, request=request
        ),
        title=_("Group %(code)s") % {"code": group.code},
        done=_("The group has been saved."),
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_POST
def group_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_get(user=request.user, pk=pk)
    return _delete(
        request,
        group.version,
        lambda: services.group_delete(actor=request.user, group=group, request=request),
        _("The group and its indicators have been removed."),
    )


def _indicator_extra() -> dict[str, Any]:
    return {"source_help": [(source.key, source.label, source.unit, source.how) for source in SOURCES.values()]}


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def indicator_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    initial = {"group": request.GET.get("group")} if request.GET.get("group") else None
    form = IndicatorForm(request.POST if request.method == "POST" else None, version=version, initial=initial)
    return _content_edit(
        request,
        version,
        form,
        lambda: services.indicator_save(actor=request.user, version=version, values=form.cleaned_data, request=request),
        title=_("New indicator"),
        done=_("The indicator has been added."),
        extra=_indicator_extra(),
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def indicator_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_get(user=request.user, pk=pk)
    version = indicator.group.version
    initial = {
        name: getattr(indicator, name)
        for name in (
            "code",
            "name",
            "description",
            "max_score",
            "method",
            "evidence_required",
            "source",
            "full_at",
            "zero_at",
            "order",
        )
    }
    initial["group"] = indicator.group_id
    form = IndicatorForm(request.POST if request.method == "POST" else None, version=version, initial=initial)
    return _content_edit(
        request,
        version,
        form,
        lambda: services.indicator_save(
            actor=request.user, version=version, indicator=indicator, values=form.cleaned_data, request=request
        ),
        title=_("Indicator %(code)s") % {"code": indicator.code},
        done=_("The indicator has been saved."),
        extra=_indicator_extra(),
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_POST
def indicator_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_get(user=request.user, pk=pk)
    return _delete(
        request,
        indicator.group.version,
        lambda: services.indicator_delete(actor=request.user, indicator=indicator, request=request),
        _("The indicator has been removed."),
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def veto_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    form = VetoForm(request.POST if request.method == "POST" else None)
    return _content_edit(
        request,
        version,
        form,
        lambda: services.veto_save(actor=request.user, version=version, values=form.cleaned_data, request=request),
        title=_("New veto item"),
        done=_("The veto item has been added."),
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def veto_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    veto = selectors.veto_get(user=request.user, pk=pk)
    version = veto.version
    initial = {"code": veto.code, "name": veto.name, "description": veto.description, "order": veto.order}
    form = VetoForm(request.POST if request.method == "POST" else None, initial=initial)
    return _content_edit(
        request,
        version,
        form,
        lambda: services.veto_save(
            actor=request.user, version=version, veto=veto, values=form.cleaned_data, request=request
        ),
        title=_("Veto item %(code)s") % {"code": veto.code},
        done=_("The veto item has been saved."),
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_POST
def veto_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    veto = selectors.veto_get(user=request.user, pk=pk)
    return _delete(
        request,
        veto.version,
        lambda: services.veto_delete(actor=request.user, veto=veto, request=request),
        _("The veto item has been removed."),
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def thresholds_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    initial = {f"stars_{row.stars}": row.min_score for row in version.thresholds.all()}
    form = ThresholdsForm(request.POST if request.method == "POST" else None, initial=initial)
    return _content_edit(
        request,
        version,
        form,
        lambda: services.thresholds_set(
            actor=request.user, version=version, thresholds=form.thresholds(), request=request
        ),
        title=_("Star thresholds"),
        done=_("The star thresholds have been saved."),
    )
