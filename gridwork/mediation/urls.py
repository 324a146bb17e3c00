"""Dispute cases (/staff/mediation/): the cases', agreements', referrals' and mediators' pages, and the figures."""

from gridwork.mediation import case_urls, document_urls, figure_urls

app_name = "mediation"

urlpatterns = case_urls.urlpatterns + document_urls.urlpatterns + figure_urls.urlpatterns
