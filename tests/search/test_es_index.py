"""Keeping the Elasticsearch index in step: what is sent (asserted without a server), what
operators see from `search_reindex`, and, with ELASTICSEARCH_URL set, the real thing."""

import datetime
import io
import logging
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from directory.factories import (
    LocationFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
)
from directory.models import TaxonomyTerm
from search import indexing
from search.es_index import (
    PLACEHOLDER_RULE,
    alias_actions,
    bulk_actions,
    delete_actions,
    synonym_rules,
    versioned_name,
)
from search.query import ServiceQuery

pytestmark = pytest.mark.django_db

CLOSED_PORT = "http://127.0.0.1:9"


# --- what is sent -------------------------------------------------------------------------------


def test_versioned_names_sort_in_build_order_under_the_alias():
    earlier = versioned_name(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC))
    later = versioned_name(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC))

    assert earlier.startswith("portal_services_2026")
    assert earlier < later


def test_the_alias_moves_in_one_step_off_every_old_index():
    actions = alias_actions("portal_services", ["portal_services_1", "portal_services_0"], "new")

    assert actions == [
        {"remove": {"index": "portal_services_0", "alias": "portal_services"}},
        {"remove": {"index": "portal_services_1", "alias": "portal_services"}},
        {"add": {"index": "new", "alias": "portal_services"}},
    ]
    assert alias_actions("a", [], "new") == [{"add": {"index": "new", "alias": "a"}}]


def test_documents_carry_the_live_facts_and_never_a_pending_edit():
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    service = ServicePageFactory(
        title="Memory café", summary="Music and chat.", terms=[dementia], minimum_age=18
    )
    ServiceAtLocationFactory(
        service=service, location=LocationFactory(latitude=51.55, longitude=0.71)
    )
    service.title = "Renamed in a pending edit"
    service.save_revision()  # submitted for moderation, not published

    (action,) = bulk_actions(indexing.service_facts([service.pk]), "idx")
    source = action["_source"]

    assert (action["_op_type"], action["_index"], action["_id"]) == ("index", "idx", service.pk)
    assert source["title"] == "Memory café"
    assert source["categories"] == ["Dementia"]
    assert dementia.id in source["term_ids"]
    assert source["minimum_age"] == 18
    assert source["locations"] == [{"point": {"lat": 51.55, "lon": 0.71}}]
    assert "Memory café" in source["spelling"]


def test_unpublished_services_have_no_document_and_are_deleted():
    service = ServicePageFactory(title="Closing down")
    service.unpublish()

    assert list(bulk_actions(indexing.service_facts([service.pk]), "idx")) == []
    assert list(delete_actions([service.pk], "idx")) == [
        {"_op_type": "delete", "_index": "idx", "_id": service.pk}
    ]


def test_synonym_groups_become_solr_rules_and_an_empty_list_still_makes_a_set():
    rules = synonym_rules([["gp", "doctor", "surgery"], ["lonely"]])

    assert rules == [{"id": "group-1", "synonyms": "gp, doctor, surgery"}]
    assert synonym_rules([]) == [PLACEHOLDER_RULE]


# --- operators ----------------------------------------------------------------------------------


def test_reindexing_elasticsearch_without_a_url_says_what_to_set():
    with pytest.raises(CommandError, match="ELASTICSEARCH_URL is not set"):
        call_command("search_reindex", "--engine", "elasticsearch", stdout=io.StringIO())


def test_reindex_with_the_cluster_down_fails_clearly_and_leaves_database_search_working():
    ServicePageFactory(title="Walking group")
    err = io.StringIO()
    with (
        override_settings(ELASTICSEARCH_URL=CLOSED_PORT),
        pytest.raises(CommandError, match="Elasticsearch did not answer") as error,
    ):
        call_command("search_reindex", stdout=io.StringIO(), stderr=err)

    assert "ConnectionError" in str(error.value)
    assert "Traceback" not in str(error.value)
    from search.services import search_services

    assert [h.card.title for h in search_services(ServiceQuery(text="walking")).hits] == [
        "Walking group"
    ]


def test_check_with_the_cluster_down_fails_clearly():
    with (
        override_settings(ELASTICSEARCH_URL=CLOSED_PORT),
        pytest.raises(CommandError, match="Elasticsearch did not answer"),
    ):
        call_command("search_reindex", "--check", "--engine", "elasticsearch", stdout=io.StringIO())


def test_the_database_engine_can_still_be_rebuilt_alone_when_elasticsearch_is_set():
    ServicePageFactory(title="Walking group")
    err = io.StringIO()
    with override_settings(ELASTICSEARCH_URL=CLOSED_PORT):
        call_command("search_reindex", "--engine", "database", stdout=io.StringIO(), stderr=err)

    assert "Indexing services" in err.getvalue()


