"""IG officers manage pipeline systems and their API tokens in the Wagtail admin (ADR 0014):
a token is shown once, only its hash is kept, it can be revoked; other staff are kept out."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.core.management.base import CommandError

from consent.models import Purpose
from consent.pipeline import PipelineError, system_authenticate, token_hash, token_issue
from consent.pipeline_models import PipelineSystem, PipelineToken
from portal import roles
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

SYSTEMS = "/admin/snippets/consent/pipelinesystem/"
TOKENS = "/admin/ig-pipeline/tokens/"
CASE_FINDING = "risk-stratification-case-finding"
RESEARCH = "research"


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


def issue_url(system: PipelineSystem) -> str:
    return f"/admin/ig-pipeline/systems/{system.pk}/tokens/new/"


def revoke_url(token: PipelineToken) -> str:
    return f"/admin/ig-pipeline/tokens/{token.pk}/revoke/"


@pytest.fixture
def ig_officer():
    return with_mfa(UserFactory(email="ig@council.example", roles=[roles.IG_OFFICERS]))


@pytest.fixture
def system():
    system = PipelineSystem.objects.create(name="Landing area")
    system.purposes.set(Purpose.objects.filter(code=CASE_FINDING))
    return system


def raw_token_in(html: str) -> str:
    match = re.search(r'id="raw-token"[^>]*value="(igp_[^"]+)"', html)
    assert match, "the raw token is not on the page"
    return match.group(1)


def test_ig_officer_creates_a_system_with_purposes(client, ig_officer):
    client.force_login(ig_officer)
    purposes = Purpose.objects.filter(code__in=[CASE_FINDING, RESEARCH])

    assert client.get(SYSTEMS).status_code == 200
    assert client.get(SYSTEMS + "add/").status_code == 200
    response = client.post(
        SYSTEMS + "add/",
        {
            "name": "Risk stratification tool",
            "description": "Runs the case-finding model.",
            "purposes": [p.pk for p in purposes],
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    system = PipelineSystem.objects.get(name="Risk stratification tool")
    assert set(system.purposes.values_list("code", flat=True)) == {CASE_FINDING, RESEARCH}
    assert not system.entitled_to_nhs_numbers
    assert client.get(f"{SYSTEMS}edit/{system.pk}/").status_code == 200


def test_menu_shows_systems_and_tokens_to_ig_officers_only(client, ig_officer):
    client.force_login(ig_officer)
    menu = client.get("/admin/").content.decode()
    assert "IG pipeline tokens" in menu
    assert "IG pipeline systems" in menu

    client.force_login(with_mfa(UserFactory(roles=[roles.PRACTITIONERS])))
    menu = client.get("/admin/").content.decode()
    assert "IG pipeline tokens" not in menu
    assert "IG pipeline systems" not in menu


def test_ig_officer_issues_a_token_that_is_shown_once_and_stored_as_a_hash(
    client, ig_officer, system
):
    client.force_login(ig_officer)
    assert client.get(TOKENS).status_code == 200
    form = client.get(issue_url(system))
    assert form.status_code == 200

    response = client.post(issue_url(system), {"label": "production", "expires_on": ""})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    raw = raw_token_in(html)
    assert "will not be shown again" in html
    token = PipelineToken.objects.get()
    assert (token.system, token.label, token.created_by) == (system, "production", ig_officer)
    assert token.token_hash == token_hash(raw)
    assert raw not in str(PipelineToken.objects.values().get())
    assert system_authenticate(f"Bearer {raw}") == system
    # Never again: not on the list, not on the form.
    listing = client.get(TOKENS).content.decode()
    assert raw not in listing
    assert token.prefix in listing
    assert raw not in client.get(issue_url(system)).content.decode()


def test_issue_page_shows_no_nhs_numbers(client, ig_officer, system):
    client.force_login(ig_officer)

    for html in (
        client.get(issue_url(system)).content.decode(),
        client.post(issue_url(system), {"label": "x"}).content.decode(),
        client.get(TOKENS).content.decode(),
    ):
        text = re.sub(r"<[^>]+>", " ", html)
        assert not re.search(r"(?<![\w-])\d{10}(?![\w-])", text)


def test_expiry_must_be_in_the_future(client, ig_officer, system):
    client.force_login(ig_officer)

    response = client.post(issue_url(system), {"label": "x", "expires_on": "2001-01-01"})

    assert response.status_code == 200
    assert "must be in the future" in response.content.decode()
    assert not PipelineToken.objects.exists()


def test_ig_officer_revokes_a_token(client, ig_officer, system):
    token, raw = token_issue(system=system)
    client.force_login(ig_officer)

    assert client.get(revoke_url(token)).status_code == 200
    response = client.post(revoke_url(token))

    assert response.status_code == 302
    assert response["Location"] == TOKENS
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(PipelineError) as refused:
        system_authenticate(f"Bearer {raw}")
    assert refused.value.status == 401
    assert "Revoked" in client.get(TOKENS).content.decode()


@pytest.mark.parametrize("role", [roles.PRACTITIONERS, roles.EDITORS, roles.MODERATORS])
def test_other_staff_cannot_manage_systems_or_tokens(client, system, role):
    token, _raw = token_issue(system=system)
    client.force_login(with_mfa(UserFactory(roles=[role])))

    for url in (TOKENS, issue_url(system), revoke_url(token), SYSTEMS, SYSTEMS + "add/"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert not response["Location"].startswith("/admin/ig-pipeline/")
    assert client.post(issue_url(system), {"label": "x"}).status_code in (302, 403)
    assert client.post(revoke_url(token)).status_code in (302, 403)
    assert PipelineToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client, system):
    response = client.get(issue_url(system))

    assert response.status_code == 302
    assert PipelineToken.objects.count() == 0


# --- manage.py ig_token_issue ------------------------------------------------------------------


def test_command_issues_a_token_for_an_existing_system(system, capsys):
    call_command("ig_token_issue", "--system", system.name, "--label", "cron")

    out = capsys.readouterr().out
    raw = re.search(r"igp_\S+", out).group(0)
    assert system_authenticate(f"Bearer {raw}") == system
    assert PipelineToken.objects.get().label == "cron"
    assert raw not in str(PipelineToken.objects.values().get())


def test_command_can_create_the_system(capsys):
    call_command(
        "ig_token_issue",
        "--system",
        "Data landing area",
        "--create",
        "--purpose",
        CASE_FINDING,
        "--purpose",
        RESEARCH,
        "--entitled-to-nhs-numbers",
    )

    system = PipelineSystem.objects.get(name="Data landing area")
    assert system.entitled_to_nhs_numbers
    assert set(system.purposes.values_list("code", flat=True)) == {CASE_FINDING, RESEARCH}
    raw = re.search(r"igp_\S+", capsys.readouterr().out).group(0)
    assert system_authenticate(f"Bearer {raw}") == system


def test_command_refuses_unknown_systems_and_purposes():
    with pytest.raises(CommandError, match="No IG pipeline system"):
        call_command("ig_token_issue", "--system", "Nope")
    with pytest.raises(CommandError, match="no-such-purpose"):
        call_command(
            "ig_token_issue", "--system", "New", "--create", "--purpose", "no-such-purpose"
        )
    with pytest.raises(CommandError, match="--purpose"):
        call_command("ig_token_issue", "--system", "New", "--create")
    assert not PipelineSystem.objects.exists()
