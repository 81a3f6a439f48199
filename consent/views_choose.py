"""The citizen "make your choice" journey at /data-sharing/choose/ (GOV.UK question pages).

Each page is a GET form that POSTs its answer and redirects (post/redirect/get). Answers live in
the session, so Back and refresh never lose them; `?change=1` returns to check answers. The NHS
number is only ever POSTed and kept in the session: never in a URL, never logged.
"""

import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from portal.ratelimit import client_key, rate_limit_hit

from . import choose
from .forms_choose import SOMEONE_ELSE, DetailsForm, PurposeForm, RelationshipForm, WhoForm
from .models import DataSharingNoticePage
from .notices import current_notice_version
from .register import RegisterError

SESSION_KEY = "consent_choose"
RECEIPT_KEY = "consent_choose_receipt"
DEFAULT_RATE = "10/h"
RATE_LIMIT_ERROR = "You have sent too many choices. Wait an hour and try again."


def _answers(request) -> choose.Answers:
    return choose.Answers.from_session(request.session.get(SESSION_KEY))


def _save(request, answers: choose.Answers) -> None:
    request.session[SESSION_KEY] = answers.to_session()


def _purposes() -> list:
    return list(choose.purposes_to_ask())


def _steps(answers: choose.Answers) -> list[str]:
    """URLs of the questions in order, given the answers so far."""
    steps = [reverse("consent:choose")]
    if answers.who == SOMEONE_ELSE:
        steps.append(reverse("consent:choose_relationship"))
    steps.append(reverse("consent:choose_details"))
    steps += [reverse("consent:choose_purpose", args=[p.code]) for p in _purposes()]
    return steps


def _first_unanswered(answers: choose.Answers) -> str | None:
    if not answers.who:
        return reverse("consent:choose")
    if answers.who == SOMEONE_ELSE and not (answers.relationship and answers.proxy_name):
        return reverse("consent:choose_relationship")
    if not (answers.nhs_number and answers.person_name and answers.postcode):
        return reverse("consent:choose_details")
    for purpose in _purposes():
        if purpose.code not in answers.choices:
            return reverse("consent:choose_purpose", args=[purpose.code])
    return None


def _next(request, answers: choose.Answers, here: str) -> str:
    if request.GET.get("change") and _first_unanswered(answers) is None:
        return reverse("consent:choose_check")
    steps = _steps(answers)
    position = steps.index(here) if here in steps else -1
    if position + 1 < len(steps):
        return steps[position + 1]
    return reverse("consent:choose_check")


def _back(request, answers: choose.Answers, here: str) -> str:
    if request.GET.get("change"):
        return reverse("consent:choose_check")
    steps = _steps(answers)
    position = steps.index(here) if here in steps else 0
    if position == 0:
        page = DataSharingNoticePage.objects.live().first()
        return page.url if page else "/"
    return steps[position - 1]


def _page(request, template: str, answers: choose.Answers, here: str, **context):
    return render(
        request,
        template,
        {
            "answers": answers,
            "back_url": _back(request, answers, here),
            "change": bool(request.GET.get("change")),
            **context,
        },
        status=400 if context.get("form") is not None and context["form"].errors else 200,
    )


@require_http_methods(["GET", "POST"])
def who(request):
    answers = _answers(request)
    here = reverse("consent:choose")
    if request.method == "POST":
        form = WhoForm(request.POST)
        if form.is_valid():
            answers.who = form.cleaned_data["who"]
            if answers.for_self:
                answers.relationship = answers.proxy_name = ""
            _save(request, answers)
            return redirect(_next(request, answers, here))
    else:
        form = WhoForm(initial={"who": answers.who} if answers.who else None)
    return _page(request, "consent/choose/who.html", answers, here, form=form)


@require_http_methods(["GET", "POST"])
def relationship(request):
    answers = _answers(request)
    if answers.who != SOMEONE_ELSE:
        return redirect("consent:choose")
    here = reverse("consent:choose_relationship")
    if request.method == "POST":
        form = RelationshipForm(request.POST)
        if form.is_valid():
            answers.relationship = form.cleaned_data["relationship"]
            answers.proxy_name = form.cleaned_data["proxy_name"].strip()
            _save(request, answers)
            return redirect(_next(request, answers, here))
    else:
        form = RelationshipForm(
            initial={"relationship": answers.relationship, "proxy_name": answers.proxy_name}
        )
    return _page(request, "consent/choose/relationship.html", answers, here, form=form)


