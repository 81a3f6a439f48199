"""Authorisation (issue 4's acceptance): a provider of organisation A gets a 403 or a 404 on
every admin and provider URL for organisation B's pages, drafts, locations, members,
invitations and requests, and never sees B's draft. Residents and anonymous visitors cannot
reach the admin or the providers' pages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from directory.factories import LocationFactory, OrganisationPageFactory, ServicePageFactory
from directory.models import (
    Location,
    OrganisationInvitation,
    OrganisationRequest,
    ServiceAtLocation,
    ServicePage,
)
from directory.providers import invitation_token, membership_add

from .provider_helpers import provider_of, resident

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "Quokkaville draft title"
DRAFT_TEXT = "Quokkaville draft text only organisation B can see"
B_LOCATION = "Quokkaville hall"
SECRETS = (DRAFT_TITLE, DRAFT_TEXT, B_LOCATION)
DENIED = {403, 404}


@dataclass
class World:
    a: object
    b: object
    service_a: ServicePage
    service_b: ServicePage
    live_revision_id: int
    draft_revision_id: int
    workflow_state_id: int
    task_id: int
    task_state_id: int
    location_a: Location
    location_b: Location
    member_b: object
    membership_b: object
    invitation_b: OrganisationInvitation
    request_b: OrganisationRequest
    provider_a: object


@pytest.fixture
def world() -> World:
    a = OrganisationPageFactory(title="Organisation A")
    b = OrganisationPageFactory(title="Organisation B")
    service_a = ServicePageFactory(parent=a, title="Service of A")
    service_b = ServicePageFactory(parent=b, title="Service of B")
    live_revision_id = service_b.live_revision_id
    member_b = provider_of(b, is_admin=True)
    # B's provider edits the service and submits the draft for moderation.
    draft = ServicePage.objects.get(pk=service_b.pk)
    draft.title = DRAFT_TITLE
    draft.description = DRAFT_TEXT
    revision = draft.save_revision(user=member_b)
    workflow_state = draft.get_workflow().start(draft, member_b)
    location_a = LocationFactory(organisation=a, name="Hall of A")
    location_b = LocationFactory(organisation=b, name=B_LOCATION)
    invitation_b = OrganisationInvitation.objects.create(
        organisation=b, email="colleague-of-b@example.com", invited_by=member_b
    )
    request_b = OrganisationRequest.objects.create(
        user=member_b, kind=OrganisationRequest.JOIN, organisation=b, job_title="Manager"
    )
    provider_a = provider_of(a, is_admin=True)
    return World(
        a=a,
        b=b,
        service_a=service_a,
        service_b=ServicePage.objects.get(pk=service_b.pk),
        live_revision_id=live_revision_id,
        draft_revision_id=revision.pk,
        workflow_state_id=workflow_state.pk,
        task_id=workflow_state.current_task_state.task_id,
        task_state_id=workflow_state.current_task_state.pk,
        location_a=location_a,
        location_b=location_b,
        member_b=member_b,
        membership_b=member_b.organisation_memberships.get(),
        invitation_b=invitation_b,
        request_b=request_b,
        provider_a=provider_a,
    )


def assert_no_secrets(response) -> None:
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body, f"{secret!r} shown at {response.request['PATH_INFO']}"


# (name, method, path) for organisation B's objects. Every one must be a 403 or a 404.
ADMIN_PAGE_URLS = [
    ("explore organisation", "get", lambda w: f"/admin/pages/{w.b.pk}/"),
    ("explore organisation results", "get", lambda w: f"/admin/pages/{w.b.pk}/results/"),
    ("explore service", "get", lambda w: f"/admin/pages/{w.service_b.pk}/"),
    ("edit organisation", "get", lambda w: f"/admin/pages/{w.b.pk}/edit/"),
    ("edit service", "get", lambda w: f"/admin/pages/{w.service_b.pk}/edit/"),
    ("save service", "post", lambda w: f"/admin/pages/{w.service_b.pk}/edit/"),
    ("preview", "get", lambda w: f"/admin/pages/{w.service_b.pk}/edit/preview/"),
    ("preview post", "post", lambda w: f"/admin/pages/{w.service_b.pk}/edit/preview/"),
    ("view draft", "get", lambda w: f"/admin/pages/{w.service_b.pk}/view_draft/"),
    (
        "revision view",
        "get",
        lambda w: f"/admin/pages/{w.service_b.pk}/revisions/{w.draft_revision_id}/view/",
    ),
    (
        "revisions compare",
        "get",
        lambda w: (
            f"/admin/pages/{w.service_b.pk}/revisions/compare/"
            f"{w.live_revision_id}...{w.draft_revision_id}/"
        ),
    ),
    (
        "revisions compare live",
        "get",
        lambda w: f"/admin/pages/{w.service_b.pk}/revisions/compare/live...latest/",
    ),
    (
        "revision revert",
        "get",
        lambda w: f"/admin/pages/{w.service_b.pk}/revisions/{w.draft_revision_id}/revert/",
    ),
    ("history", "get", lambda w: f"/admin/pages/{w.service_b.pk}/history/"),
    ("history results", "get", lambda w: f"/admin/pages/{w.service_b.pk}/history/results/"),
    ("add subpage", "get", lambda w: f"/admin/pages/{w.b.pk}/add_subpage/"),
    ("add service", "get", lambda w: f"/admin/pages/add/directory/servicepage/{w.b.pk}/"),
    ("add service post", "post", lambda w: f"/admin/pages/add/directory/servicepage/{w.b.pk}/"),
    ("copy", "get", lambda w: f"/admin/pages/{w.service_b.pk}/copy/"),
    ("copy post", "post", lambda w: f"/admin/pages/{w.service_b.pk}/copy/"),
    ("move", "get", lambda w: f"/admin/pages/{w.service_b.pk}/move/"),
    (
        "move confirm",
        "post",
        lambda w: f"/admin/pages/{w.service_b.pk}/move/{w.a.pk}/confirm/",
    ),
    ("delete", "get", lambda w: f"/admin/pages/{w.service_b.pk}/delete/"),
    ("delete post", "post", lambda w: f"/admin/pages/{w.service_b.pk}/delete/"),
    ("unpublish", "get", lambda w: f"/admin/pages/{w.service_b.pk}/unpublish/"),
    ("unpublish post", "post", lambda w: f"/admin/pages/{w.service_b.pk}/unpublish/"),
    ("privacy", "get", lambda w: f"/admin/pages/{w.service_b.pk}/privacy/"),
    ("usage", "get", lambda w: f"/admin/pages/{w.service_b.pk}/usage/"),
    ("lock", "post", lambda w: f"/admin/pages/{w.service_b.pk}/lock/"),
    ("unlock", "post", lambda w: f"/admin/pages/{w.service_b.pk}/unlock/"),
    ("workflow history", "get", lambda w: f"/admin/pages/{w.service_b.pk}/workflow_history/"),
    (
        "workflow history detail",
        "get",
        lambda w: f"/admin/pages/{w.service_b.pk}/workflow_history/detail/{w.workflow_state_id}/",
    ),
    (
        "workflow preview",
        "get",
        lambda w: f"/admin/pages/workflow/preview/{w.service_b.pk}/{w.task_id}/",
    ),
    (
        "cancel workflow",
        "get",
        lambda w: f"/admin/pages/workflow/confirm_cancellation/{w.service_b.pk}/",
    ),
    (
        "approve in workflow",
        "post",
        lambda w: f"/admin/pages/workflow/action/{w.service_b.pk}/approve/{w.task_state_id}/",
    ),
    (
        "collect workflow action data",
        "get",
        lambda w: (
            f"/admin/pages/workflow/collect_action_data/{w.service_b.pk}/approve/{w.task_state_id}/"
        ),
    ),
    ("admin API detail", "get", lambda w: f"/admin/api/main/pages/{w.service_b.pk}/"),
    ("page chooser browse", "get", lambda w: f"/admin/choose-page/{w.b.pk}/"),
]
LOCATION_URLS = [
    (
        "location edit",
        "get",
        lambda w: f"/admin/snippets/directory/location/edit/{w.location_b.pk}/",
    ),
    (
        "location save",
        "post",
        lambda w: f"/admin/snippets/directory/location/edit/{w.location_b.pk}/",
    ),
    (
        "location delete",
        "get",
        lambda w: f"/admin/snippets/directory/location/delete/{w.location_b.pk}/",
    ),
    (
        "location delete post",
        "post",
        lambda w: f"/admin/snippets/directory/location/delete/{w.location_b.pk}/",
    ),
    (
        "location copy",
        "get",
        lambda w: f"/admin/snippets/directory/location/copy/{w.location_b.pk}/",
    ),
    (
        "location history",
        "get",
        lambda w: f"/admin/snippets/directory/location/history/{w.location_b.pk}/",
    ),
    (
        "location usage",
        "get",
        lambda w: f"/admin/snippets/directory/location/usage/{w.location_b.pk}/",
    ),
    (
        "location chosen",
        "get",
        lambda w: f"/admin/snippets/choose/directory/location/chosen/{w.location_b.pk}/",
    ),
]
PROVIDER_URLS = [
    ("members", "get", lambda w: reverse("providers:members", args=[w.b.pk])),
    ("invite", "post", lambda w: reverse("providers:members", args=[w.b.pk])),
    (
        "remove member",
        "get",
        lambda w: reverse("providers:member_remove", args=[w.b.pk, w.membership_b.pk]),
    ),
    (
        "remove member post",
        "post",
        lambda w: reverse("providers:member_remove", args=[w.b.pk, w.membership_b.pk]),
    ),
    (
        "member admin",
        "post",
        lambda w: reverse("providers:member_admin", args=[w.b.pk, w.membership_b.pk]),
    ),
    (
        "cancel invitation",
        "post",
        lambda w: reverse("providers:invitation_cancel", args=[w.b.pk, w.invitation_b.pk]),
    ),
    # B's membership through A's pages: the membership is not A's.
    (
        "remove B's member through A",
        "post",
        lambda w: reverse("providers:member_remove", args=[w.a.pk, w.membership_b.pk]),
    ),
    (
        "cancel B's invitation through A",
        "post",
        lambda w: reverse("providers:invitation_cancel", args=[w.a.pk, w.invitation_b.pk]),
    ),
    ("requests", "get", lambda w: reverse("providers:requests")),
    ("request", "get", lambda w: reverse("providers:request", args=[w.request_b.pk])),
    ("decide request", "post", lambda w: reverse("providers:request", args=[w.request_b.pk])),
    (
        "accept B's invitation",
        "post",
        lambda w: reverse(
            "providers:invitation", args=[invitation_token(invitation=w.invitation_b)]
        ),
    ),
]
ALL_URLS = ADMIN_PAGE_URLS + LOCATION_URLS + PROVIDER_URLS


@pytest.mark.parametrize(("name", "method", "url"), ALL_URLS, ids=[name for name, _, _ in ALL_URLS])
def test_a_provider_of_a_gets_403_or_404_on_organisation_bs_objects(
    client, world, name, method, url
):
    client.force_login(world.provider_a)
    path = url(world)
    data = {"title": "Hijacked", "is_admin": "yes", "decision": "approve", "comment": "x"}
    response = getattr(client, method)(path, data if method == "post" else None)

    assert response.status_code in DENIED, (name, path, response.status_code)
    assert_no_secrets(response)


def test_nothing_of_bs_changes_when_a_provider_of_a_tries(client, world):
    client.force_login(world.provider_a)
    for _name, method, url in ALL_URLS:
        if method == "post":
            getattr(client, method)(url(world), {"title": "Hijacked", "decision": "approve"})

    service = ServicePage.objects.get(pk=world.service_b.pk)
    assert service.live
    assert service.title == "Service of B"
    assert service.get_latest_revision().pk == world.draft_revision_id
    assert service.get_parent().pk == world.b.pk
    assert not service.locked
    assert Location.objects.get(pk=world.location_b.pk).name == B_LOCATION
    assert world.member_b.organisation_memberships.filter(organisation=world.b).exists()
    world.invitation_b.refresh_from_db()
    assert world.invitation_b.revoked_at is None
    assert world.invitation_b.accepted_at is None
    world.request_b.refresh_from_db()
    assert world.request_b.status == OrganisationRequest.PENDING
    assert not world.provider_a.organisation_memberships.filter(organisation=world.b).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/pages/search/?q=Quokkaville",
        "/admin/pages/search/?q=service",
        "/admin/pages/search/results/?q=service",
        "/admin/pages/usage/directory/servicepage/",
        "/admin/choose-page/search/?q=Quokkaville",
        "/admin/choose-page/search/?q=service",
        "/admin/reports/site-history/",
        "/admin/reports/aging-pages/",
        "/admin/snippets/directory/location/",
        "/admin/snippets/directory/location/results/",
        "/admin/snippets/choose/directory/location/",
        "/admin/snippets/choose/directory/location/results/?q=hall",
    ],
)
def test_admin_listings_and_searches_never_show_organisation_bs_pages(client, world, path):
    client.force_login(world.provider_a)
    response = client.get(path)

    assert response.status_code == 200
    assert_no_secrets(response)
    body = response.content.decode()
    for page in (world.b, world.service_b):
        assert f"/admin/pages/{page.pk}/" not in body
    assert f"/location/edit/{world.location_b.pk}/" not in body
    assert "Service of B" not in body


def test_page_chooser_and_explorer_api_show_only_the_providers_part_of_the_tree(client, world):
    client.force_login(world.provider_a)
    index_id = world.a.get_parent().pk

    chooser = client.get(f"/admin/choose-page/{index_id}/").content.decode()
    api = client.get(f"/admin/api/main/pages/?child_of={index_id}").json()

    assert "Organisation A" in chooser
    assert "Organisation B" not in chooser
    assert [item["id"] for item in api["items"]] == [world.a.pk]


def test_a_provider_of_a_still_reaches_their_own_pages_and_locations(client, world):
    client.force_login(world.provider_a)
    for path in (
        f"/admin/pages/{world.a.pk}/",
        f"/admin/pages/{world.service_a.pk}/edit/",
        f"/admin/pages/{world.service_a.pk}/history/",
        f"/admin/pages/add/directory/servicepage/{world.a.pk}/",
        f"/admin/snippets/directory/location/edit/{world.location_a.pk}/",
        f"/admin/snippets/choose/directory/location/chosen/{world.location_a.pk}/",
        reverse("providers:members", args=[world.a.pk]),
    ):
        assert client.get(path).status_code == 200, path


def test_a_provider_in_both_organisations_reaches_both(client, world):
    membership_add(organisation=world.b, user=world.provider_a)
    client.force_login(world.provider_a)

    assert client.get(f"/admin/pages/{world.service_b.pk}/edit/").status_code == 200
    assert (
        client.get(f"/admin/snippets/directory/location/edit/{world.location_b.pk}/").status_code
        == 200
    )


def test_a_provider_cannot_give_a_service_another_organisations_location(client, world):
    client.force_login(world.provider_a)
    service = ServicePage.objects.get(pk=world.service_a.pk)
    form = client.get(f"/admin/pages/{service.pk}/edit/").context["form"]
    data = _page_form_data(form)
    data.update(
        {
            "service_at_locations-TOTAL_FORMS": "1",
            "service_at_locations-INITIAL_FORMS": "0",
            "service_at_locations-0-location": str(world.location_b.pk),
            "service_at_locations-0-description": "",
            "service_at_locations-0-ORDER": "1",
            "service_at_locations-0-DELETE": "",
            "service_at_locations-0-id": "",
        }
    )

    response = client.post(f"/admin/pages/{service.pk}/edit/", data)

    assert response.status_code == 200  # the form again, with an error
    row = response.context["form"].formsets["service_at_locations"].forms[0]
    assert "location" in row.errors
    assert not ServiceAtLocation.objects.filter(location=world.location_b).exists()
    revisions = ServicePage.objects.get(pk=service.pk).revisions
    assert not any(
        world.location_b.pk in _revision_locations(revision) for revision in revisions.all()
    )

    # The same form with the provider's own location is saved as a draft.
    data["service_at_locations-0-location"] = str(world.location_a.pk)
    saved = client.post(f"/admin/pages/{service.pk}/edit/", data)
    assert saved.status_code == 302
    latest = ServicePage.objects.get(pk=service.pk).get_latest_revision()
    assert _revision_locations(latest) == [world.location_a.pk]


def _revision_locations(revision) -> list[int]:
    return [row["location"] for row in revision.content.get("service_at_locations", [])]


def test_a_provider_adds_locations_only_for_their_own_organisations(client, world):
    client.force_login(world.provider_a)
    add = "/admin/snippets/directory/location/add/"
    base = {
        "name": "New hall",
        "location_type": "physical",
        "country": "GB",
        "accessibility_features-TOTAL_FORMS": "0",
        "accessibility_features-INITIAL_FORMS": "0",
        "accessibility_features-MIN_NUM_FORMS": "0",
        "accessibility_features-MAX_NUM_FORMS": "1000",
    }

    page = client.get(add).content.decode()
    refused = client.post(add, {**base, "organisation": str(world.b.pk)})
    missing = client.post(add, base)
    accepted = client.post(add, {**base, "organisation": str(world.a.pk)})

    assert "Organisation A" in page
    assert "Organisation B" not in page
    assert refused.status_code == 200
    assert not Location.objects.filter(organisation=world.b, name="New hall").exists()
    assert missing.status_code == 200
    assert accepted.status_code == 302
    assert Location.objects.get(name="New hall").organisation_id == world.a.pk


def test_staff_with_location_permissions_see_every_location(client, world, admin_user):
    from .provider_helpers import with_mfa

    client.force_login(with_mfa(admin_user))
    listing = client.get("/admin/snippets/directory/location/").content.decode()
    chooser = client.get("/admin/snippets/choose/directory/location/").content.decode()

    assert B_LOCATION in listing
    assert "Hall of A" in listing
    assert B_LOCATION in chooser


def test_a_resident_cannot_reach_the_admin_or_moderators_pages(client, world):
    client.force_login(resident())
    admin = client.get("/admin/")
    edit = client.get(f"/admin/pages/{world.service_b.pk}/edit/")
    requests = client.get(reverse("providers:requests"))
    members = client.get(reverse("providers:members", args=[world.b.pk]))

    assert admin.status_code in (302, 403)
    if admin.status_code == 302:
        assert admin["Location"].startswith(reverse("account_login"))
    assert edit.status_code in (302, 403)
    assert requests.status_code == 403
    assert members.status_code == 403
    for response in (admin, edit, requests, members):
        assert_no_secrets(response)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/providers/",
        "/providers/join/",
        "/providers/register/",
        "/providers/requests/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _page_form_data(form) -> dict:
    """The edit form's current values as POST data (inline formsets included)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or "RichText" in type(field.widget).__name__:
            continue  # rich text is posted as the editor's JSON; empty will do here
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    for prefix, formset in form.formsets.items():
        management = formset.management_form
        for name in management.fields:
            data[f"{prefix}-{name}"] = str(management[name].value() or 0)
        for index, child in enumerate(formset.forms):
            for name in child.fields:
                value = child[name].value()
                if value is not None and value is not False:
                    data[f"{prefix}-{index}-{name}"] = str(value)
    return data


def test_admin_search_finds_the_providers_own_pages(client, world):
    client.force_login(world.provider_a)
    body = client.get("/admin/pages/search/?q=service").content.decode()
    chooser = client.get("/admin/choose-page/search/?q=service").content.decode()

    assert "Service of A" in body
    assert "Service of A" in chooser
    assert "Service of B" not in chooser


def test_permission_denied_in_the_admin_is_a_403_page_not_a_redirect(client, world):
    client.force_login(world.provider_a)

    response = client.get(f"/admin/pages/{world.service_b.pk}/edit/")
    users = client.get("/admin/users/")

    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()
    assert users.status_code == 403


def test_the_admin_menu_links_members_to_their_organisations(client, world):
    client.force_login(world.provider_a)

    assert reverse("providers:dashboard") in client.get("/admin/").content.decode()
