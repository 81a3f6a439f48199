"""An Editor writes a self-care definition in the Wagtail admin, in a real browser: saves a
draft (not offered yet), publishes it, and people find it at /self-care/<slug>/. axe checks the
admin pages and the public start page."""

import json

from playwright.sync_api import Page, expect

from portal import roles
from portal.factories import UserFactory
from selfcare.models import CouncilDefinition

from .axe import assert_accessible
from .signin import give_authenticator, sign_in

SLUG = "carers-break-check"
DEFINITION = {
    "slug": SLUG,
    "version": 1,
    "title": "Do you need a break from caring?",
    "kind": "self-assessment",
    "description": "A few questions to see whether a break could help you.",
    "start_content": "It takes about 2 minutes.",
    "sections": [
        {
            "id": "caring",
            "title": "Your caring",
            "pages": [
                {
                    "id": "hours",
                    "questions": [
                        {
                            "id": "hours",
                            "type": "number",
                            "label": "How many hours a week do you spend caring?",
                            "min": 0,
                            "max": 168,
                        }
                    ],
                }
            ],
        }
    ],
    "results": [{"title": "Breaks for carers", "body": "You can ask us about a break."}],
}


def test_editor_drafts_and_publishes_a_definition_that_people_can_use(page: Page):
    editor = UserFactory(email="editor@council.example", roles=[roles.EDITORS])
    sign_in(page, editor, secret=give_authenticator(editor))

    page.goto("/admin/snippets/selfcare/councildefinition/add/")
    assert_accessible(page)
    page.locator("#id_title").fill("Break from caring")
    page.locator("#id_slug").fill(SLUG)
    page.locator("#id_definition").fill(json.dumps(DEFINITION, indent=2))
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("Break from caring")
    row = CouncilDefinition.objects.get(slug=SLUG)
    assert row.live is False
    assert page.request.get(f"/self-care/{SLUG}/").status == 404

    page.goto(f"/admin/snippets/selfcare/councildefinition/edit/{row.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("published")
    row.refresh_from_db()
    assert row.live is True

    page.goto("/admin/snippets/selfcare/councildefinition/")
    expect(page.locator("table.listing")).to_contain_text(SLUG)
    expect(page.locator("table.listing")).to_contain_text("live")
    assert_accessible(page)

    page.goto(f"/self-care/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Do you need a break from caring?")
    expect(page.get_by_text("It takes about 2 minutes.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start now").or_(
        page.get_by_role("link", name="Start now")
    ).click()
    expect(page.get_by_label("How many hours a week do you spend caring?")).to_be_visible()
    assert_accessible(page)
