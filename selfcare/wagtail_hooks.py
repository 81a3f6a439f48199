"""Staff edit the care-cost estimator's figures each April (docs/care-cost-estimator.md)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import ChargingYear


class ChargingYearViewSet(SnippetViewSet):
    model = ChargingYear
    icon = "table"
    menu_label = "Care charging years"
    add_to_admin_menu = True
    menu_order = 910
    list_display = ["label", "starts_on", "confirmed"]


register_snippet(ChargingYearViewSet)

# Council-authored definitions register themselves there.
from . import admin_definitions  # noqa: E402, F401
