"""The Elasticsearch index of findable services, written with elasticsearch-dsl (ADR 0018).

One `ServiceDocument` per published, running service, built from the same
`indexing.ServiceFacts` as the database engine's search documents, so both engines filter and
show the same facts. Text is analysed for English (possessives, stop words, stemming); at
search time a synonym-graph filter widens it with the staff-edited synonyms (an Elasticsearch
synonyms set, updated in place when staff edit the list, so no reindex is needed). Names and
category names also have an edge-n-gram sub-field for autocomplete.

Index names are versioned (`<prefix>_services_<timestamp>`); searches read the alias
`<prefix>_services`, which a reindex moves in one atomic step (search.es_index).
"""

from __future__ import annotations

from django.conf import settings
from elasticsearch_dsl import (
    Boolean,
    Date,
    Document,
    Float,
    GeoPoint,
    InnerDoc,
    Integer,
    Keyword,
    Nested,
    Text,
    analyzer,
    token_filter,
)

from . import indexing


def index_prefix() -> str:
    return getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", "portal")


def alias_name() -> str:
    """What searches read: an alias over the current versioned index."""
    return f"{index_prefix()}_services"


def synonyms_set_name() -> str:
    return f"{index_prefix()}-synonyms"


# --- Analysis -----------------------------------------------------------------------------------
# English: lower case, fold accents (café = cafe), drop possessives (carers' = carers), stop
# words, then the light English stemmer (carers = carer). The same chain at index and search
# time, plus synonyms at search time only (synonym_graph must not run at index time).
english_possessive = token_filter(
    "english_possessive", type="stemmer", language="possessive_english"
)
english_stop = token_filter("english_stop", type="stop", stopwords="_english_")
english_stemmer = token_filter("english_stemmer", type="stemmer", language="light_english")


def synonym_filter():
    return token_filter(
        "portal_synonyms",
        type="synonym_graph",
        synonyms_set=synonyms_set_name(),
        updateable=True,
    )


english = analyzer(
    "portal_english",
    tokenizer="standard",
    filter=["lowercase", "asciifolding", english_possessive, english_stop, english_stemmer],
)


def english_search():
    return analyzer(
        "portal_english_search",
        tokenizer="standard",
        filter=[
            "lowercase",
            "asciifolding",
            english_possessive,
            synonym_filter(),
            english_stop,
            english_stemmer,
        ],
    )


# Autocomplete: "demen" must find "Dementia" and "Carers' dementia café". Index every word's
# prefixes (2 to 20 characters); search with the plain words typed, not their prefixes.
autocomplete_index = analyzer(
    "portal_autocomplete",
    tokenizer="standard",
    filter=[
        "lowercase",
        "asciifolding",
        token_filter("portal_edge", type="edge_ngram", min_gram=2, max_gram=20),
    ],
)
autocomplete_search = analyzer(
    "portal_autocomplete_search", tokenizer="standard", filter=["lowercase", "asciifolding"]
)


def _text(**kwargs) -> Text:
    """An English text field with autocomplete and exact (sortable) sub-fields where asked."""
    return Text(analyzer=english, search_analyzer=english_search(), **kwargs)


class ServiceLocation(InnerDoc):
    """Where a service is delivered: one per service-at-location with coordinates."""

    point = GeoPoint()


class ServiceDocument(Document):
    """One findable service. Field names match `search.models.SearchDocument` where they mean
    the same, so both engines read alike."""

    service_id = Integer()
    title = _text(
        fields={
            "autocomplete": Text(analyzer=autocomplete_index, search_analyzer=autocomplete_search),
            "sort": Keyword(normalizer="lowercase"),
        }
    )
    summary = _text()
    description = _text()
    eligibility = _text()
    organisation = _text()
    categories = _text(
        fields={
            "autocomplete": Text(analyzer=autocomplete_index, search_analyzer=autocomplete_search),
            "keyword": Keyword(),
        }
    )
    # Words offered by "Did you mean ...?" (the term suggester): names and categories, plain.
    spelling = Text(analyzer="standard")

    url = Keyword(index=False)
    status = Keyword()
    status_label = Keyword(index=False)
    coverage = Keyword()  # local, county, national
    term_ids = Integer(multi=True)  # its terms and every term above them
    minimum_age = Integer()
    maximum_age = Integer()
    is_free = Boolean()
    attending_in_person = Boolean()
    attending_online = Boolean()
    attending_phone = Boolean()
    open_weekdays = Integer(multi=True)  # 0 = Monday ... 6 = Sunday
    checked_on = Date()
    assured_date = Date()
    rating_average = Float()
    rating_count = Integer()
    locations = Nested(ServiceLocation)

    class Index:
        # The name is set per call (versioned); see index_for().
        settings = {"number_of_shards": 1, "number_of_replicas": 0, "max_ngram_diff": 20}


def index_for(name: str):
    """An elasticsearch-dsl Index for `name` with the service mapping and analysers."""
    from elasticsearch_dsl import Index

    index = Index(name)
    index.settings(**ServiceDocument.Index.settings)
    index.document(ServiceDocument)
    # The search analyser names a synonyms set; make sure the index knows it.
    index.analyzer(english_search())
    return index


def document_from_facts(facts: indexing.ServiceFacts) -> ServiceDocument:
    """The index document for one findable service (its id is the service's page id)."""
    return ServiceDocument(
        meta={"id": facts.id},
        service_id=facts.id,
        title=facts.title,
        summary=facts.summary,
        description=facts.description,
        eligibility=facts.eligibility,
        organisation=facts.organisation,
        categories=list(facts.categories),
        spelling=" ".join([facts.title, *facts.categories]),
        url=facts.url,
        status=facts.status,
        status_label=facts.status_label,
        coverage=facts.coverage,
        term_ids=sorted(facts.term_ids),
        minimum_age=facts.minimum_age,
        maximum_age=facts.maximum_age,
        is_free=facts.is_free,
        attending_in_person=facts.attending_in_person,
        attending_online=facts.attending_online,
        attending_phone=facts.attending_phone,
        open_weekdays=[day for day in range(7) if facts.open_days & (1 << day)],
        checked_on=facts.checked_on,
        assured_date=facts.assured_date,
        rating_average=facts.rating_average,
        rating_count=facts.rating_count,
        locations=[ServiceLocation(point={"lat": lat, "lon": lon}) for lat, lon in facts.points],
    )
