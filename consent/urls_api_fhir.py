"""IG pipeline API routes (filled in by consent.api_fhir)."""

urlpatterns: list = []
