"""Sending a self-assessment to the council (issue 6): a reference, a case in the
practitioners' queue, a confirmation email and, when configured, the case-system webhook.

The submission keeps the answers, what the person saw on "check your answers" (frozen, so a
later definition cannot change what a practitioner reads), the outcome (scores, bands, flags and
the indicative eligibility) and the definition and scoring versions it was completed with.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from portal.email import email_send

from . import engine
from .eligibility import ADULT_OUTCOMES, CARER_OUTCOMES, IndicativeEligibility
from .engine import Answers, Definition, Outcome
from .models import SavedDraft, Submission

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L or U: references are read out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def reference_new(prefix: str) -> str:
    """A fresh reference such as CSA-7K3M-9QXP (about 40 bits of randomness)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


def reference_normalise(text: str) -> str:
    """What someone typed or read out, as a stored reference (case, spaces and dashes)."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(compact) < 9:
        return compact
    return f"{compact[:-8]}-{compact[-8:-4]}-{compact[-4:]}"


@dataclass(frozen=True)
class SummaryRow:
    page_id: str
    question_id: str
    key: str
    answer: str


def summary_sections(definition: Definition, answers: Answers) -> list[dict[str, Any]]:
    """What "check your answers" shows: the visible questions, section by section, with
    each answer as it reads. [{"title": ..., "rows": [SummaryRow, ...]}, ...]."""
    visible = engine.pages_visible(definition, answers)
    sections = []
    for section in definition.sections:
        rows = [
            SummaryRow(
                page_id=page.id,
                question_id=question.id,
                key=question.summary_label or question.label,
                answer=engine.answer_display(question, answers.get(question.id)),
            )
            for page in visible
            if page.section_id == section.id
            for question in engine.questions_visible(page, answers)
        ]
        if rows:
            sections.append({"section": section, "title": section.title, "rows": rows})
    return sections


def eligibility_for(definition: Definition, answers: Answers) -> IndicativeEligibility | None:
    """The indicative eligibility a self-assessment's calculator works out, if it has one."""
    if not definition.calculator:
        return None
    from . import calculators

    try:
        context = calculators.calculate(definition.calculator, answers)
    except KeyError:
        return None
    found = context.get("eligibility")
    return found if isinstance(found, IndicativeEligibility) else None


def eligibility_json(eligibility: IndicativeEligibility | None) -> dict[str, Any] | None:
    if eligibility is None:
        return None
    names = ADULT_OUTCOMES if "regulation 2" in eligibility.regulation else CARER_OUTCOMES
    return {
        "eligible": eligibility.eligible,
        "regulation": eligibility.regulation,
        "conditions": [[label, met] for label, met in eligibility.conditions],
        "outcomes_unachievable": [
            [code, names.get(code, code)] for code in eligibility.outcomes_unachievable
        ],
    }


def outcome_json(outcome: Outcome, eligibility: IndicativeEligibility | None) -> dict[str, Any]:
    return {
        "scores": dict(outcome.scores),
        "bands": {rule: {"id": b.id, "label": b.label} for rule, b in outcome.bands.items()},
        "flags": sorted(outcome.flags),
        "eligibility": eligibility_json(eligibility),
    }


def urgent_reasons(definition: Definition, outcome: Outcome) -> list[str]:
    config = definition.submission
    if config is None:
        return []
    return [reason for flag, reason in config.urgent_flags.items() if flag in outcome.flags]


def _text(answers: Answers, question_id: str, limit: int) -> str:
    value = answers.get(question_id) if question_id else None
    return str(value).strip()[:limit] if isinstance(value, str) else ""


