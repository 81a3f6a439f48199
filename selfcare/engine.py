"""The assessment engine (issue 6): assessments are data, not code.

A definition (JSON: built-in ones in `selfcare/definitions/`, council-authored ones later from
the admin) has sections of pages of questions, conditions that show or skip pages and
questions, validation, scoring rules (sums, bands, flags), interrupts (a page shown before the
result, such as the crisis page) and result content. This module loads and checks
definitions, and answers the questions a journey asks: which pages are visible, what comes
next, is this page's input valid, what is stale, and what is the outcome. It keeps no state and
touches no database: the views keep answers in the session.

Conditions are small JSON trees:

    {"question": "q9", "op": "gt", "value": 0}     ops: eq ne gt gte lt lte in contains answered
    {"score": "total", "op": "gte", "value": 10}
    {"flag": "crisis"}
    {"all": [...]}, {"any": [...]}, {"not": {...}}
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

QUESTION_TYPES = ("radios", "checkboxes", "text", "textarea", "number", "date")
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "contains", "answered")
KINDS = ("self-assessment", "wellbeing-check")
BUILTIN_DIR = Path(__file__).resolve().parent / "definitions"

Answers = dict[str, Any]  # question id -> str, list[str] (checkboxes), or ISO date str


class DefinitionError(ValueError):
    """A definition that cannot be used; the message says where and what."""


# ---------------------------------------------------------------------------------------------
# The definition, as loaded


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    score: int | None = None
    hint: str = ""
    exclusive: bool = False  # checkboxes: "None of these"


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    hint: str = ""
    required: bool = True
    options: tuple[Option, ...] = ()
    show_if: Mapping | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    whole_number: bool = True
    max_length: int | None = None
    suffix: str = ""
    error_messages: Mapping[str, str] = field(default_factory=dict)
    # How the label reads on "check your answers" (defaults to the label).
    summary_label: str = ""

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    questions: tuple[Question, ...]
    section_id: str
    intro: str = ""
    show_if: Mapping | None = None

    @property
    def single(self) -> bool:
        """One question whose label is the page heading (GOV.UK "one thing per page")."""
        return len(self.questions) == 1


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    minimum: int
    maximum: int | None
    content: str = ""


@dataclass(frozen=True)
class BandRule:
    id: str
    score: str
    bands: tuple[Band, ...]

    def band_for(self, value: int) -> Band | None:
        for band in self.bands:
            if value >= band.minimum and (band.maximum is None or value <= band.maximum):
                return band
        return None


@dataclass(frozen=True)
class ScoreRule:
    id: str
    questions: tuple[str, ...]
    # Some instruments score an option differently per question; default: the option's score.
    label: str = ""


@dataclass(frozen=True)
class Interrupt:
    id: str
    show_if: Mapping
    title: str
    body: str
    # Filled from SiteSettings by the view when set (e.g. the crisis wording).
    site_setting: str = ""
    # Shown as soon as the answer that triggers it is saved (e.g. "I can't carry on caring"),
    # not only before the result.
    immediate: bool = False


@dataclass(frozen=True)
class SubmissionConfig:
    """A self-assessment that is sent to the council: which answers are the contact details,
    what makes it urgent, and the reference's prefix (selfcare.submissions)."""

    reference_prefix: str
    name_question: str = ""
    email_question: str = ""
    phone_question: str = ""
    consent_question: str = ""  # checkboxes: who the person agrees we share it with
    proxy_condition: Mapping | None = None  # true when someone completed it for another
    # Flags that make a submission urgent, each with the reason practitioners are shown.
    urgent_flags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ResultBlock:
    title: str
    body: str
    show_if: Mapping | None = None
    signpost_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Definition:
    slug: str
    version: int
    scoring_version: int
    title: str
    kind: str
    description: str
    sections: tuple[Section, ...]
    scores: tuple[ScoreRule, ...] = ()
    bands: tuple[BandRule, ...] = ()
    flags: Mapping[str, Mapping] = field(default_factory=dict)
    interrupts: tuple[Interrupt, ...] = ()
    results: tuple[ResultBlock, ...] = ()
    attribution: str = ""
    start_content: str = ""
    task_list: bool = False  # long assessments show a task list of sections
    # A named calculator (selfcare.calculators) works out the result from the answers, e.g.
    # the care-cost estimator; scoring rules may be empty then.
    calculator: str = ""
    licence_required: bool = False
    submission: SubmissionConfig | None = None

    @property
    def pages(self) -> list[Page]:
        return [page for section in self.sections for page in section.pages]

    @property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for page in self.pages for q in page.questions}

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)

    def page_of(self, question_id: str) -> Page | None:
        return next((p for p in self.pages if any(q.id == question_id for q in p.questions)), None)


