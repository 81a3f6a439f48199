from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from directory import review_urls
from search import views as search_views

from . import views

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Staff sign in through allauth (with MFA); Wagtail's own sign-in form is not offered.
    re_path(
        r"^admin/login/$",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailadmin_login_redirect",
    ),
    re_path(
        r"^admin/logout/$",
        RedirectView.as_view(pattern_name="account_logout"),
        name="wagtailadmin_logout_redirect",
    ),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's front-end sign-in (for private pages) is Django's bare LoginView: it would let
    # a password alone sign anyone in, past MFA and allauth's rate limits. Send it to allauth.
    re_path(
        r"^_util/login/$",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailcore_login_redirect",
    ),
    path("accounts/", include("allauth.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("api/oruk/", include("directory.api_urls")),
    # The IG pipeline API and FHIR Consent search (token auth; consent.api_ig, consent.api_fhir).
    path("api/ig/v1/", include("consent.urls_api_ig")),
    path("api/fhir/", include("consent.urls_api_fhir")),
    # Listing feedback and freshness (directory.urls_feedback, directory.urls_freshness).
    path("providers/feedback/", include("directory.urls_feedback")),
    # Ratings and reviews: moderation, and providers' replies (directory.review_urls).
    path("manage/reviews/", include(review_urls.moderation_urlpatterns)),
    # Staff pages for the consent register (consent.urls_staff).
    path("manage/consent/", include("consent.urls_staff")),
    path("manage/self-care/", include("selfcare.urls_staff")),
    path("providers/reviews/", include(review_urls.provider_urlpatterns)),
    path("providers/", include("directory.urls_freshness")),
    # Providers' self-service: organisations, requests, members (directory.urls_providers).
    path("providers/", include("directory.urls_providers")),
    # The citizen "make your choice" journey (consent.urls_choose), before Wagtail's pages.
    path("data-sharing/choose/", include("consent.urls_choose")),
    path("data-sharing/your-choices/", include("consent.urls_citizen")),
    # Self-care tools and self-assessments (selfcare.urls), before Wagtail's pages.
    path("self-care/", include("selfcare.urls")),
    # Search-box suggestions (search.views.autocomplete), before the directory's Wagtail page.
    path("services/autocomplete", search_views.autocomplete, name="search_autocomplete"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
