"""Views of the property companies: staff pages at /staff/property/, public pages at /property/."""
