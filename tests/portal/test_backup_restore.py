"""manage.py backup_database / restore_database: back up, wipe, restore, and everything is back.

Each test runs against a copy of the migrated test database: on SQLite a real file database
(in WAL mode, as the portal runs it); on PostgreSQL (`scripts/with-postgres.sh`) a database
of its own, backed up and restored with the real pg_dump and pg_restore.
"""

from __future__ import annotations

import io
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.utils import load_backend
from django.test import Client

from consent.models import Purpose
from consent.register import chain_verify, choice_record, state_for
from consent.register_models import ChainHead, ConsentState
from directory.factories import OrganisationPageFactory, ServicePageFactory
from directory.models import Review
from tests.directory.review_helpers import make_review

NHS_NUMBERS = ["9434765919", "9434765870", "4010232137"]

# The tests work on a copy of the test database (the `database_copy` fixture), not on the test
# database itself; the marker has the test database set up and, being transactional, keeps the
# tests outside a transaction on it, as a backup and a restore must be.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def table_counts() -> dict[str, int]:
    """Rows in every table of the database (Django's and Wagtail's included)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def directory_with_reviews_and_choices() -> dict[str, str]:
    """Services, published reviews and register events; {page URL: text the page shows}."""
    organisation = OrganisationPageFactory(title="Backup Test Trust")
    services = [
        ServicePageFactory(parent=organisation, title=f"Backed up service {n}") for n in range(3)
    ]
    for service in services[:2]:
        make_review(service, status=Review.PUBLISHED, text=f"Helpful at {service.title}.")
    research = Purpose.objects.get(code="research")
    for nhs_number in NHS_NUMBERS:
        choice_record(nhs_number=nhs_number, purpose=research, decision="object", channel="post")
    choice_record(
        nhs_number=NHS_NUMBERS[0], purpose=research, decision="withdraw-objection", channel="post"
    )
    shows = {organisation.url: organisation.title}
    shows |= {service.url: service.title for service in services}
    shows[services[0].url] = f"Helpful at {services[0].title}."
    return shows


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def back_up_wipe_and_restore(tmp_path: Path) -> None:
    shows = directory_with_reviews_and_choices()
    client = Client()
    for url, text in shows.items():
        assert text in client.get(url).content.decode(), url
    counts_before = table_counts()
    head_before = ChainHead.objects.values_list("last_sequence", "last_hash").get()
    assert head_before[0] >= 4
    tmp_path.mkdir(exist_ok=True)
    backup = tmp_path / "portal.backup"

    out, err = run("backup_database", str(backup))

    assert f"database to {backup}" in out
    assert "Backing up" in err  # progress is shown
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600  # personal data: owner only
    assert not backup.with_name(backup.name + ".partial").exists()

    # A database with data in it is not overwritten by mistake.
    with pytest.raises(CommandError, match=r"not empty \(.*4 consent events.*--force"):
        run("restore_database", str(backup))

    call_command("flush", interactive=False, verbosity=0)
    assert table_counts()["consent_consentevent"] == 0
    assert Client().get(next(iter(shows))).status_code == 404

    out, err = run("restore_database", str(backup))

    assert "Restored" in out
    assert "Restoring" in err
    assert table_counts() == counts_before
    assert ChainHead.objects.values_list("last_sequence", "last_hash").get() == head_before
    assert chain_verify() is None
    assert state_for(nhs_number=NHS_NUMBERS[1])["research"].state == ConsentState.OBJECTED
    assert state_for(nhs_number=NHS_NUMBERS[0])["research"].pending  # awaiting identity
    client = Client()
    for url, text in shows.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200
    # The chain still takes new events after the restore.
    choice_record(
        nhs_number=NHS_NUMBERS[2],
        purpose=Purpose.objects.get(code="research"),
        decision="withdraw-objection",
        channel="post",
    )
    assert chain_verify() is None


# --- The database the tests back up ---------------------------------------------------------------


@pytest.fixture
def database_copy(django_db_setup, django_db_blocker, tmp_path):
    """Point the "default" connection at a copy of the migrated test database, committed and
    outside any test transaction, as the portal's own database is: on SQLite a file (in WAL
    mode, as the portal runs it), on PostgreSQL a database made from the test database."""
    with django_db_blocker.unblock():
        original = connections["default"]
        settings_dict = {**original.settings_dict}
        if original.vendor == "sqlite":
            settings_dict["NAME"] = str(tmp_path / "portal.sqlite3")
            original.ensure_connection()
            copy = sqlite3.connect(settings_dict["NAME"])
            original.connection.backup(copy)
            copy.close()
        else:
            settings_dict["NAME"] = f"{original.settings_dict['NAME']}_backup"
            _pg_create_from(original, settings_dict["NAME"])
        backend = load_backend(settings_dict["ENGINE"])
        copy_connection = backend.DatabaseWrapper(settings_dict, alias="default")
        connections["default"] = copy_connection
        try:
            yield settings_dict["NAME"]
        finally:
            copy_connection.close()
            connections["default"] = original
            if original.vendor == "postgresql":
                _pg_drop(original, settings_dict["NAME"])
            # Restoring emptied this process's content type cache; later tests (and the
            # serialized rollback of transactional ones) expect it warm, as migrations left it.
            ContentType.objects.clear_cache()
            ContentType.objects.get_for_models(*django_apps.get_models())


def _pg_create_from(original, name: str) -> None:
    template = original.settings_dict["NAME"]
    original.close()  # CREATE DATABASE ... TEMPLATE needs the template to have no sessions
    with original._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _pg_drop(original, name: str) -> None:
    with original._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite engine's test")
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (scripts/with-postgres.sh)"
)


# --- SQLite ---------------------------------------------------------------------------------------


@sqlite_only
def test_sqlite_backup_wipe_restore_gives_everything_back(database_copy, tmp_path):
    assert connection.settings_dict["NAME"] == database_copy
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    back_up_wipe_and_restore(tmp_path / "backups")


@sqlite_only
def test_sqlite_restore_refuses_files_that_are_not_backups(database_copy, tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    other_sqlite = tmp_path / "other.sqlite3"
    sqlite3.connect(other_sqlite).execute("CREATE TABLE t (x)").connection.close()

    for source, message in [
        (tmp_path / "missing.backup", "There is no file"),
        (not_a_backup, "is not a backup made by backup_database"),
        (other_sqlite, "not a backup of this portal"),
        (tmp_path, "is a folder"),
    ]:
        with pytest.raises(CommandError, match=message):
            run("restore_database", str(source), "--force")
    assert chain_verify() is None


def test_backup_refuses_to_overwrite_a_file(database_copy, tmp_path):
    existing = tmp_path / "existing.backup"
    existing.write_text("an older backup")

    with pytest.raises(CommandError, match="already exists"):
        run("backup_database", str(existing))

    assert existing.read_text() == "an older backup"


# --- PostgreSQL -----------------------------------------------------------------------------------


@pytest.mark.postgres
@postgres_only
def test_postgresql_backup_wipe_restore_gives_everything_back(database_copy, tmp_path):
    assert connection.settings_dict["NAME"] == database_copy
    back_up_wipe_and_restore(tmp_path / "backups")

    # The restored register keeps its database guard: events cannot be changed.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE consent_consentevent SET channel = 'phone'")


@pytest.mark.postgres
@postgres_only
def test_postgresql_restore_refuses_an_sqlite_backup(database_copy, tmp_path):
    sqlite_backup = tmp_path / "portal.sqlite3"
    sqlite3.connect(sqlite_backup).execute("CREATE TABLE django_migrations (x)").connection.close()

    with pytest.raises(CommandError, match="is a SQLite backup; this database is PostgreSQL"):
        run("restore_database", str(sqlite_backup), "--force")
