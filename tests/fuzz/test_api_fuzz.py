"""Fuzz both public APIs against their own OpenAPI documents (schemathesis, in-process WSGI).

Each document is fetched from the running app, exactly as a client would read it; schemathesis
then sends generated requests (valid ones, and invalid ones that break the documented
constraints) to every operation and checks each answer: never a server error, a status the
document lists, the documented content type and headers, and a body matching the documented
schema. The database holds a small realistic directory and consent register, and the IG
calls carry a valid token, so the interesting paths run, not only the refusals.

Bounded and derandomised (a fixed number of examples per operation, no example database) so
`make test` runs the same requests every time, in about a minute on SQLite.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from consent.models import Purpose
from consent.pipeline import token_issue
from consent.pipeline_models import NationalOptOut, NationalOptOutCheck, PipelineSystem
from consent.register import choice_record
from directory.models import (
    OrganisationPage,
    ServiceAtLocation,
    ServicePage,
    Taxonomy,
    TaxonomyTerm,
)
from directory.oruk import ORUK_SCHEMA_BASE
from search.models import Postcode, PostcodeDistrict
from tests.directory.conftest import ORUK_REFERENCE, build_service, build_varied_directory

ORUK_OPENAPI = "/api/oruk/openapi.json"
IG_OPENAPI = "/api/ig/v1/openapi.json"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Per operation; derandomize: the same examples on every run, so a failure reproduces.
FUZZ_SETTINGS = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

CASE_FINDING = "risk-stratification-case-finding"
COMMISSIONING = "risk-stratification-commissioning"
RESEARCH = "research"
IN_SCOPE = (CASE_FINDING, COMMISSIONING, RESEARCH)
# Valid NHS numbers (Modulus 11), none in the 999 test range.
NHS_NUMBERS = ("9434765919", "9434765870", "4010232137")


# --- The app, served in-process -------------------------------------------------------------


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, sharing the test's database transaction.

    Django closes the connection at the end of each request; inside the test's transaction
    that would throw the fixtures away, so, as Django's own test client does, it is not
    closed between requests here.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _served_document(app: WSGIHandler, path: str) -> dict[str, Any]:
    from werkzeug import Client

    response = Client(app).get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.loads(response.get_data(as_text=True))


def _local_oruk_refs(value: Any) -> Any:
    """Point the document's references to the published ORUK schemas at the reference copy
    (the same files, pinned, read locally: no network in tests). Without the reference
    folder, the ORUK records are accepted as any object and only our own parts are checked."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(ORUK_SCHEMA_BASE):
            relative = ref.removeprefix(ORUK_SCHEMA_BASE)
            local = ORUK_REFERENCE / "schema" / relative
            if local.is_file():
                return {**value, "$ref": Path(local).resolve().as_uri()}
            return {"type": "object"}
        return {key: _local_oruk_refs(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_local_oruk_refs(item) for item in value]
    return value


def _load(app: WSGIHandler, path: str, document: dict[str, Any]) -> Any:
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    schema.location = path
    return schema


# --- Realistic data -------------------------------------------------------------------------


@pytest.fixture
def directory(db, settings) -> dict[str, Any]:
    """Published services with locations, schedules and taxonomy terms, and postcodes."""
    # The fuzzer sends hundreds of requests a minute from one client: lift the throttle so
    # it tests the API, not the 429 (which it still may meet and must find documented).
    settings.ORUK_API_RATE = "100000/m"
    data = build_varied_directory()
    build_service(organisation=data["trust"], locations=2, schedules=3, terms=data["terms"][:2])
    build_service(locations=0, schedules=0, phones=0)
    Postcode.objects.create(postcode="SS2 6ER", outward="SS2", latitude=51.55, longitude=0.72)
    PostcodeDistrict.objects.create(outward="SS2", latitude=51.552, longitude=0.720)
    PostcodeDistrict.objects.create(outward="SS1", latitude=51.538, longitude=0.726)
    return data


@pytest.fixture
def register(db) -> PipelineSystem:
    """Choices on the register, a fresh national opt-out cache, and a pipeline system."""
    now = timezone.now()
    check = NationalOptOutCheck.objects.create(
        file_name="fuzz-check",
        requested_at=now - dt.timedelta(hours=1),
        completed_at=now - dt.timedelta(hours=1),
    )
    NationalOptOut.objects.create(nhs_number=NHS_NUMBERS[2], from_check=check)
    purposes = {purpose.code: purpose for purpose in Purpose.objects.all()}
    choice_record(
        nhs_number=NHS_NUMBERS[0],
        purpose=purposes[CASE_FINDING],
        decision="object",
        channel="phone",
    )
    choice_record(
        nhs_number=NHS_NUMBERS[1],
        purpose=purposes[RESEARCH],
        decision="consent",
        channel="online",
        identity_method="nhs-login",
        identity_result="verified",
    )
    system = PipelineSystem.objects.create(name="Fuzzing landing area")
    system.purposes.set([purposes[code] for code in IN_SCOPE])
    return system


@pytest.fixture
def ig_token(register) -> str:
    return token_issue(system=register, label="fuzz")[1]


# --- The schemas ----------------------------------------------------------------------------


def _sometimes(value: dict[str, Any], real: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """The generated parameters, or (as often) the same with some set to real values, so
    requests reach records and not only the refusals."""
    if not isinstance(value, dict) or not real:
        return st.just(value)
    chosen = st.lists(st.sampled_from(sorted(real)), min_size=1, unique=True)
    replaced = chosen.flatmap(
        lambda names: st.fixed_dictionaries({name: real[name] for name in names}).map(
            lambda values: {**value, **values}
        )
    )
    return st.one_of(replaced, st.just(value))


def _ids(records) -> st.SearchStrategy:
    return st.sampled_from(sorted(str(record.uuid) for record in records))


@pytest.fixture
def oruk_schema(wsgi_app, directory):
    document = _local_oruk_refs(_served_document(wsgi_app, ORUK_OPENAPI))
    schema = _load(wsgi_app, ORUK_OPENAPI, document)
    services = ServicePage.objects.live()
    terms = TaxonomyTerm.objects.all()
    ids_by_path = {
        "/services/{id}": _ids(services),
        "/service_at_locations/{id}": _ids(ServiceAtLocation.objects.all()),
        "/taxonomies/{id}": _ids(Taxonomy.objects.all()),
        "/taxonomy_terms/{id}": _ids(terms),
    }
    real_filters = {
        "taxonomy_term_id": _ids(terms),
        "taxonomy_id": _ids(Taxonomy.objects.all()),
        "organization_id": _ids(OrganisationPage.objects.all()),
        "postcode": st.sampled_from(["SS2 6ER", "ss26er", "SS1 9ZZ", "SS9 9ZZ"]),
        "search": st.sampled_from(["carers", "café", "Dementia support", '"club*']),
    }

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        ids = ids_by_path.get(context.operation.path)
        return _sometimes(path_parameters, {} if ids is None else {"id": ids})

    @schema.hook
    def flatmap_query(context, query):
        allowed = {p.name for p in context.operation.query}
        return _sometimes(query, {k: v for k, v in real_filters.items() if k in allowed})

    return schema


def _purposes_sometimes_in_scope(context, query):
    """Ask about a purpose the system may use at least as often as not."""
    if "purpose" not in {p.name for p in context.operation.query}:
        return st.just(query)
    return _sometimes(query, {"purpose": st.sampled_from(IN_SCOPE)})


def _check_body_sometimes_valid(context, body):
    """As often as not, send real NHS numbers in the shape the media type asks for."""
    numbers = st.lists(st.sampled_from(NHS_NUMBERS), min_size=1, max_size=6)
    if isinstance(body, str):
        return st.one_of(numbers.map("\n".join), st.just(body))
    if isinstance(body, list):
        return st.one_of(numbers, st.just(body))
    if isinstance(body, dict) and "nhs_numbers" in body:
        return st.one_of(numbers.map(lambda items: {"nhs_numbers": items}), st.just(body))
    return st.just(body)


@pytest.fixture
def ig_schema(wsgi_app, ig_token):
    schema = _load(wsgi_app, IG_OPENAPI, _served_document(wsgi_app, IG_OPENAPI))
    schema.hook("flatmap_query")(_purposes_sometimes_in_scope)
    schema.hook("flatmap_body")(_check_body_sometimes_valid)
    return schema


oruk = schemathesis.pytest.from_fixture("oruk_schema")
ig = schemathesis.pytest.from_fixture("ig_schema")


@oruk.parametrize()
@FUZZ_SETTINGS
def test_oruk_api_answers_every_request_as_documented(case):
    case.call_and_validate(checks=CHECKS)


@ig.parametrize()
@FUZZ_SETTINGS
def test_ig_api_answers_every_request_as_documented(case, ig_token):
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {ig_token}"})


def _oruk_refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(ORUK_SCHEMA_BASE):
            yield ref.removeprefix(ORUK_SCHEMA_BASE)
        for item in value.values():
            yield from _oruk_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _oruk_refs(item)


@pytest.fixture
def oruk_reference() -> Path:
    if not (ORUK_REFERENCE / "schema").is_dir():
        pytest.skip(f"the Open Referral UK reference is not at {ORUK_REFERENCE}")
    return ORUK_REFERENCE


def test_every_oruk_schema_the_document_names_exists_in_the_profile(wsgi_app, db, oruk_reference):
    """Each record schema the fuzzer checks against is a real file of the ORUK profile, so no
    response check is quietly weakened to "any object"."""
    names = set(_oruk_refs(_served_document(wsgi_app, ORUK_OPENAPI)))

    assert {"compiled/service.json", "compiled/service_list.json", "taxonomy.json"} <= names
    assert sorted(n for n in names if not (oruk_reference / "schema" / n).is_file()) == []
