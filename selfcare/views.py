"""The self-care journey at /self-care/: runs any assessment definition (selfcare.engine).

GOV.UK question pages, one thing per page, post/redirect/get. Answers live only in the
person's session (selfcare.journey); URLs carry page ids and nothing else. The definitions are
the repository's own JSON files, so HTML in them (start content, intros, result text) is shown
as HTML with GOV.UK classes; plain text becomes escaped paragraphs.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.models import SiteSettings
from portal.templatetags.design_system import govuk_richtext

from . import drafts, engine, journey
from .catalogue import Offered, offered_all, offered_get
from .engine import Answers, Definition, Outcome, Page, Question
from .models import SavedResult
from .signposting import signpost_categories_for, signposts_for
from .submissions import eligibility_for, submission_create, summary_sections

KIND_HEADINGS = {"wellbeing-check": "Check your wellbeing", "self-assessment": "Self-assessments"}
TASK_NOT_STARTED, TASK_IN_PROGRESS, TASK_COMPLETED = "Not started", "In progress", "Completed"


# ---------------------------------------------------------------------------------------------
# Helpers


def _offered(slug: str) -> Offered:
    # The catalogue leaves out licensed instruments without a licence reference.
    offered = offered_get(slug)
    if offered is None:
        raise Http404("No such self-care tool")
    return offered


def _definition(slug: str) -> Definition:
    return _offered(slug).definition


def _load(request: HttpRequest, slug: str) -> Definition:
    """The definition, with a signed-in person's saved draft brought into this session when
    it is newer (save and return on another device)."""
    definition = _definition(slug)
    if request.user.is_authenticated and drafts.drafts_apply(definition):
        drafts.draft_restore(user=request.user, session=request.session, definition=definition)
    return definition


def _submitted(request: HttpRequest, definition: Definition) -> str:
    return journey.journey_submitted(session=request.session, definition=definition)


def _safe_next(definition: Definition, candidate: str) -> str | None:
    """A `next` address inside this tool's journey, or None (no open redirects)."""
    prefix = _url("start", definition)
    if candidate.startswith(prefix) and "//" not in candidate and "\\" not in candidate:
        return candidate
    return None


def _trusted(definition: Definition) -> bool:
    """Only definitions shipped in the repository may carry HTML that is shown as HTML."""
    return engine.builtin_definitions().get(definition.slug) is definition


_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _content(text: str, *, trusted: bool, small: bool = False) -> SafeString:
    """A definition's text as GOV.UK-styled HTML. Trusted definitions may be written in HTML;
    plain text (and anything untrusted) is escaped, blank lines making paragraphs."""
    if not text:
        return SafeString("")
    if trusted and _TAG.search(text):
        html = govuk_richtext(text)
    else:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        html = govuk_richtext(
            "".join(f"<p>{linebreaksbr(p, autoescape=True)}</p>" for p in paragraphs)
        )
    if small:  # attributions and other small print
        html = SafeString(html.replace('class="govuk-body"', 'class="govuk-body-s"'))
    return html


def _answers(request: HttpRequest, definition: Definition) -> Answers:
    return journey.journey_answers(session=request.session, definition=definition)


def _url(name: str, definition: Definition, *args: str) -> str:
    return reverse(f"selfcare:{name}", args=[definition.slug, *args])


def _page_url(definition: Definition, page: Page, *, change: bool = False) -> str:
    return _url("page", definition, page.id) + ("?change=1" if change else "")


def _resume_url(definition: Definition, answers: Answers) -> str:
    """The first unanswered page, or check answers when everything is answered."""
    page = engine.page_first_unanswered(definition, answers)
    return _page_url(definition, page) if page else _url("check", definition)


def _first_url(definition: Definition, answers: Answers) -> str:
    if definition.task_list:
        return _url("tasks", definition)
    page = engine.page_next(definition, answers, None)
    return _page_url(definition, page) if page else _url("check", definition)


def _section_pages(definition: Definition, answers: Answers, section_id: str) -> list[Page]:
    return [p for p in engine.pages_visible(definition, answers) if p.section_id == section_id]


