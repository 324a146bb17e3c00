"""Staff pages of assessment rounds, reviews and star results (星级评定), at /staff/ratings/."""

from django.urls import URLPattern

from gridwork.ratings.results_urls import urlpatterns as results_urlpatterns

app_name = "ratings"
urlpatterns: list[URLPattern] = [*results_urlpatterns]
