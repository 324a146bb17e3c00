"""Staff pages of the admission app."""
