"""Public and residents' pages of the deliberation app, at /deliberation/: a community's deliberations and
programmes, voting and commenting, proposing and voting for public-interest projects, and their progress."""

from django.urls import URLPattern, path

from gridwork.deliberation.views import public

app_name = "deliberation_public"

urlpatterns: list[URLPattern] = [
    path("", public.index_view, name="index"),
    path("<int:pk>/", public.detail_view, name="detail"),
    path("<int:pk>/vote/", public.vote_view, name="vote"),
    path("<int:pk>/comment/", public.comment_view, name="comment"),
    path("projects/<int:pk>/", public.programme_view, name="programme"),
    path("projects/<int:pk>/propose/", public.propose_view, name="propose"),
    path("proposals/<int:pk>/", public.proposal_view, name="proposal"),
    path("proposals/<int:pk>/vote/", public.proposal_vote_view, name="proposal-vote"),
    path("photos/<int:pk>/", public.photo_view, name="photo"),
]
