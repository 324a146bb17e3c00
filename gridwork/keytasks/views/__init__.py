"""Staff pages of key tasks."""
