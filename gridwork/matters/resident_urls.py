from django.urls import URLPattern

app_name = "report"
urlpatterns: list[URLPattern] = []