# ---------------------------------------------------------------------------------------------
# Loading and checking


def _require(data: Mapping, key: str, where: str) -> Any:
    if key not in data or data[key] in (None, ""):
        raise DefinitionError(f"{where}: '{key}' is required")
    return data[key]


def _decimal(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise DefinitionError(f"{where}: {value!r} is not a number") from error


def _question(data: Mapping, where: str) -> Question:
    qid = _require(data, "id", where)
    where = f"{where} question {qid}"
    qtype = _require(data, "type", where)
    if qtype not in QUESTION_TYPES:
        raise DefinitionError(f"{where}: type must be one of {', '.join(QUESTION_TYPES)}")
    options = tuple(
        Option(
            value=str(_require(o, "value", where)),
            label=_require(o, "label", where),
            score=o.get("score"),
            hint=o.get("hint", ""),
            exclusive=bool(o.get("exclusive", False)),
        )
        for o in data.get("options", [])
    )
    if qtype in ("radios", "checkboxes") and not options:
        raise DefinitionError(f"{where}: {qtype} need options")
    if len({o.value for o in options}) != len(options):
        raise DefinitionError(f"{where}: option values must be unique")
    return Question(
        id=qid,
        type=qtype,
        label=_require(data, "label", where),
        hint=data.get("hint", ""),
        required=bool(data.get("required", True)),
        options=options,
        show_if=data.get("show_if"),
        minimum=_decimal(data.get("min"), where),
        maximum=_decimal(data.get("max"), where),
        whole_number=bool(data.get("whole_number", True)),
        max_length=data.get("max_length"),
        suffix=data.get("suffix", ""),
        error_messages=dict(data.get("error_messages", {})),
        summary_label=data.get("summary_label", ""),
    )


def definition_load(data: Mapping) -> Definition:
    """Build a Definition from its JSON form, checking it; DefinitionError says what's wrong."""
    slug = _require(data, "slug", "definition")
    where = f"definition {slug}"
    kind = data.get("kind", "self-assessment")
    if kind not in KINDS:
        raise DefinitionError(f"{where}: kind must be one of {', '.join(KINDS)}")
    sections = []
    for s in _require(data, "sections", where):
        sid = _require(s, "id", where)
        pages = []
        for p in _require(s, "pages", f"{where} section {sid}"):
            pid = _require(p, "id", f"{where} section {sid}")
            pwhere = f"{where} page {pid}"
            questions = tuple(_question(q, pwhere) for q in _require(p, "questions", pwhere))
            title = p.get("title") or (questions[0].label if len(questions) == 1 else "")
            if not title:
                raise DefinitionError(f"{pwhere}: a page with several questions needs a title")
            pages.append(
                Page(
                    id=pid,
                    title=title,
                    questions=questions,
                    section_id=sid,
                    intro=p.get("intro", ""),
                    show_if=p.get("show_if"),
                )
            )
        sections.append(Section(id=sid, title=_require(s, "title", where), pages=tuple(pages)))
    scoring = data.get("scoring", {})
    definition = Definition(
        slug=slug,
        version=int(_require(data, "version", where)),
        scoring_version=int(data.get("scoring_version", 1)),
        title=_require(data, "title", where),
        kind=kind,
        description=data.get("description", ""),
        sections=tuple(sections),
        scores=tuple(
            ScoreRule(id=sid, questions=tuple(rule["sum"]), label=rule.get("label", ""))
            for sid, rule in scoring.get("scores", {}).items()
        ),
        bands=tuple(
            BandRule(
                id=bid,
                score=rule["score"],
                bands=tuple(
                    Band(
                        id=b["id"],
                        label=b["label"],
                        minimum=int(b["min"]),
                        maximum=None if b.get("max") is None else int(b["max"]),
                        content=b.get("content", ""),
                    )
                    for b in rule["bands"]
                ),
            )
            for bid, rule in scoring.get("bands", {}).items()
        ),
        flags=dict(scoring.get("flags", {})),
        interrupts=tuple(
            Interrupt(
                id=i["id"],
                show_if=i["show_if"],
                title=i.get("title", ""),
                body=i.get("body", ""),
                site_setting=i.get("site_setting", ""),
                immediate=bool(i.get("immediate", False)),
            )
            for i in data.get("interrupts", [])
        ),
        results=tuple(
            ResultBlock(
                title=r.get("title", ""),
                body=r.get("body", ""),
                show_if=r.get("show_if"),
                signpost_categories=tuple(r.get("signpost_categories", [])),
            )
            for r in data.get("results", [])
        ),
        attribution=data.get("attribution", ""),
        start_content=data.get("start_content", ""),
        task_list=bool(data.get("task_list", False)),
        calculator=data.get("calculator", ""),
        licence_required=bool(data.get("licence_required", False)),
        submission=_submission_config(data.get("submission"), where),
    )
    _check(definition)
    return definition


def _urgent_flags(data: Any, where: str) -> dict[str, str]:
    """{"flag": "reason", ...}, or a list of flags (the reason is then the flag's name)."""
    if isinstance(data, list):
        return {str(flag): str(flag).replace("_", " ").capitalize() for flag in data}
    if isinstance(data, Mapping):
        return {str(flag): str(reason) for flag, reason in data.items()}
    raise DefinitionError(f"{where}: submission.urgent_flags must be an object or a list")


def _submission_config(data: Mapping | None, where: str) -> SubmissionConfig | None:
    if data is None:
        return None
    prefix = str(data.get("reference_prefix", ""))
    if not re.fullmatch(r"[A-Z]{2,4}", prefix):
        raise DefinitionError(f"{where}: submission.reference_prefix must be 2 to 4 capitals")
    return SubmissionConfig(
        reference_prefix=prefix,
        name_question=data.get("name_question", ""),
        email_question=data.get("email_question", ""),
        phone_question=data.get("phone_question", ""),
        consent_question=data.get("consent_question", ""),
        proxy_condition=data.get("proxy_condition"),
        urgent_flags=_urgent_flags(data.get("urgent_flags", {}), where),
    )


def _check(definition: Definition) -> None:
    where = f"definition {definition.slug}"
    ids = [q.id for page in definition.pages for q in page.questions]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise DefinitionError(f"{where}: question ids repeat: {', '.join(sorted(duplicates))}")
    page_ids = [p.id for p in definition.pages]
    if len(set(page_ids)) != len(page_ids):
        raise DefinitionError(f"{where}: page ids repeat")
    known_scores = {rule.id for rule in definition.scores}
    questions = definition.questions
    for rule in definition.scores:
        for qid in rule.questions:
            question = questions.get(qid)
            if question is None:
                raise DefinitionError(f"{where}: score {rule.id} sums unknown question {qid}")
            if any(o.score is None for o in question.options) or not question.options:
                raise DefinitionError(f"{where}: score {rule.id}: question {qid} needs scores")
    for rule in definition.bands:
        if rule.score not in known_scores:
            raise DefinitionError(f"{where}: band {rule.id} uses unknown score {rule.score}")
        previous = None
        for band in rule.bands:
            if previous is not None and (
                previous.maximum is None or band.minimum != previous.maximum + 1
            ):
                raise DefinitionError(
                    f"{where}: band {rule.id}: {band.id} must start at {previous.id}'s maximum + 1"
                )
            previous = band
    seen: set[str] = set()
    flags = set(definition.flags)
    for page in definition.pages:
        _check_condition(page.show_if, seen, known_scores, flags, f"{where} page {page.id}")
        for question in page.questions:
            _check_condition(
                question.show_if, seen, known_scores, flags, f"{where} question {question.id}"
            )
            seen.add(question.id)
    everything = set(questions)
    for name, condition in definition.flags.items():
        _check_condition(condition, everything, known_scores, set(), f"{where} flag {name}")
    for interrupt in definition.interrupts:
        _check_condition(
            interrupt.show_if, everything, known_scores, flags, f"{where} interrupt {interrupt.id}"
        )
    for block in definition.results:
        _check_condition(block.show_if, everything, known_scores, flags, f"{where} result")
    config = definition.submission
    if config is not None:
        for name in ("name_question", "email_question", "phone_question", "consent_question"):
            qid = getattr(config, name)
            if qid and qid not in everything:
                raise DefinitionError(f"{where}: submission.{name} {qid} is not a question")
        if config.consent_question and questions[config.consent_question].type != "checkboxes":
            raise DefinitionError(f"{where}: submission.consent_question must be checkboxes")
        for flag in config.urgent_flags:
            if flag not in flags:
                raise DefinitionError(f"{where}: submission.urgent_flags: unknown flag {flag}")
        _check_condition(
            config.proxy_condition, everything, known_scores, flags, f"{where} submission"
        )


def _check_condition(
    condition: Mapping | None, questions: set[str], scores: set[str], flags: set[str], where: str
) -> None:
    """Conditions may only look back: at questions asked before, scores and flags."""
    if condition is None:
        return
    if not isinstance(condition, Mapping) or len(condition) == 0:
        raise DefinitionError(f"{where}: a condition must be an object")
    if "all" in condition or "any" in condition:
        for part in condition.get("all", condition.get("any")):
            _check_condition(part, questions, scores, flags, where)
        return
    if "not" in condition:
        _check_condition(condition["not"], questions, scores, flags, where)
        return
    if "flag" in condition:
        if condition["flag"] not in flags:
            raise DefinitionError(f"{where}: unknown flag {condition['flag']}")
        return
    if "question" in condition:
        if condition["question"] not in questions:
            raise DefinitionError(
                f"{where}: condition on {condition['question']}, which is not asked before it"
            )
    elif "score" in condition:
        if condition["score"] not in scores:
            raise DefinitionError(f"{where}: unknown score {condition['score']}")
    else:
        raise DefinitionError(f"{where}: a condition needs question, score, flag, all, any or not")
    if condition.get("op") not in OPERATORS:
        raise DefinitionError(f"{where}: op must be one of {', '.join(OPERATORS)}")


_CACHE: dict[tuple[str, ...], dict[str, Definition]] = {}


def definition_dirs() -> list[Path]:
    """The repository's definitions, then any in `SELFCARE_EXTRA_DEFINITION_DIRS` (tests use
    this for example definitions that are not shipped)."""
    from django.conf import settings

    return [BUILTIN_DIR, *(Path(d) for d in settings.SELFCARE_EXTRA_DEFINITION_DIRS)]


def builtin_definitions() -> dict[str, Definition]:
    """The definitions shipped as JSON files, by slug (loaded once per set of folders)."""
    dirs = definition_dirs()
    key = tuple(str(d) for d in dirs)
    if key not in _CACHE:
        loaded: dict[str, Definition] = {}
        for folder in dirs:
            for path in sorted(folder.glob("*.json")):
                definition = definition_load(json.loads(path.read_text()))
                if definition.slug in loaded:
                    raise DefinitionError(f"{path}: slug {definition.slug} is already defined")
                loaded[definition.slug] = definition
        _CACHE[key] = loaded
    return _CACHE[key]


def definition_get(slug: str) -> Definition | None:
    return builtin_definitions().get(slug)


# ---------------------------------------------------------------------------------------------
# Conditions


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "answered":
        answered = actual not in (None, "", [])
        return answered if expected in (None, True) else not answered
    if actual in (None, "", []):
        return op == "ne"
    if op == "contains":
        return isinstance(actual, list) and str(expected) in actual
    if op == "in":
        values = [str(v) for v in expected]
        if isinstance(actual, list):
            return any(v in values for v in actual)
        return str(actual) in values
    if op in ("eq", "ne"):
        equal = (
            str(expected) in actual
            if isinstance(actual, list) and not isinstance(expected, list)
            else str(actual) == str(expected)
        )
        return equal if op == "eq" else not equal
    left, right = _number(actual), _number(expected)
    if left is None or right is None:
        return False
    return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]


