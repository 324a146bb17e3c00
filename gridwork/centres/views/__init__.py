"""Pages of the centres app: staff (centres, bookings, figures) and public (residents)."""
