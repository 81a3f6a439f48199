"""IG pipeline API routes (filled in by consent.api_ig)."""

urlpatterns: list = []
