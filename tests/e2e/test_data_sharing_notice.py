"""The fair-processing notice, a past version and the changes page in a real browser, with axe."""

from playwright.sync_api import Page, expect

from consent.models import DataSharingNoticePage

from .axe import assert_accessible


def test_notice_past_version_and_changes_are_accessible(page: Page):
    notice = DataSharingNoticePage.objects.get()
    notice.retention = "<p>Linked records are kept for 2 years.</p>"
    notice.change_summary = "We now keep linked records for 2 years, not 3."
    notice.save_revision().publish()

    page.goto("/data-sharing/")
    expect(page.locator("h1")).to_have_text("How we use your health and care information")
    expect(page.get_by_text("Seaborough Data Services Ltd")).to_be_visible()
    expect(page.get_by_text("This is version 2 of this notice")).to_be_visible()
    assert_accessible(page)

    page.goto("/data-sharing/notice/v/1/")
    expect(page.get_by_text("This is version 1 of this notice")).to_be_visible()
    expect(page.get_by_text("kept for 3 years")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="See what changed between versions").click()
    expect(page.locator("h1")).to_contain_text("Changes to")
    page.get_by_text("Changes to the wording since version 1").click()
    expect(page.get_by_text("Linked records are kept for 2 years.")).to_be_visible()
    assert_accessible(page)
