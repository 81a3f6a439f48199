"""Directory views: thin; rules live in services, selectors and the search app."""
