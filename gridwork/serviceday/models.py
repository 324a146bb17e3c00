"""Models of the serviceday app (written by its helper)."""
