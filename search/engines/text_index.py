"""Full-text matching straight from the Wagtail database backend's index tables.

Wagtail's own `search()` scores each result with a correlated subquery that repeats the match
per row: fine for a page of admin results, far too slow to rank a whole directory. These
classes run one statement over the same index the backend keeps up to date, one class per
database (as Wagtail has one backend module per database), and return every match best first
with its indexed title, so the engine can rank and filter in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.expressions import RawSQL
from wagtail.search.backends import get_search_backend

TITLE_WEIGHT = 3.0  # a match in the name outweighs one in the rest of the text
MIN_PREFIX_LENGTH = 3  # "carer" also finds "carers"; shorter words match whole


DATABASE_BACKEND = "database"


def database_backend():
    """Wagtail's database search backend, whose index tables these classes read.

    With Elasticsearch configured it is kept alongside as a second backend named "database"
    (settings), so the database engine still has an up-to-date index to fall back on.
    """
    from django.conf import settings

    if DATABASE_BACKEND in getattr(settings, "WAGTAILSEARCH_BACKENDS", {}):
        return get_search_backend(DATABASE_BACKEND)
    return get_search_backend()


class TextMatch(NamedTuple):
    object_id: int
    title: str
    bonus: int = 0


class Ranked(NamedTuple):
    """Every match of a search, best first, as two parallel lists of plain integers.

    A broad word matches tens of thousands of services: one tuple or object per match would
    cost more to build, and to sweep up after (Python's cyclic collector walks every
    container still alive), than the full-text query itself.
    """

    ids: list[int]
    bonus: list[int]  # each match's ranking points, in the same order

    @classmethod
    def from_rows(cls, rows) -> Ranked:
        """From (id, points) rows, read one at a time so each row tuple is freed at once."""
        ids: list[int] = []
        bonus: list[int] = []
        add_id, add_bonus = ids.append, bonus.append
        for object_id, points in rows:
            add_id(object_id)
            add_bonus(points)
        return cls(ids, bonus)


@dataclass(frozen=True)
class Ranking:
    """What lifts a match above the index's own relevance (ADR 0005): the exact phrase in
    the name (4 points), every word in the name (2) or some (1), the exact phrase anywhere (1).
    """

    phrase_words: tuple[str, ...]  # the query's words in order
    name_words: tuple[str, ...]  # the words that count towards a name match

    def python_bonus(self, title: str, in_phrase: bool) -> int:
        """The same points worked out in Python, for indexes that cannot score them."""
        from ..text import query_words

        name = " ".join(query_words(title))
        name_words = set(name.split())
        points = 0
        if self.phrase_words and f" {' '.join(self.phrase_words)} " in f" {name} ":
            points += 4
        if self.name_words and all(word in name_words for word in self.name_words):
            points += 2
        elif any(word in name_words for word in self.name_words):
            points += 1
        return points + (1 if in_phrase and len(self.phrase_words) > 1 else 0)


class TextIndex(Protocol):
    def matches(self, model, variants: list[list[str]]) -> list[TextMatch]:
        """Objects of `model` containing every word of any variant, most relevant first."""

    def ranked(
        self, model, variants: list[list[str]], ranking: Ranking, within: tuple[str, list]
    ) -> Ranked:
        """The matches whose id is among `within` (SQL selecting ids, and its parameters),
        best first: ranking points, then the index's relevance, with each one's points."""

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

    def ranked(
        self, model, variants: list[list[str]], ranking: Ranking, within: tuple[str, list]
    ) -> Ranked:
        fts = f"{_index_table()}_fts"
        found_by = f"e.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"
        parts, params = [], []
        if ranking.phrase_words:
            parts.append(f"CASE WHEN {found_by} THEN 4 ELSE 0 END")
            params.append("{title}: " + self._exact(ranking.phrase_words))
        if ranking.name_words:
            parts.append(f"CASE WHEN {found_by} THEN 2 WHEN {found_by} THEN 1 ELSE 0 END")
            words = [self._phrase(word) for word in ranking.name_words]
            params.append("{title}: (" + " AND ".join(words) + ")")
            params.append("{title}: (" + " OR ".join(words) + ")")
        if len(ranking.phrase_words) > 1:
            parts.append(f"CASE WHEN {found_by} THEN 1 ELSE 0 END")
            params.append("{title body}: " + self._exact(ranking.phrase_words))
        within_sql, within_params = within
        sql = (
            f"SELECT CAST(e.object_id AS INTEGER), {' + '.join(parts) or '0'} AS bonus "
            f"{self._from_where()} AND CAST(e.object_id AS INTEGER) IN ({within_sql}) "
            f"ORDER BY bonus DESC, bm25({fts}, 0.0, 1.0, %s), e.id"
        )
        params += [self.match_expression(variants), _content_type_id(model)]
        params += [*within_params, TITLE_WEIGHT]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return Ranked.from_rows(cursor)

    @staticmethod
    def _exact(words) -> str:
        return '"' + " ".join(words).replace('"', '""') + '"'

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
        config = getattr(database_backend(), "config", None)
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

    def ranked(
        self, model, variants: list[list[str]], ranking: Ranking, within: tuple[str, list]
    ) -> Ranked:
        config = getattr(database_backend(), "config", None)
        cast = "%s::regconfig, " if config else ""
        config_params = [config] if config else []
        parts, params = [], []
        if ranking.phrase_words:
            parts.append(f"CASE WHEN e.title @@ phraseto_tsquery({cast}%s) THEN 4 ELSE 0 END")
            params += [*config_params, " ".join(ranking.phrase_words)]
        if ranking.name_words:
            parts.append(
                f"CASE WHEN e.title @@ to_tsquery({cast}%s) THEN 2 "
                f"WHEN e.title @@ to_tsquery({cast}%s) THEN 1 ELSE 0 END"
            )
            lexemes = [self._lexeme(word) for word in ranking.name_words]
            params += [*config_params, " & ".join(lexemes), *config_params, " | ".join(lexemes)]
        if len(ranking.phrase_words) > 1:
            parts.append(
                f"CASE WHEN (e.title @@ phraseto_tsquery({cast}%s) "
                f"OR e.body @@ phraseto_tsquery({cast}%s)) THEN 1 ELSE 0 END"
            )
            phrase = " ".join(ranking.phrase_words)
            params += [*config_params, phrase, *config_params, phrase]
        from_where, where_params = self._from_where(variants)
        within_sql, within_params = within
        sql = (
            f"SELECT e.object_id::integer, {' + '.join(parts) or '0'} AS bonus "
            f"{from_where} AND e.object_id::integer IN ({within_sql}) "
            "ORDER BY bonus DESC, %s * ts_rank(e.title, q) + ts_rank(e.body, q) DESC, e.id"
        )
        params += [*where_params, _content_type_id(model), *within_params, TITLE_WEIGHT]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return Ranked.from_rows(cursor)

    def id_subquery(self, model, variants: list[list[str]]) -> RawSQL:
        from_where, params = self._from_where(variants)
        return RawSQL(
            f"SELECT e.object_id::integer {from_where}", [*params, _content_type_id(model)]
        )

    def phrase_ids(self, model, words: list[str]) -> set[int]:
        config = getattr(database_backend(), "config", None)
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
        results = database_backend().search(query, model.objects.only("id", "title"))
        return [TextMatch(obj.id, obj.title) for obj in results]

    def ranked(
        self, model, variants: list[list[str]], ranking: Ranking, within: tuple[str, list]
    ) -> Ranked:
        from django.db.models.expressions import RawSQL

        allowed = set(model.objects.filter(id__in=RawSQL(*within)).values_list("id", flat=True))
        in_phrase = (
            self.phrase_ids(model, list(ranking.phrase_words))
            if len(ranking.phrase_words) > 1
            else set()
        )
        scored = [
            (m.object_id, ranking.python_bonus(m.title, m.object_id in in_phrase))
            for m in self.matches(model, variants)
            if m.object_id in allowed
        ]
        scored.sort(key=lambda match: -match[1])  # stable: the backend's order within
        return Ranked.from_rows(scored)

    def id_subquery(self, model, variants: list[list[str]]):
        return [match.object_id for match in self.matches(model, variants)]

    def phrase_ids(self, model, words: list[str]) -> set[int]:
        from wagtail.search.query import Phrase

        results = database_backend().search(Phrase(" ".join(words)), model.objects.only("id"))
        return {obj.id for obj in results}


TEXT_INDEXES = {"sqlite": SQLiteFTS5Index, "postgresql": PostgresTextIndex}


def text_index() -> TextIndex:
    """The text index for the database in use, when Wagtail's database backend is the search
    backend; Wagtail's own search otherwise."""
    backend = database_backend()
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
