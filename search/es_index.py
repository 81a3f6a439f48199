"""Keeping the Elasticsearch index in step with the directory (ADR 0018).

- `index_rebuild()` builds a new versioned index (`<prefix>_services_<UTC timestamp>`),
  bulk-loads every findable service with refreshes off, then moves the read alias to it in
  one atomic `update_aliases` call and deletes the old index. Searches read the alias
  throughout, so they never see a half-built index and never go down. If anything fails, the
  half-built index is deleted and the alias stays where it was.
- `index_refresh(service_ids=...)` re-indexes some services (or deletes them when they may no
  longer be found); the task queue runs it after publishing, unpublishing, moving and the
  rest (search.tasks). Pending edits are never indexed: the facts come from the live pages.
- `synonyms_sync()` copies the staff-edited synonyms into the Elasticsearch synonyms set the
  search analyser reads, so an edit takes effect without a reindex.

The pure helpers (`versioned_name`, `alias_actions`, `bulk_actions`, `synonym_rules`) build what
is sent, so tests assert it without a server.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.utils import timezone
from elasticsearch import NotFoundError
from elasticsearch.helpers import streaming_bulk

from . import indexing
from .es_client import es_client
from .es_documents import alias_name, document_from_facts, index_for, synonyms_set_name
from .text import synonym_groups

logger = logging.getLogger(__name__)

CHUNK = 500
# An Elasticsearch synonyms set cannot be empty and still be read by an analyser; this rule
# maps a word to itself, changing nothing.
PLACEHOLDER_RULE = {"id": "placeholder", "synonyms": "portalplaceholder"}


# --- pure helpers -------------------------------------------------------------------------------


def versioned_name(now: datetime.datetime | None = None) -> str:
    """`portal_services_20261123t101500123456`: sortable, unique per build."""
    moment = (now or timezone.now()).astimezone(datetime.UTC)
    return f"{alias_name()}_{moment.strftime('%Y%m%dt%H%M%S%f')}"


def alias_actions(alias: str, old_indices: Iterable[str], new_index: str) -> list[dict]:
    """One atomic alias move: off every old index and onto the new one."""
    actions: list[dict] = [
        {"remove": {"index": old, "alias": alias}}
        for old in sorted(old_indices)
        if old != new_index
    ]
    actions.append({"add": {"index": new_index, "alias": alias}})
    return actions


def bulk_actions(facts: Iterable[indexing.ServiceFacts], index: str) -> Iterator[dict[str, Any]]:
    """Bulk `index` actions for these services' documents."""
    for item in facts:
        document = document_from_facts(item)
        yield {
            "_op_type": "index",
            "_index": index,
            "_id": item.id,
            "_source": document.to_dict(skip_empty=False),
        }


def delete_actions(service_ids: Iterable[int], index: str) -> Iterator[dict[str, Any]]:
    for service_id in service_ids:
        yield {"_op_type": "delete", "_index": index, "_id": service_id}


def synonym_rules(groups: list[list[str]]) -> list[dict[str, str]]:
    """Solr-format rules ("gp, doctor, surgery") from the staff-edited synonym groups."""
    rules = [
        {"id": f"group-{number}", "synonyms": ", ".join(group)}
        for number, group in enumerate(groups, start=1)
        if len(group) > 1
    ]
    return rules or [PLACEHOLDER_RULE]


# --- talking to the cluster ---------------------------------------------------------------------


def synonyms_sync() -> int:
    """Put the current synonyms into the synonyms set (search analysers reload it). Returns
    the number of rules sent."""
    rules = synonym_rules(synonym_groups())
    es_client(for_indexing=True).synonyms.put_synonym(id=synonyms_set_name(), synonyms_set=rules)
    return len(rules)


def current_indices() -> list[str]:
    """The indices the read alias points at now (none before the first build)."""
    client = es_client(for_indexing=True)
    try:
        return sorted(client.indices.get_alias(name=alias_name()).body)
    except NotFoundError:
        return []


def index_rebuild(*, progress: Callable[[int], None] | None = None, chunk_size: int = CHUNK) -> int:
    """Build a fresh index of every findable service and swap the read alias to it. Returns
    how many services were indexed."""
    client = es_client(for_indexing=True)
    synonyms_sync()
    name = versioned_name()
    index_for(name).create(using=client)
    try:
        client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "-1"}})
        written = 0
        ids = list(indexing.searchable_services().order_by("id").values_list("id", flat=True))
        for start in range(0, len(ids), chunk_size):
            chunk = ids[start : start + chunk_size]
            for ok, _item in streaming_bulk(
                client,
                bulk_actions(indexing.service_facts(chunk), name),
                chunk_size=chunk_size,
                raise_on_error=True,
            ):
                written += ok
            if progress is not None:
                progress(len(chunk))
        client.indices.put_settings(index=name, settings={"index": {"refresh_interval": None}})
        client.indices.refresh(index=name)
        old = current_indices()
        client.indices.update_aliases(actions=alias_actions(alias_name(), old, name))
    except BaseException:
        logger.warning("Elasticsearch reindex failed; deleting the half-built index %s", name)
        client.indices.delete(index=name, ignore_unavailable=True)
        raise
    for stale in old:
        if stale != name:
            client.indices.delete(index=stale, ignore_unavailable=True)
    return written


def index_refresh(*, service_ids: Iterable[int]) -> tuple[int, int]:
    """Re-index these services; delete the ones that may no longer be found. Returns
    (indexed, deleted)."""
    ids = sorted(set(service_ids))
    if not ids:
        return 0, 0
    client = es_client(for_indexing=True)
    facts = list(indexing.service_facts(ids))
    findable = {item.id for item in facts}
    gone = [service_id for service_id in ids if service_id not in findable]
    actions = [*bulk_actions(facts, alias_name()), *delete_actions(gone, alias_name())]
    indexed = deleted = 0
    for ok, item in streaming_bulk(client, actions, raise_on_error=False):
        operation, result = next(iter(item.items()))
        if operation == "delete":
            # Deleting what was never indexed is fine: it is gone either way.
            deleted += ok or result.get("status") == 404
        elif ok:
            indexed += 1
        else:
            raise RuntimeError(f"Elasticsearch refused service {result.get('_id')}")
    return indexed, deleted


def index_count() -> int:
    """How many services the read alias holds."""
    return int(es_client(for_indexing=True).count(index=alias_name())["count"])


def index_ensure() -> int | None:
    """Build the index if the read alias does not exist yet; the count built, or None."""
    if current_indices():
        return None
    return index_rebuild()


def index_drop_all() -> list[str]:
    """Delete every index under this prefix and the synonyms set (test runs clean up with it;
    an operator retiring Elasticsearch can too). Names are listed first: clusters refuse
    wildcard deletes by default. Returns the indices deleted."""
    client = es_client(for_indexing=True)
    names = sorted(
        client.indices.get(
            index=f"{alias_name()}_*", allow_no_indices=True, expand_wildcards="all"
        ).body
    )
    for name in names:
        client.indices.delete(index=name, ignore_unavailable=True)
    with contextlib.suppress(NotFoundError):  # never made, or already gone
        client.synonyms.delete_synonym(id=synonyms_set_name())
    return names
