"""Staff pages of assessment schemes (考核方案), at /staff/schemes/."""

from django.urls import URLPattern, path

from gridwork.schemes import views

app_name = "schemes"
urlpatterns: list[URLPattern] = [
    path("", views.list_view, name="list"),
    path("new/", views.new_view, name="new"),
    path("presets/install/", views.preset_install_view, name="preset-install"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/edit/", views.edit_view, name="edit"),
    path("<int:pk>/versions/new/", views.version_new_view, name="version-new"),
    path("versions/<int:pk>/", views.version_view, name="version"),
    path("versions/<int:pk>/publish/", views.version_publish_view, name="version-publish"),
    path("versions/<int:pk>/note/", views.version_note_view, name="version-note"),
    path("versions/<int:pk>/retire/", views.version_retire_view, name="version-retire"),
    path("versions/<int:pk>/discard/", views.version_discard_view, name="version-discard"),
    path("versions/<int:pk>/thresholds/", views.thresholds_view, name="thresholds"),
    path("versions/<int:pk>/groups/new/", views.group_new_view, name="group-new"),
    path("groups/<int:pk>/edit/", views.group_edit_view, name="group-edit"),
    path("groups/<int:pk>/delete/", views.group_delete_view, name="group-delete"),
    path("versions/<int:pk>/indicators/new/", views.indicator_new_view, name="indicator-new"),
    path("indicators/<int:pk>/edit/", views.indicator_edit_view, name="indicator-edit"),
    path("indicators/<int:pk>/delete/", views.indicator_delete_view, name="indicator-delete"),
    path("versions/<int:pk>/vetoes/new/", views.veto_new_view, name="veto-new"),
    path("vetoes/<int:pk>/edit/", views.veto_edit_view, name="veto-edit"),
    path("vetoes/<int:pk>/delete/", views.veto_delete_view, name="veto-delete"),
]
