from django.urls import URLPattern

app_name = "places_public"
urlpatterns: list[URLPattern] = []
