"""Data-sharing purposes in the Wagtail admin, for IG officers (docs/permissions.md)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Purpose


class PurposeViewSet(SnippetViewSet):
    model = Purpose
    icon = "list-ul"
    menu_label = "Data-sharing purposes"
    menu_name = "data-sharing-purposes"
    menu_order = 700
    add_to_admin_menu = True
    list_display = ["name", "code", "legal_basis", "objection_honoured", "is_active"]
    list_filter = ["legal_basis", "is_active"]
    search_fields = ["name", "code"]
    form_fields = [
        "code",
        "name",
        "description",
        "legal_basis",
        "objection_honoured",
        "national_opt_out_applies",
        "data_categories",
        "recipients",
        "is_active",
        "sort_order",
    ]


register_snippet(PurposeViewSet)
