import pytest
from wagtail.models import Page

from portal.factories import ContentPageFactory
from portal.models import ContentPage, HomePage

pytestmark = pytest.mark.django_db


def test_home_page_shows_council_name_from_site_settings(client, site_settings):
    site_settings.council_name = "Lowmarsh District Council"
    site_settings.save()

    response = client.get("/")

    assert response.status_code == 200
    assert "Lowmarsh District Council" in response.text


def test_every_page_has_skip_link_header_phase_banner_and_footer(client):
    html = client.get("/").text

    assert 'href="#main-content"' in html
    assert 'id="main-content"' in html
    assert "govuk-phase-banner" in html
    assert "govuk-footer" in html


def test_footer_links_to_accessibility_privacy_and_cookies_pages(client):
    html = client.get("/").text

    for path in ["/accessibility/", "/privacy/", "/cookies/"]:
        assert f'href="{path}"' in html
        assert client.get(path).status_code == 200


def test_no_crown_or_gds_transport_font_in_the_shell(client):
    html = client.get("/").text

    assert "govuk-header__logotype" not in html
    assert "GDS Transport" not in html


def test_content_page_renders_each_block_with_govuk_markup(client, home_page):
    page = ContentPageFactory(
        parent=home_page,
        title="Getting help at home",
        body=[
            ("heading", {"text": "Who can get help", "level": "h2"}),
            ("rich_text", '<p>Read the <a href="https://example.org">guidance</a>.</p>'),
            ("inset_text", {"text": "<p>It can take up to 28 days.</p>"}),
            ("warning_text", {"text": "You can be fined for not telling us."}),
            ("details", {"summary": "If you are a carer", "text": "<p>Carers can ask too.</p>"}),
            (
                "button_link",
                {"text": "Start now", "url": "https://example.org/start", "start": True},
            ),
        ],
    )

    html = client.get(page.url).text

    assert '<h2 class="govuk-heading-l">Who can get help</h2>' in html
    assert (
        '<p class="govuk-body">Read the <a class="govuk-link" href="https://example.org">' in html
    )
    assert 'class="govuk-inset-text"' in html
    assert "up to 28 days" in html
    assert 'class="govuk-warning-text__text"' in html
    assert '<details class="govuk-details">' in html
    assert "If you are a carer" in html
    assert "govuk-button--start" in html
    assert 'href="https://example.org/start"' in html


def test_breadcrumbs_lead_back_to_home(client, home_page):
    parent = ContentPageFactory(parent=home_page, title="Help for carers")
    child = ContentPageFactory(parent=parent, title="Breaks from caring")

    html = client.get(child.url).text

    assert 'class="govuk-breadcrumbs"' in html
    assert f'href="{parent.url}">Help for carers<' in html


def test_pages_marked_show_in_menus_appear_in_the_navigation(client, home_page):
    ContentPageFactory(parent=home_page, title="Find support", show_in_menus=True)
    ContentPageFactory(parent=home_page, title="Hidden from menus", show_in_menus=False)

    html = client.get("/").text

    assert "Find support" in html
    assert "Hidden from menus" not in html


def test_page_tree_rules():
    root = Page.objects.get(depth=1)
    home = HomePage.objects.get()

    assert not HomePage.can_create_at(home)  # only one home page, at the root
    assert ContentPage.can_create_at(home)
    assert ContentPage.can_create_at(ContentPage.objects.first())
    assert not ContentPage.can_create_at(root)


def test_draft_content_page_is_not_public(client, home_page):
    page = ContentPageFactory(parent=home_page, title="Not ready yet", live=False)

    assert client.get(f"/{page.slug}/").status_code == 404


def test_navigation_follows_publishing_despite_the_cache(client, home_page):
    page = ContentPageFactory(parent=home_page, title="Carers' corner", show_in_menus=True)
    assert "Carers&#x27; corner" in client.get("/").text  # now cached

    page.unpublish()

    assert "Carers&#x27; corner" not in client.get("/").text
