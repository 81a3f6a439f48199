"""Which self-care tools are offered: the repository's definitions and the council's
published ones (CouncilDefinition), by slug. The views ask here, never the engine directly.

- Built-in definitions are trusted (their HTML is shown as HTML); council ones are not (their
  text is escaped).
- A licensed instrument is offered only when it is a council definition with a licence
  reference; the repository ships none.
- A built-in slug cannot be taken over by a council definition.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from . import engine
from .engine import Definition, DefinitionError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Offered:
    definition: Definition
    trusted: bool
    licence_reference: str = ""


def council_offered() -> dict[str, Offered]:
    """The council's published definitions that load and may be offered."""
    from .models import CouncilDefinition

    builtin = engine.builtin_definitions()
    offered: dict[str, Offered] = {}
    rows = CouncilDefinition.objects.filter(live=True).only(
        "id", "slug", "definition", "licence_reference"
    )
    for row in rows:
        if row.slug in builtin:
            continue
        try:
            definition = engine.definition_load(row.definition)
        except (DefinitionError, KeyError, TypeError, ValueError, AttributeError) as problem:
            logger.error(
                "Council definition %s does not load (%s); it is not offered",
                row.id,
                type(problem).__name__,
            )
            continue
        if definition.slug != row.slug:
            continue
        if definition.licence_required and not row.licence_reference.strip():
            continue
        offered[row.slug] = Offered(
            definition=definition, trusted=False, licence_reference=row.licence_reference
        )
    return offered


def offered_all() -> dict[str, Offered]:
    offered = {
        slug: Offered(definition=definition, trusted=True)
        for slug, definition in engine.builtin_definitions().items()
        if not definition.licence_required
    }
    offered.update(council_offered())
    return offered


def offered_get(slug: str) -> Offered | None:
    definition = engine.builtin_definitions().get(slug)
    if definition is not None:
        return None if definition.licence_required else Offered(definition, trusted=True)
    return council_offered().get(slug)