def condition_holds(
    condition: Mapping | None,
    answers: Answers,
    *,
    scores: Mapping[str, int] | None = None,
    flags: Iterable[str] = (),
) -> bool:
    if condition is None:
        return True
    if "all" in condition:
        return all(
            condition_holds(c, answers, scores=scores, flags=flags) for c in condition["all"]
        )
    if "any" in condition:
        return any(
            condition_holds(c, answers, scores=scores, flags=flags) for c in condition["any"]
        )
    if "not" in condition:
        return not condition_holds(condition["not"], answers, scores=scores, flags=flags)
    if "flag" in condition:
        return condition["flag"] in set(flags)
    if "score" in condition:
        actual = (scores or {}).get(condition["score"])
    else:
        actual = answers.get(condition["question"])
    return _compare(actual, condition["op"], condition.get("value"))


# ---------------------------------------------------------------------------------------------
# Navigating


def questions_visible(page: Page, answers: Answers) -> list[Question]:
    return [q for q in page.questions if condition_holds(q.show_if, answers)]


def pages_visible(definition: Definition, answers: Answers) -> list[Page]:
    """The pages this person is asked, in order, given their answers so far."""
    return [
        page
        for page in definition.pages
        if condition_holds(page.show_if, answers) and questions_visible(page, answers)
    ]


