"""Staff pages of assessment rounds, reviews and star results (星级评定), at /staff/ratings/."""

from django.urls import URLPattern, path

from gridwork.ratings.results_urls import urlpatterns as results_urlpatterns
from gridwork.ratings.views import assessments, rounds

app_name = "ratings"
urlpatterns: list[URLPattern] = [
    path("", rounds.list_view, name="round-list"),
    path("rounds/new/", rounds.new_view, name="round-new"),
    path("rounds/<int:pk>/", rounds.detail_view, name="round-detail"),
    path("rounds/<int:pk>/targets/", rounds.targets_view, name="round-targets"),
    path("assessments/<int:pk>/", assessments.detail_view, name="assessment"),
    path("assessments/<int:pk>/self/", assessments.self_view, name="assessment-self"),
    path("assessments/<int:pk>/review/", assessments.review_view, name="assessment-review"),
    path("assessments/<int:pk>/accept/", assessments.accept_view, name="assessment-accept"),
    path("assessments/<int:pk>/higher-review/", assessments.higher_view, name="assessment-higher"),
    path("assessments/<int:pk>/lower/", assessments.lower_view, name="assessment-lower"),
    path("assessments/<int:pk>/evidence/<int:evidence_pk>/", assessments.evidence_view, name="assessment-evidence"),
    *results_urlpatterns,
]
