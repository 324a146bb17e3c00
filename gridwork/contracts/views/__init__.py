"""The contracts' pages: staff (``staff``), the resident unit's contacts (``unit``), the public board (``public``);
what the staff's and the unit's pages share is in ``common``."""
