"""Staff pages of smart triage, at /staff/triage/."""

from django.urls import path

from gridwork.triage.views import duplicates, hotspots, models

app_name = "triage"
urlpatterns = [
    path("", models.model_list_view, name="model-list"),
    path("models/<int:version>/", models.model_detail_view, name="model-detail"),
    path("retrain/", models.retrain_view, name="retrain"),
    path("policy/", models.policy_view, name="policy"),
    path("mapping/", models.mapping_view, name="mapping"),
    path("corrections/", models.correction_list_view, name="correction-list"),
    path("duplicates/", duplicates.policy_list_view, name="duplicate-policies"),
    path("similar/", duplicates.similar_view, name="similar"),
    path("hotspots/", hotspots.hotspot_list_view, name="hotspot-list"),
]
