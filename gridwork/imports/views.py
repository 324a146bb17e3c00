"""Staff pages for importing: the kinds with their templates, and an upload page per kind."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view
from gridwork.common.tabular import ImportProblem, ImportRejected
from gridwork.imports.forms import ImportUploadForm
from gridwork.imports.services import import_run
from gridwork.imports.specs import SPECS, ImportSpec
from gridwork.imports.workbooks import template_csv, template_geojson, template_xlsx

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
}


def _spec(kind: str) -> ImportSpec:
    spec = SPECS.get(kind)
    if spec is None:
        raise Http404
    return spec


@staff_view(Perm.IMPORT_DATA)
@require_GET
def import_index_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "imports/index.html",
        {
            "specs": [(spec, ImportUploadForm(spec)) for spec in SPECS.values()],
            "breadcrumbs": [{"label": _("Import data"), "url": ""}],
        },
    )


@staff_view(Perm.IMPORT_DATA)
@require_GET
def import_template_view(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    spec = _spec(kind)
    if fmt not in spec.template_formats:
        raise Http404
    if fmt == "xlsx":
        content = template_xlsx(spec)
    elif fmt == "csv":
        content = template_csv(spec)
    else:
        content = template_geojson()
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response


@staff_view(Perm.IMPORT_DATA)
@require_http_methods(["GET", "POST"])
def import_upload_view(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _spec(kind)
    problems: list[ImportProblem] | None = None
    file_name = ""
    if request.method == "POST":
        form = ImportUploadForm(spec, request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            file_name = upload.name
            try:
                result = import_run(actor=request.user, kind=kind, file_name=file_name, data=upload.read())
            except ImportRejected as rejected:
                problems = rejected.problems
            else:
                message = ngettext(
                    "Imported %(count)d row from %(file)s.",
                    "Imported %(count)d rows from %(file)s.",
                    result.rows_imported,
                ) % {"count": result.rows_imported, "file": result.file_name}
                if result.encoding:
                    message += " " + _("The file was read as %(encoding)s.") % {"encoding": result.encoding}
                messages.success(request, message)
                return redirect("imports:upload", kind=kind)
    else:
        form = ImportUploadForm(spec)
    return render(
        request,
        "imports/upload.html",
        {
            "spec": spec,
            "form": form,
            "problems": problems,
            "file_name": file_name,
            "breadcrumbs": [
                {"label": _("Import data"), "url": reverse("imports:index")},
                {"label": spec.title, "url": ""},
            ],
        },
    )
