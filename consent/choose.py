"""The citizen "make your choice" journey's rules (issue 5): which purposes are asked about,
what each answer records, and the receipt. Views (consent.views_choose) stay thin.

Answers are held in the session until they are sent; NHS numbers never go into URLs, logs or
exception messages.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import register
from .models import Purpose
from .register_models import ConsentEvent

RECEIPT_VERSION = "KI-CR-v1.1.0"
JURISDICTION = "GB-ENG"
COLLECTION_METHOD = "Online form: data-sharing choices (identity self-declared)"
CONTROLLERS = [
    {"piiController": "Seaborough Council", "contact": "Data Protection Officer",
     "email": "dpo@seaborough.gov.uk.invalid",
     "address": "Data Protection Officer, Seaborough Council, Town Hall, Seaborough"},
    {"piiController": "NHS Seaborough Integrated Care Board (ICB)",
     "contact": "Data Protection Officer", "email": "dpo@seaboroughicb.nhs.uk.invalid"},
]  # fmt: skip


def purposes_to_ask():
    """Active purposes a person can choose about: objection honoured, or consent-based."""
    return Purpose.objects.filter(is_active=True).filter(
        Q(objection_honoured=True) | Q(legal_basis=Purpose.CONSENT)
    )


def decision_for(purpose: Purpose, answer: str) -> str:
    """The register decision an answer records. We never look up what the person chose before
    (their identity is not checked), so "yes" always asks to loosen and "no" to tighten."""
    if purpose.legal_basis == Purpose.CONSENT:
        return ConsentEvent.CONSENT if answer == "yes" else ConsentEvent.WITHDRAW_CONSENT
    return ConsentEvent.WITHDRAW_OBJECTION if answer == "yes" else ConsentEvent.OBJECT


def mask_nhs_number(digits: str) -> str:
    """Only the last 3 digits show: enough for the person to recognise, not to identify."""
    return "*" * (len(digits) - 3) + digits[-3:]


@dataclass
class Answers:
    """Everything the journey has asked, as kept in the session (JSON-safe)."""

    who: str = ""
    relationship: str = ""
    proxy_name: str = ""
    nhs_number: str = ""
    person_name: str = ""
    date_of_birth: str = ""  # ISO date
    postcode: str = ""
    choices: dict[str, dict] = field(default_factory=dict)  # code -> {answer, notice_version}

    @property
    def for_self(self) -> bool:
        return self.who != "someone-else"

    @classmethod
    def from_session(cls, data: dict | None) -> Answers:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def to_session(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RecordedChoice:
    code: str
    name: str
    decision: str
    consent_type: str
    reference: str
    in_effect: bool
    notice_version: int | None


def choices_submit(*, answers: Answers, purposes: list[Purpose]) -> list[RecordedChoice]:
    """Record one event per purpose, all or none. Raises register.RegisterError (no NHS
    number in its message) if the register refuses a choice."""
    proxy = not answers.for_self
    born = dt.date.fromisoformat(answers.date_of_birth) if answers.date_of_birth else None
    recorded = []
    with transaction.atomic():
        for purpose in purposes:
            choice = answers.choices[purpose.code]
            event = register.choice_record(
                nhs_number=answers.nhs_number,
                purpose=purpose,
                decision=decision_for(purpose, choice["answer"]),
                channel="online",
                actor=ConsentEvent.PROXY if proxy else ConsentEvent.SELF,
                proxy_role=answers.relationship if proxy else "",
                proxy_name=answers.proxy_name if proxy else "",
                person_name=answers.person_name,
                date_of_birth=born,
                postcode=answers.postcode,
                identity_method="self-declared",
                identity_result=ConsentEvent.UNVERIFIED,
                notice_version=choice.get("notice_version"),
            )
            state = register.state_for(nhs_number=answers.nhs_number, purpose=purpose)
            recorded.append(
                RecordedChoice(
                    code=purpose.code,
                    name=purpose.name,
                    decision=event.decision,
                    consent_type="explicit"
                    if purpose.legal_basis == Purpose.CONSENT
                    else "opt-out",
                    reference=event.reference,
                    in_effect=state[purpose.code].pending_event_id != event.pk,
                    notice_version=event.notice_version,
                )
            )
    return recorded


def receipt_build(
    *, answers: Answers, recorded: list[RecordedChoice], policy_url: str, at: dt.datetime
) -> dict:
    """A consent receipt shaped after the Kantara Consent Receipt v1.1 and ISO/IEC TS 27560
    fields. The NHS number is masked: a receipt may be saved or printed anywhere."""
    labels = dict(ConsentEvent.DECISIONS)
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": JURISDICTION,
        "consentTimestamp": at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "collectionMethod": COLLECTION_METHOD,
        "consentReceiptID": str(uuid.uuid4()),
        "language": "en",
        "piiPrincipalId": mask_nhs_number(answers.nhs_number),
        "piiPrincipalIdType": "NHS number (last 3 digits)",
        "actor": "self" if answers.for_self else "proxy",
        "proxyRole": "" if answers.for_self else answers.relationship,
        "piiControllers": CONTROLLERS,
        "policyUrl": policy_url,
        "identityVerification": "self-declared",
        "services": [
            {
                "service": "Linked health and care records",
                "purposes": [
                    {
                        "purpose": choice.name,
                        "purposeCode": choice.code,
                        "consentType": choice.consent_type,
                        "decision": choice.decision,
                        "decisionLabel": labels[choice.decision],
                        "status": "in-effect" if choice.in_effect else "pending-identity-check",
                        "reference": choice.reference,
                        "noticeVersion": choice.notice_version,
                    }
                    for choice in recorded
                ],
            }
        ],
    }


def now() -> dt.datetime:
    return timezone.now()
