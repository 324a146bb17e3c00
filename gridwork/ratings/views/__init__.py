"""Staff pages of the rounds (``rounds``) and of each assessment (``assessments``); the results pages are
``views_results``."""
