"""Keep cached page furniture (the main navigation) in step with the page tree."""

from django.core.cache import cache
from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .templatetags.design_system import NAVIGATION_CACHE_KEY


@receiver([page_published, page_unpublished, post_page_move])
@receiver(post_delete, sender=Page)
def forget_navigation(sender, **kwargs):
    cache.delete_many(
        [
            NAVIGATION_CACHE_KEY.format(site_id=root)
            for root in Site.objects.values_list("root_page_id", flat=True)
        ]
    )
