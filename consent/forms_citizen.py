"""The form for a signed-in person changing one choice (consent.views_citizen). The options
come from consent.citizen.answers_for, so they match the purpose's legal basis."""

from django import forms

from .citizen import answers_for
from .models import Purpose


class ChangeForm(forms.Form):
    """One purpose, one question: the answer is the register decision to record."""

    answer = forms.ChoiceField(widget=forms.RadioSelect)

    def __init__(self, *args, purpose: Purpose, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["answer"]
        field.label = purpose.name
        field.help_text = purpose.description
        field.choices = answers_for(purpose)
        if purpose.legal_basis == Purpose.CONSENT:
            field.error_messages["required"] = "Select if you agree or do not agree"
        else:
            field.error_messages["required"] = (
                "Select yes if we can use your information for this, or no if you object"
            )
        field.error_messages["invalid_choice"] = "Select one of the options"
