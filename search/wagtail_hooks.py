"""Search settings staff can edit: the synonyms used to widen searches."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Synonym


class SynonymViewSet(SnippetViewSet):
    model = Synonym
    icon = "search"
    menu_label = "Search synonyms"
    add_to_admin_menu = True
    menu_order = 900
    list_display = ["terms"]
    search_fields = ["terms"]


register_snippet(SynonymViewSet)
