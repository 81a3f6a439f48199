"""FHIR R4 Consent resources from the register (issue 5, "FHIR Consent export").

Pure builders: one person's register events and current state in, plain dicts out (a Consent
per purpose, a searchset Bundle, an OperationOutcome for errors). No database queries and no
dependency on `fhir.resources` (that is a test dependency; the tests validate what is built
here against the R4B models, R4's technical correction, whose Consent is unchanged).

Which choice is "in effect" follows the register's own rule function (`register.event_apply`), so
the resource cannot disagree with the projection. docs/fhir-consent.md describes the mapping.

The NHS number appears only in `Consent.patient` (and `performer` when the person chose for
themselves); never in an id, a fullUrl or an OperationOutcome.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Purpose
from .register import PurposeState, event_apply
from .register_models import ConsentEvent, ConsentState

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
CONSENT_SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC_SYSTEM = "http://loinc.org"
PATIENT_CONSENT_LOINC = "59284-0"
# Paths under the site's canonical URL (settings.WAGTAILADMIN_BASE_URL) naming the portal's own
# code system for purposes and identifier system for register references.
PURPOSE_SYSTEM_PATH = "/data-sharing/purposes"
REFERENCE_SYSTEM_PATH = "/data-sharing/register-reference"
# uuid5 namespace for Bundle entry fullUrls: the same decision always gets the same urn:uuid.
_ENTRY_NAMESPACE = uuid.UUID("6f1c1d0e-5b7e-4a1f-9a51-2a3c9e0f7c11")

CAPACITY_PERFORMER_DISPLAY = "Staff, after a capacity decision (lacks capacity, no representative)"


def fhir_datetime(value: dt.datetime) -> str:
    """An instant in UTC, as FHIR dateTime/instant wants it (with a zone)."""
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------------------------
# Which decision is in effect, per purpose


@dataclass(frozen=True)
class Decision:
    """A choice that took effect: the event that made it, when, and the state after it."""

    event: ConsentEvent
    at: dt.datetime
    state: str
    verified: bool


@dataclass(frozen=True)
class PurposeHistory:
    """One person's decisions for one purpose, oldest first, and whether a change waits."""

    purpose_id: int
    decisions: tuple[Decision, ...]
    pending: ConsentEvent | None

    @property
    def current(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def previous(self) -> Decision | None:
        return self.decisions[-2] if len(self.decisions) > 1 else None


def purpose_histories(events: Iterable[ConsentEvent]) -> dict[int, PurposeHistory]:
    """Replay one person's events (in sequence order) with the register's rules, keeping which
    event made each decision. Changes waiting for identity verification are not decisions."""
    states: dict[int, PurposeState] = {}
    decisions: dict[int, list[Decision]] = {}
    pending: dict[int, ConsentEvent] = {}
    for event in events:
        if event.decision == ConsentEvent.IDENTITY_VERIFIED:
            for purpose_id, waiting in pending.items():
                states[purpose_id] = event_apply(states[purpose_id], event, pending=waiting)
                decisions.setdefault(purpose_id, []).append(
                    Decision(waiting, event.recorded_at, states[purpose_id].state, verified=True)
                )
            pending.clear()
            continue
        if event.purpose_id is None:
            continue
        before = states.get(event.purpose_id) or PurposeState(purpose_id=event.purpose_id)
        after = event_apply(before, event)
        states[event.purpose_id] = after
        if after.pending_event_id is not None and after.pending_event_id == event.pk:
            pending[event.purpose_id] = event
            continue
        pending.pop(event.purpose_id, None)
        decisions.setdefault(event.purpose_id, []).append(
            Decision(
                event,
                after.effective_from or event.recorded_at,
                after.state,
                verified=event.identity_result == ConsentEvent.VERIFIED,
            )
        )
    purpose_ids = set(decisions) | set(pending)
    return {
        pid: PurposeHistory(pid, tuple(decisions.get(pid, ())), pending.get(pid))
        for pid in purpose_ids
    }


# ---------------------------------------------------------------------------------------------
# Builders


@dataclass(frozen=True)
class Urls:
    """Absolute URLs the resources point at, worked out by the caller."""

    site: str  # the canonical site URL, no trailing slash
    notice: str  # the notice page, with a trailing slash

    def notice_version(self, number: int | None) -> str:
        return f"{self.notice}notice/v/{number}/" if number else self.notice

    @property
    def purpose_system(self) -> str:
        return self.site + PURPOSE_SYSTEM_PATH

    @property
    def reference_system(self) -> str:
        return self.site + REFERENCE_SYSTEM_PATH


def nhs_number_identifier(nhs_number: str) -> dict:
    return {"system": NHS_NUMBER_SYSTEM, "value": nhs_number}


def performer(event: ConsentEvent) -> dict:
    """Who made the choice: the person, a representative (by role, never by name), or staff
    after a capacity decision (never the staff member's name)."""
    if event.actor == ConsentEvent.PROXY:
        return {"type": "RelatedPerson", "display": event.get_proxy_role_display()}
    if event.actor == ConsentEvent.STAFF:
        return {"type": "Practitioner", "display": CAPACITY_PERFORMER_DISPLAY}
    return {"type": "Patient", "identifier": nhs_number_identifier(event.nhs_number)}


def _period(start: dt.datetime | None, end: dt.datetime | None = None) -> dict:
    period = {}
    if start is not None:
        period["start"] = fhir_datetime(start)
    if end is not None:
        period["end"] = fhir_datetime(end)
    return period


def resource_id(decision: Decision, purpose: Purpose) -> str:
    """A stable id from the deciding event's reference and the purpose (no NHS number)."""
    return str(uuid.uuid5(_ENTRY_NAMESPACE, f"{decision.event.reference}/{purpose.code}"))


def consent_resource(
    *, nhs_number: str, purpose: Purpose, history: PurposeHistory, urls: Urls
) -> dict | None:
    """The Consent for one purpose, or None when no choice has taken effect yet (only a change
    waiting for identity verification)."""
    current = history.current
    if current is None:
        return None
    event = current.event
    if current.state == ConsentState.OBJECTED:
        status, provision_type, period = "active", "deny", _period(current.at)
    elif current.state == ConsentState.CONSENTED:
        status, provision_type, period = "active", "permit", _period(current.at)
    else:
        # No choice any more: the withdrawn choice, inactive, for the time it was in effect.
        status = "inactive"
        provision_type = "permit" if event.decision == ConsentEvent.WITHDRAW_CONSENT else "deny"
        previous = history.previous
        period = _period(previous.at if previous else None, current.at)
    provision: dict = {
        "type": provision_type,
        "purpose": [{"system": urls.purpose_system, "code": purpose.code, "display": purpose.name}],
    }
    if period:
        provision["period"] = period
    # Whether the person's (or representative's) identity was verified for this choice:
    # objections take effect unverified (safe direction first).
    verification: dict = {"verified": current.verified}
    if current.verified:
        verification["verificationDate"] = fhir_datetime(current.at)
    return {
        "resourceType": "Consent",
        "id": resource_id(current, purpose),
        "meta": {"lastUpdated": fhir_datetime(current.at)},
        "identifier": [{"system": urls.reference_system, "value": event.reference}],
        "status": status,
        "scope": {
            "coding": [
                {
                    "system": CONSENT_SCOPE_SYSTEM,
                    "code": "patient-privacy",
                    "display": "Privacy Consent",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": LOINC_SYSTEM,
                        "code": PATIENT_CONSENT_LOINC,
                        "display": "Patient Consent",
                    }
                ]
            }
        ],
        "patient": {"identifier": nhs_number_identifier(nhs_number)},
        "dateTime": fhir_datetime(current.at),
        "performer": [performer(event)],
        # ppc-1: a policy (or policyRule) is required; this is the notice the person was shown.
        "policy": [{"uri": urls.notice_version(event.notice_version)}],
        "verification": [verification],
        "provision": provision,
    }


