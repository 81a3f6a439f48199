"""The versioned fair-processing notice at /data-sharing/."""

import pytest
from django.core.exceptions import ValidationError

from consent.models import DataSharingNoticePage, NoticeVersion, Purpose
from consent.notices import current_notice_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice() -> DataSharingNoticePage:
    return DataSharingNoticePage.objects.get()


def publish(notice: DataSharingNoticePage, **changes) -> DataSharingNoticePage:
    for field, value in changes.items():
        setattr(notice, field, value)
    notice.save_revision().publish()
    notice.refresh_from_db()
    return notice


def test_migration_publishes_version_1_at_data_sharing(client, notice):
    response = client.get("/data-sharing/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Seaborough Data Services Ltd" in text
    assert "NHS Seaborough Integrated Care Board" in text
    assert "Planning services (risk stratification for commissioning)" in text
    assert "This is version 1 of this notice" in text
    assert current_notice_version() == 1


def test_each_publish_creates_the_next_version(notice):
    publish(notice, rights="<p>New rights text.</p>", change_summary="Rewrote your rights.")
    publish(notice, retention="<p>Kept for 2 years.</p>", change_summary="Shorter retention.")

    versions = list(NoticeVersion.objects.values_list("number", "change_summary"))
    assert versions == [
        (1, "First published."),
        (2, "Rewrote your rights."),
        (3, "Shorter retention."),
    ]
    assert current_notice_version() == 3
    assert "Kept for 2 years." in NoticeVersion.objects.get(number=3).body_html


def test_old_versions_render_unchanged_after_edits(client, notice):
    before = client.get("/data-sharing/notice/v/1/").content.decode()
    frozen = NoticeVersion.objects.get(number=1).body_html

    publish(notice, title="Your data", change_summary="New title.")
    Purpose.objects.filter(code="research").update(name="Medical research")
    after = client.get("/data-sharing/notice/v/1/").content.decode()

    assert frozen in after
    assert "How we use your health and care information" in after
    assert "Medical research" not in after
    assert "Read the current version (version 2)" in after
    assert before.split('id="version-banner-title"')[1].count("Research") == after.split(
        'id="version-banner-title"'
    )[1].count("Research")


def test_public_page_shows_the_frozen_current_version(client, notice):
    Purpose.objects.filter(code="research").update(name="Medical research")

    # Unpublished purpose edits reach people only when the notice is published again.
    assert "Medical research" not in client.get("/data-sharing/").content.decode()
    publish(notice, change_summary="Renamed the research purpose.")
    assert "Medical research" in client.get("/data-sharing/").content.decode()
    assert NoticeVersion.objects.get(number=2).purposes[-1]["name"] == "Medical research"


def test_what_changed_is_required_from_version_2(notice):
    notice.change_summary = ""
    with pytest.raises(ValidationError) as error:
        notice.full_clean()
    assert "change_summary" in error.value.message_dict


def test_publishing_without_a_summary_is_refused_by_the_service(notice):
    from consent.notices import notice_version_publish

    notice.change_summary = "  "
    with pytest.raises(ValidationError):
        notice_version_publish(page=notice)
    assert NoticeVersion.objects.count() == 1


def test_versions_cannot_be_updated_or_deleted(notice):
    version = NoticeVersion.objects.get()
    version.body_html = "<p>rewritten</p>"
    with pytest.raises(NoticeVersion.Immutable):
        version.save()
    with pytest.raises(NoticeVersion.Immutable):
        version.delete()
    with pytest.raises(NoticeVersion.Immutable):
        NoticeVersion.objects.filter(pk=version.pk).update(body_html="x")
    with pytest.raises(NoticeVersion.Immutable):
        NoticeVersion.objects.all().delete()
    assert NoticeVersion.objects.get().body_html != "<p>rewritten</p>"


def test_changes_page_lists_versions_with_summaries_and_a_diff(client, notice):
    publish(notice, retention="<p>Kept for 2 years.</p>", change_summary="Shorter retention.")

    response = client.get("/data-sharing/notice/changes/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Version 2, published" in text
    assert "Shorter retention." in text
    assert "<strong>Added:</strong> Kept for 2 years." in text
    assert "<strong>Removed:</strong> Linked records used for planning are kept for 3" in text
    assert "/data-sharing/notice/v/1/" in text


def test_unknown_version_is_not_found(client, notice):
    assert client.get("/data-sharing/notice/v/99/").status_code == 404


def test_unpublished_notice_has_no_current_version(notice):
    notice.unpublish()
    assert current_notice_version() is None


def test_ig_officers_can_manage_purposes_and_edit_the_notice(notice):
    from django.contrib.auth.models import Group

    ig = Group.objects.get(name="IG officers")
    codenames = set(ig.permissions.values_list("codename", flat=True))
    assert {"add_purpose", "change_purpose", "view_purpose"} <= codenames
    assert "delete_purpose" not in codenames
    page_perms = set(
        ig.page_permissions.filter(page=notice).values_list("permission__codename", flat=True)
    )
    assert page_perms == {"change_page", "publish_page"}
    admins = Group.objects.get(name="Administrators")
    assert {"add_purpose", "change_purpose", "view_purpose"} <= set(
        admins.permissions.values_list("codename", flat=True)
    )