def answers_prune(definition: Definition, answers: Answers) -> Answers:
    """Only the answers to questions that are still asked: a changed answer that skips later
    questions removes their answers. Repeats until stable (a removal may hide more)."""
    current = dict(answers)
    while True:
        asked = {
            q.id
            for page in pages_visible(definition, current)
            for q in questions_visible(page, current)
        }
        pruned = {qid: value for qid, value in current.items() if qid in asked}
        if pruned == current:
            return pruned
        current = pruned


def page_answered(page: Page, answers: Answers) -> bool:
    return all(q.id in answers or not q.required for q in questions_visible(page, answers))


def page_next(definition: Definition, answers: Answers, page_id: str | None) -> Page | None:
    """The page after `page_id` (or the first) among the visible pages, or None at the end."""
    visible = pages_visible(definition, answers)
    if page_id is None:
        return visible[0] if visible else None
    ids = [p.id for p in visible]
    if page_id not in ids:
        return page_first_unanswered(definition, answers)
    index = ids.index(page_id)
    return visible[index + 1] if index + 1 < len(visible) else None


def page_previous(definition: Definition, answers: Answers, page_id: str) -> Page | None:
    visible = pages_visible(definition, answers)
    ids = [p.id for p in visible]
    if page_id not in ids or ids.index(page_id) == 0:
        return None
    return visible[ids.index(page_id) - 1]


