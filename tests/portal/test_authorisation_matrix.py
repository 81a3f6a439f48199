"""The authorisation matrix: every URL the project serves, requested as every role, gets the
outcome the table below says (docs/permissions.md, "The authorisation matrix").

A URL with no row fails `test_every_url_is_in_the_matrix`: classify it by adding a row (or,
for a family of Wagtail admin URLs, a rule). The table is written from docs/permissions.md,
never from what the code happens to do.

The world (two organisations, their services, reviews, feedback, a consent record, a case...)
is built once for the module inside a transaction that is rolled back at the end; each request
runs in its own savepoint on top."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, Site, Workflow

from consent.models import DataSharingNoticePage, NoticeVersion, Purpose
from consent.pipeline import token_issue
from consent.pipeline_models import PipelineSystem
from consent.register import choice_record
from consent.register_models import ConsentEvent
from directory.factories import LocationFactory, OrganisationPageFactory, ServicePageFactory
from directory.freshness import reminder_token
from directory.models import (
    FreshnessReminder,
    ListingFeedback,
    OrganisationMembership,
    OrganisationRequest,
    Review,
    ReviewReply,
    ScreeningWord,
)
from directory.providers import invitation_send, invitation_token, membership_add
from portal import roles
from portal.factories import TEST_PASSWORD, UserFactory
from selfcare.models import CouncilDefinition, SignpostRule, Submission, WebhookDelivery
from tests.directory.review_helpers import make_reply, make_review, with_totp

from .authz_matrix import (
    ADMIN_ROLES,
    ADMINISTRATOR,
    ANONYMOUS,
    API_AUTH,
    BAD_REQUEST,
    EDITOR,
    FORBIDDEN,
    IG_OFFICER,
    LOGIN,
    METHOD,
    MODERATOR,
    NOT_FOUND,
    OK,
    PRACTITIONER,
    PROVIDER,
    REDIRECT,
    RESIDENT,
    ROLES,
    SERVER_ERROR,
    SIGNED_IN,
    Entry,
    Row,
    classify,
    expect,
    only,
    rows_for,
    url_entries,
)

NHS = "9434765919"  # valid, outside the 999 test range; sent only in POST bodies
MISSING = 999_999  # an id nothing has

GROUPS = {
    RESIDENT: [roles.RESIDENTS],
    MODERATOR: [roles.MODERATORS],
    PRACTITIONER: [roles.PRACTITIONERS],
    IG_OFFICER: [roles.IG_OFFICERS],
    EDITOR: [roles.EDITORS],
    ADMINISTRATOR: [roles.ADMINISTRATORS],
}


# --- The world ---------------------------------------------------------------------------------


def _staff(role_groups: list[str], email: str):
    user = UserFactory(email=email, roles=role_groups)
    with_totp(user)
    return user


def _submission(reference: str) -> Submission:
    return Submission.objects.create(
        reference=reference,
        definition_slug="care-needs",
        definition_title="Care needs assessment",
        definition_version=1,
        scoring_version=1,
        answers={"name": "Ann Example"},
        summary=[{"title": "About you", "rows": [{"key": "Your name", "answer": "Ann Example"}]}],
        outcome={"scores": {}, "bands": {}, "flags": [], "eligibility": None},
        contact_name="Ann Example",
        contact_email="ann@example.com",
        submitted_at=timezone.now(),
    )


def _workflow_task_state(page, user):
    """Submit `page` to the "Moderators approval" workflow; its task state."""
    page.save_revision(user=user)
    return page.get_workflow().start(page, user).current_task_state


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.org_a = OrganisationPageFactory(title="Organisation A")
    w.org_b = OrganisationPageFactory(title="Organisation B")
    w.service_a = ServicePageFactory(parent=w.org_a, title="Service of A")
    w.service_b = ServicePageFactory(parent=w.org_b, title="Service of B")
    w.location_b = LocationFactory(organisation=w.org_b)

    w.users = {role: _staff(groups, f"{role}@example.com") for role, groups in GROUPS.items()}
    # Residents need no MFA; drop the authenticator so the resident is an ordinary one.
    w.users[RESIDENT].authenticator_set.all().delete()
    provider = UserFactory(email="provider@example.com")
    membership_add(organisation=w.org_a, user=provider, is_admin=True)
    with_totp(provider)
    w.users[PROVIDER] = provider
    w.membership_a = OrganisationMembership.objects.get(user=provider, organisation=w.org_a)

    w.provider_b = UserFactory(email="provider-b@example.com")
    w.membership_b = membership_add(organisation=w.org_b, user=w.provider_b, is_admin=True)
    with_totp(w.provider_b)
    w.invitation_b = invitation_send(
        organisation=w.org_b, email="new@example.com", invited_by=w.provider_b
    )
    w.invitation_b_token = invitation_token(invitation=w.invitation_b)
    w.request_b = OrganisationRequest.objects.create(
        user=UserFactory(email="joiner@example.com"),
        kind=OrganisationRequest.JOIN,
        organisation=w.org_b,
    )

    w.review_a = make_review(w.service_a, status=Review.PUBLISHED)
    w.review_b = make_review(w.service_b, status=Review.PUBLISHED)
    w.review_b_pending = make_review(w.service_b)
    w.reply_b = make_reply(w.review_b, author=w.provider_b, status=ReviewReply.PENDING)
    w.feedback_a = ListingFeedback.objects.create(service=w.service_a, reason=ListingFeedback.OTHER)
    w.feedback_b = ListingFeedback.objects.create(service=w.service_b, reason=ListingFeedback.OTHER)
    w.reminder_b = FreshnessReminder.objects.create(
        service=w.service_b,
        kind=FreshnessReminder.REMINDER,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    w.reminder_b_token = reminder_token(reminder=w.reminder_b)
    w.task_state_b = _workflow_task_state(w.service_b, w.provider_b)

    w.purpose = Purpose.objects.filter(is_active=True).order_by("pk").first()
    choice_record(
        nhs_number=NHS,
        purpose=w.purpose,
        decision=ConsentEvent.OBJECT,
        channel="phone",
    )
    w.system = PipelineSystem.objects.create(name="Landing area")
    w.system.purposes.set([w.purpose])
    w.pipeline_token = token_issue(system=w.system, label="matrix")[0]
    w.notice = DataSharingNoticePage.objects.live().first()
    w.notice_version = NoticeVersion.objects.filter(page=w.notice).order_by("number").first()

    w.submission = _submission("CSA-MTRX-0001")
    w.delivery = WebhookDelivery.objects.create(
        submission=w.submission, url="http://127.0.0.1:9/hook", body="{}"
    )

    # Another IG officer's session: a person looked up there, and a CSV uploaded there.
    w.colleague = _staff([roles.IG_OFFICERS], "colleague@example.com")
    colleague = Client()
    colleague.force_login(w.colleague)
    w.foreign_lookup_id = _lookup_id(colleague)
    w.foreign_import_token = _import_token(colleague)

    w.collection = Collection.get_first_root_node().add_child(name="Matrix collection")
    w.image = get_image_model().objects.create(title="Matrix image", file=get_test_image_file())
    w.document = get_document_model().objects.create(
        title="Matrix document", file=ContentFile(b"hello", name="matrix.txt")
    )
    w.redirect = apps.get_model("wagtailredirects", "Redirect").objects.create(
        old_path="/old-matrix", redirect_link="/"
    )
    w.workflow = Workflow.objects.order_by("pk").first()
    w.site = Site.objects.get(is_default_site=True)
    w.screening_word = ScreeningWord.objects.create(word="matrixword")
    w.signpost_rule = SignpostRule.objects.create(definition_slug="gad-7", key="matrix")
    w.council_definition = CouncilDefinition.objects.create(
        title="Matrix check", slug="matrix-check", definition={}
    )
    w.council_definition.save_revision(clean=False)
    w.snippets = {
        "directory.location": w.location_b.pk,
        "directory.screeningword": w.screening_word.pk,
        "consent.purpose": w.purpose.pk,
        "consent.pipelinesystem": w.system.pk,
        "selfcare.signpostrule": w.signpost_rule.pk,
        "selfcare.councildefinition": w.council_definition.pk,
    }
    return w


def _lookup_id(client: Client) -> str | None:
    """Find the register's person as `client`; the lookup id in its session, if allowed."""
    response = client.post(reverse("consent_staff:find"), {"nhs_number": NHS})
    if response.status_code != 302 or "/person/" not in response["Location"]:
        return None
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def _import_csv() -> bytes:
    code = Purpose.objects.filter(is_active=True).order_by("pk").first().code
    return (
        f"nhs_number,purpose,decision,occurred_at\n9434765870,{code},object,2024-01-02\n".encode()
    )