def test_publishing_queues_an_index_update_and_survives_the_cluster_being_down(
    caplog, django_capture_on_commit_callbacks
):
    with (
        override_settings(ELASTICSEARCH_URL=CLOSED_PORT, ELASTICSEARCH_TIMEOUT=0.5),
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        service = ServicePageFactory(title="Tai chi")

    assert callbacks  # the update waits for the commit
    assert service.live
    failures = [r for r in caplog.records if "Elasticsearch update" in r.getMessage()]
    assert failures
    assert "search_reindex --engine elasticsearch" in failures[0].getMessage()


def test_without_elasticsearch_nothing_is_queued(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        ServicePageFactory(title="Tai chi")

    assert not any("elasticsearch" in repr(callback) for callback in callbacks)


# --- against a real cluster (ELASTICSEARCH_URL) --------------------------------------------------


@pytest.fixture
def own_prefix(settings):
    settings.ELASTICSEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:8]}"
    settings.PORTAL_SEARCH_ENGINE = "search.engines.elasticsearch.ElasticsearchSearchEngine"
    yield settings.ELASTICSEARCH_INDEX_PREFIX
    from search.es_index import index_drop_all

    index_drop_all()


@pytest.mark.elasticsearch
def test_a_reindex_swaps_the_alias_and_deletes_the_old_index(own_prefix):
    from search.es_index import current_indices, index_count, index_rebuild

    ServicePageFactory(title="Walking group")
    index_rebuild()
    first = current_indices()
    ServicePageFactory(title="Lunch club")
    index_rebuild()
    second = current_indices()

    assert len(first) == len(second) == 1
    assert first != second
    assert index_count() == 2


@pytest.mark.elasticsearch
def test_unpublishing_removes_the_service_from_the_index(own_prefix):
    from search.es_client import es_client
    from search.es_documents import alias_name
    from search.es_index import index_rebuild, index_refresh
    from search.services import search_services

    service = ServicePageFactory(title="Walking group")
    index_rebuild()
    service.unpublish()
    index_refresh(service_ids=[service.pk])
    es_client(for_indexing=True).indices.refresh(index=alias_name())

    assert search_services(ServiceQuery(text="walking")).total == 0


def test_building_only_if_missing_does_nothing_without_elasticsearch():
    out = io.StringIO()
    call_command("search_reindex", "--if-missing", stdout=out)

    assert "ELASTICSEARCH_URL is not set: nothing to build." in out.getvalue()


def test_building_only_if_missing_with_the_cluster_down_fails_clearly():
    with (
        override_settings(ELASTICSEARCH_URL=CLOSED_PORT),
        pytest.raises(CommandError, match="Elasticsearch did not answer"),
    ):
        call_command("search_reindex", "--if-missing", stdout=io.StringIO())


@pytest.fixture
def queued(settings):
    """Tasks are held (django_tasks' dummy backend) so a test can see what was queued."""
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.ELASTICSEARCH_URL = CLOSED_PORT
    backend = task_backends["default"]
    backend.clear()
    yield lambda: [
        (result.task.name, result.args)
        for result in backend.results
        if result.task.name.startswith("elasticsearch_")  # not Wagtail's own index tasks
    ]
    backend.clear()


def test_publish_unpublish_move_and_delete_each_queue_that_service(
    queued, django_capture_on_commit_callbacks
):
    from directory.factories import OrganisationPageFactory

    with django_capture_on_commit_callbacks(execute=True):
        service = ServicePageFactory(title="Tai chi")
    assert ("elasticsearch_refresh", [[service.pk]]) in queued()

    for change in (
        lambda: service.unpublish(),
        lambda: service.save_revision().publish(),
        lambda: service.move(OrganisationPageFactory(), pos="last-child"),
        lambda: service.delete(),
    ):
        before = len(queued())
        with django_capture_on_commit_callbacks(execute=True):
            change()
        assert ("elasticsearch_refresh", [[service.pk]]) in queued()[before:]


def test_an_edit_waiting_for_moderation_queues_nothing(queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        service = ServicePageFactory(title="Tai chi")
    before = len(queued())
    service.title = "Renamed in a pending edit"
    with django_capture_on_commit_callbacks(execute=True):
        service.save_revision()

    assert queued()[before:] == []


def test_editing_synonyms_queues_a_synonyms_update(queued, django_capture_on_commit_callbacks):
    from search.models import Synonym

    with django_capture_on_commit_callbacks(execute=True):
        Synonym.objects.create(terms="tai chi, qigong")

    assert ("elasticsearch_sync_synonyms", []) in queued()
