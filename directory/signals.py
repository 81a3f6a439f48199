"""Signals the directory sends for changes Wagtail's own signals do not announce."""

from django.dispatch import Signal

# Sent after `services.pages_bulk_publish` inserts published pages without Wagtail's
# per-page signals; `service_ids` lists the ServicePages among them.
services_bulk_published = Signal()

# Sent when reviews become or stop being published (approved, reported, restored, expired), so
# ratings shown elsewhere (search result cards) can be refreshed; `service_ids` lists the
# ServicePages whose rating summary changed.
service_ratings_changed = Signal()
