"""What providers see in the Wagtail admin: only their own organisations' pages and locations
(ADR 0008). Registered in directory.wagtail_hooks; the rules are in directory.providers.

- Locations: a permission policy (`providers.LocationPermissionPolicy`) answers for every
  location view; the views below turn another organisation's location into a 404, and the
  chooser lists only the locations someone may use.
- Pages: the explorer answers 403 for an organisation or service page someone may not explore
  (Wagtail's own view redirects to their part of the tree instead), and the page chooser shows
  only the pages someone may explore and the pages above them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from wagtail.admin.views.pages.listing import ExplorableIndexView
from wagtail.admin.views.pages.workflow import ConfirmWorkflowCancellationView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Page
from wagtail.permissions import policy_registry
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views

from . import providers
from .models import OrganisationPage, ServicePage

# --- Locations ------------------------------------------------------------------------------


class _OwnLocationsOnly:
    """A location the person may not see is a 404, as if it did not exist."""

    def get_object(self, *args, **kwargs):
        location = super().get_object(*args, **kwargs)
        if (
            not providers.locations_visible_to(user=self.request.user)
            .filter(pk=location.pk)
            .exists()
        ):
            raise Http404("No such location")
        return location


class LocationEditView(_OwnLocationsOnly, snippet_views.EditView):
    pass


class LocationCopyView(_OwnLocationsOnly, snippet_views.CopyView):
    pass


class LocationDeleteView(_OwnLocationsOnly, snippet_views.DeleteView):
    pass


class LocationUsageView(_OwnLocationsOnly, snippet_views.UsageView):
    pass


class LocationHistoryView(_OwnLocationsOnly, snippet_views.HistoryView):
    pass


class LocationInspectView(_OwnLocationsOnly, snippet_views.InspectView):
    pass


class _LocationChoices:
    def get_object_list(self):
        return providers.locations_visible_to(user=self.request.user)


class LocationChooseView(_LocationChoices, snippet_chooser.ChooseView):
    pass


class LocationChooseResultsView(_LocationChoices, snippet_chooser.ChooseResultsView):
    pass


class LocationChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return providers.locations_visible_to(user=self.request.user).get(pk=pk)


class LocationChosenMultipleView(snippet_chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return list(providers.locations_visible_to(user=self.request.user).filter(pk__in=pks))


class LocationChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = LocationChooseView
    choose_results_view_class = LocationChooseResultsView
    chosen_view_class = LocationChosenView
    chosen_multiple_view_class = LocationChosenMultipleView


# --- Pages --------------------------------------------------------------------------------


def _page_policy():
    return policy_registry.get_by_type(Page)


def user_explores_whole_tree(user) -> bool:
    """Superusers and anyone whose page permissions start at the root see every page."""
    if user.is_superuser:
        return True
    root = _page_policy().explorable_root_instance(user)
    return root is not None and root.depth == 1


def pages_visible_to(user):
    """Pages someone may explore, and the pages above them (so choosers can reach them)."""
    policy = _page_policy()
    explorable = policy.explorable_instances(user)
    visible = Page.objects.filter(pk__in=explorable.values("pk"))
    for permission in policy.get_cached_permissions_for_user(user):
        visible |= Page.objects.ancestor_of(permission.page, inclusive=True)
    return visible


def page_chooser_queryset(pages, request):
    """construct_page_chooser_queryset: only pages the person may see. Browsing into a page
    they may not see is refused."""
    user = request.user
    if user_explores_whole_tree(user):
        return pages
    visible = pages_visible_to(user)
    match = getattr(request, "resolver_match", None)
    parent_id = match.kwargs.get("parent_page_id") if match else None
    if parent_id is not None and not visible.filter(pk=parent_id).exists():
        raise PermissionDenied
    return pages.filter(pk__in=visible.values("pk"))


class DirectoryExplorableIndexView(ExplorableIndexView):
    """Exploring an organisation or service page you may not explore is a 403, not Wagtail's
    redirect to your own part of the tree."""

    def get(self, request, parent_page_id=None):
        if (
            parent_page_id is not None
            and not user_explores_whole_tree(request.user)
            and not _page_policy()
            .explorable_instances(request.user)
            .filter(pk=parent_page_id)
            .exists()
        ):
            raise PermissionDenied
        return super().get(request, parent_page_id=parent_page_id)


class GuardedConfirmWorkflowCancellationView(ConfirmWorkflowCancellationView):
    """Wagtail's "this will cancel the workflow" step when publishing asks for no permission;
    only people who may edit the page get it."""

    def dispatch(self, request, *args, **kwargs):
        if not self.object.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class OrganisationPageViewSet(PageViewSet):
    """Wagtail's own page views for organisations, with the guarded workflow step above. The
    explorer of /services/ stays Wagtail's (it sends providers to their part of the tree)."""

    model = OrganisationPage
    confirm_workflow_cancellation_view_class = GuardedConfirmWorkflowCancellationView
    parent_models: list = []


class ServicePageViewSet(PageViewSet):
    """Wagtail's own page views for services, with the explorer above; also used when exploring
    an organisation (whose children are services) or a service."""

    model = ServicePage
    index_view_class = DirectoryExplorableIndexView
    confirm_workflow_cancellation_view_class = GuardedConfirmWorkflowCancellationView
    parent_models = [OrganisationPage, ServicePage]
