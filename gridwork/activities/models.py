"""Models of the activities app (written by its helper)."""
