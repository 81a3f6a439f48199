"""Property tests (Hypothesis) for the portal's input handling and the assessment engine.

NHS numbers, postcodes, search text and self-assessment journeys take whatever people type
or click. Each property says what must hold for every input, not one example: a valid NHS
number is accepted however it is written and one wrong digit is always caught; nothing typed
into a postcode or a search box can raise anything but the one error the page knows how to
show; every path through an assessment ends in a result and going back loses nothing.

Examples are bounded (these run in `make test`, some against the database) and the example
database is off, so runs are repeatable.
"""

from __future__ import annotations

import datetime as dt
import json
import string
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.base import SessionBase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent.nhs_number import (
    ENTER,
    NOT_VALID,
    ONLY_NUMBERS,
    TEN_DIGITS,
    TEST_NUMBER,
    NHSNumberError,
    is_valid_nhs_number,
    normalise_nhs_number,
    validate_nhs_number,
)
from directory.factories import ServicePageFactory
from directory.models import TaxonomyTerm
from search.forms import ServiceSearchForm
from search.models import Postcode, PostcodeDistrict
from search.postcodes import PostcodeError, geocode, normalise_postcode
from search.query import SearchResults
from search.services import search_services
from selfcare import engine, journey
from selfcare.engine import Answers, Definition, Page, Question
from selfcare.submissions import eligibility_for

PURE = settings(max_examples=300, deadline=None, database=None)
WITH_DB = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- NHS numbers ------------------------------------------------------------------------------

WEIGHTS = range(10, 1, -1)


def check_digit(nine: str) -> int:
    """The Modulus 11 check digit of nine digits, 10 meaning "no valid number"."""
    remainder = sum(int(digit) * weight for digit, weight in zip(nine, WEIGHTS, strict=True)) % 11
    return (11 - remainder) % 11


valid_nhs_numbers = (
    st.text(alphabet=string.digits, min_size=9, max_size=9)
    .filter(lambda nine: check_digit(nine) != 10)
    .map(lambda nine: nine + str(check_digit(nine)))
    .filter(lambda number: len(set(number)) > 1)  # all-same digits are refused by name
)


@st.composite
def written_forms(draw, number: str) -> str:
    """The number as people write it: spaces and hyphens anywhere, whitespace around."""
    separators = st.sampled_from(["", "", " ", "-", "  ", " - ", "--"])
    inner = "".join(digit + draw(separators) for digit in number[:-1]) + number[-1]
    around = st.sampled_from(["", " ", "\t", "\n", "\u00a0", " \r\n"])
    return draw(around) + inner + draw(around)


@PURE
@given(data=st.data(), number=valid_nhs_numbers)
def test_a_valid_nhs_number_validates_however_it_is_written(data, number):
    written = data.draw(written_forms(number))

    assert validate_nhs_number(written, allow_test_range=True) == number
    assert normalise_nhs_number(written) == number
    assert is_valid_nhs_number(number, allow_test_range=True)


@PURE
@given(
    number=valid_nhs_numbers,
    position=st.integers(0, 9),
    change=st.integers(1, 9),
)
def test_changing_any_one_digit_is_always_caught(number, position, change):
    wrong = str((int(number[position]) + change) % 10)
    mistyped = number[:position] + wrong + number[position + 1 :]

    assert not is_valid_nhs_number(mistyped, allow_test_range=True)
    with pytest.raises(NHSNumberError) as error:
        validate_nhs_number(mistyped, allow_test_range=True)
    assert error.value.message == NOT_VALID


@PURE
@given(number=valid_nhs_numbers, position=st.integers(0, 8))
def test_swapping_two_neighbouring_digits_is_always_caught(number, position):
    first, second = number[position], number[position + 1]
    swapped = number[:position] + second + first + number[position + 2 :]

    assert is_valid_nhs_number(swapped, allow_test_range=True) == (first == second)


@PURE
@given(number=valid_nhs_numbers)
def test_the_test_range_follows_the_flag(number):
    test_number = "999" + number[3:9]
    test_number += str(check_digit(test_number))
    if check_digit(test_number[:9]) == 10:
        return

    assert validate_nhs_number(test_number, allow_test_range=True) == test_number
    with pytest.raises(NHSNumberError) as error:
        validate_nhs_number(test_number, allow_test_range=False)
    assert error.value.message == TEST_NUMBER


any_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.digits + " -\t", max_size=30),
    # Digits from other scripts: str.isdigit() says yes, the register must say no.
    st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩０１２３４５６７８９¹²³", min_size=10, max_size=12),
)
MESSAGES = {ENTER, ONLY_NUMBERS, TEN_DIGITS, NOT_VALID, TEST_NUMBER}


