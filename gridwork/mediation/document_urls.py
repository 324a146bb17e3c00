"""The documents' pages of the dispute cases: agreements and their PDF, follow-ups, referrals and their letter, and
the mediators' roster (spliced into ``mediation.urls``)."""

from django.urls import URLPattern, path

from gridwork.mediation.views import documents, mediators

urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/agreement/", documents.agreement_create_view, name="agreement-create"),
    path("agreements/<int:pk>/", documents.agreement_detail_view, name="agreement-detail"),
    path("agreements/<int:pk>/pdf/", documents.agreement_pdf_view, name="agreement-pdf"),
    path("follow-ups/", documents.followup_list_view, name="followup-list"),
    path("follow-ups/<int:pk>/", documents.followup_record_view, name="followup-record"),
    path("cases/<int:pk>/refer/", documents.case_refer_view, name="case-refer"),
    path("referrals/<int:pk>/letter/", documents.referral_letter_view, name="referral-letter"),
    path("referrals/<int:pk>/result/", documents.referral_result_view, name="referral-result"),
    path("mediators/", mediators.mediator_list_view, name="mediator-list"),
    path("mediators/new/", mediators.mediator_create_view, name="mediator-create"),
    path("mediators/<int:pk>/", mediators.mediator_edit_view, name="mediator-edit"),
]