def _import_token(client: Client) -> str | None:
    upload = io.BytesIO(_import_csv())
    upload.name = "choices.csv"
    response = client.post(reverse("consent_staff:import"), {"file": upload})
    if response.status_code != 302 or "/import/" not in response["Location"]:
        return None
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- Building URLs from the world ---------------------------------------------------------------


def to(name: str, **kwargs):
    """A builder: reverse `name` with arguments taken from the world."""

    def build(w, client, entry):
        return reverse(name, kwargs={key: value(w) for key, value in kwargs.items()})

    return build


def page(path_of):
    """A builder for a path under a page (wagtail_serve, page routes)."""

    def build(w, client, entry):
        return path_of(w)

    return build


def own_lookup(name: str):
    """A consent person page: the person as looked up in the client's own session when the
    client may look people up, or else a colleague's lookup id."""

    def build(w, client, entry):
        lookup_id = _lookup_id(client) or w.foreign_lookup_id
        return reverse(name, kwargs={"lookup_id": lookup_id})

    return build


def own_import(name: str):
    def build(w, client, entry):
        token = _import_token(client) or w.foreign_import_token
        return reverse(name, kwargs={"token": token})

    return build


# Arguments for Wagtail's admin URLs, by keyword: another organisation's page (service B),
# and one real object of each kind.
def _snippet_pk(w, entry: Entry):
    model_key = entry.name.split(":", 1)[0].split("_", 1)[1].replace("_", ".", 1)
    if model_key in w.snippets:
        return w.snippets[model_key]
    first = apps.get_model(model_key).objects.order_by("pk").first()
    return first.pk if first else MISSING


ADMIN_KWARGS = {
    "page_id": lambda w, e: w.service_b.pk,
    "parent_page_id": lambda w, e: w.org_b.pk,
    "page_to_move_id": lambda w, e: w.service_b.pk,
    "destination_id": lambda w, e: w.org_b.pk,
    "page_pk": lambda w, e: w.service_b.pk,
    "revision_id": lambda w, e: w.service_b.latest_revision_id,
    "revision_id_a": lambda w, e: "earliest",
    "revision_id_b": lambda w, e: "latest",
    "task_state_id": lambda w, e: w.task_state_b.pk,
    "workflow_state_id": lambda w, e: w.task_state_b.workflow_state_id,
    "task_id": lambda w, e: w.task_state_b.task_id,
    "workflow_pk": lambda w, e: w.workflow.pk,
    "action_name": lambda w, e: "approve",
    "content_type_app_name": lambda w, e: "directory",
    "content_type_model_name": lambda w, e: "servicepage",
    "app_label": lambda w, e: "wagtailcore",
    "model_name": lambda w, e: "page",
    "action": lambda w, e: "delete",
    "app_name": lambda w, e: "portal",
    "model_name@wagtailsettings": lambda w, e: "sitesettings",
    "revision_id@wagtailsnippets_selfcare_councildefinition": lambda w, e: (
        w.council_definition.latest_revision_id
    ),
    "object_id": lambda w, e: w.service_b.pk,
    "session_id": lambda w, e: MISSING,
    "collection_id": lambda w, e: w.collection.pk,
    "redirect_id": lambda w, e: w.redirect.pk,
    "image_id": lambda w, e: w.image.pk,
    "document_id": lambda w, e: w.document.pk,
    "doc_id": lambda w, e: w.document.pk,
    "uploaded_file_id": lambda w, e: MISSING,
    "filter_spec": lambda w, e: "original",
    "restriction_id": lambda w, e: MISSING,
    "uidb64": lambda w, e: "MQ",
    "token": lambda w, e: "set-password",
    "system_id": lambda w, e: w.system.pk,
    "token_id": lambda w, e: w.pipeline_token.pk,
}

PK_BY_NAMESPACE = {
    "wagtailadmin_pages": lambda w: w.service_b.pk,
    "wagtailadmin_api:pages": lambda w: w.service_b.pk,
    "wagtailadmin_api:images": lambda w: w.image.pk,
    "wagtailadmin_api:documents": lambda w: w.document.pk,
    "wagtailadmin_collections": lambda w: w.collection.pk,
    "wagtailadmin_workflows": lambda w: w.workflow.pk,
    "wagtailsites": lambda w: w.site.pk,
    "wagtailsettings": lambda w: w.site.pk,
    "wagtailusers_users": lambda w: w.users[RESIDENT].pk,
    "wagtailusers_groups": lambda w: Group.objects.get(name=roles.RESIDENTS).pk,
    "wagtailimages_chooser": lambda w: w.image.pk,
    "wagtaildocs_chooser": lambda w: w.document.pk,
    "case-system-deliveries": lambda w: w.delivery.pk,
    "selfcare_delivery_retry": lambda w: w.delivery.pk,
}