@PURE
@given(text=any_text, allow_test_range=st.booleans())
def test_any_text_is_either_ten_ascii_digits_or_a_known_message(text, allow_test_range):
    digits = normalise_nhs_number(text)

    if is_valid_nhs_number(digits, allow_test_range=allow_test_range):
        assert validate_nhs_number(text, allow_test_range=allow_test_range) == digits
        assert len(digits) == 10
        assert set(digits) <= set(string.digits)
    else:
        with pytest.raises(NHSNumberError) as error:
            validate_nhs_number(text, allow_test_range=allow_test_range)
        # A fixed sentence: an error never repeats what was typed (it may be a real number).
        assert error.value.message in MESSAGES


# --- Postcodes --------------------------------------------------------------------------------
# tests/search/test_postcodes.py covers normalise_postcode's shapes; these cover geocode.


@pytest.fixture
def known_postcodes(db) -> None:
    Postcode.objects.create(postcode="SS2 6ER", outward="SS2", latitude=51.55, longitude=0.72)
    Postcode.objects.create(postcode="EC1A 1BB", outward="EC1A", latitude=51.52, longitude=-0.1)
    PostcodeDistrict.objects.create(outward="SS2", latitude=51.552, longitude=0.720)


@WITH_DB
@given(
    text=st.one_of(
        st.text(max_size=20),
        st.from_regex(r"\A[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}\Z"),
        st.sampled_from(["SS2 9ZZ", "SS3 1AA", "GIR 0AA", "ss2\u00a06er", "SS2 6ER\x00"]),
    )
)
def test_geocode_raises_nothing_but_a_postcode_error(known_postcodes, text):
    try:
        location = geocode(text)
    except PostcodeError as error:
        refused = error
    else:
        refused = None

    if refused is not None:
        assert refused.message  # shown to the person beside the field
        return
    postcode = normalise_postcode(text)
    assert location.query == text
    assert location.label == (postcode.split()[0] if location.is_district_fallback else postcode)


@WITH_DB
@given(
    postcode=st.sampled_from(["SS2 6ER", "EC1A 1BB"]),
    data=st.data(),
)
def test_a_known_postcode_is_found_however_it_is_typed(known_postcodes, postcode, data):
    compact = postcode.replace(" ", "")
    letters = [data.draw(st.sampled_from([c.lower(), c.upper()])) for c in compact]
    spaces = st.sampled_from(["", " ", "  ", "\t", "\u00a0"])
    typed = data.draw(spaces) + "".join(c + data.draw(spaces) for c in letters)

    location = geocode(typed)

    assert location.label == postcode
    assert not location.is_district_fallback


# --- Search strings ---------------------------------------------------------------------------

FTS_SYNTAX = ['"', "*", "(", ")", "-", "^", ":", "+", "{", "}", "~", "/", "\\", "'", "&", "|"]
# Query operators of SQLite FTS5, PostgreSQL tsquery and Elasticsearch: all stop words here.
OPERATOR_WORDS = ["AND", "OR", "NOT", "NEAR"]

search_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from([*FTS_SYNTAX, *OPERATOR_WORDS, "carers", "café", " "])).map("".join),
    st.text(alphabet=st.sampled_from([*FTS_SYNTAX, " ", "\x00", "%", "_"]), max_size=30),
)


@pytest.fixture
def searchable(db) -> list[TaxonomyTerm]:
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    carers = TaxonomyTerm.objects.get(slug="carers-support")
    ServicePageFactory(title="Zanzibarian lunch club", summary="Soup and company on Fridays.")
    ServicePageFactory(title="Carers' café", summary="Tea for carers.", terms=[carers])
    ServicePageFactory(title="Memory walk", summary="A gentle walk.", terms=[dementia])
    return [dementia, carers]


def assert_a_page_of_results(results: SearchResults) -> None:
    query = results.query
    assert 0 <= len(results.hits) <= query.per_page
    if results.hits:
        assert results.total >= (query.page - 1) * query.per_page + len(results.hits)
    assert results.page_count >= 1
    ids = [hit.card.id for hit in results.hits]
    assert len(ids) == len(set(ids))


