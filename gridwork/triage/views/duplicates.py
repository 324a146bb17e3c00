"""Placeholder: being written."""

from django.http import Http404, HttpRequest, HttpResponse

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view


@staff_view(Perm.MANAGE_TRIAGE)
def policy_list_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


@staff_view(Perm.MANAGE_TRIAGE)
def similar_view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
