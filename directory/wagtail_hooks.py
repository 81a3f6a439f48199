"""Directory data that is not a page, managed in the Wagtail admin as snippets."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Location, Taxonomy, TaxonomyTerm


class LocationViewSet(SnippetViewSet):
    model = Location
    icon = "site"
    menu_label = "Locations"
    list_display = ["name", "postal_code", "organisation", "hide_address"]
    list_filter = ["location_type", "hide_address"]
    search_fields = ["name", "postal_code", "city"]


class TaxonomyViewSet(SnippetViewSet):
    model = Taxonomy
    icon = "list-ul"
    menu_label = "Vocabularies"
    list_display = ["name", "version", "is_browsable"]


class TaxonomyTermViewSet(SnippetViewSet):
    model = TaxonomyTerm
    icon = "tag"
    menu_label = "Categories and terms"
    list_display = ["name", "code", "taxonomy", "parent"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "code"]


class DirectoryViewSetGroup(SnippetViewSetGroup):
    items = (LocationViewSet, TaxonomyTermViewSet, TaxonomyViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = "Directory"
    menu_name = "directory"


register_snippet(DirectoryViewSetGroup)