def _admin_pk(w, entry: Entry):
    namespace = entry.name.rsplit(":", 1)[0]
    if namespace in PK_BY_NAMESPACE:
        return PK_BY_NAMESPACE[namespace](w)
    if entry.name in PK_BY_NAMESPACE:
        return PK_BY_NAMESPACE[entry.name](w)
    if entry.name.startswith(("wagtailsnippets_", "wagtailsnippetchoosers_")):
        return _snippet_pk(w, entry)
    raise KeyError(f"no default pk for {entry.label}: give its row a url builder")


def default_url(w, client, entry: Entry) -> str:
    kwargs = {}
    for key in entry.kwarg_names:
        if key in ("pk",):
            kwargs[key] = _admin_pk(w, entry)
        elif key == "workflow_pk" and entry.name.startswith("wagtailadmin_workflows"):
            kwargs[key] = w.workflow.pk
        elif f"{key}@{entry.name.split(':')[0]}" in ADMIN_KWARGS:
            kwargs[key] = ADMIN_KWARGS[f"{key}@{entry.name.split(':')[0]}"](w, entry)
        elif key in ADMIN_KWARGS:
            kwargs[key] = ADMIN_KWARGS[key](w, entry)
        else:
            raise KeyError(f"no default for {key!r} in {entry.label}: give its row a url builder")
    if entry.positional:
        raise KeyError(f"{entry.label} takes positional arguments: give its row a url builder")
    if entry.route.startswith("/admin/pages/^") and "pk" in kwargs:
        kwargs["pk"] = w.service_b.pk
    return _reverse_route(entry, kwargs)


def _reverse_route(entry: Entry, kwargs: dict) -> str:
    """Reverse by name; where two patterns share a name, the one whose route is this entry's."""
    from django.urls import get_resolver

    candidates = [reverse(entry.name, kwargs=kwargs)] if kwargs else [reverse(entry.name)]
    path = candidates[0]
    if path.count("/") != entry.route.count("/") and "^" not in entry.route:
        # A name shared by two routes (wagtailsettings:edit): build this route by hand.
        path = entry.route
        for key, value in kwargs.items():
            for converter in ("int", "str", "slug", "path", "uuid"):
                path = path.replace(f"<{converter}:{key}>", str(value))
    get_resolver().resolve(path)  # it must be a real URL of the project
    return path


# --- The table ---------------------------------------------------------------------------------

PUBLIC = expect(OK)
SIGNED_IN_OK = only(OK, SIGNED_IN, OK)  # anonymous: sent to sign in
WITH_MFA = [role for role in SIGNED_IN if role != RESIDENT]
ADMIN_ANON = {ANONYMOUS: LOGIN, RESIDENT: LOGIN}  # Wagtail: sign in / "no permission to the admin"


def admin(allowed: list[str], *, otherwise: str = FORBIDDEN, outcome: str = OK) -> dict:
    """A Wagtail admin URL: visitors and residents are sent to sign in; admin roles in
    `allowed` get `outcome`, the other admin roles `otherwise` (Wagtail refuses with 403)."""
    result = dict(ADMIN_ANON)
    for role in ADMIN_ROLES:
        result[role] = outcome if role in allowed else otherwise
    return result


REGISTER = [PRACTITIONER, IG_OFFICER, ADMINISTRATOR]  # consent.view_register
AUDIT = [IG_OFFICER, ADMINISTRATOR]  # consent.audit_access_log
MODERATE = [MODERATOR, ADMINISTRATOR]  # directory.moderate_directory
CASEWORK = [PRACTITIONER, ADMINISTRATOR]  # the self-care queue
EDITING = [EDITOR, ADMINISTRATOR]  # reference data, self-care content
PUBLISHERS = [MODERATOR, ADMINISTRATOR]  # publish, unpublish, lock, move
EDITING_PAGES = [MODERATOR, EDITOR, ADMINISTRATOR]  # page permissions at the root
PAGE_USERS = [PROVIDER, MODERATOR, IG_OFFICER, EDITOR, ADMINISTRATOR]  # any page permission
MEDIA = [MODERATOR, EDITOR]  # images and documents

