"""Admin forms that keep providers to their own organisations' locations (ADR 0008).

Used as `base_form_class` by Location and ServicePage. The rules live in directory.providers,
imported when a form is built, because models import this module.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm


class LocationAdminForm(WagtailAdminModelForm):
    """A provider adds locations only for their own organisations, chosen from a list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("organisation")
        if field is None or self.for_user is None:
            return
        from . import providers

        organisations = providers.location_organisations_for(user=self.for_user)
        if organisations is None:
            return
        field.widget = forms.Select()  # the queryset below fills in its choices
        field.queryset = organisations
        field.required = True
        field.empty_label = "Choose an organisation"
        field.error_messages["required"] = "Choose the organisation whose location this is"
        field.error_messages["invalid_choice"] = "Choose one of your organisations"


class ServicePageAdminForm(WagtailAdminPageForm):
    """The service editor's "Locations" rows offer only locations the editor may use, plus
    whichever location a row already has (so a provider can keep a shared venue that a
    moderator chose, but not pick another organisation's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from . import providers
        from .models import Location

        if self.for_user is None or providers.user_sees_all_locations(user=self.for_user):
            return
        formset = self.formsets.get("service_at_locations")
        if formset is None:
            return
        allowed = providers.locations_visible_to(user=self.for_user)
        for form in formset.forms:
            field = form.fields.get("location")
            if field is not None:
                current = form.instance.location_id if form.instance.pk else None
                field.queryset = Location.objects.filter(
                    Q(pk__in=allowed.values("pk")) | Q(pk=current)
                )


class OrganisationPageAdminForm(WagtailAdminPageForm):
    """The logo is chosen from the image library, so it is offered only to people who may
    choose images there (Moderators and Editors). Anyone else would get a chooser that lists
    images but refuses to pick one; without the field, the saved logo stays as it is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is None or "logo" not in self.fields:
            return
        from wagtail.images import get_image_model
        from wagtail.permissions import policy_registry

        images = policy_registry.get_by_type(get_image_model())
        if not images.user_has_permission(self.for_user, "choose"):
            del self.fields["logo"]
