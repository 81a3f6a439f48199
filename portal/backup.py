"""Back up and restore the portal's database (docs/backup-and-restore.md).

    database_backup(out=Path("portal.backup"), progress=...)
    database_restore(source=Path("portal.backup"), force=False, progress=...)

SQLite is copied with SQLite's online backup API (`sqlite3.Connection.backup`): a consistent
copy while the portal keeps running, page by page. PostgreSQL is dumped with
`pg_dump --format=custom` and restored with `pg_restore --clean --if-exists` in a single
transaction, so a restore that fails part way leaves the database as it was.

Connection details reach pg_dump and pg_restore through the environment (PGHOST, PGPASSWORD,
...), never on the command line, where `ps` and process logs would show them. A backup holds
personal data (the consent register holds NHS numbers): the file is created readable by its
owner only, and its path is all that is logged.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections

# (done, total) in the unit the engine counts: pages for SQLite, tables for PostgreSQL.
ProgressCallback = Callable[[int, int], None]

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
SQLITE_PAGES_PER_STEP = 1024
# What makes a database worth protecting from an accidental restore over it. A database that
# only migrations have filled (a fresh install) holds none of these.
DATA_MODELS = (
    "consent.ConsentEvent",
    "directory.ServicePage",
    "directory.Review",
    "selfcare.Submission",
)
_PG_DUMP_TABLE = re.compile(r"dumping contents of table ")
_PG_RESTORE_TABLE = re.compile(r"processing data for table ")
_FILE_MODE = 0o600


class BackupError(Exception):
    """A backup or restore that cannot be done; str(error) says why, for an operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    size: int


def _connection(alias: str):
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("Back up and restore outside a transaction.")
    return connection


def _engine(connection) -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backing up a {connection.vendor} database is not supported.")
    return connection.vendor


# --- Backup --------------------------------------------------------------------------------------


def database_backup(
    *, out: Path, progress: ProgressCallback | None = None, alias: str = DEFAULT_DB_ALIAS
) -> BackupResult:
    """Write a consistent copy of the database to `out`, which must not exist yet.

    The copy is written beside `out` under a temporary name and renamed when complete, so a
    failed backup never leaves a file that looks like a good one.
    """
    connection = _connection(alias)
    engine = _engine(connection)
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} already exists: choose a new file name.")
    if not out.parent.is_dir():
        raise BackupError(f"There is no folder {out.parent}.")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _create_private(partial)
        if engine == "sqlite":
            _sqlite_backup(connection, partial, progress)
        else:
            _pg_dump(connection, partial, progress)
        partial.rename(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(path=out, engine=engine, size=out.stat().st_size)


def _create_private(path: Path) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
    os.close(descriptor)


def _sqlite_step_reporter(progress: ProgressCallback | None):
    if progress is None:
        return None

    def report(status: int, remaining: int, total: int) -> None:
        progress(total - remaining, total)

    return report


def _sqlite_backup(connection, out: Path, progress: ProgressCallback | None) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(out)
    try:
        connection.connection.backup(
            target, pages=SQLITE_PAGES_PER_STEP, progress=_sqlite_step_reporter(progress)
        )
        problem = target.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"The copy failed SQLite's check: {problem}")
        # One self-contained file: no -wal or -shm beside it.
        target.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy the database: {error}") from error
    finally:
        target.close()


def _pg_dump(connection, out: Path, progress: ProgressCallback | None) -> None:
    total = len(connection.introspection.table_names())
    command = [_pg_binary("pg_dump"), "--format=custom", "--verbose", f"--file={out}"]
    _pg_run(command, connection, _PG_DUMP_TABLE, total, progress, what="pg_dump")


# --- Restore -------------------------------------------------------------------------------------


