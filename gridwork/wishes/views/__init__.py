"""The micro-wishes' pages: staff (``staff``), the resident who posts (``resident``), and claimants — registered
members and resident units (``claimant``)."""
