"""FHIR R4 routes (consent.api_fhir), included at /api/fhir/."""

from django.urls import path

from . import api_fhir

app_name = "fhir"

urlpatterns = [
    path("Consent/_search", api_fhir.consent_search, name="consent-search"),
    path("Consent", api_fhir.consent_type, name="consent"),
]
