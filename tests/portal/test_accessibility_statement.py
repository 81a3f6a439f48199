"""The accessibility statement at /accessibility/ (migration portal.0007): the sections the
Central Digital and Data Office's model statement requires, contact details that follow Site
settings, a link from every page's footer, and the old address still working."""

import importlib

import pytest
from bs4 import BeautifulSoup
from django.apps import apps

from portal.models import ContentPage

pytestmark = pytest.mark.django_db

STATEMENT = "/accessibility/"

statement_migration = importlib.import_module("portal.migrations.0007_accessibility_statement")


def _main(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser").find("main")


def test_statement_renders_with_the_model_statement_sections(client):
    response = client.get(STATEMENT)

    assert response.status_code == 200
    main = _main(response.text)
    assert main.find("h1").get_text(strip=True) == "Accessibility statement"
    headings = [h.get_text(strip=True) for h in main.find_all(["h2", "h3"])]
    for section in [
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ]:
        assert section in headings
    text = main.get_text(" ", strip=True)
    assert "WCAG 2.2 AA" in text or "version 2.2" in text
    assert "Equality and Human Rights Commission" in text
    assert "Equality Advisory and Support Service" in text
    assert "admin area" in text  # the known gap is stated, not hidden
    assert "320 pixels wide" in text
    assert "This statement was prepared on" in text


def test_statement_gives_the_contact_details_from_site_settings(client, site_settings):
    site_settings.contact_phone = "01999 000111"
    site_settings.contact_email = "access@lowmarsh.example"
    site_settings.save()

    main = _main(client.get(STATEMENT).text)

    assert "call 01999 000111" in main.get_text(" ", strip=True)
    assert main.find("a", href="mailto:access@lowmarsh.example") is not None


def test_every_page_links_to_the_statement_from_the_footer(client):
    for path in ["/", "/cookies/", "/services/", "/self-care/"]:
        footer = BeautifulSoup(client.get(path).text, "html.parser").find("footer")
        link = footer.find("a", href=STATEMENT)
        assert link is not None, path
        assert link.get_text(strip=True) == "Accessibility statement"


def test_old_address_redirects_permanently_to_the_statement(client):
    response = client.get("/accessibility-statement/")

    assert response.status_code == 301
    assert response["Location"] == STATEMENT


def test_migration_leaves_a_statement_edited_in_the_admin_alone(client):
    page = ContentPage.objects.get(slug="accessibility")
    page.slug = "accessibility-statement"
    page.body = [("rich_text", "<p>Our own statement.</p>")]
    page.save_revision().publish()

    statement_migration.statement_move_and_rewrite(apps, None)

    page.refresh_from_db()
    assert page.slug == "accessibility-statement"
    assert "Our own statement." in client.get("/accessibility-statement/").text
    # Still linked from the footer under its old slug.
    footer = BeautifulSoup(client.get("/").text, "html.parser").find("footer")
    assert footer.find("a", href="/accessibility-statement/") is not None