def submission_create(
    *, definition: Definition, answers: Answers, user=None, site_settings=None
) -> Submission:
    """Record a completed self-assessment as a case, then (after the transaction commits)
    email the person their reference and send the case system its copy. Raises ValueError for
    a definition that is not sent anywhere or answers that are not complete."""
    config = definition.submission
    if config is None:
        raise ValueError(f"{definition.slug} is not a self-assessment that can be sent")
    answers = engine.answers_prune(definition, answers)
    if not engine.is_complete(definition, answers):
        raise ValueError("The answers are not complete")
    outcome = engine.outcome_for(definition, answers)
    eligibility = eligibility_for(definition, answers)
    consent = answers.get(config.consent_question) if config.consent_question else None
    if not isinstance(consent, list):
        consent = []
    summary = [
        {
            "title": section["title"],
            "rows": [{"key": row.key, "answer": row.answer} for row in section["rows"]],
        }
        for section in summary_sections(definition, answers)
    ]
    fields = {
        "definition_slug": definition.slug,
        "definition_title": definition.title,
        "definition_version": definition.version,
        "scoring_version": definition.scoring_version,
        "answers": answers,
        "summary": summary,
        "outcome": outcome_json(outcome, eligibility),
        "urgent": bool(urgent_reasons(definition, outcome)),
        "urgent_reasons": urgent_reasons(definition, outcome),
        "contact_name": _text(answers, config.name_question, 200),
        "contact_email": _text(answers, config.email_question, 254),
        "contact_phone": _text(answers, config.phone_question, 40),
        "completed_by_proxy": bool(
            config.proxy_condition
            and engine.condition_holds(config.proxy_condition, answers, scores=outcome.scores)
        ),
        "consent_to_share": [v for v in consent if v != "none"]
        if isinstance(consent, list)
        else [],
        "user": user if getattr(user, "is_authenticated", False) else None,
        "submitted_at": timezone.now(),
    }
    for _attempt in range(5):
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    reference=reference_new(config.reference_prefix), **fields
                )
                if submission.user_id:
                    SavedDraft.objects.filter(
                        user_id=submission.user_id, definition_slug=definition.slug
                    ).delete()
                from .webhooks import webhook_queue_for

                webhook_queue_for(submission=submission)
            break
        except IntegrityError:  # the same random reference twice: vanishingly rare
            continue
    else:
        raise RuntimeError("Could not find a free reference")
    logger.info(
        "Self-assessment sent: %s (%s v%s, urgent=%s)",
        submission.reference,
        definition.slug,
        definition.version,
        submission.urgent,
    )
    email_to = submission.contact_email or (getattr(submission.user, "email", "") or "")
    if email_to:
        confirmation_email_send(submission=submission, to=email_to, site_settings=site_settings)
    return submission


def _plain(html: str) -> str:
    """Rich text as plain-text email lines: list items on their own lines."""
    text = html.replace("</li>", "\n").replace("<li>", "- ").replace("</p>", "\n\n")
    return "\n".join(line.strip() for line in strip_tags(text).splitlines()).strip()


def confirmation_email_send(*, submission: Submission, to: str, site_settings=None) -> None:
    """The person's receipt: the reference, what happens next and when. No answers: email is
    not a safe place for them, and the person printed or saved their summary already."""
    from portal.models import SiteSettings

    site = site_settings or SiteSettings()
    timescale = site.assessment_urgent_timescale if submission.urgent else site.assessment_timescale
    lines = [
        f"Your {submission.definition_title.lower()} has been sent to {site.council_name}.",
        "",
        f"Your reference number is {submission.reference}",
        "",
        "What happens next",
        "",
        _plain(str(site.assessment_next_steps or "")),
        "",
        f"We will contact you {timescale}.",
    ]
    if submission.urgent:
        lines += [
            "",
            "You told us you need help urgently. If you need help now:",
            _plain(str(site.social_care_contacts or "")),
        ]
    if site.contact_phone:
        lines += [
            "",
            f"If you have a question, call {site.contact_phone}"
            + (f" ({site.contact_hours})" if site.contact_hours else "")
            + f" and give your reference number, {submission.reference}.",
        ]
    lines += ["", site.council_name]
    email_send(
        to=[to],
        subject=f"{submission.definition_title} sent: reference {submission.reference}",
        body="\n".join(lines).replace("\n\n\n", "\n\n"),
        from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
    )
