"""Queued Elasticsearch updates (ADR 0007 task queue, ADR 0018).

Publishing, unpublishing, moving or restricting a service refreshes its database search
document at once (search.documents) and queues `elasticsearch_refresh` for the same services
after the transaction commits, so a slow or unreachable cluster never holds up an editor. A
failed task is recorded by the worker; `manage.py search_reindex --engine elasticsearch`
rebuilds everything, and `--check` shows whether that is needed.
"""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def elasticsearch_refresh(service_ids: list[int]) -> dict[str, int]:
    from .es_index import index_refresh

    try:
        indexed, deleted = index_refresh(service_ids=service_ids)
    except Exception as error:
        logger.warning(
            "Elasticsearch update of %d services failed: %s; run `manage.py search_reindex "
            "--engine elasticsearch` once the cluster is back",
            len(service_ids),
            type(error).__name__,
        )
        raise  # the worker records the failure
    return {"indexed": indexed, "deleted": deleted}


@task()
def elasticsearch_sync_synonyms() -> int:
    from .es_index import synonyms_sync

    return synonyms_sync()


def enqueue_safely(task_function, *args) -> None:
    """Queue a task; if even queueing fails (or, with the immediate backend, the task does),
    log it and carry on: the page is published either way and a reindex repairs the index."""
    try:
        task_function.enqueue(*args)
    except Exception as error:  # the editor's publish must not fail because search did
        logger.warning(
            "Elasticsearch update %s failed: %s; run `manage.py search_reindex --engine "
            "elasticsearch` once the cluster is back",
            task_function.name,
            type(error).__name__,
        )