def database_holds_data(*, alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What in the database a restore would destroy: '3 user accounts', ... (empty: nothing)."""
    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    found = []
    models = [get_user_model()]
    models += [apps.get_model(label) for label in DATA_MODELS if _installed(label)]
    for model in models:
        if model._meta.db_table not in tables:
            continue
        count = model._base_manager.using(alias).count()
        if count:
            found.append(f"{count} {model._meta.verbose_name_plural}")
    return found


def _installed(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def database_restore(
    *,
    source: Path,
    force: bool = False,
    progress: ProgressCallback | None = None,
    alias: str = DEFAULT_DB_ALIAS,
) -> str:
    """Replace the database's contents with the backup in `source`; returns the engine.

    Refuses (BackupError) a database that holds data unless `force`, and a backup made from
    the other engine.
    """
    connection = _connection(alias)
    engine = _engine(connection)
    source = Path(source)
    try:
        with source.open("rb") as stream:
            header = stream.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise BackupError(f"There is no file {source}.") from None
    except IsADirectoryError:
        raise BackupError(f"{source} is a folder, not a backup file.") from None
    made_by = (
        "sqlite"
        if header.startswith(SQLITE_HEADER)
        else "postgresql"
        if header.startswith(PG_CUSTOM_HEADER)
        else None
    )
    if made_by is None:
        raise BackupError(f"{source} is not a backup made by backup_database.")
    if made_by != engine:
        raise BackupError(
            f"{source} is a {_engine_name(made_by)} backup; this database is "
            f"{_engine_name(engine)}. Restore it into a {_engine_name(made_by)} database."
        )
    held = database_holds_data(alias=alias)
    if held and not force:
        raise BackupError(
            f"The database is not empty ({', '.join(held)}). Restoring replaces everything in "
            "it: pass --force if that is what you want."
        )
    if engine == "sqlite":
        _sqlite_restore(connection, source, progress)
    else:
        # pg_restore drops and recreates tables: this process must hold no lock on them.
        connection.close()
        _pg_restore(connection, source, progress)
    _caches_clear()
    return engine


def _caches_clear() -> None:
    """Forget what this process (and the shared cache) remembered of the replaced database:
    content type ids and Wagtail's site root paths would otherwise point at old rows. Other
    running processes keep their own content type cache: restart them (see the docs)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Site

    ContentType.objects.clear_cache()
    Site.clear_site_root_paths_cache()


def _engine_name(engine: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[engine]


def _sqlite_restore(connection, source: Path, progress: ProgressCallback | None) -> None:
    try:
        backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"Cannot open {source}: {error}") from error
    try:
        problem = backup.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"{source} failed SQLite's check: {problem}")
        tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
        if "django_migrations" not in tables:
            raise BackupError(f"{source} is an SQLite file but not a backup of this portal.")
        connection.ensure_connection()
        backup.backup(
            connection.connection,
            pages=SQLITE_PAGES_PER_STEP,
            progress=_sqlite_step_reporter(progress),
        )
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not restore {source}: {error}") from error
    finally:
        backup.close()


def _pg_restore(connection, source: Path, progress: ProgressCallback | None) -> None:
    command = [
        _pg_binary("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--verbose",
        f"--dbname={connection.settings_dict['NAME']}",
        str(source),
    ]
    total = _pg_tables_in(source)
    _pg_run(command, connection, _PG_RESTORE_TABLE, total, progress, what="pg_restore")


def _pg_tables_in(source: Path) -> int:
    listing = subprocess.run(
        [_pg_binary("pg_restore"), "--list", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        raise BackupError(f"pg_restore cannot read {source}: {_last_lines(listing.stderr)}")
    return sum(1 for line in listing.stdout.splitlines() if " TABLE DATA " in line)


# --- PostgreSQL client programs -----------------------------------------------------------------


def _pg_binary(name: str) -> str:
    """The newest `name` installed: Debian's /usr/lib/postgresql/<version>/bin, else PATH.

    pg_dump must be the server's major version or newer, so the newest one is taken rather
    than whichever a wrapper on PATH would pick.
    """
    installed = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: _version(path.parent.parent.name),
    )
    if installed:
        return str(installed[-1])
    if found := shutil.which(name):
        return found
    raise BackupError(
        f"{name} is not installed: install the PostgreSQL client programs "
        "(apt install postgresql-client), the same major version as the server or newer."
    )


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)) or (0,)


def _pg_environment(connection) -> dict[str, str]:
    settings_dict = connection.settings_dict
    options = settings_dict.get("OPTIONS") or {}
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGCONNECT_TIMEOUT": str(options.get("connect_timeout") or 10),
    }
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _pg_run(
    command: list[str],
    connection,
    table_line: re.Pattern[str],
    total: int,
    progress: ProgressCallback | None,
    *,
    what: str,
) -> None:
    done = 0
    other_lines: list[str] = []
    process = subprocess.Popen(
        command,
        env=_pg_environment(connection),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if table_line.search(line):
            done += 1
            if progress is not None:
                progress(min(done, total), total)
        elif re.search(r": (error|warning|detail|hint):|FATAL", line):
            other_lines.append(line.rstrip())
    if process.wait() != 0:
        raise BackupError(f"{what} failed: {_last_lines(chr(10).join(other_lines))}")


def _last_lines(text: str, count: int = 5) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[-count:]) or "no message"