TABLE: list[Row] = [
    # --- Site-wide -------------------------------------------------------------------------
    Row("healthz", PUBLIC),
    Row(
        "wagtailadmin_login_redirect",
        expect(LOGIN),
        note="the admin's own sign-in is not offered: everyone goes to allauth",
    ),
    Row("wagtailadmin_logout_redirect", expect(REDIRECT), note="to allauth's sign-out"),
    Row(
        "wagtailcore_login_redirect",
        expect(LOGIN),
        note="Wagtail's front-end sign-in would skip MFA: everyone goes to allauth",
    ),
    Row(
        "wagtailcore_login",
        expect(LOGIN),
        url=page(lambda w: "/_util/login/"),
        note="shadowed by wagtailcore_login_redirect",
    ),
    Row(
        "wagtailcore_authenticate_with_password",
        expect(NOT_FOUND),
        url=to(
            "wagtailcore_authenticate_with_password",
            page_view_restriction_id=lambda w: MISSING,
            page_id=lambda w: w.service_b.pk,
        ),
        note="no such restriction",
    ),
    Row("search_autocomplete", PUBLIC, url=page(lambda w: "/services/autocomplete?q=com")),
    # Pages served by Wagtail: published pages are public; a draft is not found for anyone.
    Row("wagtail_serve", PUBLIC, url=page(lambda w: "/"), variant="home"),
    Row("wagtail_serve", PUBLIC, url=page(lambda w: w.service_b.url), variant="service"),
    Row("wagtail_serve", PUBLIC, url=page(lambda w: w.org_b.url), variant="organisation"),
    Row("wagtail_serve", PUBLIC, url=page(lambda w: "/cookies/"), variant="content page"),
    Row(
        "wagtail_serve",
        PUBLIC,
        url=page(lambda w: "/accessibility/"),
        variant="accessibility statement",
    ),
    Row(
        "wagtail_serve",
        expect(NOT_FOUND),
        url=page(lambda w: "/no-such-page/"),
        variant="missing page",
    ),
    # --- Page routes (RoutablePageMixin) -----------------------------------------------------
    Row("directory.DirectoryIndexPage:search", PUBLIC, url=page(lambda w: "/services/")),
    Row("directory.DirectoryIndexPage:index_route", PUBLIC, url=page(lambda w: "/services/")),
    Row("directory.ServicePage:index_route", PUBLIC, url=page(lambda w: w.service_b.url)),
    Row("consent.DataSharingNoticePage:index_route", PUBLIC, url=page(lambda w: w.notice.url)),
    Row(
        "directory.DirectoryIndexPage:category",
        expect(NOT_FOUND),
        url=page(lambda w: "/services/category/no-such-category/"),
        note="an unknown category",
    ),
    Row(
        "directory.DirectoryIndexPage:shortlist", PUBLIC, url=page(lambda w: "/services/shortlist/")
    ),
    Row(
        "directory.DirectoryIndexPage:shortlist_action",
        expect(OK),
        url=page(lambda w: "/services/shortlist/print/"),
        note="printing My list: anyone",
    ),
    Row(
        "directory.ServicePage:review",
        only(OK, SIGNED_IN, OK, anonymous=LOGIN),
        url=page(lambda w: w.service_b.url + "review/"),
        variant="another organisation's service",
        note="anyone signed in with a confirmed address reviews",
    ),
    Row(
        "directory.ServicePage:review",
        only(OK, SIGNED_IN, OK, anonymous=LOGIN),
        url=page(lambda w: w.service_a.url + "review/"),
        variant="own organisation's service",
        note="a provider is shown why they may not review it (200); tests/directory cover POST",
    ),
    Row(
        "directory.ServicePage:review_report",
        PUBLIC,
        url=page(lambda w: f"{w.service_b.url}reviews/{w.review_b.pk}/report/"),
        note="anyone may report a published review",
    ),
    Row(
        "directory.ServicePage:report_problem",
        PUBLIC,
        url=page(lambda w: w.service_b.url + "report-a-problem/"),
    ),
    Row("consent.DataSharingNoticePage:current", PUBLIC, url=page(lambda w: w.notice.url)),
    Row(
        "consent.DataSharingNoticePage:version",
        PUBLIC,
        url=page(lambda w: f"{w.notice.url}notice/v/{w.notice_version.number}/"),
    ),
    Row(
        "consent.DataSharingNoticePage:changes",
        PUBLIC,
        url=page(lambda w: f"{w.notice.url}notice/changes/"),
    ),
    # --- Accounts (allauth) ------------------------------------------------------------------
    Row("account_login", expect(REDIRECT, anonymous=OK), note="signed in: sent on"),
    Row("account_logout", expect(OK, anonymous=REDIRECT)),
    Row("account_inactive", PUBLIC),
    Row("account_signup", expect(REDIRECT, anonymous=OK)),
    Row("account_reauthenticate", SIGNED_IN_OK),
    Row("account_email", SIGNED_IN_OK),
    Row("account_email_verification_sent", PUBLIC),
    Row("account_change_password", SIGNED_IN_OK),
    Row("account_set_password", only(REDIRECT, SIGNED_IN, REDIRECT), note="they have one"),
    Row("account_reset_password", PUBLIC),
    Row(
        "account_confirm_login_code",
        expect(REDIRECT, anonymous=LOGIN),
        note="no sign-in by code under way",
    ),
    Row(
        "account_confirm_email",
        PUBLIC,
        url=to("account_confirm_email", key=lambda w: "not-a-real-key"),
        note="an invalid link says so",
    ),
    Row("account_reset_password_from_key_done", PUBLIC),
    Row(
        "account_reset_password_from_key",
        PUBLIC,
        url=to("account_reset_password_from_key", uidb36=lambda w: "1", key=lambda w: "bad-key"),
        note="an invalid link says so",
    ),
    Row("account_reset_password_done", PUBLIC),
    Row("mfa_index", SIGNED_IN_OK),
    # Own-account MFA pages: changing a factor asks for the password again first (a redirect
    # to reauthenticate); there are no recovery codes until generated.
    Row(
        "mfa_authenticate",
        expect(REDIRECT, anonymous=LOGIN),
        note="no sign-in waiting for a second factor",
    ),
    Row("mfa_reauthenticate", only(OK, WITH_MFA, REDIRECT), note="the resident has no MFA"),
    Row("mfa_activate_totp", only(REDIRECT, SIGNED_IN, REDIRECT)),
    Row("mfa_deactivate_totp", only(REDIRECT, WITH_MFA, NOT_FOUND)),
    Row("mfa_view_recovery_codes", only(NOT_FOUND, SIGNED_IN, NOT_FOUND)),
    Row("mfa_generate_recovery_codes", only(REDIRECT, SIGNED_IN, REDIRECT)),
    Row("mfa_download_recovery_codes", only(NOT_FOUND, SIGNED_IN, NOT_FOUND)),
    # --- Documents ---------------------------------------------------------------------------
    Row(
        "wagtaildocs_serve",
        expect(NOT_FOUND),
        url=page(lambda w: reverse("wagtaildocs_serve", args=[MISSING, "missing.txt"])),
        note="no such document; no collection is private, so serving is alike for every role",
    ),
    Row(
        "wagtaildocs_authenticate_with_password",
        expect(NOT_FOUND),
        url=to("wagtaildocs_authenticate_with_password", restriction_id=lambda w: MISSING),
    ),
    # --- Open Referral UK API (public) ---------------------------------------------------------
    Row("oruk:root", PUBLIC),
    Row("oruk:openapi", PUBLIC),
    Row("oruk:services", PUBLIC),
    Row("oruk:service", PUBLIC, url=to("oruk:service", id=lambda w: w.service_b.uuid)),
    Row("oruk:service_at_locations", PUBLIC),
    Row(
        "oruk:service_at_location",
        expect(NOT_FOUND),
        url=to("oruk:service_at_location", id=lambda w: "00000000-0000-0000-0000-000000000000"),
    ),
    Row("oruk:taxonomies", PUBLIC),
    Row(
        "oruk:taxonomy",
        expect(NOT_FOUND),
        url=to("oruk:taxonomy", id=lambda w: "00000000-0000-0000-0000-000000000000"),
    ),
    Row("oruk:taxonomy_terms", PUBLIC),
    Row(
        "oruk:taxonomy_term",
        expect(NOT_FOUND),
        url=to("oruk:taxonomy_term", id=lambda w: "00000000-0000-0000-0000-000000000000"),
    ),
    Row("oruk:not_found", expect(NOT_FOUND), url=to("oruk:not_found", rest=lambda w: "nothing")),
    # --- IG pipeline API and FHIR: token only, never a person's session -----------------------
    Row("ig_api:check", expect(METHOD), note="POST only"),
    Row(
        "ig_api:check",
        expect(API_AUTH),
        method="post",
        variant="POST",
        note="a signed-in session is not a token",
    ),
    Row("ig_api:changes", expect(API_AUTH)),
    Row("ig_api:openapi", PUBLIC),
    Row("ig_api:not_found", expect(NOT_FOUND), url=to("ig_api:not_found", rest=lambda w: "x")),
    Row("fhir:consent-search", expect(METHOD), note="POST only"),
    Row("fhir:consent-search", expect(API_AUTH), method="post", variant="POST"),
    Row("fhir:consent", expect(METHOD), note="FHIR search is by POST"),
    # --- Listing feedback (providers: their organisations' only) ------------------------------
    Row("directory_feedback_list", only(OK, [PROVIDER, *MODERATE], FORBIDDEN)),
    Row(
        "directory_feedback_detail",
        only(OK, MODERATE, FORBIDDEN) | {PROVIDER: NOT_FOUND},
        url=to("directory_feedback_detail", feedback_id=lambda w: w.feedback_b.pk),
        variant="another organisation's",
    ),
    Row(
        "directory_feedback_detail",
        only(OK, [PROVIDER, *MODERATE], FORBIDDEN),
        url=to("directory_feedback_detail", feedback_id=lambda w: w.feedback_a.pk),
        variant="own organisation's",
    ),
    # --- Review moderation and replies -------------------------------------------------------
    Row("review_moderation:queue", only(OK, MODERATE, FORBIDDEN)),
    Row(
        "review_moderation:review",
        only(OK, MODERATE, FORBIDDEN),
        url=to("review_moderation:review", review_id=lambda w: w.review_b_pending.pk),
    ),
    Row(
        "review_moderation:reply",
        only(OK, MODERATE, FORBIDDEN),
        url=to("review_moderation:reply", reply_id=lambda w: w.reply_b.pk),
    ),
    Row("provider_reviews:list", only(OK, [PROVIDER], FORBIDDEN)),
    Row(
        "provider_reviews:reply",
        only(NOT_FOUND, [PROVIDER], FORBIDDEN),
        url=to("provider_reviews:reply", review_id=lambda w: w.review_b.pk),
        variant="another organisation's review",
    ),
    Row(
        "provider_reviews:reply",
        only(OK, [PROVIDER], FORBIDDEN),
        url=to("provider_reviews:reply", review_id=lambda w: w.review_a.pk),
        variant="own organisation's review",
    ),
    # --- Freshness ----------------------------------------------------------------------------
    Row(
        "directory_still_correct_confirm",
        expect(BAD_REQUEST),
        note="the form posts here; no token, nothing to confirm",
    ),
    Row(
        "directory_still_correct",
        expect(REDIRECT),
        url=to("directory_still_correct", token=lambda w: w.reminder_b_token),
        note="whoever holds the emailed link (no sign-in): on to the confirm page",
    ),
    Row(
        "directory_listing_confirm",
        only(METHOD, SIGNED_IN, METHOD),
        url=to("directory_listing_confirm", service_id=lambda w: w.service_b.pk),
        note="POST only",
    ),
    # --- Provider self-service -----------------------------------------------------------------
    Row("providers:dashboard", SIGNED_IN_OK),
    Row("providers:join", SIGNED_IN_OK),
    Row(
        "providers:join_organisation",
        SIGNED_IN_OK,
        url=to("providers:join_organisation", organisation_id=lambda w: w.org_b.pk),
    ),
    Row("providers:register", SIGNED_IN_OK),
    Row("providers:requests", only(OK, MODERATE, FORBIDDEN)),
    Row(
        "providers:request",
        only(OK, MODERATE, FORBIDDEN),
        url=to("providers:request", request_id=lambda w: w.request_b.pk),
    ),
    Row(
        "providers:members",
        only(OK, MODERATE, FORBIDDEN),
        url=to("providers:members", organisation_id=lambda w: w.org_b.pk),
        variant="another organisation",
    ),
    Row(
        "providers:members",
        only(OK, [PROVIDER, *MODERATE], FORBIDDEN),
        url=to("providers:members", organisation_id=lambda w: w.org_a.pk),
        variant="own organisation",
    ),
    Row(
        "providers:member_remove",
        only(OK, MODERATE, FORBIDDEN),
        url=to(
            "providers:member_remove",
            organisation_id=lambda w: w.org_b.pk,
            membership_id=lambda w: w.membership_b.pk,
        ),
    ),
    Row(
        "providers:member_admin",
        only(METHOD, SIGNED_IN, METHOD),
        url=to(
            "providers:member_admin",
            organisation_id=lambda w: w.org_b.pk,
            membership_id=lambda w: w.membership_b.pk,
        ),
        note="POST only",
    ),
    Row(
        "providers:invitation_cancel",
        only(METHOD, SIGNED_IN, METHOD),
        url=to(
            "providers:invitation_cancel",
            organisation_id=lambda w: w.org_b.pk,
            invitation_id=lambda w: w.invitation_b.pk,
        ),
        note="POST only",
    ),
    Row(
        "providers:invitation",
        PUBLIC,
        url=to("providers:invitation", token=lambda w: w.invitation_b_token),
        note="the invitation page explains; accepting needs the invited address",
    ),
    # --- Consent register: staff ----------------------------------------------------------------
    Row("consent_staff:find", only(OK, REGISTER, FORBIDDEN)),
    Row(
        "consent_staff:person",
        only(OK, REGISTER, FORBIDDEN),
        url=own_lookup("consent_staff:person"),
    ),
    Row(
        "consent_staff:record",
        only(OK, REGISTER, FORBIDDEN),
        url=own_lookup("consent_staff:record"),
    ),
    Row(
        "consent_staff:gp_code",
        only(OK, REGISTER, FORBIDDEN),
        url=own_lookup("consent_staff:gp_code"),
    ),
    Row(
        "consent_staff:capacity",
        only(OK, REGISTER, FORBIDDEN),
        url=own_lookup("consent_staff:capacity"),
    ),
    Row(
        "consent_staff:verify",
        only(OK, REGISTER, FORBIDDEN),
        url=own_lookup("consent_staff:verify"),
    ),
    Row(
        "consent_staff:person",
        only(NOT_FOUND, REGISTER, FORBIDDEN),
        url=to("consent_staff:person", lookup_id=lambda w: w.foreign_lookup_id),
        variant="a colleague's lookup",
        note="a lookup id belongs to the session that made it",
    ),
    Row("consent_staff:pending", only(OK, AUDIT, FORBIDDEN)),
    Row("consent_staff:pending_find", only(METHOD, SIGNED_IN, METHOD), note="POST only"),
    Row("consent_staff:import", only(OK, AUDIT, FORBIDDEN)),
    Row(
        "consent_staff:import_check",
        only(OK, AUDIT, FORBIDDEN),
        url=own_import("consent_staff:import_check"),
    ),
    Row(
        "consent_staff:import_check",
        only(NOT_FOUND, AUDIT, FORBIDDEN),
        url=to("consent_staff:import_check", token=lambda w: w.foreign_import_token),
        variant="a colleague's upload",
    ),
    Row(
        "consent_staff:import_done",
        only(NOT_FOUND, AUDIT, FORBIDDEN),
        url=to("consent_staff:import_done", token=lambda w: w.foreign_import_token),
        variant="a colleague's upload",
    ),
    Row("consent_staff:access_log_csv", only(OK, AUDIT, FORBIDDEN)),
    # --- Self-care queue -----------------------------------------------------------------------
    Row("selfcare_staff:queue", only(OK, CASEWORK, FORBIDDEN)),
    Row(
        "selfcare_staff:case",
        only(OK, CASEWORK, FORBIDDEN),
        url=to("selfcare_staff:case", reference=lambda w: w.submission.reference),
    ),
    Row(
        "selfcare_staff:print",
        only(OK, CASEWORK, FORBIDDEN),
        url=to("selfcare_staff:print", reference=lambda w: w.submission.reference),
    ),
    *[
        Row(
            f"selfcare_staff:{name}",
            only(METHOD, SIGNED_IN, METHOD),
            url=to(f"selfcare_staff:{name}", reference=lambda w: w.submission.reference),
            note="POST only",
        )
        for name in ("note", "assign", "status")
    ],
    # --- Data-sharing choices (public journey; own choices once verified) ------------------------
    Row("consent:choose", PUBLIC),
    Row("consent:choose_relationship", expect(REDIRECT), note="answer the first question first"),
    Row("consent:choose_details", expect(REDIRECT)),
    Row(
        "consent:choose_purpose",
        expect(REDIRECT),
        url=to("consent:choose_purpose", code=lambda w: w.purpose.code),
    ),
    Row("consent:choose_check", expect(REDIRECT)),
    Row("consent:choose_confirmation", expect(NOT_FOUND), note="nothing recorded in this session"),
    Row("consent:choose_receipt", expect(NOT_FOUND)),
    Row("consent:choose_receipt_json", expect(NOT_FOUND)),
    Row("consent_citizen:overview", SIGNED_IN_OK, note="unverified: says how to get verified"),
    Row("consent_citizen:history_json", SIGNED_IN_OK),
    Row(
        "consent_citizen:change",
        only(REDIRECT, SIGNED_IN, REDIRECT),
        url=to("consent_citizen:change", code=lambda w: w.purpose.code),
    ),
    Row(
        "consent_citizen:done",
        only(REDIRECT, SIGNED_IN, REDIRECT),
        url=to("consent_citizen:done", code=lambda w: w.purpose.code),
    ),
    # --- Self-care tools (public; answers in the session) ----------------------------------------
    Row("selfcare:index", PUBLIC),
    Row("selfcare:saved_results", SIGNED_IN_OK),
    Row("selfcare:start", PUBLIC, url=to("selfcare:start", slug=lambda w: "gad-7")),
    Row("selfcare:tasks", PUBLIC, url=to("selfcare:tasks", slug=lambda w: "gad-7")),
    Row(
        "selfcare:page",
        PUBLIC,
        url=to("selfcare:page", slug=lambda w: "gad-7", page_id=lambda w: "q1"),
    ),
    Row("selfcare:check", expect(REDIRECT), url=to("selfcare:check", slug=lambda w: "gad-7")),
    Row(
        "selfcare:interrupt",
        expect(REDIRECT),
        url=to("selfcare:interrupt", slug=lambda w: "gad-7", interrupt_id=lambda w: "none"),
    ),
    Row("selfcare:result", expect(REDIRECT), url=to("selfcare:result", slug=lambda w: "gad-7")),
    Row("selfcare:summary", expect(REDIRECT), url=to("selfcare:summary", slug=lambda w: "gad-7")),
    Row(
        "selfcare:save_result",
        expect(METHOD),
        url=to("selfcare:save_result", slug=lambda w: "gad-7"),
    ),
    Row(
        "selfcare:start_again",
        expect(METHOD),
        url=to("selfcare:start_again", slug=lambda w: "gad-7"),
    ),
    # --- Wagtail admin -------------------------------------------------------------------------
    # Visitors and residents never get in (sent to sign in). Wagtail refuses an admin role
    # without the permission with a 403. Object arguments name organisation B's service page
    # (or its organisation) and one real object of each kind, so a provider of organisation A
    # is refused: see ADMIN_KWARGS.
    # The project's own admin views.
    Row("directory_listing_changes", admin(MODERATE)),
    Row(
        "directory_listing_change",
        admin(MODERATE),
        url=to("directory_listing_change", task_state_id=lambda w: w.task_state_b.pk),
    ),
    Row("directory_moderation_preferences", admin(MODERATE)),
    Row("consent_pipeline_tokens", admin(AUDIT)),
    Row("consent_pipeline_token_issue", admin(AUDIT)),
    Row("consent_pipeline_token_revoke", admin(AUDIT)),
    Row("case-system-deliveries:*", admin([ADMINISTRATOR]), rule=True),
    Row("selfcare_delivery_retry", admin([], otherwise=METHOD), note="POST only"),
    # Snippets (docs/permissions.md: "Directory reference data", "Data-sharing purposes",
    # "Self-care", "IG pipeline API"). Nobody deletes a purpose or a charging year.
    Row("wagtailsnippets_consent_purpose:delete", admin([])),
    Row("wagtailsnippets_consent_purpose:*", admin(AUDIT), rule=True),
    Row("wagtailsnippets_consent_pipelinesystem:*", admin(AUDIT), rule=True),
    Row("wagtailsnippets_directory_screeningword:*", admin(MODERATE), rule=True),
    Row("wagtailsnippets_directory_taxonomy:*", admin(EDITING), rule=True),
    Row("wagtailsnippets_directory_taxonomyterm:*", admin(EDITING), rule=True),
    Row("wagtailsnippets_search_synonym:*", admin(EDITING), rule=True),
    Row("wagtailsnippets_selfcare_signpostrule:*", admin(EDITING), rule=True),
    Row("wagtailsnippets_selfcare_councildefinition:*", admin(EDITING), rule=True),
    Row("wagtailsnippets_selfcare_chargingyear:delete", admin([])),
    Row("wagtailsnippets_selfcare_chargingyear:*", admin(EDITING), rule=True),
    # Locations: a provider sees only their own organisations' (organisation B's is a 404);
    # roles with no location permission are refused, or find nothing (404).
    Row("wagtailsnippets_directory_location:list*", admin([PROVIDER, *EDITING]), rule=True),
    Row("wagtailsnippets_directory_location:add", admin([PROVIDER, *EDITING])),
    Row(
        "wagtailsnippets_directory_location:delete",
        admin(EDITING, otherwise=NOT_FOUND) | {MODERATOR: FORBIDDEN},
    ),
    Row(
        "wagtailsnippets_directory_location:copy",
        admin(EDITING),
        note="copying is adding: a provider may not copy another organisation's location",
    ),
    Row(
        "wagtailsnippets_directory_location:*",
        admin(EDITING, otherwise=NOT_FOUND) | {MODERATOR: FORBIDDEN},
        rule=True,
        note="organisation B's location",
    ),
    Row(
        "wagtailsnippetchoosers_directory_location:chosen",
        admin([MODERATOR, *EDITING], otherwise=NOT_FOUND),
        note="organisation B's location: moderators choose any",
    ),
    Row(
        "wagtailsnippetchoosers_directory_location:create",
        admin([PROVIDER, *EDITING]),
    ),
    # Choosers: choosing is open to the admin; creating from one needs "add".
    *[
        Row(f"wagtailsnippetchoosers_{model}:create", admin(allowed))
        for model, allowed in [
            ("consent_purpose", AUDIT),
            ("consent_pipelinesystem", AUDIT),
            ("directory_screeningword", MODERATE),
            ("directory_taxonomy", EDITING),
            ("directory_taxonomyterm", EDITING),
            ("search_synonym", EDITING),
            ("selfcare_signpostrule", EDITING),
            ("selfcare_councildefinition", EDITING),
            ("selfcare_chargingyear", EDITING),
        ]
    ],
    Row("wagtailsnippetchoosers_*", admin(ADMIN_ROLES), rule=True),
    Row(
        "wagtailsnippets:index",
        admin([]),
        note="no role has the snippets index: each snippet has its own menu item",
    ),
    # Users, groups, sites, settings, redirects: Administrators only. Deleting groups, adding
    # or deleting sites, and workflows: superusers only.
    Row("wagtailusers_users:*", admin([ADMINISTRATOR]), rule=True),
    Row("wagtailusers_groups:delete", admin([])),
    Row("wagtailusers_groups:*", admin([ADMINISTRATOR]), rule=True),
    Row("wagtailsites:add", admin([])),
    Row("wagtailsites:copy", admin([])),
    Row("wagtailsites:delete", admin([])),
    Row("wagtailsites:*", admin([ADMINISTRATOR]), rule=True),
    Row(
        "wagtailsettings:edit",
        admin([ADMINISTRATOR], outcome=REDIRECT),
        route="/admin/settings/<slug:app_name>/<slug:model_name>/",
        note="sent on to the default site's settings",
        variant="no site",
    ),
    Row(
        "wagtailsettings:edit",
        admin([ADMINISTRATOR]),
        route="/admin/settings/<slug:app_name>/<slug:model_name>/<int:pk>/",
    ),
    Row(
        "wagtailsettings:preview_on_edit",
        admin([ADMINISTRATOR], outcome=NOT_FOUND),
        note="settings have no preview",
    ),
    Row(
        "wagtailredirects:process_import", admin([], otherwise=FORBIDDEN) | {ADMINISTRATOR: METHOD}
    ),
    Row("wagtailredirects:*", admin([ADMINISTRATOR]), rule=True),
    *[
        Row(f"wagtailadmin_workflows:{name}", admin([], otherwise=METHOD), note="POST only")
        for name in ("enable", "remove", "enable_task")
    ],
    Row(
        "wagtailadmin_workflows:add_task",
        admin([], otherwise=NOT_FOUND),
        note="wagtailcore.page is not a task type",
    ),
    Row(
        "wagtailadmin_workflows:task_chooser*",
        admin(ADMIN_ROLES),
        rule=True,
        note="Wagtail's task chooser is open to the admin (it lists task names)",
    ),
    Row("wagtailadmin_workflows:task_chosen", admin(ADMIN_ROLES)),
    Row("wagtailadmin_workflows:*", admin([]), rule=True),
    # Pages (organisation B's service): Moderators, Editors and Administrators edit anywhere;
    # a provider of organisation A, practitioners and IG officers are refused.
    Row("wagtailadmin_pages:type_use*", admin(PAGE_USERS), rule=True),
    Row(
        "wagtailadmin_pages:choose_parent",
        admin(ADMIN_ROLES),
        note="lists only the pages each may add under",
    ),
    Row(
        "wagtailadmin_pages:add_subpage",
        admin(EDITING_PAGES, outcome=REDIRECT),
        note="one child type: on to its form",
    ),
    Row(
        "wagtailadmin_pages:move_confirm",
        admin(PUBLISHERS),
        note="refused by portal.wagtail_hooks (Wagtail checks only the POST)",
    ),
    Row("wagtailadmin_pages:workflow_preview", admin([MODERATOR])),
    Row("wagtailadmin_pages:search*", admin(PAGE_USERS), rule=True),
    Row(
        "wagtailadmin_pages:delete",
        admin(PUBLISHERS),
        note="an Editor deletes drafts only: this page is published",
    ),
    Row(
        "wagtailadmin_pages:unpublish",
        admin([MODERATOR]),
        note="the page waits in the moderation workflow, which locks it for all but Moderators",
    ),
    Row("wagtailadmin_pages:move", admin(PUBLISHERS)),
    Row("wagtailadmin_pages:set_privacy", admin(PUBLISHERS)),
    Row("wagtailadmin_pages:revisions_unschedule", admin(PUBLISHERS)),
    Row(
        "wagtailadmin_pages:workflow_action",
        admin([MODERATOR]),
        note="approving is for the workflow task's group, Moderators",
    ),
    Row("wagtailadmin_pages:collect_workflow_action_data", admin([MODERATOR])),
    Row("wagtailadmin_pages:convert_alias", admin([], otherwise=NOT_FOUND), note="not an alias"),
    Row("wagtailadmin_pages:revisions_index", admin([], otherwise=REDIRECT), note="to history"),
    *[
        Row(f"wagtailadmin_pages:{name}", admin([], otherwise=METHOD), note="POST only")
        for name in ("set_page_position", "lock", "unlock")
    ],
    Row("wagtailadmin_pages:*", admin(EDITING_PAGES), rule=True),
    Row(
        "wagtailadmin_explore_root",
        admin(EDITING_PAGES) | {PROVIDER: REDIRECT, IG_OFFICER: REDIRECT},
        note="providers and IG officers go to the part of the tree they may edit",
    ),
    Row("wagtailadmin_explore*", admin(EDITING_PAGES), rule=True),
    Row("wagtailadmin_choose_page_child", admin(EDITING_PAGES)),
    Row("wagtailadmin_api:pages:detail", admin(EDITING_PAGES, otherwise=NOT_FOUND)),
    Row("wagtailadmin_api:*:find", admin([], otherwise=NOT_FOUND), rule=True, note="no query"),
    Row("wagtailadmin_api:pages:action", admin([], otherwise=METHOD), note="POST only"),
    Row("wagtailadmin_reports:locked_pages*", admin(PUBLISHERS), rule=True),
    Row("wagtailadmin_reports:site_history*", admin(ADMIN_ROLES), rule=True),
    Row("wagtailadmin_reports:*", admin(PAGE_USERS), rule=True),
    Row("wagtailforms:index*", admin(PAGE_USERS), rule=True),
    Row("wagtailforms:delete_submissions", admin([])),
    Row("wagtailforms:*", admin([], otherwise=NOT_FOUND), rule=True, note="not a form page"),
    Row("wagtailadmin_collections:delete", admin([], otherwise=NOT_FOUND)),
    Row("wagtailadmin_collections:*", admin([]), rule=True, note="superusers only"),
    Row("wagtailadmin_editing_sessions:*", admin([], otherwise=METHOD), rule=True),
    Row("wagtailadmin_block_preview", admin([], otherwise=NOT_FOUND), note="no block named"),
    Row("wagtailadmin_tag_model_autocomplete", admin([], otherwise=NOT_FOUND)),
    Row("wagtail_bulk_action", admin([], otherwise=NOT_FOUND), note="no pages named"),
    # Images and documents: Moderators and Editors upload, edit and choose (docs/permissions.md
    # ¹ ²: not Administrators). The choosers list for everyone in the admin; an organisation's
    # logo field is shown only to those who may choose (tests/directory/test_moderation.py).
    Row("wagtailimages:*_multiple", admin([], otherwise=METHOD), rule=True, note="POST only"),
    Row("wagtailimages:create_multiple_from_uploaded_image", admin([], otherwise=METHOD)),
    Row(
        "wagtailimages:url_generator*",
        admin([]) | {MODERATOR: NOT_FOUND, EDITOR: NOT_FOUND},
        rule=True,
        note="no URL generator: dynamic serving is off",
    ),
    Row("wagtaildocs:*_multiple", admin([], otherwise=METHOD), rule=True, note="POST only"),
    Row("wagtaildocs:create_multiple_from_uploaded_document", admin([], otherwise=METHOD)),
    Row("wagtailimages:add_multiple", admin(MEDIA)),
    Row("wagtaildocs:add_multiple", admin(MEDIA)),
    Row("wagtailimages:*", admin(MEDIA), rule=True),
    Row("wagtaildocs:*", admin(MEDIA), rule=True),
    Row("wagtailimages_chooser:choose*", admin(ADMIN_ROLES), rule=True),
    Row("wagtaildocs_chooser:choose*", admin(ADMIN_ROLES), rule=True),
    Row("wagtailimages_chooser:chosen_multiple", admin(ADMIN_ROLES), note="no ids: nothing"),
    Row("wagtaildocs_chooser:chosen_multiple", admin(ADMIN_ROLES), note="no ids: nothing"),
    Row("wagtailimages_chooser:*", admin(MEDIA), rule=True),
    Row("wagtaildocs_chooser:*", admin(MEDIA), rule=True),
    Row("wagtailembeds:*", admin(ADMIN_ROLES), rule=True),
    # Wagtail's own pages: the dashboard and its plumbing, open to every admin role.
    Row("wagtailadmin_sprite", PUBLIC, note="the admin's icons"),
    Row(
        "wagtailadmin_error_test",
        admin(ADMIN_ROLES, outcome=SERVER_ERROR),
        note="Wagtail's page that fails on purpose, to test error reporting",
    ),
    Row("wagtailadmin_javascript_catalog", PUBLIC),
    Row("wagtailadmin_login", expect(LOGIN), note="shadowed by wagtailadmin_login_redirect"),
    Row("wagtailadmin_logout", expect(REDIRECT), note="shadowed by wagtailadmin_logout_redirect"),
    Row(
        "wagtailadmin_password_reset*",
        expect(NOT_FOUND),
        rule=True,
        note="switched off: allauth resets passwords",
    ),
    Row("wagtailadmin_*", admin(ADMIN_ROLES), rule=True),
    Row(
        "<unnamed /admin/test404/>",
        admin(ADMIN_ROLES),
        url=page(lambda w: "/admin/test404/"),
        note="Wagtail's 404 template, shown with 200",
    ),
    Row(
        "<unnamed /admin/^.*/$>",
        admin([], otherwise=NOT_FOUND),
        url=page(lambda w: "/admin/no-such-admin-page/"),
        note="Wagtail's catch-all",
    ),
]