def page_first_unanswered(definition: Definition, answers: Answers) -> Page | None:
    """Where to resume: the first visible page with an unanswered required question."""
    return next(
        (p for p in pages_visible(definition, answers) if not page_answered(p, answers)), None
    )


def is_complete(definition: Definition, answers: Answers) -> bool:
    return page_first_unanswered(definition, answers) is None


# ---------------------------------------------------------------------------------------------
# Validating one page


def _message(question: Question, key: str, default: str) -> str:
    return question.error_messages.get(key, default)


def _subject(question: Question) -> str:
    """What error messages call the answer: `summary_label` ("Hours a week"), else the label."""
    return (question.summary_label or question.label).rstrip("?")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def question_clean(question: Question, data: Mapping[str, Any]) -> tuple[Any, str | None]:
    """(value, None) or (raw value to show again, error message) for one question.

    `data` is the POST (a QueryDict or a dict of lists/strings); checkboxes read all values of
    the field, dates read `<id>-day`, `<id>-month`, `<id>-year` (GOV.UK date input)."""
    name = question.id
    label = _lower_first(question.summary_label or question.label).rstrip("?")
    if question.type == "checkboxes":
        values = data.getlist(name) if hasattr(data, "getlist") else list(data.get(name, []))
        known = {o.value for o in question.options}
        values = [v for v in values if v in known]
        if not values:
            if question.required:
                return [], _message(
                    question,
                    "required",
                    f"Select {label}, or the option that says none apply"
                    if any(o.exclusive for o in question.options)
                    else f"Select {label}",
                )
            return [], None
        exclusive = {o.value for o in question.options if o.exclusive}
        if exclusive & set(values) and len(values) > 1:
            only = next(o.label for o in question.options if o.value in exclusive)
            return values, _message(
                question, "exclusive", f"Select '{only}' on its own, or the options that apply"
            )
        return values, None
    if question.type == "date":
        parts = {
            part: str(data.get(f"{name}-{part}", "") or "").strip()
            for part in ("day", "month", "year")
        }
        if not any(parts.values()):
            if question.required:
                return parts, _message(question, "required", f"Enter {label}")
            return None, None
        missing = [part for part, value in parts.items() if not value]
        if missing:
            return parts, f"{_subject(question)} must include a {' and '.join(missing)}"
        try:
            value = dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            return parts, _message(question, "invalid", f"{_subject(question)} must be a real date")
        if len(parts["year"]) != 4:
            return parts, "Year must include 4 numbers"
        if value > dt.date.today():
            return parts, _message(
                question, "future", f"{_subject(question)} must be today or in the past"
            )
        return value.isoformat(), None
    raw = data.get(name, "")
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    raw = str(raw).strip()
    if not raw:
        if question.required:
            verb = "Select" if question.type == "radios" else "Enter"
            return raw, _message(question, "required", f"{verb} {label}")
        return None, None
    if question.type == "radios":
        if question.option(raw) is None:
            return "", _message(question, "required", f"Select {label}")
        return raw, None
    if question.type == "number":
        number = _number(raw.replace(",", "").removeprefix("£"))
        if number is None or not number.is_finite():
            return raw, _message(question, "invalid", f"{_subject(question)} must be a number")
        if question.whole_number and number != number.to_integral_value():
            return raw, _message(question, "whole", f"{_subject(question)} must be a whole number")
        if question.minimum is not None and number < question.minimum:
            return raw, _message(
                question, "min", f"{_subject(question)} must be {question.minimum} or more"
            )
        if question.maximum is not None and number > question.maximum:
            return raw, _message(
                question, "max", f"{_subject(question)} must be {question.maximum} or less"
            )
        return str(number), None
    if question.max_length and len(raw) > question.max_length:
        return raw, _message(
            question,
            "max_length",
            f"{_subject(question)} must be {question.max_length} characters or fewer",
        )
    return raw, None


