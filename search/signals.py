"""Keep search in step with edits: the search documents (ADR 0006), synonyms and the
spelling vocabulary."""

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from . import indexing
from .documents import documents_ensure, documents_refresh
from .models import SearchDocument, Synonym
from .text import SYNONYM_CACHE_KEY, vocabulary_changed


@receiver([post_save, post_delete], sender=Synonym)
def synonyms_changed(sender, **kwargs):
    cache.delete(SYNONYM_CACHE_KEY)
    from .es_client import es_configured

    if es_configured():  # Elasticsearch reads synonyms from its own set: update it too
        from .tasks import elasticsearch_sync_synonyms, enqueue_safely

        transaction.on_commit(lambda: enqueue_safely(elasticsearch_sync_synonyms))


# --- Search documents -------------------------------------------------------------------------


def _refresh_under(page) -> None:
    documents_refresh(service_ids=indexing.services_under(page.path))


@receiver(page_published)
def page_was_published(sender, instance, **kwargs):
    # A service's own facts, or an organisation's name on its services' result cards. Other
    # pages only matter to search when they move or change slug (their URLs) or are withdrawn.
    if isinstance(instance, indexing.SERVICE_MODEL | indexing.ORGANISATION_MODEL):
        _refresh_under(instance)
    vocabulary_changed()  # a new page may bring words people can be offered


@receiver(page_unpublished)
def page_was_unpublished(sender, instance, **kwargs):
    _refresh_under(instance)
    vocabulary_changed()


@receiver(post_page_move)
def page_was_moved(sender, instance, **kwargs):
    _refresh_under(instance)


@receiver(page_slug_changed)
def page_slug_was_changed(sender, instance, **kwargs):
    _refresh_under(instance)


@receiver([post_save, post_delete], sender=PageViewRestriction)
def view_restriction_changed(sender, instance, **kwargs):
    # A restricted page and everything below it stop being public.
    _refresh_under(instance.page)


@receiver(indexing.BULK_PUBLISHED)
def services_were_bulk_published(sender, service_ids, **kwargs):
    documents_refresh(service_ids=service_ids)
    vocabulary_changed()


@receiver(indexing.RATINGS_CHANGED)
def ratings_changed(sender, service_ids, **kwargs):
    # Result cards show each service's average rating and how many reviews it has.
    documents_refresh(service_ids=service_ids)


@receiver(post_save, sender=indexing.LOCATION_MODEL)
def location_saved(sender, instance, **kwargs):
    documents_refresh(service_ids=indexing.services_at_location(instance.pk))


@receiver(pre_delete, sender=indexing.LOCATION_MODEL)
def location_deleting(sender, instance, **kwargs):
    instance._search_services = indexing.services_at_location(instance.pk)


@receiver(post_delete, sender=indexing.LOCATION_MODEL)
def location_deleted(sender, instance, **kwargs):
    documents_refresh(service_ids=getattr(instance, "_search_services", []))


@receiver(pre_delete, sender=indexing.TERM_MODEL)
def term_deleting(sender, instance, **kwargs):
    instance._search_services = indexing.services_with_terms([instance.pk])


@receiver(post_save, sender=indexing.TERM_MODEL)
def term_saved(sender, instance, created, **kwargs):
    cache.delete(indexing.TERMS_CACHE_KEY)
    vocabulary_changed()
    if not created:  # a new term has no services yet
        documents_refresh(service_ids=indexing.services_with_terms([instance.pk]))


@receiver(post_delete, sender=indexing.TERM_MODEL)
def term_deleted(sender, instance, **kwargs):
    cache.delete(indexing.TERMS_CACHE_KEY)
    vocabulary_changed()
    documents_refresh(service_ids=getattr(instance, "_search_services", []))


@receiver([post_save, post_delete], sender=indexing.VOCABULARY_MODEL)
def vocabulary_saved(sender, **kwargs):
    cache.delete(indexing.TERMS_CACHE_KEY)
    vocabulary_changed()


@receiver(post_migrate)
def build_missing_documents(sender, app_config=None, using=DEFAULT_DB_ALIAS, **kwargs):
    # A database from before search documents existed gets them on its next migrate.
    if app_config is None or app_config.label != "search":
        return
    if SearchDocument._meta.db_table in connections[using].introspection.table_names():
        documents_ensure()
