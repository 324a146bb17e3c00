"""Models of the deliberation app (written by its helper)."""
