"""Keep search caches in step with edits: synonyms and the spelling vocabulary."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from .indexing import TERM_MODELS, TERMS_CACHE_KEY
from .models import Synonym
from .text import SYNONYM_CACHE_KEY, vocabulary_changed


@receiver([post_save, post_delete], sender=Synonym)
def synonyms_changed(sender, **kwargs):
    cache.delete(SYNONYM_CACHE_KEY)


@receiver([page_published, page_unpublished])
def pages_changed(sender, **kwargs):
    # Any published or withdrawn page may add or remove words people can be offered.
    vocabulary_changed()


@receiver([post_save, post_delete], sender=TERM_MODELS[0])
@receiver([post_save, post_delete], sender=TERM_MODELS[1])
def terms_changed(sender, **kwargs):
    cache.delete(TERMS_CACHE_KEY)
    vocabulary_changed()
