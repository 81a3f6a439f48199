"""Self-care tools at /self-care/ (filled in by selfcare.views)."""

urlpatterns: list = []
