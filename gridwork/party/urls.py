from django.urls import path

from gridwork.party import views

app_name = "party"
urlpatterns = [
    path("", views.organisation_list_view, name="organisation-list"),
    path("members/", views.member_list_view, name="member-list"),
    path("<str:code>/", views.organisation_detail_view, name="organisation-detail"),
]
