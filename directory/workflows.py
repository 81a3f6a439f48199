"""What happens when a Wagtail workflow is approved (WAGTAIL_FINISH_WORKFLOW_ACTION, ADR 0010).

Wagtail imports this while its models load, so it imports nothing at module level.
"""


def publish_workflow_state(workflow_state, user=None) -> None:
    """Publish the approved revision, as Wagtail does. For listing moderation the workflow's
    approval is the permission to publish: `user` may be a provider, who has none of their own,
    when a trusted organisation's change was approved automatically (directory.moderation)."""
    from wagtail.workflows import publish_workflow_state as wagtail_publish_workflow_state

    from .moderation import workflow_is_listing_moderation

    if not workflow_is_listing_moderation(workflow_id=workflow_state.workflow_id):
        wagtail_publish_workflow_state(workflow_state, user=user)
        return
    workflow_state.content_object.get_latest_revision().publish(
        user=user, skip_permission_checks=True
    )
