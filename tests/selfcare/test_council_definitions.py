"""Council-authored definitions (CouncilDefinition, docs/selfcare-definitions.md): drafted and
published in the Wagtail admin, offered at /self-care/<slug>/ only once published, refused
when they would not load, take a built-in tool's address, change without a new version, or are
a licensed instrument without a licence reference."""

import copy
import json
import re
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError

from portal import roles
from portal.factories import UserFactory
from selfcare import catalogue
from selfcare.models import CouncilDefinition

pytestmark = pytest.mark.django_db

ADMIN = "/admin/snippets/selfcare/councildefinition/"
LICENSED = json.loads(
    (Path(__file__).parent / "definitions_licensed" / "licensed-example.json").read_text()
)
SLUG = "carers-break-check"


def definition_json(*, slug: str = SLUG, version: int = 1, **changes) -> dict:
    data = {
        "slug": slug,
        "version": version,
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
    data.update(changes)
    return data


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture
def editor():
    return with_mfa(UserFactory(email="ed@council.example", roles=[roles.EDITORS]))


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


def create(*, data: dict | None = None, slug: str = SLUG, licence_reference: str = ""):
    """A draft, as the admin's "Save draft" leaves it: a row that is not live, and a revision."""
    row = CouncilDefinition.objects.create(
        title="Break from caring",
        slug=slug,
        definition=data if data is not None else definition_json(slug=slug),
        licence_reference=licence_reference,
        live=False,
    )
    row.save_revision()
    return row


def publish(row: CouncilDefinition, data: dict | None = None) -> None:
    if data is not None:
        row.definition = data
    row.full_clean()
    row.save_revision().publish()


def form(data: dict, *, title: str = "Break from caring", slug: str = SLUG, **extra) -> dict:
    return {
        "title": title,
        "slug": slug,
        "licence_reference": "",
        "definition": json.dumps(data),
        **extra,
    }


def errors_of(row: CouncilDefinition) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    return refused.value.message_dict


# --- Draft, publish, unpublish ----------------------------------------------------------------


def test_a_draft_is_not_offered(client):
    create()

    assert catalogue.offered_get(SLUG) is None
    assert SLUG not in catalogue.offered_all()
    assert client.get(f"/self-care/{SLUG}/").status_code == 404


def test_once_published_it_is_offered_and_its_page_works(client):
    publish(create())

    offered = catalogue.offered_get(SLUG)
    assert offered is not None
    assert offered.trusted is False
    page = client.get(f"/self-care/{SLUG}/")
    assert page.status_code == 200
    assert "Do you need a break from caring?" in page.content.decode()
    assert "Do you need a break from caring?" in client.get("/self-care/").content.decode()


def test_an_editor_saves_a_draft_then_publishes_it_in_the_admin(signed_in):
    response = signed_in.post(f"{ADMIN}add/", form(definition_json()))
    assert response.status_code == 302
    row = CouncilDefinition.objects.get(slug=SLUG)
    assert row.live is False
    assert catalogue.offered_get(SLUG) is None

    response = signed_in.post(
        f"{ADMIN}edit/{row.pk}/", form(definition_json(), **{"action-publish": "action-publish"})
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.live is True
    assert catalogue.offered_get(SLUG).definition.title == "Do you need a break from caring?"
    assert signed_in.get(f"/self-care/{SLUG}/").status_code == 200


def test_the_admin_lists_definitions_and_shows_their_history(signed_in):
    row = create()
    publish(row)

    create(slug="still-a-draft")

    listing = signed_in.get(ADMIN).content.decode()
    assert "Break from caring" in listing
    assert SLUG in listing
    assert re.search(r">\s*live\s*<", listing)
    assert re.search(r">\s*draft\s*<", listing)
    assert signed_in.get(f"{ADMIN}history/{row.pk}/").status_code == 200
    edit = signed_in.get(f"{ADMIN}edit/{row.pk}/").content.decode()
    assert "Published versions" in edit
    # The JSON is shown indented, one key a line, for editors to read and change.
    assert "\n  &quot;slug&quot;: &quot;carers-break-check&quot;,\n" in edit


def test_a_draft_change_leaves_the_published_definition_offered(signed_in):
    row = create()
    publish(row)

    changed = definition_json(version=2, title="Do you need a rest from caring?")
    response = signed_in.post(f"{ADMIN}edit/{row.pk}/", form(changed))
    assert response.status_code == 302

    assert catalogue.offered_get(SLUG).definition.title == "Do you need a break from caring?"
    row.refresh_from_db()
    assert row.has_unpublished_changes is True


def test_publishing_a_changed_definition_with_the_same_version_is_refused(signed_in):
    row = create()
    publish(row)

    changed = definition_json(version=1, title="Do you need a rest from caring?")
    response = signed_in.post(
        f"{ADMIN}edit/{row.pk}/", form(changed, **{"action-publish": "action-publish"})
    )

    assert response.status_code == 200
    assert (
        "it differs from the published one, so its &quot;version&quot; must be higher than 1"
        in response.content.decode()
    )
    assert catalogue.offered_get(SLUG).definition.title == "Do you need a break from caring?"


def test_publishing_version_2_offers_version_2_and_records_the_history(signed_in, editor):
    row = create()
    publish(row)

    changed = definition_json(version=2, title="Do you need a rest from caring?")
    response = signed_in.post(
        f"{ADMIN}edit/{row.pk}/", form(changed, **{"action-publish": "action-publish"})
    )

    assert response.status_code == 302
    offered = catalogue.offered_get(SLUG)
    assert offered.definition.version == 2
    assert offered.definition.title == "Do you need a rest from caring?"
    row.refresh_from_db()
    history = row.version_history
    assert [entry["version"] for entry in history] == [2, 1]
    assert history[0]["published_by"] == editor.get_username()
    compare = signed_in.get(f"{ADMIN}history/{row.pk}/revisions/compare/earliest...latest/")
    assert compare.status_code == 200
    assert "Do you need a rest from caring?" in compare.content.decode()


def test_an_unchanged_definition_may_be_published_again_with_the_same_version():
    row = create()
    publish(row)

    row.title = "Break from caring (renamed in the admin only)"
    row.full_clean()


def test_unpublishing_removes_it(signed_in, client):
    row = create()
    publish(row)

    response = signed_in.post(f"{ADMIN}unpublish/{row.pk}/")

    assert response.status_code == 302
    assert catalogue.offered_get(SLUG) is None
    assert client.get(f"/self-care/{SLUG}/").status_code == 404


def test_a_definition_unpublished_then_changed_still_needs_a_new_version():
    row = create()
    publish(row)
    row.unpublish()
    row = CouncilDefinition.objects.get(pk=row.pk)

    row.definition = definition_json(version=1, title="A different wording")
    assert "must be higher than 1" in errors_of(row)["definition"][0]

    row.definition = definition_json(version=2, title="A different wording")
    row.full_clean()


# --- What clean() refuses -------------------------------------------------------------------


def test_a_builtin_slug_is_refused():
    row = CouncilDefinition(
        title="Our PHQ-9", slug="phq-9", definition=definition_json(slug="phq-9")
    )
    assert "built into the portal" in errors_of(row)["slug"][0]


def test_a_definition_whose_slug_differs_from_the_slug_field_is_refused():
    row = CouncilDefinition(title="Break", slug=SLUG, definition=definition_json(slug="other"))
    message = errors_of(row)["definition"][0]
    assert message.startswith("This definition has a problem:")
    assert '"other"' in message
    assert f'"{SLUG}"' in message


def test_a_definition_that_does_not_load_shows_the_engine_message(signed_in):
    broken = definition_json()
    broken["sections"][0]["pages"][0]["questions"][0]["type"] = "slider"

    response = signed_in.post(f"{ADMIN}add/", form(broken))

    assert response.status_code == 200
    assert (
        "This definition has a problem: definition carers-break-check page hours question "
        "hours: type must be one of radios, checkboxes, text, textarea, number, date"
    ) in response.content.decode()
    assert not CouncilDefinition.objects.exists()


def test_text_that_is_not_json_gets_one_clear_error(signed_in):
    response = signed_in.post(f"{ADMIN}add/", {**form({}), "definition": '{"slug": "x",'})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid JSON" in html
    assert "This definition has a problem" not in html
    assert not CouncilDefinition.objects.exists()


@pytest.mark.parametrize(
    "definition",
    [
        ["not", "an", "object"],
        definition_json(scoring={"bands": {"b": {"score": "x"}}}),
        definition_json(sections="not a list of sections"),
    ],
)
def test_a_definition_of_the_wrong_shape_is_refused_in_plain_words(definition):
    row = CouncilDefinition(title="Break", slug=SLUG, definition=definition)
    assert errors_of(row)["definition"][0].startswith("This definition has a problem:")


@pytest.mark.parametrize("version", [0, -1, 1.5, "2", True])
def test_the_version_must_be_a_whole_number_of_at_least_1(version):
    row = CouncilDefinition(title="Break", slug=SLUG, definition=definition_json(version=version))
    assert "whole number, 1 or more" in " ".join(errors_of(row).get("definition", []))


# --- Licensed instruments ---------------------------------------------------------------------


def test_a_licensed_definition_without_a_licence_reference_is_refused():
    row = CouncilDefinition(title="Licensed", slug="licensed-example", definition=LICENSED)
    assert errors_of(row)["licence_reference"] == [
        "Enter the licence reference for this instrument. Licensed questionnaires such as "
        "WEMWBS, ASCOT-Carer or the Carer Experience Scale cannot be offered without one."
    ]


def test_a_licensed_definition_forced_live_without_a_reference_is_not_offered(client):
    CouncilDefinition.objects.create(
        title="Licensed", slug="licensed-example", definition=LICENSED, live=True
    )

    assert catalogue.offered_get("licensed-example") is None
    assert client.get("/self-care/licensed-example/").status_code == 404


def test_a_licensed_definition_with_a_reference_is_offered_with_it(client):
    row = create(
        data=copy.deepcopy(LICENSED),
        slug="licensed-example",
        licence_reference="Licence 12345, held by the council's public health team",
    )
    publish(row)

    offered = catalogue.offered_get("licensed-example")
    assert offered is not None
    assert offered.licence_reference == "Licence 12345, held by the council's public health team"
    assert client.get("/self-care/licensed-example/").status_code == 200


# --- Council text is not trusted -------------------------------------------------------------


def test_html_in_a_council_definition_is_shown_as_text(client):
    publish(
        create(
            data=definition_json(
                start_content='<script>alert("x")</script><b>Bold claim</b>',
                description="Plain words",
            )
        )
    )

    html = client.get(f"/self-care/{SLUG}/").content.decode()

    assert '<script>alert("x")</script>' not in html
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in html
    assert "<b>Bold claim</b>" not in html
    assert "&lt;b&gt;Bold claim&lt;/b&gt;" in html


# --- Who may edit -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.RESIDENTS, roles.PRACTITIONERS, roles.MODERATORS])
def test_other_roles_cannot_edit_definitions(client, role):
    person = with_mfa(UserFactory(roles=[role]))
    client.force_login(person)

    assert client.get(f"{ADMIN}add/").status_code in (302, 403)
    assert not person.has_perm("selfcare.publish_councildefinition")


# --- The authors' guide ----------------------------------------------------------------------


def test_the_complete_example_in_the_guide_is_accepted():
    guide = (Path(__file__).parents[2] / "docs" / "selfcare-definitions.md").read_text()
    example = json.loads(
        guide.split("## A complete example")[1].split("```json")[1].split("```")[0]
    )

    row = CouncilDefinition(title="Break", slug=example["slug"], definition=example)
    row.full_clean()
    assert [i.immediate for i in catalogue.engine.definition_load(example).interrupts] == [True]