def consent_resources(
    *,
    nhs_number: str,
    purposes: Iterable[Purpose],
    events: Iterable[ConsentEvent],
    urls: Urls,
    status: str | None = None,
) -> list[dict]:
    """A Consent per purpose (in the order given) where a choice has taken effect, optionally
    only those with `status` ("active" or "inactive")."""
    histories = purpose_histories(events)
    resources = []
    for purpose in purposes:
        history = histories.get(purpose.pk)
        if history is None:
            continue
        resource = consent_resource(
            nhs_number=nhs_number, purpose=purpose, history=history, urls=urls
        )
        if resource is not None and (status is None or resource["status"] == status):
            resources.append(resource)
    return resources


def searchset_bundle(resources: list[dict], *, now: dt.datetime) -> dict:
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": fhir_datetime(now)},
        "type": "searchset",
        "timestamp": fhir_datetime(now),
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"urn:uuid:{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ],
    }


# FHIR issue-type codes (http://hl7.org/fhir/issue-type) for the statuses this API answers.
ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    503: "transient",
}


def operation_outcome(status: int, detail: str) -> dict:
    """An error as FHIR wants it. `detail` must never hold an NHS number."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": ISSUE_CODES.get(status, "exception"),
                "details": {"text": detail},
                "diagnostics": detail,
            }
        ],
    }
