"""Residents' pages of micro-wishes, at /wishes/: post, follow, confirm; and a resident unit's contact's pages, at
/wishes/units/: the wishes open to the unit, claim, release, fulfil."""

from django.urls import URLPattern, path

from gridwork.wishes.views import claimant, resident

app_name = "resident_wishes"
urlpatterns: list[URLPattern] = [
    path("", resident.mine_view, name="mine"),
    path("<int:pk>/", resident.detail_view, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/", resident.photo_view, name="photo"),
    path("units/", claimant.unit_list_view, name="units"),
    path("units/<int:pk>/", claimant.unit_detail_view, name="unit-detail"),
    path("units/<int:pk>/photos/<int:photo_id>/", claimant.unit_photo_view, name="unit-photo"),
]
