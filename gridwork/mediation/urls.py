"""Dispute cases (/staff/mediation/): the cases' pages, then the agreements', referrals' and mediators' pages."""

from gridwork.mediation import case_urls, document_urls

app_name = "mediation"

urlpatterns = case_urls.urlpatterns + document_urls.urlpatterns
