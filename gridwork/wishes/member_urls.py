"""A member's pages of micro-wishes, at /member/wishes/: open wishes near them, claim, release, fulfil."""

from django.urls import URLPattern, path

from gridwork.wishes.views import claimant

app_name = "member_wishes"
urlpatterns: list[URLPattern] = [
    path("", claimant.member_list_view, name="list"),
    path("<int:pk>/", claimant.member_detail_view, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/", claimant.member_photo_view, name="photo"),
]