@WITH_DB
@given(
    q=search_text,
    category=st.lists(st.sampled_from(["dementia", "carers-support", "nope", ""]), max_size=2),
    sort=st.sampled_from(["", "relevance", "name", "distance", "nonsense"]),
    page=st.sampled_from(["", "1", "2", "0", "-1", "x", "99999999999999999999"]),
)
def test_any_search_text_through_the_form_gives_a_page_of_results(
    searchable, q, category, sort, page
):
    data = {"q": q, "category": category, "sort": sort, "page": page}
    form = ServiceSearchForm(data, categories=searchable)

    if not form.is_valid():
        # Only text the database could not store is refused, and with a message to show.
        assert "\x00" in q
        assert form.errors["q"]
        return
    results = search_services(form.to_query())

    assert_a_page_of_results(results)


@WITH_DB
@given(
    before=st.lists(st.sampled_from([*FTS_SYNTAX, " "]), max_size=4).map("".join),
    after=st.lists(st.sampled_from([*FTS_SYNTAX, " "]), max_size=4).map("".join),
    operators=st.lists(st.sampled_from(OPERATOR_WORDS), max_size=2).map(" ".join),
    case=st.sampled_from([str.lower, str.upper, str.title]),
)
def test_search_syntax_around_a_word_is_just_punctuation(
    searchable, before, after, operators, case
):
    q = f"{operators} {before}{case('zanzibarian')}{after}"
    form = ServiceSearchForm({"q": q}, categories=searchable)
    assert form.is_valid()

    results = search_services(form.to_query())

    assert [hit.card.title for hit in results.hits] == ["Zanzibarian lunch club"], q


# --- Assessment branching ---------------------------------------------------------------------

DEFINITION_FILES = sorted(
    [
        *(Path(engine.BUILTIN_DIR)).glob("*.json"),
        *(Path(__file__).resolve().parents[1] / "selfcare" / "definitions").glob("*.json"),
    ]
)
TODAY = dt.date.today()


def _number_range(question: Question) -> tuple[int, int]:
    low = question.minimum if question.minimum is not None else Decimal(0)
    high = question.maximum if question.maximum is not None else low + 10_000
    return (
        int(low.to_integral_value(rounding=ROUND_CEILING)),
        int(high.to_integral_value(rounding=ROUND_FLOOR)),
    )


def answer_post(question: Question) -> st.SearchStrategy[dict[str, Any]]:
    """Form data a person could send for one question that the engine must accept."""
    name = question.id
    if question.type == "radios":
        given_ = st.sampled_from([o.value for o in question.options]).map(lambda v: {name: v})
    elif question.type == "checkboxes":
        plain = [o.value for o in question.options if not o.exclusive]
        alone = [o.value for o in question.options if o.exclusive]
        choices = []
        if plain:
            choices.append(st.lists(st.sampled_from(plain), min_size=1, unique=True))
        if alone:
            choices.append(st.sampled_from(alone).map(lambda v: [v]))
        given_ = st.one_of(choices).map(lambda values: {name: values})
    elif question.type == "number":
        low, high = _number_range(question)
        given_ = st.integers(low, high).map(lambda n: {name: str(n)})
    elif question.type == "date":
        given_ = st.dates(dt.date(1900, 1, 1), TODAY).map(
            lambda d: {
                f"{name}-day": str(d.day),
                f"{name}-month": str(d.month),
                name + "-year": str(d.year),
            }
        )
    else:
        longest = min(question.max_length or 60, 60)
        given_ = st.text(
            alphabet=string.ascii_letters + string.digits + "@.'", min_size=1, max_size=longest
        ).map(lambda text: {name: text})
    if question.required:
        return given_
    return st.one_of(st.just({}), given_)


def page_post(page: Page, answers: Answers) -> st.SearchStrategy[dict[str, Any]]:
    parts = [answer_post(q) for q in engine.questions_visible(page, answers)]
    return st.tuples(*parts).map(lambda dicts: {k: v for d in dicts for k, v in d.items()})


def post_of(page: Page, answers: Answers) -> dict[str, Any]:
    """The form as the page shows it again, filled in with the saved answers."""
    data: dict[str, Any] = {}
    for question in engine.questions_visible(page, answers):
        value = answers.get(question.id)
        if value is None:
            continue
        if question.type == "date":
            day = dt.date.fromisoformat(value)
            data.update(
                {
                    f"{question.id}-day": str(day.day),
                    f"{question.id}-month": str(day.month),
                    f"{question.id}-year": str(day.year),
                }
            )
        else:
            data[question.id] = value
    return data


