"""Review moderation at /manage/reviews/ and providers' replies at /providers/reviews/
(portal.urls, ADR 0009)."""

from django.urls import path

from .views import review_moderation as views

moderation_urlpatterns = (
    [
        path("", views.moderation_queue_view, name="queue"),
        path("<int:review_id>/", views.review_decide_view, name="review"),
        path("replies/<int:reply_id>/", views.reply_decide_view, name="reply"),
    ],
    "review_moderation",
)

provider_urlpatterns = (
    [
        path("", views.provider_reviews_view, name="list"),
        path("<int:review_id>/reply/", views.provider_reply_view, name="reply"),
    ],
    "provider_reviews",
)
