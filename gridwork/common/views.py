from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def staff_home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
