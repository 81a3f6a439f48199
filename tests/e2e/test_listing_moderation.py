"""Issue 4's acceptance journey for listing moderation, in a real browser with axe on every page:
a provider changes opening times in the Wagtail admin and submits them; the public page keeps
the old times; a moderator approves from the diff view; the public page, search results and the
Open Referral UK API show the new times."""

import datetime
import re

from playwright.sync_api import Page, expect

from directory.factories import OrganisationPageFactory, RegularScheduleFactory, ServicePageFactory
from directory.models import ServicePage
from directory.providers import membership_add
from portal import roles
from portal.factories import UserFactory

from .axe import assert_accessible
from .signin import give_authenticator, sign_in

OLD_TIMES = "9:30am to 4:30pm"
NEW_TIMES = "10am to 4:30pm"


def make_listing():
    organisation = OrganisationPageFactory(title="Seaborough Carers Trust")
    service = ServicePageFactory(
        parent=organisation,
        title="Carers’ café",
        summary="A friendly monthly café for unpaid carers.",
        extra_information="<p>Bring a friend.</p>",
    )
    RegularScheduleFactory(
        service=service,
        weekday=0,
        opens_at=datetime.time(9, 30),
        closes_at=datetime.time(16, 30),
    )
    return organisation, ServicePage.objects.get(pk=service.pk)


def messages_shown(page: Page) -> None:
    """Wait for the admin's messages to finish fading in: half-way, axe measures their colour
    contrast against a half-transparent background."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.messages > ul')]"
        ".every((list) => getComputedStyle(list).opacity === '1')"
    )


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def test_provider_edit_waits_for_a_moderator_then_goes_live_everywhere(page: Page):
    organisation, service = make_listing()
    provider = UserFactory(email="pat@carers.example", first_name="Pat", last_name="Provider")
    membership_add(organisation=organisation, user=provider)
    provider_secret = give_authenticator(provider)
    moderator = UserFactory(email="mo@council.example", roles=[roles.MODERATORS])
    moderator_secret = give_authenticator(moderator)

    # The provider changes Monday's opening times to Saturday, 10am, and submits them.
    sign_in(page, provider, secret=provider_secret)
    page.goto(f"/admin/pages/{service.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Carers’ café")
    assert_accessible(page)
    page.locator("#id_regular_schedules-0-weekday").select_option(label="Saturday")
    page.locator("#id_regular_schedules-0-opens_at").fill("10:00")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Listing moderation").click()

    expect(page.get_by_text("are awaiting approval")).to_be_visible()
    expect(page.get_by_text("will be published once a moderator approves them")).to_be_visible()
    messages_shown(page)
    assert_accessible(page)

    # Nothing has changed for the public yet.
    page.goto(service.url)
    expect(page.get_by_text(OLD_TIMES)).to_be_visible()
    expect(page.get_by_text(NEW_TIMES)).to_have_count(0)
    assert_accessible(page)
    sign_out(page)

    # A moderator finds the change in the queue, reads the diff and approves it.
    sign_in(page, moderator, secret=moderator_secret)
    page.goto("/admin/")
    page.get_by_role("link", name="Listing changes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Listing changes")
    row = page.get_by_role("row").filter(has_text="Carers’ café")
    # Only the opening times: the editor's rewrite of untouched rich text is not a change.
    expect(row.get_by_role("cell", name="Opening times", exact=True)).to_be_visible()
    expect(row).to_contain_text("Pat Provider")
    assert_accessible(page)

    page.get_by_role("link", name="Carers’ café").click()
    expect(page.get_by_role("heading", name="Changes against the live version")).to_be_visible()
    expect(page.locator("ins.addition").first).to_contain_text("Saturday")
    expect(page.locator("del.deletion").first).to_contain_text("Monday")
    assert_accessible(page)
    page.get_by_role("button", name="Approve and publish").click()

    expect(page.get_by_text("approved and published")).to_be_visible()
    expect(page.get_by_text("No listing changes are waiting")).to_be_visible()
    messages_shown(page)
    assert_accessible(page)

    # The moderator would rather have one email a day.
    page.get_by_role("link", name="Change how we email you").click()
    assert_accessible(page)
    page.get_by_label("One email a day").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("You get one email a day about new changes")).to_be_visible()
    sign_out(page)

    # The public page, search results and the API show the new times.
    page.goto(service.url)
    expect(page.get_by_text(NEW_TIMES)).to_be_visible()
    expect(page.get_by_text(OLD_TIMES)).to_have_count(0)
    assert_accessible(page)

    page.goto("/services/?day=saturday")
    expect(page.get_by_role("link", name="Carers’ café")).to_be_visible()
    assert_accessible(page)

    response = page.request.get(f"/api/oruk/services/{service.uuid}")
    schedule = response.json()["schedules"][0]
    assert (schedule["byday"], schedule["opens_at"]) == ("SA", "10:00")
    assert re.search(r"Saturday", schedule.get("description", ""))
