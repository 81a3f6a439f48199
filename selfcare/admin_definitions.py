"""Council-authored definitions in the Wagtail admin (being written)."""