def _next_url(definition: Definition, answers: Answers, page: Page, *, change: bool) -> str:
    if change:
        # Back to check answers, unless the change revealed a question not yet answered.
        missing = engine.page_first_unanswered(definition, answers)
        return _page_url(definition, missing, change=True) if missing else _url("check", definition)
    if definition.task_list:
        in_section = _section_pages(definition, answers, page.section_id)
        ids = [p.id for p in in_section]
        if page.id in ids and ids.index(page.id) + 1 < len(in_section):
            return _page_url(definition, in_section[ids.index(page.id) + 1])
        return _url("tasks", definition)
    following = engine.page_next(definition, answers, page.id)
    return _page_url(definition, following) if following else _url("check", definition)


def _back_url(definition: Definition, answers: Answers, page: Page, *, change: bool) -> str:
    if change:
        return _url("check", definition)
    if definition.task_list:
        in_section = _section_pages(definition, answers, page.section_id)
        ids = [p.id for p in in_section]
        if page.id in ids and ids.index(page.id) > 0:
            return _page_url(definition, in_section[ids.index(page.id) - 1])
        return _url("tasks", definition)
    previous = engine.page_previous(definition, answers, page.id)
    return _page_url(definition, previous) if previous else _url("start", definition)


def _date_parts(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {part: str(value.get(part, "")) for part in ("day", "month", "year")}
    if isinstance(value, str) and value:
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            return {"day": "", "month": "", "year": ""}
        return {"day": str(date.day), "month": str(date.month), "year": str(date.year)}
    return {"day": "", "month": "", "year": ""}


def _date_error_parts(parts: dict[str, str], message: str) -> list[str]:
    """Which boxes of a date input to highlight: the empty ones, the year, or all three."""
    missing = [part for part in ("day", "month", "year") if not parts.get(part)]
    if missing and len(missing) < 3:
        return missing
    if message.startswith("Year"):
        return ["year"]
    return ["day", "month", "year"]


def _field(question: Question, value: Any, error: str | None, *, heading: bool) -> dict:
    """What the question template needs for one question, with GOV.UK element ids."""
    qid = question.id
    described = [f"{qid}-hint"] if question.hint else []
    if error:
        described.append(f"{qid}-error")
    field: dict[str, Any] = {
        "q": question,
        "id": qid,
        "error": error,
        "heading": heading,
        "value": "" if value is None or isinstance(value, list | dict) else str(value),
        "described_by": " ".join(described),
        "anchor": qid,
    }
    if question.type in ("radios", "checkboxes"):
        chosen = set(value) if isinstance(value, list) else {str(value)} if value else set()
        field["options"] = [
            {
                "option": option,
                "id": qid if n == 0 else f"{qid}-{n + 1}",
                "checked": option.value in chosen,
                "divider": question.type == "checkboxes" and option.exclusive and n > 0,
            }
            for n, option in enumerate(question.options)
        ]
    if question.type == "date":
        parts = _date_parts(value)
        bad = _date_error_parts(parts, error) if error else []
        field["parts"] = [
            {"name": part, "label": part.title(), "value": parts[part], "error": part in bad}
            for part in ("day", "month", "year")
        ]
        field["anchor"] = f"{qid}-{bad[0]}" if bad else f"{qid}-day"
    return field


def _fields(
    page: Page, answers: Answers, values: Answers, errors: dict[str, str], *, heading: bool
) -> list[dict]:
    return [
        _field(q, values.get(q.id), errors.get(q.id), heading=heading)
        for q in engine.questions_visible(page, answers)
    ]


def _not_ready(request: HttpRequest, definition: Definition, answers: Answers) -> str | None:
    """Where to send someone who asks for a result step too early, or None when ready."""
    if not engine.is_complete(definition, answers):
        return _resume_url(definition, answers)
    if not journey.journey_is_checked(session=request.session, definition=definition):
        return _url("check", definition)
    return None


# ---------------------------------------------------------------------------------------------
# Views


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    offered = [o.definition for o in offered_all().values()]
    groups = [
        {"heading": heading, "definitions": sorted(
            (d for d in offered if d.kind == kind), key=lambda d: d.title.casefold()
        )}
        for kind, heading in KIND_HEADINGS.items()
    ]  # fmt: skip
    return render(
        request, "selfcare/index.html", {"groups": [g for g in groups if g["definitions"]]}
    )


@require_GET
def start(request: HttpRequest, slug: str) -> HttpResponse:
    offered = _offered(slug)
    definition = _load(request, slug)
    answers = _answers(request, definition)
    started = journey.journey_started(session=request.session, definition=definition)
    saving = drafts.drafts_apply(definition)
    draft = drafts.draft_get(user=request.user, definition=definition) if saving else None
    return render(
        request,
        "selfcare/start.html",
        {
            "definition": definition,
            "start_html": _content(definition.start_content, trusted=_trusted(definition)),
            "attribution_html": _content(
                definition.attribution, trusted=_trusted(definition), small=True
            ),
            "start_url": _first_url(definition, answers),
            "started": started,
            "resume_url": _url("tasks", definition)
            if definition.task_list
            else _resume_url(definition, answers),
            "saving": saving,
            "draft": draft,
            "submitted": _submitted(request, definition),
            "result_url": _url("result", definition),
            "sign_in_url": reverse("account_login") + "?" + urlencode({"next": request.path}),
            "licence_reference": offered.licence_reference,
        },
    )


@require_GET
def tasks(request: HttpRequest, slug: str) -> HttpResponse:
    definition = _load(request, slug)
    if _submitted(request, definition):
        return redirect(_url("result", definition))
    answers = _answers(request, definition)
    saved = journey.journey_saved_pages(session=request.session, definition=definition)
    rows = []
    for section in definition.sections:
        pages = _section_pages(definition, answers, section.id)
        if not pages:
            continue  # every page skipped with these answers
        # A page of optional questions counts as done once saved, even if left blank.
        done = [
            p
            for p in pages
            if engine.page_answered(p, answers)
            and (p.id in saved or any(q.id in answers for q in p.questions))
        ]
        touched = any(
            q.id in answers for p in pages for q in engine.questions_visible(p, answers)
        ) or any(p.id in saved for p in pages)
        unanswered = next((p for p in pages if p not in done), None)
        rows.append(
            {
                "section": section,
                "status": TASK_COMPLETED
                if len(done) == len(pages)
                else TASK_IN_PROGRESS
                if touched
                else TASK_NOT_STARTED,
                "url": _page_url(definition, unanswered or pages[0]),
            }
        )
    complete = engine.is_complete(definition, answers)
    draft = (
        drafts.draft_get(user=request.user, definition=definition)
        if drafts.drafts_apply(definition)
        else None
    )
    return render(
        request,
        "selfcare/tasks.html",
        {
            "definition": definition,
            "rows": rows,
            "complete": complete,
            "sections_done": sum(1 for row in rows if row["status"] == TASK_COMPLETED),
            "check_url": _url("check", definition),
            "back_url": _url("start", definition),
            "saving": drafts.drafts_apply(definition),
            "draft": draft,
            "sign_in_url": reverse("account_login")
            + "?"
            + urlencode({"next": _url("tasks", definition)}),
        },
    )


@require_http_methods(["GET", "POST"])
def question_page(request: HttpRequest, slug: str, page_id: str) -> HttpResponse:
    definition = _load(request, slug)
    page = definition.page(page_id)
    if page is None:
        raise Http404("No such question page")
    if _submitted(request, definition):
        return redirect(_url("result", definition))
    answers = _answers(request, definition)
    if page.id not in {p.id for p in engine.pages_visible(definition, answers)}:
        return redirect(_resume_url(definition, answers))
    change = bool(request.GET.get("change"))
    errors: dict[str, str] = {}
    values: Answers = answers
    if request.method == "POST":
        cleaned, errors, raw = engine.page_clean(page, request.POST, answers)
        if not errors:
            answers = journey.journey_save_page(
                session=request.session, definition=definition, page=page, cleaned=cleaned
            )
            drafts.draft_save(user=request.user, session=request.session, definition=definition)
            following = _next_url(definition, answers, page, change=change)
            urgent = _immediate_interrupt(request, definition, answers)
            if urgent is not None:
                return redirect(
                    _url("interrupt", definition, urgent.id) + "?" + urlencode({"next": following})
                )
            return redirect(following)
        values = {**cleaned, **raw}
    heading_in_field = page.single and not page.intro
    fields = _fields(page, answers, values, errors, heading=heading_in_field)
    return render(
        request,
        "selfcare/page.html",
        {
            "definition": definition,
            "intro_html": _content(page.intro, trusted=_trusted(definition)),
            "qpage": page,
            "section": next(s for s in definition.sections if s.id == page.section_id),
            "fields": fields,
            "heading_in_field": heading_in_field,
            "error_items": [
                {"href": f"#{f['anchor']}", "text": f["error"]} for f in fields if f["error"]
            ],
            "has_errors": bool(errors),
            "back_url": _back_url(definition, answers, page, change=change),
            "change": change,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, slug: str) -> HttpResponse:
    definition = _load(request, slug)
    if _submitted(request, definition):
        return redirect(_url("result", definition))
    answers = _answers(request, definition)
    if not engine.is_complete(definition, answers):
        return redirect(_resume_url(definition, answers))
    if request.method == "POST":
        journey.journey_mark_checked(session=request.session, definition=definition)
        if definition.submission is not None:
            submission = submission_create(
                definition=definition,
                answers=answers,
                user=request.user,
                site_settings=_site_settings(request),
            )
            journey.journey_mark_submitted(
                session=request.session, definition=definition, reference=submission.reference
            )
        outcome = engine.outcome_for(definition, answers)
        if outcome.interrupts:
            return redirect(_url("interrupt", definition, outcome.interrupts[0].id))
        return redirect(_url("result", definition))
    visible = engine.pages_visible(definition, answers)
    sections = [
        {
            "section": group["section"],
            "rows": [
                {
                    "key": row.key,
                    "answer": row.answer,
                    "change_url": _page_url(definition, definition.page(row.page_id), change=True),
                }
                for row in group["rows"]
            ],
        }
        for group in summary_sections(definition, answers)
    ]
    if definition.task_list or not visible:
        back = _url("tasks" if definition.task_list else "start", definition)
    else:
        back = _page_url(definition, visible[-1])
    return render(
        request,
        "selfcare/check.html",
        {
            "definition": definition,
            "sections": sections,
            "headings": len(sections) > 1,
            "back_url": back,
            "sends": definition.submission is not None,
        },
    )


def _next_interrupt_url(
    request: HttpRequest, definition: Definition, outcome: Outcome, after: str | None = None
) -> str:
    """The first interrupt not yet shown (after `after`, if given), else the result."""
    seen = journey.journey_interrupts_seen(session=request.session, definition=definition)
    ids = [i.id for i in outcome.interrupts]
    start_at = ids.index(after) + 1 if after in ids else 0
    for interrupt_id in ids[start_at:]:
        if interrupt_id not in seen:
            return _url("interrupt", definition, interrupt_id)
    for interrupt_id in ids:
        if interrupt_id not in seen:
            return _url("interrupt", definition, interrupt_id)
    return _url("result", definition)


def _site_settings(request: HttpRequest) -> SiteSettings:
    try:
        return SiteSettings.for_request(request)
    except Exception:  # no Site matches this host: the model's defaults still apply
        return SiteSettings()


def _site_setting_html(request: HttpRequest, name: str) -> str:
    if not name or name not in {f.name for f in SiteSettings._meta.get_fields()}:
        return ""
    return str(getattr(_site_settings(request), name, "") or "")


def _immediate_interrupt(request: HttpRequest, definition: Definition, answers: Answers):
    """An "at once" interrupt (such as phone numbers for someone who cannot carry on caring)
    whose condition the answers now meet and that has not been shown for them yet. One that
    stops applying is forgotten, so it shows again if it applies again."""
    immediate = [i for i in definition.interrupts if i.immediate]
    if not immediate:
        return None
    outcome = engine.outcome_for(definition, answers)
    applying = {i.id for i in outcome.interrupts if i.immediate}
    shown = journey.journey_immediate_shown(session=request.session, definition=definition)
    journey.journey_set_immediate_shown(
        session=request.session, definition=definition, ids=shown & applying
    )
    return next((i for i in immediate if i.id in applying and i.id not in shown), None)


@require_GET
def interrupt(request: HttpRequest, slug: str, interrupt_id: str) -> HttpResponse:
    definition = _load(request, slug)
    answers = _answers(request, definition)
    outcome = engine.outcome_for(definition, answers)
    following = _safe_next(definition, request.GET.get("next", ""))
    early = next(
        (i for i in outcome.interrupts if i.id == interrupt_id and i.immediate and following),
        None,
    )
    if early is not None:  # shown at once, in the middle of the questions
        shown_ids = journey.journey_immediate_shown(session=request.session, definition=definition)
        journey.journey_set_immediate_shown(
            session=request.session, definition=definition, ids=shown_ids | {early.id}
        )
        return render(
            request,
            "selfcare/interrupt.html",
            {
                "definition": definition,
                "body_html": _content(early.body, trusted=_trusted(definition)),
                "interrupt": early,
                "setting_html": _site_setting_html(request, early.site_setting),
                "continue_url": following,
                "back_url": following,
            },
        )
    if (elsewhere := _not_ready(request, definition, answers)) is not None:
        return redirect(elsewhere)
    shown = next((i for i in outcome.interrupts if i.id == interrupt_id), None)
    if shown is None:
        return redirect(_next_interrupt_url(request, definition, outcome))
    journey.journey_mark_interrupt_seen(
        session=request.session, definition=definition, interrupt_id=shown.id
    )
    return render(
        request,
        "selfcare/interrupt.html",
        {
            "definition": definition,
            "body_html": _content(shown.body, trusted=_trusted(definition)),
            "interrupt": shown,
            "setting_html": _site_setting_html(request, shown.site_setting),
            "continue_url": _next_interrupt_url(request, definition, outcome, after=shown.id),
            "back_url": _url("result" if _submitted(request, definition) else "check", definition),
        },
    )


def _score_maximum(definition: Definition, score_id: str) -> int | None:
    rule = next((r for r in definition.scores if r.id == score_id), None)
    if rule is None:
        return None
    questions = definition.questions
    total = 0
    for qid in rule.questions:
        scores = [o.score or 0 for o in questions[qid].options]
        if questions[qid].type == "checkboxes":
            total += sum(s for s in scores if s > 0)
        else:
            total += max(scores, default=0)
    return total


def _score_rows(definition: Definition, outcome: Outcome, *, trusted: bool) -> list[dict]:
    """A row per band rule (score, its maximum, the band it falls in), then any labelled
    score without a band."""
    rows = []
    banded = set()
    for rule in definition.bands:
        banded.add(rule.score)
        score_rule = next(r for r in definition.scores if r.id == rule.score)
        rows.append(
            {
                "label": score_rule.label or "Your score",
                "score": outcome.scores.get(rule.score),
                "maximum": _score_maximum(definition, rule.score),
                "band": outcome.bands.get(rule.id),
                "content_html": _content(
                    getattr(outcome.bands.get(rule.id), "content", ""), trusted=trusted
                ),
            }
        )
    for score_rule in definition.scores:
        if score_rule.id not in banded and score_rule.label:
            rows.append(
                {
                    "label": score_rule.label,
                    "score": outcome.scores.get(score_rule.id),
                    "maximum": _score_maximum(definition, score_rule.id),
                    "band": None,
                    "content_html": "",
                }
            )
    return rows


@require_GET
def result(request: HttpRequest, slug: str) -> HttpResponse:
    definition = _load(request, slug)
    answers = _answers(request, definition)
    if (elsewhere := _not_ready(request, definition, answers)) is not None:
        return redirect(elsewhere)
    outcome = engine.outcome_for(definition, answers)
    seen = journey.journey_interrupts_seen(session=request.session, definition=definition)
    if any(i.id not in seen for i in outcome.interrupts):
        return redirect(_next_interrupt_url(request, definition, outcome))
    trusted = _trusted(definition)
    postcode = request.GET.get("postcode", "")
    # The definition's own result categories, then those of staff signposting rules that match
    # this result (bands, flags, indicative eligibility).
    categories = signpost_categories_for(
        definition=definition,
        outcome=outcome,
        eligibility=eligibility_for(definition, answers),
    )
    signposts = signposts_for(categories=categories, postcode=postcode)
    context: dict[str, Any] = {
        "definition": definition,
        "outcome": outcome,
        "score_rows": _score_rows(definition, outcome, trusted=trusted),
        "result_blocks": [
            {"title": block.title, "body_html": _content(block.body, trusted=trusted)}
            for block in outcome.results
        ],
        "attribution_html": _content(definition.attribution, trusted=trusted, small=True),
        "signposts": signposts,
        "postcode_error": signposts.postcode_error if signposts else "",
        "postcode_error_items": [{"href": "#postcode", "text": signposts.postcode_error}]
        if signposts and signposts.postcode_error
        else [],
        "wellbeing": definition.kind == "wellbeing-check",
        "check_url": _url("check", definition),
        "start_again_url": _url("start_again", definition),
        "reference": _submitted(request, definition),
        "summary_url": _url("summary", definition),
        "save_result_url": _url("save_result", definition),
        "result_saved": request.GET.get("saved") == "1",
        "sign_in_to_save_url": reverse("account_login")
        + "?"
        + urlencode({"next": _url("result", definition)}),
    }
    if context["reference"]:
        site = _site_settings(request)
        context["site"] = site
        context["urgent"] = bool(
            definition.submission
            and any(flag in outcome.flags for flag in definition.submission.urgent_flags)
        )
    if definition.calculator:
        from . import calculators  # built separately; only calculator definitions need it

        calculation = calculators.calculate(definition.calculator, answers)
        # The calculator's template may read its values at the top level or as `calculation`;
        # this page's own names win.
        context = {**calculation, **context, "calculation": calculation}
        context["calculator_template"] = f"selfcare/calculators/{definition.calculator}.html"
    return render(request, "selfcare/result.html", context)


@require_POST
def start_again(request: HttpRequest, slug: str) -> HttpResponse:
    definition = _definition(slug)
    journey.journey_reset(session=request.session, definition=definition)
    drafts.draft_delete(user=request.user, definition=definition)
    return redirect(_url("start", definition))


@require_GET
def summary(request: HttpRequest, slug: str) -> HttpResponse:
    """The answers laid out for printing (or saving as PDF from the browser's print dialogue),
    with the reference once sent. From the session only: nothing is looked up by reference."""
    definition = _load(request, slug)
    answers = _answers(request, definition)
    if not engine.is_complete(definition, answers):
        return redirect(_resume_url(definition, answers))
    return render(
        request,
        "selfcare/summary.html",
        {
            "definition": definition,
            "sections": summary_sections(definition, answers),
            "reference": _submitted(request, definition),
            "back_url": _url("result" if _submitted(request, definition) else "check", definition),
        },
    )


def _saved_scores(definition: Definition, outcome: Outcome) -> list[dict[str, Any]]:
    return [
        {
            "label": row["label"],
            "score": row["score"],
            "maximum": row["maximum"],
            "band": row["band"].label if row["band"] else "",
        }
        for row in _score_rows(definition, outcome, trusted=False)
    ]


@require_POST
def save_result(request: HttpRequest, slug: str) -> HttpResponse:
    """A signed-in person keeps a wellbeing check's scores (never the answers) to compare
    over time. Saving the same result twice in a session keeps one copy."""
    definition = _load(request, slug)
    if definition.kind != "wellbeing-check":
        raise Http404("Only wellbeing check results can be saved")
    if not request.user.is_authenticated:
        return redirect(
            reverse("account_login") + "?" + urlencode({"next": _url("result", definition)})
        )
    answers = _answers(request, definition)
    if (elsewhere := _not_ready(request, definition, answers)) is not None:
        return redirect(elsewhere)
    outcome = engine.outcome_for(definition, answers)
    scores = _saved_scores(definition, outcome)
    already = SavedResult.objects.filter(
        user=request.user, definition_slug=definition.slug, scores=scores
    ).filter(saved_at__gte=timezone.now() - dt.timedelta(hours=1))
    if not already.exists():
        SavedResult.objects.create(
            user=request.user,
            definition_slug=definition.slug,
            definition_title=definition.title,
            definition_version=definition.version,
            scoring_version=definition.scoring_version,
            scores=scores,
        )
    return redirect(_url("result", definition) + "?saved=1")


@login_required
@require_http_methods(["GET", "POST"])
def saved_results(request: HttpRequest) -> HttpResponse:
    """The person's saved wellbeing check results; each can be deleted, or all of them."""
    mine = SavedResult.objects.filter(user=request.user)
    if request.method == "POST":
        which = request.POST.get("delete", "")
        if which == "all":
            mine.delete()
        elif which.isdigit():
            mine.filter(pk=int(which)).delete()
        return redirect(reverse("selfcare:saved_results") + "?deleted=1")
    return render(
        request,
        "selfcare/saved_results.html",
        {"results": list(mine[:200]), "deleted": request.GET.get("deleted") == "1"},
    )
