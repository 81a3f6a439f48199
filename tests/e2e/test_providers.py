"""Issue 4's provider self-service journey in a real browser, axe on every page: a provider
with no organisation asks to join one; a moderator approves; the provider sees the
organisation on /providers/ and opens its service in the Wagtail admin."""

import re

from playwright.sync_api import Page, expect

from directory.factories import OrganisationPageFactory, ServicePageFactory
from directory.models import Location, OrganisationMembership
from portal import roles
from portal.factories import TEST_PASSWORD, UserFactory

from .axe import assert_accessible
from .signin import give_authenticator, sign_in


def wait_for_admin_message(page: Page) -> None:
    """Wagtail fades its messages in: check their colours once they are fully shown."""
    page.locator(".messages [data-w-messages-target='container'] li").first.wait_for()
    page.wait_for_timeout(200)  # the fade starts after a short delay
    for _ in range(50):  # wait_for_function would need eval, which the admin's CSP forbids
        running = page.evaluate(
            "() => document.getAnimations().filter((a) => a.playState === 'running').length"
        )
        if not running:
            return
        page.wait_for_timeout(100)


def test_a_provider_joins_an_organisation_and_edits_its_service(page: Page, browser, live_server):
    organisation = OrganisationPageFactory(
        title="Seaborough Carers Trust", description="Support for unpaid carers."
    )
    OrganisationPageFactory(title="Seaborough Youth Club")
    service = ServicePageFactory(parent=organisation, title="Carers’ café")
    provider = UserFactory(email="pat@carers.example")
    provider_secret = give_authenticator(provider)
    moderator = UserFactory(email="mo@council.example", roles=[roles.MODERATORS])
    moderator_secret = give_authenticator(moderator)

    # The provider has no organisation yet, finds theirs and asks to join it.
    sign_in(page, provider, secret=provider_secret)
    page.goto("/providers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organisations")
    assert_accessible(page)
    page.get_by_role("button", name="Join an organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join an organisation")
    assert_accessible(page)

    page.get_by_label("Organisation name").fill("carers")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 organisation found")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ask to join Seaborough Carers Trust").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask to join Seaborough Carers Trust")
    assert_accessible(page)

    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter your role in the organisation"
    )
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Your role in the organisation").fill("Café coordinator")
    page.get_by_label("Anything the moderator should know (optional)").fill(
        "Sam, our manager, can confirm."
    )
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("You asked to join Seaborough Carers Trust")).to_be_visible()
    expect(page.get_by_text("To join Seaborough Carers Trust: waiting")).to_be_visible()
    assert_accessible(page)

    # A moderator, on their own computer, approves the request.
    context = browser.new_context(base_url=live_server.url)
    try:
        moderator_page = context.new_page()
        sign_in(moderator_page, moderator, secret=moderator_secret)
        moderator_page.goto("/providers/requests/")
        expect(moderator_page.get_by_role("heading", level=1)).to_have_text(
            "Requests to join or register organisations"
        )
        assert_accessible(moderator_page)
        moderator_page.get_by_role("link", name="Join Seaborough Carers Trust").click()
        expect(moderator_page.get_by_text("Sam, our manager, can confirm.")).to_be_visible()
        assert_accessible(moderator_page)
        moderator_page.get_by_label("Approve: make them a member of the organisation").check()
        moderator_page.get_by_role("button", name="Save decision").click()
        expect(moderator_page.get_by_text("You approved the request")).to_be_visible()
        assert_accessible(moderator_page)
    finally:
        context.close()
    assert OrganisationMembership.objects.filter(user=provider, organisation=organisation)

    # The provider now sees the organisation and opens its service in the Wagtail admin.
    page.goto("/providers/")
    expect(page.get_by_role("heading", name="Seaborough Carers Trust", level=2)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Edit Carers’ café").click()
    expect(page).to_have_url(f"{page.url.split('/admin/')[0]}/admin/pages/{service.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Carers’ café")
    assert_accessible(page)

    page.goto(f"/admin/pages/{organisation.pk}/")
    expect(page.get_by_role("link", name="Carers’ café").first).to_be_visible()
    assert_accessible(page)

    # They add a location for their organisation, the only one they may choose.
    page.goto("/providers/")
    page.get_by_role("link", name="Add or change your locations").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Locations")
    assert_accessible(page)
    page.goto("/admin/snippets/directory/location/add/")
    assert_accessible(page)
    organisation_select = page.locator("#id_organisation")
    expect(organisation_select.locator("option")).to_have_text(
        ["Choose an organisation", "Seaborough Carers Trust"]
    )
    organisation_select.select_option(label="Seaborough Carers Trust")
    page.locator("#id_name").fill("Seaborough Carers Centre")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Seaborough Carers Centre").first).to_be_visible()
    wait_for_admin_message(page)
    assert_accessible(page)
    assert Location.objects.get(name="Seaborough Carers Centre").organisation_id == organisation.pk


def test_a_provider_registers_an_organisation_and_invites_a_colleague(page: Page, mailoutbox):
    founder = UserFactory(email="ann@lunch.example")
    founder_secret = give_authenticator(founder)
    moderator = UserFactory(email="mo@council.example", roles=[roles.MODERATORS])

    # Ann asks to register her organisation, correcting a mistake on the way.
    sign_in(page, founder, secret=founder_secret)
    page.goto("/providers/register/")
    assert_accessible(page)
    page.get_by_label("Organisation name").fill("Leigh Lunch Club")
    page.get_by_label("What the organisation does").fill("Hot lunches for older people.")
    page.get_by_label("Website (optional)").fill("not a website")
    page.get_by_label("Your role in the organisation").fill("Organiser")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a website address in the correct format"
    )
    assert_accessible(page)
    page.get_by_label("Website (optional)").fill("lunch.example.org")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("You asked to register Leigh Lunch Club")).to_be_visible()
    assert_accessible(page)

    # A moderator approves it (here, directly), which makes Ann its admin.
    from directory.models import OrganisationRequest
    from directory.providers import organisation_request_approve

    organisation_request_approve(
        organisation_request=OrganisationRequest.objects.get(name="Leigh Lunch Club"),
        decided_by=moderator,
    )

    # Ann invites a colleague from the members page.
    page.goto("/providers/")
    page.get_by_role("link", name="Members and invitations of Leigh Lunch Club").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    assert_accessible(page)
    page.get_by_label("Email address").fill("bo@lunch.example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("We have emailed an invitation to bo@lunch.example")).to_be_visible()
    assert_accessible(page)
    # The emailed link is absolute (WAGTAILADMIN_BASE_URL); open its path on the test server.
    link = re.search(r"/providers/invitations/\S+/", mailoutbox[-1].body).group(0)
    page.context.clear_cookies()

    # Bo opens the link, signs in with the invited address and accepts.
    colleague = UserFactory(email="bo@lunch.example")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Leigh Lunch Club")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(colleague.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Accept the invitation")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Accept the invitation").click()

    # Members of an organisation must set up an authenticator app before anything else.
    assert OrganisationMembership.objects.filter(user=colleague).exists()
    expect(page.get_by_text("You are now a member of Leigh Lunch Club")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)/"))
    assert_accessible(page)


def test_asking_to_join_works_without_javascript(page_without_js: Page):
    # axe needs JavaScript, so the journeys above check accessibility; this checks the forms.
    page = page_without_js
    OrganisationPageFactory(title="Seaborough Carers Trust")
    provider = UserFactory(email="nojs@carers.example")

    sign_in(page, provider)
    page.goto("/providers/join/?q=seaborough")
    page.get_by_role("link", name="Ask to join Seaborough Carers Trust").click()
    page.get_by_label("Your role in the organisation").fill("Volunteer")
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_text("To join Seaborough Carers Trust: waiting")).to_be_visible()
