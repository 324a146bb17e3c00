"""Services of the service day (written here, read by the selectors): cycles and their stages, opinions, items and
their results, residents' ratings, and the daily schedule job."""
