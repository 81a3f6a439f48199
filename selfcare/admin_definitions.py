"""Council-authored self-care definitions in the Wagtail admin (docs/selfcare-definitions.md).

Editors write a definition as JSON, save drafts, preview nothing until they publish, and every
publication is a Wagtail revision: history, compare and revert come from DraftStateMixin and
RevisionMixin. `CouncilDefinition.clean()` refuses what the portal could not offer, and
selfcare.catalogue offers only the live rows that load.
"""

from __future__ import annotations

import json

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import LiveStatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import CouncilDefinition

DEFINITION_HELP = (
    "The definition as JSON, in the format described in docs/selfcare-definitions.md (in the "
    'portal\'s source code). Its "slug" must match the slug above. Whenever you change a '
    'published definition, raise its "version" by one. Text is shown as plain text: HTML '
    "tags are not applied."
)


class DefinitionTextarea(forms.Textarea):
    """A large monospace box showing the JSON indented, so it can be read and edited."""

    def __init__(self):
        super().__init__(
            attrs={
                "rows": 30,
                "spellcheck": "false",
                "autocapitalize": "off",
                "style": "font-family: monospace; font-size: 0.875rem; white-space: pre;",
            }
        )

    def format_value(self, value):
        if isinstance(value, str):
            try:
                return json.dumps(json.loads(value), indent=2, ensure_ascii=False)
            except ValueError:
                return value  # what the editor typed, shown again to be corrected
        return super().format_value(value)


class VersionHistoryPanel(Panel):
    """Each publication with its definition version, when and by whom (newest first)."""

    class BoundPanel(Panel.BoundPanel):
        def render_html(self, parent_context=None):
            history = self.instance.version_history if self.instance is not None else []
            if not history:
                return mark_safe("<p>Not published yet.</p>")
            rows = format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        entry["version"],
                        f"{entry['published_at']:%-d %B %Y %H:%M}",
                        entry["published_by"] or "System",
                    )
                    for entry in history
                ),
            )
            return format_html(
                '<table class="listing"><thead><tr><th scope="col">Version</th>'
                '<th scope="col">Published</th><th scope="col">By</th></tr></thead>'
                "<tbody>{}</tbody></table>",
                rows,
            )


class CouncilDefinitionViewSet(SnippetViewSet):
    model = CouncilDefinition
    icon = "clipboard-list"
    menu_label = "Self-care definitions"
    menu_name = "selfcare-definitions"
    add_to_admin_menu = True
    menu_order = 913  # after care charging years (910), signposting (911), deliveries (912)
    # Wagtail's own live/draft column; a viewset's list_display replaces the default one.
    list_display = ["title", "slug", LiveStatusTagColumn(), "licence_reference"]
    search_fields = ["title", "slug"]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("slug"),
            FieldPanel("licence_reference"),
            FieldPanel("definition", widget=DefinitionTextarea(), help_text=DEFINITION_HELP),
            VersionHistoryPanel(heading="Published versions"),
        ]
    )


register_snippet(CouncilDefinitionViewSet)
