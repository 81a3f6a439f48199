"""The service page and the organisation page, rendered by Wagtail from live data."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from directory.factories import (
    LocationFactory,
    OrganisationPageFactory,
    RegularScheduleFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
    ServicePhoneFactory,
    TaxonomyTermFactory,
)
from directory.models import (
    AccessibilityFeature,
    ScheduleException,
    ServiceContact,
    ServiceCostOption,
    ServiceLanguage,
)
from directory.templatetags.directory_tags import age_range_text, listing_is_stale

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json" nonce="[^"]*">(.*?)</script>', re.S)


def json_ld(html: str) -> dict:
    match = JSON_LD.search(html)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


@pytest.fixture
def organisation():
    return OrganisationPageFactory(
        title="Seaborough Carers Trust",
        description="We support unpaid carers.\n\nWe have done so since 1990.",
        phone="01702 111111",
        email="hello@carers.example",
        website="https://carers.example",
        charity_number="1234567",
    )


@pytest.fixture
def service(organisation):
    term = TaxonomyTermFactory(name="Carers breaks")
    service = ServicePageFactory(
        parent=organisation,
        title="Carers’ café",
        summary="A friendly monthly café for unpaid carers.",
        description="Meet other carers over a cup of tea.\n\nTalk to our advisers.",
        alert="The café moves to the library in April.",
        minimum_age=18,
        eligibility_description="Anyone who looks after a relative or friend.",
        referral_required=True,
        referral_description="Ask your GP or social worker to refer you.",
        attending_in_person=True,
        attending_phone=True,
        is_free=False,
        fees="A small charge covers tea and cake.",
        email="cafe@carers.example",
        website="https://carers.example/cafe",
        assured_date=timezone.localdate() - datetime.timedelta(days=10),
        terms=[term],
    )
    ServicePhoneFactory(service=service, number="01702 123456", description="Helpline")
    ServiceContact.objects.create(
        service=service,
        name="Pat Public",
        title="Café lead",
        email="pat@carers.example",
        is_public=True,
    )
    ServiceContact.objects.create(
        service=service,
        name="Sam Secret",
        phone="07700 900123",
        email="sam@private.example",
        is_public=False,
    )
    ServiceCostOption.objects.create(service=service, option="per visit", amount="2.50")
    ServiceLanguage.objects.create(service=service, name="Polish", code="pl")
    location = LocationFactory(
        organisation=organisation,
        name="Civic Centre",
        address_1="1 Victoria Avenue",
        postal_code="SS2 6ER",
        latitude=51.5456,
        longitude=0.7077,
    )
    AccessibilityFeature.objects.create(location=location, description="Step-free access")
    ServiceAtLocationFactory(service=service, location=location)
    RegularScheduleFactory(service=service, weekday=0, opens_at=datetime.time(9, 0))
    RegularScheduleFactory(
        service=service,
        weekday=1,
        opens_at=datetime.time(9, 0),
        closes_at=datetime.time(12, 30),
    )
    RegularScheduleFactory(
        service=service, weekday=1, opens_at=datetime.time(14, 0), closes_at=datetime.time(16, 0)
    )
    service.term = term
    return service


def test_service_page_shows_every_section(client, service, organisation):
    response = client.get(service.url)

    assert response.status_code == 200
    html = response.text
    assert '<h1 class="govuk-heading-xl">Carers’ café</h1>' in html
    assert 'class="govuk-breadcrumbs"' in html
    assert f'href="{organisation.url}">Seaborough Carers Trust</a>' in html
    assert "govuk-notification-banner" in html
    assert "The café moves to the library in April." in html
    assert '<p class="govuk-body">Meet other carers over a cup of tea.</p>' in html
    assert '<p class="govuk-body">Talk to our advisers.</p>' in html
    # Who it is for, how to access, cost
    assert "Adults aged 18 and over" in html
    assert "Anyone who looks after a relative or friend." in html
    assert "You need to be referred to this service." in html
    assert "Ask your GP or social worker to refer you." in html
    assert "You can use this service in person or by phone." in html
    assert "There is a charge for this service." in html
    assert "£2.50 per visit" in html
    # Opening times
    assert '<dt class="govuk-summary-list__key">Tuesday</dt>' in html
    assert "9am to 12:30pm and 2pm to 4pm" in html
    assert "Closed on bank holidays." in html
    # Contact: phones as tel: links, public contacts only
    assert 'href="tel:01702123456">01702 123456</a>' in html
    assert 'href="mailto:cafe@carers.example"' in html
    assert 'href="https://carers.example/cafe"' in html
    assert "Pat Public" in html
    # Address, accessibility and a plain map link
    assert "1 Victoria Avenue<br>Southend-on-Sea<br>SS2 6ER" in html
    assert "Step-free access" in html
    assert "https://www.openstreetmap.org/?mlat=51.54560&amp;mlon=0.70770" in html
    assert "<iframe" not in html
    # Categories, languages, last checked, my list
    assert f'href="/services/category/{service.term.slug}/"' in html
    assert '<span lang="pl">Polish</span>' in html
    checked = service.assured_date
    assert f"Last checked on {checked.day} {checked:%B %Y}" in html
    assert "Add to my list" in html
    assert "My list (0)" in html


def test_private_contacts_are_never_shown(client, service):
    html = client.get(service.url).text

    assert "Sam Secret" not in html
    assert "07700 900123" not in html
    assert "sam@private.example" not in html


def test_hidden_address_shows_only_the_area_and_no_map(client, organisation):
    refuge = LocationFactory(
        organisation=organisation,
        name="Safe house",
        address_1="12 Secret Road",
        postal_code="SS9 9ZZ",
        hide_address=True,
        area_description="Southend area",
    )
    service = ServicePageFactory(parent=organisation, title="Refuge support")
    ServiceAtLocationFactory(service=service, location=refuge)

    html = client.get(service.url).text

    assert "Southend area" in html
    assert "12 Secret Road" not in html
    assert "SS9 9ZZ" not in html
    assert "openstreetmap" not in html
    assert "51.5376" not in html  # no coordinates in the JSON-LD either


def test_json_ld_describes_the_service(client, service):
    data = json_ld(client.get(service.url).text)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Service"
    assert data["name"] == "Carers’ café"
    assert data["provider"]["name"] == "Seaborough Carers Trust"
    assert data["url"].endswith(service.url)
    assert "01702 123456" in json.dumps(data)
    place = next(c["serviceLocation"] for c in data["availableChannel"] if "serviceLocation" in c)
    assert place["address"]["postalCode"] == "SS2 6ER"
    assert place["geo"]["latitude"] == pytest.approx(51.5456)
    assert {"@type", "dayOfWeek", "opens", "closes"} <= set(data["hoursAvailable"][0])
    assert "Sam Secret" not in json.dumps(data)


def test_json_ld_escapes_markup_in_the_data(client, organisation):
    service = ServicePageFactory(
        parent=organisation, title="Tea & talk </script><script>alert(1)</script>"
    )

    html = client.get(service.url).text

    assert "</script><script>alert(1)" not in html
    assert "\\u003C/script\\u003E" in html
    assert json_ld(html)["name"] == "Tea & talk </script><script>alert(1)</script>"


def test_old_check_date_shows_a_warning(client, organisation):
    service = ServicePageFactory(
        parent=organisation, assured_date=timezone.localdate() - datetime.timedelta(days=400)
    )

    html = client.get(service.url).text

    assert "govuk-warning-text" in html
    assert "It may be out of date. Contact the service to check before you go." in html


def test_missing_check_date_shows_a_warning(client, organisation):
    service = ServicePageFactory(parent=organisation, assured_date=None)

    html = client.get(service.url).text

    assert "We do not know when this information was last checked." in html


def test_recent_check_date_shows_no_warning(client, organisation):
    service = ServicePageFactory(parent=organisation)

    assert "It may be out of date" not in client.get(service.url).text


def test_temporarily_closed_service_shows_a_tag(client, organisation):
    service = ServicePageFactory(parent=organisation, status="temporarily closed")

    html = client.get(service.url).text

    assert 'govuk-tag govuk-tag--yellow">Temporarily closed</strong>' in html


def test_service_without_times_says_to_contact_them(client, organisation):
    service = ServicePageFactory(parent=organisation)

    html = client.get(service.url).text

    assert "No set opening times: contact them to arrange a time" in html
    assert "Closed on bank holidays" not in html


def test_upcoming_closures_are_listed(client, service):
    closure_day = timezone.localdate() + datetime.timedelta(days=10)
    ScheduleException.objects.create(service=service, date=closure_day, note="staff training")

    html = client.get(service.url).text

    assert f"Closed on {closure_day.day} {closure_day:%B %Y}: staff training" in html


def test_free_service_for_all_ages(client, organisation):
    service = ServicePageFactory(parent=organisation)

    html = client.get(service.url).text

    assert '<p class="govuk-body">Free</p>' in html
    assert "All ages" in html
    assert "You do not need to be referred." in html


def test_draft_changes_are_not_shown(client, organisation):
    service = ServicePageFactory(parent=organisation, title="Memory café")
    service.title = "Renamed in a draft"
    service.save_revision()

    html = client.get(service.url).text

    assert "Memory café" in html
    assert "Renamed in a draft" not in html


def test_unpublished_service_is_not_public(client, organisation):
    service = ServicePageFactory(parent=organisation)
    url = service.url
    service.unpublish()

    assert client.get(url).status_code == 404


def test_organisation_page_lists_its_live_services(client, organisation):
    ServicePageFactory(parent=organisation, title="Advice line", summary="Phone advice.")
    ServicePageFactory(parent=organisation, title="Not ready", live=False)

    response = client.get(organisation.url)

    html = response.text
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">Seaborough Carers Trust</h1>' in html
    assert '<p class="govuk-body">We support unpaid carers.</p>' in html
    assert 'href="tel:01702111111"' in html
    assert "1234567" in html
    assert "Advice line" in html
    assert "Phone advice." in html
    assert "Not ready" not in html


@pytest.mark.parametrize(
    ("minimum", "maximum", "expected"),
    [
        (None, None, "All ages"),
        (0, None, "All ages"),
        (18, None, "Adults aged 18 and over"),
        (65, None, "Adults aged 65 and over"),
        (5, 18, "Children and young people aged 5 to 18"),
        (11, 25, "Children and young people aged 11 to 25"),
        (None, 4, "Children and young people aged up to 4"),
        (18, 64, "Adults aged 18 to 64"),
        (16, None, "People aged 16 and over"),
        (10, 90, "People aged 10 to 90"),
    ],
)
def test_age_range_in_words(minimum, maximum, expected):
    assert age_range_text(minimum, maximum) == expected


def test_listing_is_stale_after_12_months():
    today = datetime.date(2026, 3, 3)

    assert not listing_is_stale(datetime.date(2025, 3, 3), today=today)
    assert listing_is_stale(datetime.date(2025, 3, 2), today=today)
    assert listing_is_stale(None, today=today)
    assert not listing_is_stale(datetime.date(2027, 2, 28), today=datetime.date(2028, 2, 29))
