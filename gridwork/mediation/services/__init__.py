"""The mediation app's services (services write, selectors read). The cases' services live in ``services.cases``;
the agreements', referrals' and mediators' in their own modules. Import from the module itself."""
