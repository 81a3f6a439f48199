"""Versioned fair-processing notices (issue 5, ADR 0012).

Every publish of the DataSharingNoticePage freezes a NoticeVersion: the rendered HTML body and
the purposes as they were. The public page serves the current version's frozen HTML, so what a
person read is always a numbered version the register can point at.
"""

import difflib
import html
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import DataSharingNoticePage, NoticeVersion, Purpose

LEGAL_BASIS_LABELS = dict(Purpose.LEGAL_BASES)
BODY_TEMPLATE = "consent/includes/notice_body.html"


def purposes_snapshot(purposes) -> list[dict]:
    """The purposes as plain data, frozen into a version. Works on historical models too."""
    return [
        {
            "code": p.code,
            "name": p.name,
            "description": p.description,
            "legal_basis": p.legal_basis,
            "legal_basis_label": LEGAL_BASIS_LABELS.get(p.legal_basis, p.legal_basis),
            "objection_honoured": p.objection_honoured,
            "national_opt_out_applies": p.national_opt_out_applies,
            "data_categories": [line for line in p.data_categories.splitlines() if line.strip()],
            "recipients": [line for line in p.recipients.splitlines() if line.strip()],
        }
        for p in purposes
        if p.is_active
    ]


def render_notice_body(*, notice, purposes: list[dict]) -> str:
    """The notice's content as HTML: the same template for the live preview and the frozen copy."""
    return render_to_string(BODY_TEMPLATE, {"notice": notice, "purposes": purposes}).strip()


_BLOCK_END = re.compile(r"</(p|li|h[1-6]|dd|dt|div|tr|summary)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def html_to_lines(body_html: str) -> list[str]:
    """Readable lines of a body, for the text diff between versions."""
    text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", body_html)))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class DiffLine:
    change: str  # "added" or "removed"
    text: str


def notice_versions_diff(*, older: NoticeVersion, newer: NoticeVersion) -> list[DiffLine]:
    """Lines removed from and added to the notice between two versions, in reading order."""
    result = []
    for line in difflib.ndiff(older.body_text.splitlines(), newer.body_text.splitlines()):
        if line.startswith("- "):
            result.append(DiffLine("removed", line[2:]))
        elif line.startswith("+ "):
            result.append(DiffLine("added", line[2:]))
    return result


@transaction.atomic
def notice_version_publish(
    *, page: DataSharingNoticePage, revision_id: int | None = None
) -> NoticeVersion:
    """Freeze the page as just published into the next NoticeVersion."""
    DataSharingNoticePage.objects.select_for_update().filter(pk=page.pk).first()
    last = NoticeVersion.objects.filter(page=page).order_by("-number").first()
    number = last.number + 1 if last else 1
    summary = page.change_summary.strip()
    if number > 1 and not summary:
        raise ValidationError(
            {"change_summary": "Enter what changed since the last published version"}
        )
    purposes = purposes_snapshot(Purpose.objects.order_by("sort_order", "name"))
    body_html = render_notice_body(notice=page, purposes=purposes)
    return NoticeVersion.objects.create(
        page=page,
        number=number,
        title=page.title,
        body_html=body_html,
        body_text="\n".join(html_to_lines(body_html)),
        purposes=purposes,
        change_summary=summary if number > 1 else (summary or "First published."),
        published_at=page.last_published_at or timezone.now(),
        revision_id=revision_id,
    )


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    """wagtail.signals.page_published receiver (connected in ConsentConfig.ready)."""
    notice_version_publish(page=instance, revision_id=getattr(revision, "pk", None))


def current_version(page: DataSharingNoticePage | None = None) -> NoticeVersion | None:
    versions = NoticeVersion.objects.filter(page__live=True)
    if page is not None:
        versions = versions.filter(page=page)
    return versions.order_by("-number").first()


def current_notice_version() -> int | None:
    """The number of the notice version people are shown now; the register records it."""
    return (
        NoticeVersion.objects.filter(page__live=True)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )


def choose_url(page: DataSharingNoticePage) -> str | None:
    """The 'make your choice' journey, if that slice is installed (ARCHITECTURE.md)."""
    try:
        return page.url + page.reverse_subpage("choose").lstrip("/")
    except NoReverseMatch:
        pass
    try:
        return reverse("consent:choose")
    except NoReverseMatch:
        return None


# --- Views (thin: called from the page's routes) ---------------------------------------------


def serve_current(page: DataSharingNoticePage, request):
    version = None if getattr(request, "is_preview", False) else current_version(page)
    if version is not None:
        body_html = version.body_html
    else:  # a preview, or a page published before versions existed
        body_html = render_notice_body(
            notice=page, purposes=purposes_snapshot(Purpose.objects.all())
        )
    return TemplateResponse(
        request,
        page.template,
        {
            **page.get_context(request),
            "version": version,
            "body_html": body_html,
            "choose_url": choose_url(page),
        },
    )


def serve_version(page: DataSharingNoticePage, request, number: int):
    version = NoticeVersion.objects.filter(page=page, number=number).first()
    if version is None:
        raise Http404("No such version of the notice")
    current = current_version(page)
    return TemplateResponse(
        request,
        "consent/notice_version.html",
        {
            **page.get_context(request),
            "version": version,
            "current": current,
            "is_current": current is not None and current.pk == version.pk,
        },
    )


def serve_changes(page: DataSharingNoticePage, request):
    versions = list(NoticeVersion.objects.filter(page=page).order_by("-number"))
    entries = []
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        diff = notice_versions_diff(older=older, newer=newer) if older else []
        entries.append({"version": newer, "previous": older, "diff": diff})
    return TemplateResponse(
        request,
        "consent/notice_changes.html",
        {**page.get_context(request), "entries": entries, "current": current_version(page)},
    )
