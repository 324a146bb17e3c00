"""The mediation app's staff pages: ``cases`` (the cases helper's), ``documents`` and ``mediators`` (agreements,
referrals, follow-ups, the roster), ``figures``."""
