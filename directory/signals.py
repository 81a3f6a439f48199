"""Signals the directory sends for changes Wagtail's own signals do not announce."""

from django.dispatch import Signal

# Sent after `services.pages_bulk_publish` inserts published pages without Wagtail's
# per-page signals; `service_ids` lists the ServicePages among them.
services_bulk_published = Signal()
