"""Full-text matching straight from the Wagtail database backend's index tables.

Wagtail's own `search()` scores each result with a correlated subquery that repeats the match
per row: fine for a page of admin results, far too slow to rank a whole directory. These
classes run one statement over the same index the backend keeps up to date, one class per
database (as Wagtail has one backend module per database), and return every match best first
with its indexed title, so the engine can rank and filter in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.expressions import RawSQL
from wagtail.search.backends import get_search_backend

TITLE_WEIGHT = 3.0  # a match in the name outweighs one in the rest of the text
MIN_PREFIX_LENGTH = 3  # "carer" also finds "carers"; shorter words match whole


@dataclass(frozen=True)
class TextMatch:
    object_id: int
    title: str


class TextIndex(Protocol):
    def matches(self, model, variants: list[list[str]]) -> list[TextMatch]:
        """Objects of `model` containing every word of any variant, most relevant first."""

    def id_subquery(self, model, variants: list[list[str]]) -> RawSQL:
        """The same matches as SQL, for `id__in=` filters and counts inside the database."""

    def phrase_ids(self, model, words: list[str]) -> set[int]:
        """Objects containing the words side by side, in this order (the exact phrase)."""


def _content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).id


def _index_table() -> str:
    """The backend's index-entry table (Wagtail swaps in its own model for modelsearch's)."""
    from modelsearch.conf import get_app_config

    return get_app_config().get_model("IndexEntry")._meta.db_table


class SQLiteFTS5Index:
    """SQLite: the backend's FTS5 table (columns autocomplete, body, title), ranked by bm25."""

    @staticmethod
    def _phrase(word: str) -> str:
        quoted = '"' + word.replace('"', '""') + '"'
        return quoted + "*" if len(word) >= MIN_PREFIX_LENGTH else quoted

    def match_expression(self, variants: list[list[str]]) -> str:
        groups = ["(" + " AND ".join(self._phrase(w) for w in words) + ")" for words in variants]
        return "{title body}: (" + " OR ".join(groups) + ")"

    def _from_where(self) -> str:
        table = _index_table()
        # CROSS JOIN makes SQLite run the match once and look entries up by rowid; left to
        # itself the planner may scan the entries and repeat the match for each one.
        return (
            f"FROM {table}_fts f CROSS JOIN {table} e ON e.id = f.rowid "
            f"WHERE {table}_fts MATCH %s AND e.content_type_id = %s"
        )

    def matches(self, model, variants: list[list[str]]) -> list[TextMatch]:
        sql = (
            f"SELECT e.object_id, e.title {self._from_where()} "
            f"ORDER BY bm25({_index_table()}_fts, 0.0, 1.0, %s)"
        )
        params = [self.match_expression(variants), _content_type_id(model), TITLE_WEIGHT]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [TextMatch(int(row[0]), row[1] or "") for row in cursor]

    def id_subquery(self, model, variants: list[list[str]]) -> RawSQL:
        return RawSQL(
            f"SELECT CAST(e.object_id AS INTEGER) {self._from_where()}",
            [self.match_expression(variants), _content_type_id(model)],
        )

    def phrase_ids(self, model, words: list[str]) -> set[int]:
        phrase = '"' + " ".join(words).replace('"', '""') + '"'
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.object_id {self._from_where()}",
                ["{title body}: " + phrase, _content_type_id(model)],
            )
            return {int(row[0]) for row in cursor}


class PostgresTextIndex:
    """PostgreSQL: the backend's GIN-indexed title and body vectors, ranked by ts_rank."""

    @staticmethod
    def _lexeme(word: str) -> str:
        quoted = "'" + word.replace("'", "''").replace("\\", "") + "'"
        return quoted + ":*" if len(word) >= MIN_PREFIX_LENGTH else quoted

    def tsquery(self, variants: list[list[str]]) -> str:
        groups = ["(" + " & ".join(self._lexeme(w) for w in words) + ")" for words in variants]
        return " | ".join(groups)

    def _from_where(self, variants) -> tuple[str, list]:
        config = getattr(get_search_backend(), "config", None)
        query = "to_tsquery(%s::regconfig, %s)" if config else "to_tsquery(%s)"
        params = [config] if config else []
        sql = (
            f"FROM {_index_table()} e, {query} q "
            "WHERE e.content_type_id = %s AND (e.title @@ q OR e.body @@ q)"
        )
        return sql, [*params, self.tsquery(variants)]

    def matches(self, model, variants: list[list[str]]) -> list[TextMatch]:
        from_where, params = self._from_where(variants)
        sql = (
            f"SELECT e.object_id, e.title_text {from_where} "
            "ORDER BY %s * ts_rank(e.title, q) + ts_rank(e.body, q) DESC, e.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, _content_type_id(model), TITLE_WEIGHT])
            return [TextMatch(int(row[0]), row[1] or "") for row in cursor]

    def id_subquery(self, model, variants: list[list[str]]) -> RawSQL:
        from_where, params = self._from_where(variants)
        return RawSQL(
            f"SELECT e.object_id::integer {from_where}", [*params, _content_type_id(model)]
        )

    def phrase_ids(self, model, words: list[str]) -> set[int]:
        config = getattr(get_search_backend(), "config", None)
        query = "phraseto_tsquery(%s::regconfig, %s)" if config else "phraseto_tsquery(%s)"
        params = [config] if config else []
        sql = (
            f"SELECT e.object_id FROM {_index_table()} e, {query} q "
            "WHERE e.content_type_id = %s AND (e.title @@ q OR e.body @@ q)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, " ".join(words), _content_type_id(model)])
            return {int(row[0]) for row in cursor}


class WagtailBackendIndex:
    """Any other database: Wagtail's own search (correct, slower on large directories)."""

    def matches(self, model, variants: list[list[str]]) -> list[TextMatch]:
        from wagtail.search.query import Or, PlainText

        queries = [PlainText(" ".join(words), operator="and") for words in variants]
        query = queries[0] if len(queries) == 1 else Or(queries)
        results = get_search_backend().search(query, model.objects.only("id", "title"))
        return [TextMatch(obj.id, obj.title) for obj in results]

    def id_subquery(self, model, variants: list[list[str]]):
        return [match.object_id for match in self.matches(model, variants)]

    def phrase_ids(self, model, words: list[str]) -> set[int]:
        from wagtail.search.query import Phrase

        results = get_search_backend().search(Phrase(" ".join(words)), model.objects.only("id"))
        return {obj.id for obj in results}


TEXT_INDEXES = {"sqlite": SQLiteFTS5Index, "postgresql": PostgresTextIndex}


def text_index() -> TextIndex:
    """The text index for the database in use, when Wagtail's database backend is the search
    backend; Wagtail's own search otherwise."""
    backend = get_search_backend()
    if type(backend).__module__.startswith(("modelsearch.backends.database", "wagtail.search")):
        index_class = TEXT_INDEXES.get(connection.vendor, WagtailBackendIndex)
        if index_class is SQLiteFTS5Index and not _fts5_table_exists():
            index_class = WagtailBackendIndex
        return index_class()
    return WagtailBackendIndex()


_fts5_seen = False


def _fts5_table_exists() -> bool:
    global _fts5_seen
    if not _fts5_seen:  # once found it stays (a query per search otherwise)
        _fts5_seen = f"{_index_table()}_fts" in connection.introspection.table_names()
    return _fts5_seen