class Journey:
    """One person going through an assessment with the engine and their session, as the
    question pages do: save the page, go to the next visible page, and at the end to the first
    unanswered one (where "check your answers" sends people)."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.session = SessionBase()
        self.asked: dict[str, set[str]] = {}  # page id -> questions shown on it

    @property
    def answers(self) -> Answers:
        return journey.journey_answers(session=self.session, definition=self.definition)

    def save(self, page: Page, data: dict[str, Any]) -> Answers:
        cleaned, errors, _ = engine.page_clean(page, data, self.answers)
        assert errors == {}, (page.id, data, errors)
        return journey.journey_save_page(
            session=self.session, definition=self.definition, page=page, cleaned=cleaned
        )

    def run(self, draw, *, resume: bool = False) -> list[Page]:
        """Answer pages until none is left; from the first page, or (resume) from the first
        unanswered one."""
        definition = self.definition
        if resume:
            page = engine.page_first_unanswered(definition, self.answers)
        else:
            page = engine.page_next(definition, self.answers, None)
        visited: list[Page] = []
        while page is not None:
            answers = self.answers
            assert page in engine.pages_visible(definition, answers), page.id
            assert len(visited) < 2 * len(definition.pages), "the journey does not end"
            self.asked.setdefault(page.id, set()).update(
                q.id for q in engine.questions_visible(page, answers)
            )
            self.save(page, draw(page_post(page, answers)))
            visited.append(page)
            page = engine.page_next(definition, self.answers, page.id)
            if page is None:
                page = engine.page_first_unanswered(definition, self.answers)
        return visited


def _definition(path: Path) -> Definition:
    return engine.definition_load(json.loads(path.read_text()))


ASSESSMENT = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@pytest.mark.parametrize("path", DEFINITION_FILES, ids=lambda path: path.stem)
@ASSESSMENT
@given(data=st.data())
def test_any_valid_answers_reach_a_result_asking_only_what_applies(path, data):
    definition = _definition(path)
    person = Journey(definition)

    visited = person.run(data.draw)
    answers = person.answers

    assert visited, "an assessment asks at least one page"
    assert engine.is_complete(definition, answers)
    # Every answer kept is to a question that was asked and that still applies: nothing
    # skipped was asked, and no answer to a skipped question lingers.
    asked = set().union(*person.asked.values())
    applies = {
        q.id
        for page in engine.pages_visible(definition, answers)
        for q in engine.questions_visible(page, answers)
    }
    assert set(answers) <= asked
    assert set(answers) <= applies
    assert engine.answers_prune(definition, answers) == answers
    for question in definition.questions.values():
        page = definition.page_of(question.id)
        hidden = not engine.condition_holds(page.show_if, answers) or not (
            engine.condition_holds(question.show_if, answers)
        )
        if hidden:
            assert question.id not in answers
    # The result: scores within the definition's bands, and the calculator's view of it.
    outcome = engine.outcome_for(definition, answers)
    assert set(outcome.bands) <= {rule.id for rule in definition.bands}
    assert set(outcome.scores) == {rule.id for rule in definition.scores}
    eligibility_for(definition, answers)


@pytest.mark.django_db
@pytest.mark.parametrize("path", DEFINITION_FILES, ids=lambda path: path.stem)
@ASSESSMENT
@given(data=st.data())
def test_going_back_through_the_pages_loses_no_answer(path, data):
    definition = _definition(path)
    person = Journey(definition)
    person.run(data.draw)
    finished = person.answers

    # Back, page by page, from the last to the first; on each, "Continue" sends the form as
    # the page shows it again.
    visible = engine.pages_visible(definition, finished)
    page: Page | None = visible[-1]
    seen = 0
    while page is not None:
        assert person.save(page, post_of(page, person.answers)) == finished, page.id
        seen += 1
        page = engine.page_previous(definition, person.answers, page.id)
    assert seen == len(visible)
    assert person.answers == finished


@pytest.mark.django_db
@pytest.mark.parametrize("path", DEFINITION_FILES, ids=lambda path: path.stem)
@ASSESSMENT
@given(data=st.data())
def test_changing_an_answer_keeps_every_other_answer_that_still_applies(path, data):
    definition = _definition(path)
    person = Journey(definition)
    visited = person.run(data.draw)
    before = person.answers

    page = data.draw(st.sampled_from(visited))
    if page not in engine.pages_visible(definition, before):
        return  # a later answer hid it; the journey never shows it again
    after = person.save(page, data.draw(page_post(page, before)))

    applies = {
        q.id
        for shown in engine.pages_visible(definition, after)
        for q in engine.questions_visible(shown, after)
    }
    on_page = {q.id for q in page.questions}
    for question_id, value in before.items():
        if question_id in on_page:
            continue
        if question_id in applies:
            assert after.get(question_id) == value, question_id
        else:
            assert question_id not in after
    # The journey carries on from here to a result.
    person.run(data.draw, resume=True)
    assert engine.is_complete(definition, person.answers)
