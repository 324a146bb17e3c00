"""Placeholder: being written."""

from django.http import Http404, HttpRequest, HttpResponse

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view


@staff_view(Perm.MANAGE_TRIAGE)
def model_list_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@staff_view(Perm.MANAGE_TRIAGE)
def model_detail_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@staff_view(Perm.MANAGE_TRIAGE)
def retrain_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@staff_view(Perm.MANAGE_TRIAGE)
def policy_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@staff_view(Perm.MANAGE_TRIAGE)
def mapping_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@staff_view(Perm.MANAGE_TRIAGE)
def correction_list_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
