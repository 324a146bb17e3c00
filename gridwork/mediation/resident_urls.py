"""A resident's own applications for people's mediation (/mediation/): apply, my applications, one application and
its agreement's PDF, withdrawing an application."""

from django.urls import URLPattern, path

from gridwork.mediation.views import resident

app_name = "mediation_resident"

urlpatterns: list[URLPattern] = [
    path("", resident.mine_view, name="mine"),
    path("apply/", resident.apply_view, name="apply"),
    path("<int:pk>/", resident.detail_view, name="detail"),
    path("<int:pk>/agreement.pdf", resident.agreement_pdf_view, name="agreement-pdf"),
    path("<int:pk>/withdraw/", resident.withdraw_view, name="withdraw"),
]
