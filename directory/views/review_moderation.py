"""Review moderation and providers' replies: GOV.UK pages (ADR 0009). Thin: the rules live
in directory.reviews.

GET       /manage/reviews/                      moderators' queue
GET/POST  /manage/reviews/<id>/                 decide on a review (or the reports about it)
GET/POST  /manage/reviews/replies/<id>/         decide on a provider's reply
GET       /providers/reviews/                   reviews of your organisations' services
GET/POST  /providers/reviews/<id>/reply/        reply to one of them

Everyone must be signed in (MFA is enforced for staff and providers by the middleware).
Moderation needs `directory.moderate_directory` (403 otherwise). Providers see only their own
organisations' published reviews: anything else is a 404, the same as a review that does not
exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from directory import providers
from directory.models import Review, ReviewReply
from directory.models.reviews import REVIEW_MAX_CHARACTERS
from directory.review_forms import APPROVE, ReplyDecisionForm, ReplyForm, ReviewDecisionForm
from directory.reviews import (
    ReviewStateError,
    organisation_of,
    replies_pending,
    reply_approve,
    reply_refusal,
    reply_reject,
    reply_submit,
    review_approve,
    review_for_moderation_get,
    review_of_organisations_get,
    review_reject,
    reviews_held_for_safeguarding,
    reviews_of_organisations,
    reviews_pending,
    reviews_reported,
    screening_flags,
)
from portal.models import SiteSettings

QUEUE = "review_moderation:queue"
PROVIDER = "provider_reviews:list"


def _posted(request: HttpRequest):
    """The form data when the form was sent (even empty), else None for an unbound form."""
    return request.POST if request.method == "POST" else None


def _require_moderator(request: HttpRequest) -> None:
    if not providers.user_is_moderator(request.user):
        raise PermissionDenied("Only moderators may moderate reviews")


@login_required
@require_http_methods(["GET", "HEAD"])
def moderation_queue_view(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    return TemplateResponse(
        request,
        "directory/review_moderation/queue.html",
        {
            "pending": list(reviews_pending()),
            "reported": list(reviews_reported()),
            "replies": list(replies_pending()),
            "safeguarding": list(reviews_held_for_safeguarding()),
            "is_member": providers.organisations_of(user=request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_decide_view(request: HttpRequest, review_id: int) -> HttpResponse:
    _require_moderator(request)
    try:
        review = review_for_moderation_get(review_id=review_id)
    except Review.DoesNotExist as missing:
        raise Http404("No such review") from missing
    reports = list(review.reports.all())
    reported = any(report.status == report.OPEN for report in reports)
    decidable = review.status in (Review.PENDING, Review.HELD)
    own = review.author_id == request.user.pk
    form = ReviewDecisionForm(_posted(request), reported=reported)
    if request.method == "POST" and decidable and not own and form.is_valid():
        decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
        try:
            if decision == APPROVE:
                review_approve(review=review, moderator=request.user, comment=comment)
                messages.success(request, f"Review of {review.service.title} published")
            else:
                review = review_reject(
                    review=review, moderator=request.user, reason=decision, comment=comment
                )
                messages.success(request, _rejected_message(request, review))
        except ReviewStateError:
            messages.error(request, "Someone else has already decided on this review")
        return redirect(QUEUE)
    return TemplateResponse(
        request,
        "directory/review_moderation/review.html",
        {
            "review": review,
            "organisation": organisation_of(service=review.service),
            "reports": reports,
            "reported": reported,
            "decidable": decidable,
            "own": own,
            "form": form,
            "reply": ReviewReply.objects.filter(review=review).first(),
        },
    )


def _rejected_message(request: HttpRequest, review: Review) -> str:
    if review.reject_reason != Review.SAFEGUARDING:
        return f"Review of {review.service.title} rejected"
    if review.safeguarding_escalated_at:
        contact = SiteSettings.for_request(request).safeguarding_contact_name or "safeguarding"
        return f"Review of {review.service.title} held and sent to {contact}"
    return (
        f"Review of {review.service.title} held, but no safeguarding contact is set in the "
        "site settings: tell the safeguarding team yourself"
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reply_decide_view(request: HttpRequest, reply_id: int) -> HttpResponse:
    _require_moderator(request)
    try:
        reply = ReviewReply.objects.select_related("review__service", "organisation").get(
            pk=reply_id
        )
    except ReviewReply.DoesNotExist as missing:
        raise Http404("No such reply") from missing
    decidable = reply.status == ReviewReply.PENDING
    own = reply.author_id == request.user.pk
    form = ReplyDecisionForm(_posted(request))
    if request.method == "POST" and decidable and not own and form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == APPROVE:
                reply_approve(reply=reply, moderator=request.user, comment=comment)
                messages.success(request, f"Reply from {reply.organisation.title} published")
            else:
                reply_reject(reply=reply, moderator=request.user, comment=comment)
                messages.success(request, f"Reply from {reply.organisation.title} rejected")
        except ReviewStateError:
            messages.error(request, "Someone else has already decided on this reply")
        return redirect(QUEUE)
    return TemplateResponse(
        request,
        "directory/review_moderation/reply.html",
        {
            "reply": reply,
            "review": reply.review,
            "flags": screening_flags(reply.text),  # replies are screened when shown
            "decidable": decidable,
            "own": own,
            "form": form,
        },
    )


def _require_member(request: HttpRequest) -> None:
    if not providers.organisations_of(user=request.user).exists():
        raise PermissionDenied("Only members of an organisation may reply to its reviews")


@login_required
@require_http_methods(["GET", "HEAD"])
def provider_reviews_view(request: HttpRequest) -> HttpResponse:
    _require_member(request)
    return TemplateResponse(
        request,
        "directory/review_moderation/provider.html",
        {
            "organisations": list(providers.organisations_of(user=request.user)),
            "reviews": list(reviews_of_organisations(user=request.user)[:200]),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def provider_reply_view(request: HttpRequest, review_id: int) -> HttpResponse:
    _require_member(request)
    try:
        review = review_of_organisations_get(user=request.user, review_id=review_id)
    except Review.DoesNotExist as missing:
        raise Http404("No such review of your services") from missing
    refusal = reply_refusal(user=request.user, review=review)
    form = ReplyForm(_posted(request))
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            reply_submit(user=request.user, review=review, text=form.cleaned_data["text"])
        except ReviewStateError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                "Reply sent. It will be published under the review after a moderator has "
                "checked it.",
            )
        return redirect(PROVIDER)
    return TemplateResponse(
        request,
        "directory/review_moderation/provider_reply.html",
        {
            "review": review,
            "organisation": organisation_of(service=review.service),
            "previous_reply": ReviewReply.objects.filter(review=review).first(),
            "refusal": refusal,
            "form": form,
            "maxlength": REVIEW_MAX_CHARACTERS,
            "back_url": reverse(PROVIDER),
        },
    )