# --- The tests ---------------------------------------------------------------------------------

ENTRIES = url_entries()


def _cases():
    for entry in ENTRIES:
        for row in rows_for(entry, TABLE):
            for role in ROLES:
                case_id = f"{row.label}-{role}" if not row.rule else f"{entry.name}-{role}"
                yield pytest.param(entry, row, role, id=case_id)


def test_every_url_is_in_the_matrix():
    missing = [entry.label for entry in ENTRIES if not rows_for(entry, TABLE)]
    assert not missing, (
        "These URLs have no row in the authorisation matrix (tests/portal/"
        "test_authorisation_matrix.py, TABLE). Add a row saying what each role gets:\n  "
        + "\n  ".join(missing)
    )


def test_the_matrix_has_no_stale_rows():
    stale = [row.label for row in TABLE if not any(row.matches(entry) for entry in ENTRIES)]
    assert not stale, f"Rows for URLs the project no longer has: remove them: {stale}"


def test_every_row_names_every_role():
    incomplete = [row.label for row in TABLE if set(row.expected) != set(ROLES)]
    assert not incomplete, incomplete


@pytest.mark.django_db
@pytest.mark.parametrize(("entry", "row", "role"), list(_cases()))
def test_role_gets_the_outcome_the_matrix_says(world, entry, row, role):
    # A crash is an outcome too ("server-error"), named with its URL and role like the rest.
    client = Client(raise_request_exception=False)
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    build = row.url or default_url
    url = build(world, client, entry)

    if row.method == "post":
        response = client.post(url, data="{}", content_type="application/json")
    else:
        response = client.get(url)

    got = classify(response)
    where = response.get("Location", "")
    assert got == row.expected[role], (
        f"{entry.label} as {role}: {row.method.upper()} {url} was {got} "
        f"({response.status_code} {where}), "
        f"the matrix says {row.expected[role]}" + (f" ({row.note})" if row.note else "")
    )


@pytest.mark.django_db
def test_wagtail_front_end_sign_in_cannot_skip_mfa(client):
    # Wagtail's /_util/login/ was Django's bare LoginView: a password alone signed staff in,
    # past MFA and allauth's rate limits. It now only sends people to allauth's sign-in.
    administrator = UserFactory(roles=[roles.ADMINISTRATORS])
    with_totp(administrator)

    response = client.post(
        "/_util/login/", {"username": administrator.username, "password": TEST_PASSWORD}
    )

    assert classify(response) == LOGIN
    assert classify(client.get(reverse("consent_staff:find"))) == LOGIN
    assert classify(client.get(reverse("wagtailusers_users:index"))) == LOGIN
