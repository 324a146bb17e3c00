"""Staff pages of the propertyfirms app, at /staff/property/."""

from django.urls import URLPattern, path

from gridwork.propertyfirms.views import actions, companies, figures

app_name = "propertyfirms"

urlpatterns: list[URLPattern] = [
    path("", companies.company_list_view, name="company-list"),
    path("new/", companies.company_create_view, name="company-create"),
    path("<int:pk>/", companies.company_detail_view, name="company-detail"),
    path("<int:pk>/edit/", companies.company_edit_view, name="company-edit"),
    path("<int:pk>/contracts/new/", actions.contract_create_view, name="contract-create"),
    path("<int:pk>/matters/link/", actions.matter_link_view, name="matter-link"),
    path("<int:pk>/recognise/", actions.recognise_view, name="recognise"),
    path("contracts/<int:pk>/end/", actions.contract_end_view, name="contract-end"),
    path("contracts/<int:pk>/survey/", actions.survey_create_view, name="survey-create"),
    path("contracts/<int:pk>/assess/", actions.assessment_create_view, name="assessment-create"),
    path("recognitions/<int:pk>/revoke/", actions.revoke_view, name="revoke"),
    path("ratings/", figures.ratings_view, name="ratings"),
    path("ratings/export/", figures.ratings_export_view, name="ratings-export"),
    path("coverage/", figures.coverage_view, name="coverage"),
]
