from django.urls import path

from gridwork.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_index_view, name="index"),
    path("<slug:kind>/", views.import_upload_view, name="upload"),
    path("<slug:kind>/template.xlsx", views.import_template_view, {"fmt": "xlsx"}, name="template"),
    path("<slug:kind>/template.csv", views.import_template_view, {"fmt": "csv"}, name="template-csv"),
    path("<slug:kind>/template.geojson", views.import_template_view, {"fmt": "geojson"}, name="template-geojson"),
]
