"""Template filters for the listing changes pages in the admin (ADR 0010)."""

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Wagtail's comparisons mark changes as <span class="addition|deletion">escaped text</span>
# (wagtail.admin.compare.TextDiff), which shows only by colour and strike-through.
_CHANGE = re.compile(r'<span class="(addition|deletion)">([^<]*)</span>')
_TAGS = {"addition": ("ins", "added"), "deletion": ("del", "removed")}


def _marked(match: re.Match) -> str:
    kind, text = match.group(1), match.group(2)
    tag, word = _TAGS[kind]
    return (
        f'<{tag} class="{kind}"><span class="w-sr-only">[{word}: </span>{text}'
        f'<span class="w-sr-only">]</span></{tag}>'
    )


@register.filter
def accessible_diff(html: SafeString) -> SafeString:
    """Wagtail's diff HTML with additions and deletions as <ins> and <del>, each also named in
    words for screen readers."""
    # The input is Wagtail's own safe HTML; the text inside each change is already escaped.
    return mark_safe(_CHANGE.sub(_marked, str(html)))