@require_http_methods(["GET", "POST"])
def details(request):
    answers = _answers(request)
    if not answers.who:
        return redirect("consent:choose")
    here = reverse("consent:choose_details")
    if request.method == "POST":
        form = DetailsForm(request.POST, for_self=answers.for_self)
        if form.is_valid():
            data = form.cleaned_data
            answers.nhs_number = data["nhs_number"]
            answers.person_name = data["person_name"].strip()
            answers.date_of_birth = data["date_of_birth"].isoformat()
            answers.postcode = data["postcode"]
            _save(request, answers)
            return redirect(_next(request, answers, here))
    else:
        initial = {
            "nhs_number": answers.nhs_number,
            "person_name": answers.person_name,
            "postcode": answers.postcode,
        }
        if answers.date_of_birth:
            year, month, day = answers.date_of_birth.split("-")
            initial.update(dob_day=str(int(day)), dob_month=str(int(month)), dob_year=year)
        form = DetailsForm(initial=initial, for_self=answers.for_self)
    return _page(request, "consent/choose/details.html", answers, here, form=form)


@require_http_methods(["GET", "POST"])
def purpose(request, code: str):
    answers = _answers(request)
    purposes = _purposes()
    chosen = next((p for p in purposes if p.code == code), None)
    if chosen is None:
        raise Http404("No such question")
    if not answers.nhs_number:
        return redirect(_first_unanswered(answers) or "consent:choose")
    here = reverse("consent:choose_purpose", args=[code])
    if request.method == "POST":
        form = PurposeForm(request.POST, purpose=chosen, for_self=answers.for_self)
        if form.is_valid():
            answers.choices[code] = {
                "answer": form.cleaned_data["answer"],
                "notice_version": current_notice_version(),
            }
            _save(request, answers)
            return redirect(_next(request, answers, here))
    else:
        previous = answers.choices.get(code, {}).get("answer")
        form = PurposeForm(
            initial={"answer": previous} if previous else None,
            purpose=chosen,
            for_self=answers.for_self,
        )
    return _page(
        request,
        "consent/choose/purpose.html",
        answers,
        here,
        form=form,
        purpose=chosen,
        number=purposes.index(chosen) + 1,
        total=len(purposes),
    )


@require_http_methods(["GET", "POST"])
def check(request):
    answers = _answers(request)
    missing = _first_unanswered(answers)
    if missing:
        return redirect(missing)
    purposes = _purposes()
    error = ""
    if request.method == "POST":
        rate = getattr(settings, "CONSENT_CHOOSE_RATE", DEFAULT_RATE)
        if rate_limit_hit(scope="consent-choose", key=client_key(request), rate=rate):
            error = RATE_LIMIT_ERROR
        else:
            try:
                recorded = choose.choices_submit(answers=answers, purposes=purposes)
            except RegisterError as refused:
                error = f"We could not record these choices: {refused}"
            else:
                _store_receipt(request, answers, recorded)
                del request.session[SESSION_KEY]
                return redirect("consent:choose_confirmation")
    rows = []
    for p in purposes:
        form = PurposeForm(purpose=p, for_self=answers.for_self)
        labels = dict(form.fields["answer"].choices)
        rows.append({"purpose": p, "answer": labels[answers.choices[p.code]["answer"]]})
    relationship_labels = dict(RelationshipForm.base_fields["relationship"].choices)
    return render(
        request,
        "consent/choose/check.html",
        {
            "answers": answers,
            "rows": rows,
            "relationship": relationship_labels.get(answers.relationship, ""),
            "nhs_number_spaced": f"{answers.nhs_number[:3]} {answers.nhs_number[3:6]} "
            f"{answers.nhs_number[6:]}",
            "back_url": _steps(answers)[-1],
            "error": error,
        },
        status=429 if error == RATE_LIMIT_ERROR else (400 if error else 200),
    )


def _store_receipt(request, answers, recorded) -> None:
    version = next((c.notice_version for c in recorded if c.notice_version), None)
    page = DataSharingNoticePage.objects.live().first()
    policy_path = f"{page.url if page else '/data-sharing/'}notice/v/{version}/" if version else ""
    receipt = choose.receipt_build(
        answers=answers,
        recorded=recorded,
        policy_url=request.build_absolute_uri(policy_path) if policy_path else "",
        at=choose.now(),
    )
    request.session[RECEIPT_KEY] = receipt
    request.session.cycle_key()  # a new session id once personal choices are on record


def _receipt(request) -> dict:
    receipt = request.session.get(RECEIPT_KEY)
    if not receipt:
        raise Http404("No choices have been made in this session")
    return receipt


def _receipt_context(receipt: dict) -> dict:
    purposes = receipt["services"][0]["purposes"]
    return {
        "receipt": receipt,
        "in_effect": [p for p in purposes if p["status"] == "in-effect"],
        "pending": [p for p in purposes if p["status"] != "in-effect"],
    }


def confirmation(request):
    return render(request, "consent/choose/confirmation.html", _receipt_context(_receipt(request)))


def receipt_print(request):
    return render(request, "consent/choose/receipt.html", _receipt_context(_receipt(request)))


def receipt_json(request):
    receipt = _receipt(request)
    response = HttpResponse(
        json.dumps(receipt, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="data-sharing-receipt-{receipt["consentReceiptID"][:8]}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response