def page_clean(
    page: Page, data: Mapping[str, Any], answers: Answers
) -> tuple[Answers, dict[str, str], dict[str, Any]]:
    """Validate the visible questions of one page. Returns (cleaned answers for this page,
    errors by question id, the raw values to show again when there are errors)."""
    cleaned: Answers = {}
    errors: dict[str, str] = {}
    raw: dict[str, Any] = {}
    for question in questions_visible(page, answers):
        value, error = question_clean(question, data)
        if error:
            errors[question.id] = error
            raw[question.id] = value
        elif value is not None:
            cleaned[question.id] = value
    return cleaned, errors, raw


def answers_apply(
    definition: Definition, answers: Answers, page: Page, cleaned: Answers
) -> Answers:
    """The answers after saving one page: its questions replaced (an optional question left
    blank is removed), then stale answers pruned."""
    updated = {k: v for k, v in answers.items() if k not in {q.id for q in page.questions}}
    updated.update(cleaned)
    return answers_prune(definition, updated)


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True)
class Outcome:
    """What a completed assessment comes to: scores, bands, flags, the interrupts to show
    before the result, and the result content that applies."""

    definition_slug: str
    definition_version: int
    scoring_version: int
    scores: dict[str, int]
    bands: dict[str, Band]
    flags: frozenset[str]
    interrupts: tuple[Interrupt, ...]
    results: tuple[ResultBlock, ...]

    @property
    def signpost_categories(self) -> list[str]:
        seen: list[str] = []
        for block in self.results:
            seen += [c for c in block.signpost_categories if c not in seen]
        return seen


def outcome_for(definition: Definition, answers: Answers) -> Outcome:
    """Score the (pruned) answers. Unanswered scored questions count 0."""
    answers = answers_prune(definition, answers)
    questions = definition.questions
    scores: dict[str, int] = {}
    for rule in definition.scores:
        total = 0
        for qid in rule.questions:
            value = answers.get(qid)
            question = questions[qid]
            values = value if isinstance(value, list) else [value] if value is not None else []
            for v in values:
                option = question.option(str(v))
                if option is not None and option.score is not None:
                    total += option.score
        scores[rule.id] = total
    bands = {}
    for rule in definition.bands:
        band = rule.band_for(scores[rule.score])
        if band is not None:
            bands[rule.id] = band
    flags = frozenset(
        name
        for name, condition in definition.flags.items()
        if condition_holds(condition, answers, scores=scores)
    )
    interrupts = tuple(
        i
        for i in definition.interrupts
        if condition_holds(i.show_if, answers, scores=scores, flags=flags)
    )
    results = tuple(
        r
        for r in definition.results
        if condition_holds(r.show_if, answers, scores=scores, flags=flags)
    )
    return Outcome(
        definition_slug=definition.slug,
        definition_version=definition.version,
        scoring_version=definition.scoring_version,
        scores=scores,
        bands=bands,
        flags=flags,
        interrupts=interrupts,
        results=results,
    )


# ---------------------------------------------------------------------------------------------
# Check your answers


def answer_display(question: Question, value: Any) -> str:
    """How an answer reads on "check your answers"."""
    if value in (None, "", []):
        return "Not answered"
    if question.type == "radios":
        option = question.option(str(value))
        return option.label if option else str(value)
    if question.type == "checkboxes":
        return "\n".join((question.option(v).label if question.option(v) else v) for v in value)
    if question.type == "date":
        return dt.date.fromisoformat(value).strftime("%-d %B %Y")
    if question.type == "number" and question.suffix:
        return f"{value} {question.suffix}"
    return str(value)
