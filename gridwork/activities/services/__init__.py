"""Services of the activities app: activities (create, cancel, minutes, photos, check-in code), taking part
(sign-up, check-in) and the organisation-life warnings."""
